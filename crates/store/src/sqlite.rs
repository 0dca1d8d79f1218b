//! The connections and transaction boundaries. One writer connection behind a mutex (SQLite
//! allows one writer anyway; queuing here instead of in `busy_timeout` keeps `SQLITE_BUSY`
//! away from callers), each write one `BEGIN IMMEDIATE` transaction. On a file, reads use a
//! small pool of read-only connections that WAL lets run beside the writer; in memory there is
//! only the one connection, since every connection to `:memory:` is a separate database.

use crate::error::{db_error, DbResult};
use crate::schema;
use crate::tx::Tx;
use localsecrets_core::storage::{ReadTx, Storage, WriteTx};
use localsecrets_core::{CoreError, CoreResult};
use parking_lot::{Condvar, Mutex};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a connection waits on a lock held by another process (or a checkpoint) before
/// failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Read connections kept open on a file.
const MAX_READERS: usize = 4;

pub struct SqliteStorage {
    writer: Mutex<Connection>,
    /// `None` in memory: reads share the writer.
    readers: Option<ReaderPool>,
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
        let mut writer = match path {
            None => Connection::open_in_memory().db()?,
            Some(p) => Connection::open(p).db()?,
        };
        configure(&writer)?;
        if path.is_some() {
            let mode: String = writer
                .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
                .db()?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(CoreError::Storage(format!(
                    "the database refused WAL mode (journal_mode is {mode})"
                )));
            }
            // Every commit reaches the disk before it is acknowledged.
            writer.pragma_update(None, "synchronous", "FULL").db()?;
        }
        schema::migrate(&mut writer)?;
        Ok(Self {
            writer: Mutex::new(writer),
            readers: path.map(|p| ReaderPool::new(p.to_owned())),
        })
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> CoreResult<u32> {
        schema::user_version(&self.writer.lock())
    }

    /// Runs SQLite's own consistency checks (b-trees, indexes, foreign keys).
    pub fn check_integrity(&self) -> CoreResult<()> {
        let conn = self.writer.lock();
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
            None => f(&self.writer.lock()),
            Some(pool) => {
                let conn = pool.take()?;
                let out = f(&conn);
                pool.give_back(conn);
                out
            }
        }
    }
}

/// Settings every connection needs.
fn configure(conn: &Connection) -> CoreResult<()> {
    conn.busy_timeout(BUSY_TIMEOUT).db()?;
    conn.pragma_update(None, "foreign_keys", true).db()?;
    Ok(())
}

impl Storage for SqliteStorage {
    fn read(&self, f: &mut dyn FnMut(&dyn ReadTx) -> CoreResult<()>) -> CoreResult<()> {
        self.with_reader(|conn| {
            // One snapshot for everything the closure reads.
            let txn = Transaction::new_unchecked(conn, TransactionBehavior::Deferred).db()?;
            f(&Tx::new(&txn))?;
            txn.commit().db()
        })
    }

    fn write(&self, f: &mut dyn FnMut(&mut dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        let mut conn = self.writer.lock();
        let txn = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let mut tx = Tx::new(&txn);
        // On any error `txn` drops here and rolls back.
        f(&mut tx)?;
        if let Some(e) = tx.into_failure() {
            return Err(e);
        }
        txn.commit().db()
    }

    fn persistence(&self) -> &'static str {
        match self.readers {
            None => "memory",
            Some(_) => "file",
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
    use localsecrets_core::{Cloud, Scope, Secret, SecretValue, Timestamp, Version};

    fn scope() -> Scope {
        Scope::new(Cloud::Aws, "000000000000", "us-east-1")
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
        let before = store.writer.lock().total_changes();
        put(store, s);
        store.writer.lock().total_changes() - before
    }

    #[test]
    fn writing_a_secret_touches_only_changed_versions() {
        let store = SqliteStorage::open(None).unwrap();
        let mut s = secret(
            "db",
            &[("a", &[]), ("b", &["AWSPREVIOUS"]), ("c", &["AWSCURRENT"])],
        );
        assert_eq!(changes_for(&store, &s), 4);
        // Nothing changed: only the secret row is rewritten.
        assert_eq!(changes_for(&store, &s), 1);
        // A new current version: one insert, two label moves.
        s.versions[1].labels.clear();
        s.versions[2].labels = vec!["AWSPREVIOUS".into()];
        s.versions
            .push(secret("x", &[("d", &["AWSCURRENT"])]).versions.remove(0));
        assert_eq!(changes_for(&store, &s), 1 + 3);
        // Evicting the oldest: one delete, no renumbering.
        s.versions.remove(0);
        assert_eq!(changes_for(&store, &s), 1 + 1);
        assert_eq!(get(&store, "db").unwrap().unwrap(), s);
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
            store.writer.lock().execute(sql, []).unwrap();
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
