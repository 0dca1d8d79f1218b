//! The connections and transaction boundaries. One writer connection behind a mutex (SQLite
//! allows one writer anyway; queuing here instead of in `busy_timeout` keeps `SQLITE_BUSY`
//! away from callers), and a small pool of read-only connections that WAL lets run beside
//! the writer, so a read never waits for a write or for another read.
//!
//! Without a path ("memory": nothing outlives the process) the database is a scratch file in
//! a private directory under the temp dir, written without fsync and removed on drop (or, after
//! a crash, by the next start): every connection to `:memory:` is a separate database, so a
//! true in-memory one would put every read behind the writer's mutex, and a large state would
//! sit in the heap instead of the page cache. Only when no scratch directory can be made is it
//! `:memory:` on the one connection.
//!
//! Group commit: a write runs in a savepoint of the batch transaction that is open on the
//! writer (it opens one if none is), so a failing write rolls back only itself. When no other
//! writer is waiting (or the batch is full) the writer that finishes commits the whole batch
//! with one fsync; the others wait for that commit before they answer, so an acknowledged
//! write is on disk exactly as with a commit per write.
//!
//! WAL checkpoints run on a thread of their own ([`Checkpointer`]), never in a request: the
//! writer's automatic checkpoints are off.

use crate::error::{db_error, DbResult};
use crate::hot::Hot;
use crate::schema;
use crate::tx::Tx;
use localsecrets_core::storage::{ReadTx, Storage, WriteTx};
use localsecrets_core::{CoreError, CoreResult};
use parking_lot::{Condvar, Mutex};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a connection waits on a lock held by another process (or a checkpoint) before
/// failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Read connections kept open on a file.
const MAX_READERS: usize = 4;

/// How many of the latest batches' failures are kept for their waiting writers.
const FAILED_KEPT: u64 = 1024;

/// Most writes one commit carries; past this the batch commits even if writers are waiting,
/// so the first write of a batch is not held back for long.
const MAX_BATCH: usize = 64;

pub struct SqliteStorage {
    writer: Mutex<Writer>,
    /// `None` on `:memory:`: reads share the writer.
    readers: Option<ReaderPool>,
    persistence: &'static str,
    /// Writers queued for the writer connection.
    waiting: std::sync::atomic::AtomicUsize,
    commits: Mutex<Commits>,
    committed: Condvar,
    /// Copies the WAL back into the database off the request path.
    checkpointer: Option<Checkpointer>,
    /// Secrets read recently, emptied by every commit.
    hot: Hot,
    /// The memory mode's directory, removed after the connections above close.
    _scratch: Option<Scratch>,
}

struct Writer {
    conn: Connection,
    /// The batch transaction open on `conn`, if any: its number and the writes it holds.
    batch: Option<(u64, usize)>,
    next_batch: u64,
}

/// How batches ended, for the writers waiting on them.
#[derive(Default)]
struct Commits {
    /// Every batch up to this one has ended.
    done_through: u64,
    /// The latest batches that did not commit, with why (rare).
    failed: std::collections::HashMap<u64, String>,
}

impl std::fmt::Debug for SqliteStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStorage")
            .field("persistence", &self.persistence())
            .finish_non_exhaustive()
    }
}

impl SqliteStorage {
    /// Opens (creating if needed) the database at `path`, or a fresh in-memory one for `None`,
    /// and brings its schema up to date.
    pub fn open(path: Option<&Path>) -> CoreResult<Self> {
        match path {
            Some(p) => Self::open_file(p, "FULL", "file", None),
            None => match Scratch::create() {
                // Nothing outlives the process, so nothing needs to reach the disk.
                Ok(scratch) => Self::open_file(&scratch.db(), "OFF", "memory", Some(scratch)),
                Err(_) => Self::open_memory(),
            },
        }
    }

    /// `synchronous` is `FULL` for a file (every commit reaches the disk before it is
    /// acknowledged) and `OFF` for a scratch database.
    fn open_file(
        path: &Path,
        synchronous: &'static str,
        persistence: &'static str,
        scratch: Option<Scratch>,
    ) -> CoreResult<Self> {
        let mut writer = Connection::open(path).db()?;
        configure(&writer)?;
        // Before anything is written, so even creating the file waits for the disk only when
        // it must.
        writer
            .pragma_update(None, "synchronous", synchronous)
            .db()?;
        let mode: String = writer
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .db()?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(CoreError::Storage(format!(
                "the database refused WAL mode (journal_mode is {mode})"
            )));
        }
        // Checkpoints are the checkpointer's job, not a request's.
        writer.pragma_update(None, "wal_autocheckpoint", 0).db()?;
        schema::migrate(&mut writer)?;
        Ok(Self::around(
            writer,
            Some(ReaderPool::new(path.to_owned())),
            persistence,
            Some(Checkpointer::start(path.to_owned(), synchronous)),
            scratch,
        ))
    }

    fn around(
        writer: Connection,
        readers: Option<ReaderPool>,
        persistence: &'static str,
        checkpointer: Option<Checkpointer>,
        scratch: Option<Scratch>,
    ) -> Self {
        Self {
            writer: Mutex::new(Writer {
                conn: writer,
                batch: None,
                next_batch: 1,
            }),
            readers,
            persistence,
            checkpointer,
            waiting: std::sync::atomic::AtomicUsize::new(0),
            commits: Mutex::new(Commits::default()),
            committed: Condvar::new(),
            hot: Hot::default(),
            _scratch: scratch,
        }
    }

    fn open_memory() -> CoreResult<Self> {
        let mut writer = Connection::open_in_memory().db()?;
        configure(&writer)?;
        schema::migrate(&mut writer)?;
        Ok(Self::around(writer, None, "memory", None, None))
    }

    /// How many background checkpoints have run (none on `:memory:`): they keep the WAL short
    /// without a request paying for it.
    pub fn checkpoints(&self) -> u64 {
        self.checkpointer.as_ref().map_or(0, Checkpointer::runs)
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> CoreResult<u32> {
        schema::user_version(&self.writer.lock().conn)
    }

    /// Runs SQLite's own consistency checks (b-trees, indexes, foreign keys).
    pub fn check_integrity(&self) -> CoreResult<()> {
        let w = self.writer.lock();
        let conn = &w.conn;
        let verdict: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .db()?;
        if verdict != "ok" {
            return Err(CoreError::Storage(format!("integrity check: {verdict}")));
        }
        let orphans: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .db()?;
        if orphans != 0 {
            return Err(CoreError::Storage(format!(
                "integrity check: {orphans} rows break a foreign key"
            )));
        }
        Ok(())
    }

    fn with_reader<R>(&self, f: impl FnOnce(&Connection) -> CoreResult<R>) -> CoreResult<R> {
        match &self.readers {
            None => f(&self.writer.lock().conn),
            Some(pool) => {
                // Given back even if `f` panics (a read answered on the listener's thread
                // catches the panic and goes on), so no slot of the pool is lost.
                let lent = Lent {
                    pool,
                    conn: Some(pool.take()?),
                };
                match lent.conn.as_ref() {
                    Some(conn) => f(conn),
                    None => Err(CoreError::Storage("a reader went missing".into())),
                }
            }
        }
    }
}

/// Settings every connection needs.
fn configure(conn: &Connection) -> CoreResult<()> {
    conn.busy_timeout(BUSY_TIMEOUT).db()?;
    conn.pragma_update(None, "foreign_keys", true).db()?;
    // Every write runs in a savepoint, whose journal would otherwise be a temp file.
    conn.pragma_update(None, "temp_store", "MEMORY").db()?;
    Ok(())
}

impl Storage for SqliteStorage {
    fn read(&self, f: &mut dyn FnMut(&dyn ReadTx) -> CoreResult<()>) -> CoreResult<()> {
        self.with_reader(|conn| {
            // One snapshot for everything the closure reads, begun at its first statement; the
            // statements are cached, as a read is often only one lookup besides them.
            let tx = Tx::reading(conn, Some(&self.hot));
            let r = f(&tx);
            if !tx.begun() {
                return r;
            }
            let end = if r.is_ok() { "COMMIT" } else { "ROLLBACK" };
            let ended = conn
                .prepare_cached(end)
                .and_then(|mut s| s.execute([]))
                .db()
                .map(drop);
            r.and(ended)
        })
    }

    fn write(&self, f: &mut dyn FnMut(&mut dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        if self.readers.is_none() {
            let mut w = self.writer.lock();
            let txn = w
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .db()?;
            run(&txn, f)?;
            txn.commit().db()?;
            self.hot.committed();
            return Ok(());
        }
        self.write_in_batch(f)
    }

    fn persistence(&self) -> &'static str {
        self.persistence
    }

    fn reads_beside_writes(&self) -> bool {
        self.readers.is_some()
    }
}

/// Runs a write closure on `conn`; its result, or the failure its transaction recorded.
fn run(conn: &Connection, f: &mut dyn FnMut(&mut dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
    let mut tx = Tx::new(conn);
    f(&mut tx)?;
    match tx.into_failure() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// [`run`], with a panic turned into an error and its payload kept to resume it later.
fn run_catching(
    conn: &Connection,
    f: &mut dyn FnMut(&mut dyn WriteTx) -> CoreResult<()>,
    panicked: &mut Option<Box<dyn std::any::Any + Send>>,
) -> CoreResult<()> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(conn, &mut *f))) {
        Ok(r) => r,
        Err(payload) => {
            *panicked = Some(payload);
            Err(CoreError::Storage("the write panicked".into()))
        }
    }
}

impl SqliteStorage {
    fn write_in_batch(
        &self,
        f: &mut dyn FnMut(&mut dyn WriteTx) -> CoreResult<()>,
    ) -> CoreResult<()> {
        use std::sync::atomic::Ordering;
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut w = self.writer.lock();
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let batch = match w.batch {
            Some((n, _)) => n,
            None => {
                w.conn.execute_batch("BEGIN IMMEDIATE").db()?;
                let n = w.next_batch;
                w.next_batch += 1;
                w.batch = Some((n, 0));
                n
            }
        };
        // A write that panics is rolled back like a failed one, the batch is ended as usual
        // (so no writer waits for a commit that never comes), and then the panic goes on.
        let mut panicked = None;
        // A savepoint that cannot end leaves the batch unusable: it then rolls back whole.
        let mut savepoint_stuck = false;
        // The first write of a batch needs no savepoint: if it fails, rolling back the
        // transaction undoes only it, and a large write (a fixture load) skips the savepoint's
        // journal of every page it touches.
        let alone = w.batch.is_some_and(|(_, held)| held == 0);
        let mut failed_alone = false;
        let mine = if alone {
            let r = run_catching(&w.conn, f, &mut panicked);
            failed_alone = r.is_err();
            r
        } else {
            match w.conn.execute_batch("SAVEPOINT write").db() {
                Ok(()) => {
                    let r = run_catching(&w.conn, f, &mut panicked);
                    let ended = match &r {
                        Ok(()) => w.conn.execute_batch("RELEASE write"),
                        Err(_) => w.conn.execute_batch("ROLLBACK TO write; RELEASE write"),
                    };
                    match ended.db() {
                        Ok(()) => r,
                        Err(e) => {
                            savepoint_stuck = true;
                            Err(e)
                        }
                    }
                }
                Err(e) => Err(e),
            }
        };
        // SQLite itself may have rolled the whole transaction back (a full disk, an I/O error).
        let batch_broken = savepoint_stuck || failed_alone || w.conn.is_autocommit();
        if let (Some((_, held)), Ok(())) = (w.batch.as_mut(), &mine) {
            *held += 1;
        }
        let held = w.batch.map_or(0, |(_, h)| h);
        let more_coming = self.waiting.load(Ordering::SeqCst) > 0 && held < MAX_BATCH;
        if !batch_broken && more_coming {
            // The next writer joins this batch; whoever ends it commits for everyone.
            drop(w);
            if let Some(payload) = panicked {
                std::panic::resume_unwind(payload);
            }
            return match mine {
                Ok(()) => self.wait_for(batch),
                Err(e) => Err(e),
            };
        }
        let outcome = if batch_broken {
            let _ = w.conn.execute_batch("ROLLBACK");
            Err("the batch transaction failed and was rolled back".to_owned())
        } else {
            w.conn.execute_batch("COMMIT").map_err(|e| {
                let _ = w.conn.execute_batch("ROLLBACK");
                e.to_string()
            })
        };
        w.batch = None;
        if outcome.is_ok() {
            self.hot.committed();
        }
        drop(w);
        self.end_batch(batch, outcome.clone());
        if let Some(payload) = panicked {
            std::panic::resume_unwind(payload);
        }
        match (mine, outcome) {
            (Err(e), _) => Err(e),
            (Ok(()), Ok(())) => Ok(()),
            (Ok(()), Err(e)) => Err(CoreError::Storage(format!("commit failed: {e}"))),
        }
    }

    fn end_batch(&self, batch: u64, outcome: Result<(), String>) {
        let mut c = self.commits.lock();
        c.done_through = c.done_through.max(batch);
        if let Err(e) = outcome {
            c.failed.insert(batch, e);
        }
        // Writers of a batch read its outcome right after it ends; old ones are not asked for.
        c.failed.retain(|b, _| b + FAILED_KEPT > batch);
        self.committed.notify_all();
    }

    /// Waits until `batch` has ended; its commit's outcome is this write's.
    fn wait_for(&self, batch: u64) -> CoreResult<()> {
        let mut c = self.commits.lock();
        while c.done_through < batch {
            self.committed.wait(&mut c);
        }
        match c.failed.get(&batch) {
            Some(e) => Err(CoreError::Storage(format!("commit failed: {e}"))),
            None => Ok(()),
        }
    }
}

/// The prefix of scratch directories; the process id follows, so a start can tell whose are
/// left over from a crash.
const SCRATCH_PREFIX: &str = "localsecrets-memory-";

/// A directory only this user can read, holding one memory-mode database.
struct Scratch {
    dir: PathBuf,
    /// Held (an exclusive file lock) while the directory is in use, so a sweep by another
    /// process, in another PID namespace sharing the temp dir, cannot take it for a leftover.
    _lock: std::fs::File,
}

/// The file in a scratch directory that its owner keeps locked.
const SCRATCH_LOCK: &str = "owner.lock";

impl Scratch {
    fn create() -> std::io::Result<Self> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let base = std::env::temp_dir();
        // Removing a large leftover takes a while; a start does not wait for it.
        let old = base.clone();
        let _ = std::thread::Builder::new()
            .name("scratch-sweep".into())
            .spawn(move || sweep(&old));
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = base.join(format!(
            "{SCRATCH_PREFIX}{}-{n}-{nanos:08x}",
            std::process::id()
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir)?;
        // Locked under another name and then renamed, so a sweep never finds the lock file
        // before it is held.
        let unlocked = dir.join("owner.new");
        let lock = std::fs::File::create(&unlocked)?;
        let held = lock
            .try_lock()
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|()| std::fs::rename(&unlocked, dir.join(SCRATCH_LOCK)));
        if let Err(e) = held {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
        Ok(Self { dir, _lock: lock })
    }

    fn db(&self) -> PathBuf {
        self.dir.join("state.db")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Removes scratch directories nobody holds: their process is gone (where `/proc` tells)
/// and their lock is free. A directory without a lock file is left alone (its owner may not
/// have locked it yet).
fn sweep(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    let proc_tells = Path::new("/proc/self").exists();
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(SCRATCH_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if proc_tells && Path::new("/proc").join(pid.to_string()).exists() {
            continue;
        }
        let Ok(lock) = std::fs::File::open(e.path().join(SCRATCH_LOCK)) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// How often the checkpointer copies the WAL back into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// A thread that checkpoints the WAL (PASSIVE: it waits for no reader and blocks no writer)
/// every [`CHECKPOINT_EVERY`], until the storage is dropped.
struct Checkpointer {
    stop: std::sync::Arc<(Mutex<bool>, Condvar)>,
    done: std::sync::Arc<std::sync::atomic::AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    fn start(path: PathBuf, synchronous: &'static str) -> Self {
        let stop = std::sync::Arc::new((Mutex::new(false), Condvar::new()));
        let done = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (s, d) = (stop.clone(), done.clone());
        let thread = std::thread::Builder::new()
            .name("wal-checkpoint".into())
            .spawn(move || {
                let Ok(conn) = Connection::open(&path) else {
                    return;
                };
                let _ = configure(&conn);
                let _ = conn.pragma_update(None, "synchronous", synchronous);
                loop {
                    {
                        let mut stopped = s.0.lock();
                        if !*stopped {
                            s.1.wait_for(&mut stopped, CHECKPOINT_EVERY);
                        }
                        if *stopped {
                            break;
                        }
                    }
                    if conn
                        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                        .is_ok()
                    {
                        d.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
                // A last one, so a clean stop leaves little to replay at the next start.
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            })
            .ok();
        Self { stop, done, thread }
    }

    fn runs(&self) -> u64 {
        self.done.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        *self.stop.0.lock() = true;
        self.stop.1.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A reader connection on loan; it goes back to the pool when dropped, however the borrower
/// ends.
struct Lent<'p> {
    pool: &'p ReaderPool,
    conn: Option<Connection>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.give_back(conn);
        }
    }
}

/// Read-only connections to the database file, opened on demand up to `MAX_READERS`;
/// further readers wait for one to come back.
struct ReaderPool {
    path: PathBuf,
    state: Mutex<PoolState>,
    returned: Condvar,
}

struct PoolState {
    idle: Vec<Connection>,
    open: usize,
}

impl ReaderPool {
    fn new(path: PathBuf) -> Self {
        Self {
            path,
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
        }
    }

    fn take(&self) -> CoreResult<Connection> {
        let mut state = self.state.lock();
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(conn);
            }
            if state.open < MAX_READERS {
                state.open += 1;
                drop(state);
                return self.connect().inspect_err(|_| {
                    self.state.lock().open -= 1;
                    self.returned.notify_one();
                });
            }
            self.returned.wait(&mut state);
        }
    }

    fn give_back(&self, conn: Connection) {
        // A connection left inside a transaction (a failed rollback) is not reused.
        if conn.is_autocommit() {
            self.state.lock().idle.push(conn);
        } else {
            drop(conn);
            self.state.lock().open -= 1;
        }
        self.returned.notify_one();
    }

    fn connect(&self) -> CoreResult<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(db_error)?;
        configure(&conn)?;
        Ok(conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_core::storage::Versions;
    use localsecrets_core::{Cloud, Scope, Secret, SecretValue, Timestamp, Version};

    fn scope() -> Scope {
        Scope::new(Cloud::Aws, "000000000000", "us-east-1")
    }

    /// More panicking reads than the pool has connections, then a read that must still get
    /// one. Run on a thread with a deadline, as a lost connection makes a read wait forever.
    #[test]
    fn a_panicking_read_gives_its_connection_back() {
        let store = SqliteStorage::open(None).unwrap();
        let (done, wait) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for _ in 0..MAX_READERS * 3 {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    store.read(&mut |tx| {
                        tx.setting("k")?;
                        panic!("a bug in a read");
                    })
                }));
                assert!(r.is_err());
            }
            let _ = done.send(store.read(&mut |tx| tx.setting("k").map(drop)));
        });
        let r = wait.recv_timeout(std::time::Duration::from_secs(10));
        assert_eq!(r, Ok(Ok(())), "no reader connection came back");
    }

    #[test]
    fn memory_mode_keeps_its_database_private_and_removes_it() {
        let store = SqliteStorage::open(None).unwrap();
        assert_eq!(store.persistence(), "memory");
        let dir = store
            ._scratch
            .as_ref()
            .expect("a scratch directory")
            .dir
            .clone();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        store
            .write(&mut |tx| tx.put_record(&scope(), "k", "x", &serde_json::json!(1)))
            .unwrap();
        assert!(dir.join("state.db").exists());
        drop(store);
        assert!(!dir.exists());
    }

    #[test]
    fn scratch_left_by_a_dead_process_is_swept() {
        let base = tempfile::tempdir().unwrap();
        let dir = |name: &str| {
            let d = base.path().join(name);
            std::fs::create_dir(&d).unwrap();
            std::fs::File::create(d.join(SCRATCH_LOCK)).unwrap();
            d
        };
        let dead = dir(&format!("{SCRATCH_PREFIX}4000000000-0-0"));
        let alive = dir(&format!("{SCRATCH_PREFIX}{}-0-0", std::process::id()));
        let other = dir("unrelated-4000000000");
        // A process this one cannot see (another PID namespace) still holds its lock.
        let held = dir(&format!("{SCRATCH_PREFIX}4000000001-0-0"));
        let holder = std::fs::File::open(held.join(SCRATCH_LOCK)).unwrap();
        holder.lock().unwrap();
        let unlocked = base.path().join(format!("{SCRATCH_PREFIX}4000000002-0-0"));
        std::fs::create_dir(&unlocked).unwrap();
        sweep(base.path());
        assert!(!dead.exists());
        assert!(alive.exists() && other.exists() && held.exists() && unlocked.exists());
        drop(holder);
        sweep(base.path());
        assert!(!held.exists());
    }

    #[test]
    fn a_panicking_write_rolls_back_alone_and_strands_no_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStorage::open(Some(&dir.path().join("db"))).unwrap();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.write(&mut |tx| {
                tx.put_record(&scope(), "k", "lost", &serde_json::json!(1))?;
                panic!("a bug in a write");
            })
        }));
        assert!(r.is_err());
        store
            .write(&mut |tx| tx.put_record(&scope(), "k", "kept", &serde_json::json!(2)))
            .unwrap();
        let mut keys = Vec::new();
        store
            .read(&mut |tx| {
                keys = tx.records(&scope(), "k")?;
                Ok(())
            })
            .unwrap();
        assert_eq!(keys, [("kept".to_owned(), serde_json::json!(2))]);
    }

    #[test]
    fn checkpoints_run_off_the_request_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let store = SqliteStorage::open(Some(&path)).unwrap();
        let auto: i64 = store
            .writer
            .lock()
            .conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap();
        assert_eq!(auto, 0, "the writer must not checkpoint in a request");
        for i in 0..200 {
            store
                .write(&mut |tx| {
                    tx.put_record(&scope(), "k", &i.to_string(), &serde_json::json!(i))
                })
                .unwrap();
        }
        let before = store.checkpoints();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while store.checkpoints() < before + 2 {
            assert!(
                std::time::Instant::now() < deadline,
                "the checkpointer never ran"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // Everything written is in the database file: a checkpoint now finds nothing left.
        let (log, moved): (i64, i64) = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(log, moved);
        drop(store);
        assert_eq!(SqliteStorage::open(None).unwrap().checkpoints(), 0);
    }

    #[test]
    fn writes_share_commits_and_a_failing_one_rolls_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(SqliteStorage::open(Some(&dir.path().join("db"))).unwrap());
        std::thread::scope(|t| {
            for thread in 0..8 {
                let store = store.clone();
                t.spawn(move || {
                    for i in 0..60 {
                        let key = format!("{thread}-{i}");
                        let r = store.write(&mut |tx| {
                            tx.put_record(&scope(), "k", &key, &serde_json::json!(i))?;
                            if i % 5 == 4 {
                                return Err(CoreError::InvalidParameter("refused".into()));
                            }
                            Ok(())
                        });
                        assert_eq!(r.is_ok(), i % 5 != 4, "{key}: {r:?}");
                    }
                });
            }
        });
        let mut kept = Vec::new();
        store
            .read(&mut |tx| {
                kept = tx.records(&scope(), "k")?;
                Ok(())
            })
            .unwrap();
        assert_eq!(kept.len(), 8 * 48);
        assert!(kept.iter().all(|(_, v)| v.as_i64().unwrap() % 5 != 4));
        // Fewer commits than writes: batches formed while writers waited.
        let batches = store.writer.lock().next_batch - 1;
        assert!(batches < 8 * 60, "{batches} commits for {} writes", 8 * 60);
        drop(store);
        // What was acknowledged is there after reopening.
        let again = SqliteStorage::open(Some(&dir.path().join("db"))).unwrap();
        let mut n = 0;
        again
            .read(&mut |tx| {
                n = tx.records(&scope(), "k")?.len();
                Ok(())
            })
            .unwrap();
        assert_eq!(n, 8 * 48);
    }

    fn secret(name: &str, versions: &[(&str, &[&str])]) -> Secret {
        Secret {
            versions: versions
                .iter()
                .map(|(id, labels)| {
                    Version::new(
                        *id,
                        SecretValue::Text(format!("value of {id}")),
                        Timestamp::from_millis(3),
                        labels.iter().map(|l| (*l).to_owned()).collect(),
                    )
                })
                .collect(),
            updated: Timestamp::from_millis(2),
            ..Secret::new(
                name,
                format!("id-{name}"),
                "AbCdEf",
                Timestamp::from_millis(1),
            )
        }
    }

    fn put(store: &SqliteStorage, s: &Secret) {
        store.write(&mut |tx| tx.put_secret(&scope(), s)).unwrap();
    }

    fn get(store: &SqliteStorage, name: &str) -> CoreResult<Option<Secret>> {
        let mut out = None;
        store.read(&mut |tx| {
            out = tx.secret(&scope(), name)?;
            Ok(())
        })?;
        Ok(out)
    }

    /// Rows changed by writing `s` over what is stored.
    fn changes_for(store: &SqliteStorage, s: &Secret) -> u64 {
        let before = store.writer.lock().conn.total_changes();
        put(store, s);
        store.writer.lock().conn.total_changes() - before
    }

    fn current_value(store: &SqliteStorage, name: &str) -> Option<String> {
        let mut out = None;
        store
            .read(&mut |tx| {
                let s = tx.secret_with(&scope(), name, Versions::Labelled("AWSCURRENT"))?;
                out = s.and_then(|s| s.versions.first()?.value.as_text().map(str::to_owned));
                Ok(())
            })
            .unwrap();
        out
    }

    #[test]
    fn a_hot_secret_is_never_read_older_than_an_acknowledged_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStorage::open(Some(&dir.path().join("db"))).unwrap();
        put(&store, &secret("db", &[("0", &["AWSCURRENT"])]));
        assert_eq!(current_value(&store, "db").as_deref(), Some("value of 0"));
        let acked = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|t| {
            for _ in 0..4 {
                t.spawn(|| {
                    while acked.load(std::sync::atomic::Ordering::SeqCst) < 200 {
                        // Whatever is acknowledged before the read begins, the read sees.
                        let floor = acked.load(std::sync::atomic::Ordering::SeqCst);
                        let seen: usize = current_value(&store, "db")
                            .and_then(|v| v.strip_prefix("value of ")?.parse().ok())
                            .unwrap();
                        assert!(seen >= floor, "read {seen} after {floor} was acknowledged");
                    }
                });
            }
            for i in 1..=200 {
                put(&store, &secret("db", &[(&i.to_string(), &["AWSCURRENT"])]));
                acked.store(i, std::sync::atomic::Ordering::SeqCst);
            }
        });
        assert_eq!(current_value(&store, "db").as_deref(), Some("value of 200"));
    }

    /// A secret read and written back in one transaction has only its changed columns set;
    /// what the indexes answer afterwards is the same as for a row written whole.
    #[test]
    fn a_secret_read_and_written_back_keeps_its_indexes_true() {
        use localsecrets_core::listing::{ListOrder, ListQuery};
        use localsecrets_core::Deletion;
        let store = SqliteStorage::open(None).unwrap();
        for name in ["a", "b"] {
            put(&store, &secret(name, &[("v", &["AWSCURRENT"])]));
        }
        store
            .write(&mut |tx| {
                let mut s = tx.secret(&scope(), "a")?.unwrap();
                s.updated = Timestamp::from_millis(9);
                s.last_accessed = Some(Timestamp::from_millis(7));
                s.deletion = Some(Deletion {
                    deleted_at: Timestamp::from_millis(8),
                    purge_at: Timestamp::from_millis(50),
                });
                tx.put_secret(&scope(), &s)
            })
            .unwrap();
        let mut order = Vec::new();
        let mut due = None;
        store
            .read(&mut |tx| {
                let mut q = ListQuery::new(ListOrder::Updated, 10);
                q.descending = true;
                q.include_deleted = true;
                let page = tx.page(&scope(), &q, Timestamp::from_millis(10))?;
                order = page.secrets.iter().map(|s| s.name.clone()).collect();
                due = tx.next_due()?;
                Ok(())
            })
            .unwrap();
        assert_eq!(order, ["a", "b"], "the updated column moved");
        assert_eq!(
            due,
            Some(Timestamp::from_millis(50)),
            "the purge column was set"
        );
        assert_eq!(
            get(&store, "a").unwrap().unwrap().updated,
            Timestamp::from_millis(9)
        );
    }

    #[test]
    fn writing_a_secret_touches_only_changed_versions() {
        let store = SqliteStorage::open(None).unwrap();
        let mut s = secret(
            "db",
            &[("a", &[]), ("b", &["AWSPREVIOUS"]), ("c", &["AWSCURRENT"])],
        );
        // The secret, three versions, two label rows.
        assert_eq!(changes_for(&store, &s), 1 + 3 + 2);
        // Nothing changed: only the secret row is rewritten.
        assert_eq!(changes_for(&store, &s), 1);
        // A new current version: one insert, two versions whose labels moved, and the label
        // rows: b's AWSPREVIOUS goes, c's AWSCURRENT goes and c takes AWSPREVIOUS, d takes
        // AWSCURRENT.
        s.versions[1].labels.clear();
        s.versions[2].labels = vec!["AWSPREVIOUS".into()];
        s.versions
            .push(secret("x", &[("d", &["AWSCURRENT"])]).versions.remove(0));
        assert_eq!(changes_for(&store, &s), 1 + 3 + 4);
        // Evicting the oldest: one delete, no renumbering.
        s.versions.remove(0);
        assert_eq!(changes_for(&store, &s), 1 + 1);
        assert_eq!(get(&store, "db").unwrap().unwrap(), s);
    }

    /// A write compares a secret with the versions it read earlier in the same transaction;
    /// what it wrote since, or a delete that frees the row id, must not mislead it.
    #[test]
    fn repeated_and_replaced_writes_in_one_transaction_store_what_was_put() {
        let store = SqliteStorage::open(None).unwrap();
        put(
            &store,
            &secret("db", &[("a", &["AWSPREVIOUS"]), ("b", &["AWSCURRENT"])]),
        );
        let first = secret("db", &[("b", &["AWSPREVIOUS"]), ("c", &["AWSCURRENT"])]);
        let second = secret("db", &[("c", &["AWSPREVIOUS"]), ("d", &["AWSCURRENT"])]);
        store
            .write(&mut |tx| {
                tx.secret(&scope(), "db")?;
                tx.put_secret(&scope(), &first)?;
                tx.put_secret(&scope(), &second)
            })
            .unwrap();
        assert_eq!(get(&store, "db").unwrap().unwrap(), second);
        let replacement = secret("db", &[("a", &["AWSCURRENT"]), ("d", &["x"])]);
        store
            .write(&mut |tx| {
                tx.secret(&scope(), "db")?;
                tx.delete_secret(&scope(), "db")?;
                tx.put_secret(&scope(), &replacement)
            })
            .unwrap();
        assert_eq!(get(&store, "db").unwrap().unwrap(), replacement);
    }

    #[test]
    fn corrupt_rows_are_storage_errors() {
        let store = SqliteStorage::open(None).unwrap();
        put(&store, &secret("db", &[("a", &["AWSCURRENT"])]));
        let corruptions = [
            "UPDATE secrets SET meta = '{not json'",
            "UPDATE secrets SET meta = '{\"name\": 7}'",
            "UPDATE versions SET body = '{\"id\": \"a\", \"value\": {\"binary\": \"!!\"}}'",
            "UPDATE versions SET body = '[]'",
            "UPDATE secrets SET cloud = 'azure'",
        ];
        for sql in corruptions {
            let store = SqliteStorage::open(None).unwrap();
            put(&store, &secret("db", &[("a", &["AWSCURRENT"])]));
            store.writer.lock().conn.execute(sql, []).unwrap();
            let by_name = get(&store, "db");
            let listed = store.read(&mut |tx| tx.secrets(&scope()).map(drop));
            let scopes = store.read(&mut |tx| tx.scopes(None).map(drop));
            let due = store.read(&mut |tx| tx.due(Timestamp::from_millis(i64::MAX)).map(drop));
            let cloud_broken = sql.contains("azure");
            for r in [by_name.map(drop), listed] {
                if cloud_broken {
                    // Looked up by scope, the row is simply elsewhere.
                    assert!(r.is_ok(), "{sql}");
                } else {
                    assert!(matches!(r, Err(CoreError::Storage(_))), "{sql}: {r:?}");
                }
            }
            assert_eq!(scopes.is_err(), cloud_broken, "{sql}");
            assert!(due.is_ok(), "{sql}");
        }
        // Records too.
        let store = SqliteStorage::open(None).unwrap();
        store
            .writer
            .lock()
            .conn
            .execute(
                "INSERT INTO records VALUES ('aws', '000000000000', 'us-east-1', 'k', 'x', '{')",
                [],
            )
            .unwrap();
        let r = store.read(&mut |tx| tx.record(&scope(), "k", "x").map(drop));
        assert!(matches!(r, Err(CoreError::Storage(_))));
        let r = store.read(&mut |tx| tx.records(&scope(), "k").map(drop));
        assert!(matches!(r, Err(CoreError::Storage(_))));
    }

    #[test]
    fn corrupt_value_errors_do_not_quote_the_value() {
        let store = SqliteStorage::open(None).unwrap();
        put(&store, &secret("db", &[("a", &["AWSCURRENT"])]));
        store
            .writer
            .lock()
            .conn
            .execute(
                "UPDATE versions SET body = '{\"id\": \"a\", \"value\": \"hunter2\", \"created\": 1}'",
                [],
            )
            .unwrap();
        let Err(CoreError::Storage(msg)) = get(&store, "db") else {
            panic!("expected a storage error");
        };
        assert!(!msg.contains("hunter2"), "{msg}");
    }

    #[test]
    fn a_failed_write_inside_the_closure_prevents_the_commit() {
        let store = SqliteStorage::open(None).unwrap();
        let dup = secret("dup", &[("a", &[]), ("a", &[])]);
        let r = store.write(&mut |tx| {
            tx.put_secret(&scope(), &secret("ok", &[("a", &["AWSCURRENT"])]))?;
            // The closure ignores the failure and reports success.
            let _ = tx.put_secret(&scope(), &dup);
            Ok(())
        });
        assert!(matches!(r, Err(CoreError::Storage(_))));
        assert_eq!(get(&store, "ok").unwrap(), None);
    }
}
