//! Rows ↔ model. A secret is one `secrets` row (its metadata as JSON, without versions) plus
//! one `versions` row per version, ordered by `seq`; writing a secret touches only the version
//! rows that changed.

use crate::error::{corrupt, DbResult};
use crate::hot::{By, Hot};
use localsecrets_core::listing::{ListOrder, ListPage, ListQuery, Position};
use localsecrets_core::memory::due_items;
use localsecrets_core::storage::{stage, Due, DueKind, ReadTx, ResetFilter, Versions, WriteTx};
use localsecrets_core::{Cloud, CoreError, CoreResult, Scope, Secret, Timestamp, Version};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// A transaction already begun on `conn`; the caller commits or rolls back.
pub struct Tx<'c> {
    db: &'c Connection,
    /// Whether the transaction has begun on `db`: a read begins at its first statement, so
    /// one answered from the cache of hot secrets runs none.
    begun: std::cell::Cell<bool>,
    /// The first write that failed. A multi-statement write may have been cut short, so the
    /// transaction must not commit even if the closure carries on.
    failed: Option<CoreError>,
    /// The version rows of each secret (by row id) as this transaction last read or wrote
    /// them, so writing a secret back compares with them instead of reading them again.
    /// `None` in a read transaction, which writes nothing back.
    known: Option<std::cell::RefCell<HashMap<i64, StoredVersions>>>,
    /// A read's cache of hot secrets, with the commit count seen when the read began.
    hot: Option<(&'c Hot, u64)>,
    /// The secret rows this write transaction read or wrote (by place), so writing one back
    /// sets only the columns that changed and leaves the other indexes alone.
    rows: std::cell::RefCell<HashMap<RowKey, (i64, Columns)>>,
}

/// A secret row's place: cloud, tenant, region, name.
type RowKey = (&'static str, String, String, String);

fn row_key(scope: &Scope, name: &str) -> RowKey {
    (
        scope.cloud.as_str(),
        scope.tenant.clone(),
        scope.region.clone(),
        name.to_owned(),
    )
}

/// The indexed columns of a secret row besides its place.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Columns {
    id: String,
    purge_at: Option<i64>,
    next_rotation: Option<i64>,
    expires_at: Option<i64>,
    created: i64,
    updated: i64,
    accessed: i64,
}

impl Columns {
    /// The columns `secret` calls for.
    fn of(scope: &Scope, secret: &Secret) -> Self {
        let (mut purge_at, mut next_rotation, mut expires_at) = (None, None, None);
        for due in due_items(scope, &secret.name, secret) {
            match due.kind {
                DueKind::Purge => purge_at = Some(due.at.millis()),
                DueKind::Rotation => next_rotation = Some(due.at.millis()),
                DueKind::Expiry => expires_at = Some(due.at.millis()),
            }
        }
        Self {
            id: secret.id.clone(),
            purge_at,
            next_rotation,
            expires_at,
            created: ListOrder::Created.key(secret),
            updated: ListOrder::Updated.key(secret),
            accessed: ListOrder::LastAccessed.key(secret),
        }
    }

    /// The columns as [`SECRET_BY_NAME`] and [`SECRET_BY_ID`] select them, from `from` on.
    fn read(r: &rusqlite::Row<'_>, from: usize) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(from)?,
            purge_at: r.get(from + 1)?,
            next_rotation: r.get(from + 2)?,
            expires_at: r.get(from + 3)?,
            created: r.get(from + 4)?,
            updated: r.get(from + 5)?,
            accessed: r.get(from + 6)?,
        })
    }
}

/// Version id → (seq, body) as stored.
type StoredVersions = HashMap<String, (i64, String)>;

impl<'c> Tx<'c> {
    /// A write transaction begun on `conn`.
    pub fn new(conn: &'c Connection) -> Self {
        Self {
            db: conn,
            begun: std::cell::Cell::new(true),
            failed: None,
            known: Some(Default::default()),
            hot: None,
            rows: Default::default(),
        }
    }

    /// A read transaction on `conn`, begun (deferred) at its first statement, so its snapshot
    /// is taken after `hot`'s commit count is read. The caller ends it if [`Tx::begun`].
    pub fn reading(conn: &'c Connection, hot: Option<&'c Hot>) -> Self {
        Self {
            db: conn,
            begun: std::cell::Cell::new(false),
            failed: None,
            known: None,
            hot: hot.map(|h| (h, h.epoch())),
            rows: Default::default(),
        }
    }

    pub fn into_failure(self) -> Option<CoreError> {
        self.failed
    }

    pub fn begun(&self) -> bool {
        self.begun.get()
    }

    /// The connection, with the transaction begun.
    fn conn(&self) -> CoreResult<&'c Connection> {
        if !self.begun.get() {
            self.db.prepare_cached("BEGIN").db()?.execute([]).db()?;
            self.begun.set(true);
        }
        Ok(self.db)
    }

    fn guard(&mut self, r: CoreResult<()>) -> CoreResult<()> {
        if let Err(e) = &r {
            self.failed.get_or_insert_with(|| e.clone());
        }
        r
    }

    /// Every version row of a secret, in order: id, seq and body.
    fn stored_versions(&self, pk: i64) -> CoreResult<Vec<(String, i64, String)>> {
        let mut stmt = self
            .conn()?
            .prepare_cached(
                "SELECT version_id, seq, body FROM versions WHERE secret = ?1 ORDER BY seq",
            )
            .db()?;
        let rows = stmt
            .query_map([pk], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Every version of a secret, decoded; in a write transaction the rows are remembered
    /// for the write that may follow.
    fn load_versions(&self, pk: i64) -> CoreResult<Vec<Version>> {
        let rows = self.stored_versions(pk)?;
        self.decode_and_remember(pk, rows)
    }

    /// Version rows (id, seq, body) decoded; in a write transaction they are remembered as
    /// what is stored of the secret, for the write that may follow.
    fn decode_and_remember(
        &self,
        pk: i64,
        rows: Vec<(String, i64, String)>,
    ) -> CoreResult<Vec<Version>> {
        let versions = rows
            .iter()
            .map(|(_, _, body)| decode_version(pk, body))
            .collect::<CoreResult<_>>()?;
        if let Some(known) = &self.known {
            known.borrow_mut().insert(
                pk,
                rows.into_iter()
                    .map(|(id, seq, body)| (id, (seq, body)))
                    .collect(),
            );
        }
        Ok(versions)
    }

    /// The secret found by name or id in `scope`, with the versions asked for; from the
    /// cache of hot secrets when a read finds it there.
    fn secret_where(
        &self,
        by: By,
        scope: &Scope,
        key: &str,
        versions: Versions<'_>,
    ) -> CoreResult<Option<Secret>> {
        let cached = self
            .hot
            .and_then(|(hot, epoch)| Some((hot, epoch, Hot::key(scope, by, key, versions)?)));
        if let Some(s) = cached.as_ref().and_then(|(hot, _, k)| hot.get(k)) {
            return Ok(Some(s));
        }
        let sql = match by {
            By::Name => SECRET_BY_NAME,
            By::Id => SECRET_BY_ID,
        };
        let row: Option<(i64, String, Columns)> = self
            .conn()?
            .prepare_cached(sql)
            .db()?
            .query_row(
                params![scope.cloud.as_str(), scope.tenant, scope.region, key],
                |r| Ok((r.get(0)?, r.get(1)?, Columns::read(r, 2)?)),
            )
            .optional()
            .db()?;
        let Some((pk, meta, columns)) = row else {
            return Ok(None);
        };
        let mut s = decode_secret(pk, &meta, Vec::new())?;
        if self.known.is_some() {
            self.rows
                .borrow_mut()
                .insert(row_key(scope, &s.name), (pk, columns));
        }
        s.versions = self.versions_of(pk, versions)?;
        if let Versions::Changing(_) = versions {
            s.loaded = Some(s.versions.iter().map(|v| v.id.clone()).collect());
        }
        if let Some((hot, epoch, k)) = cached {
            hot.put(epoch, k, &s, meta.len());
        }
        Ok(Some(s))
    }

    /// Records the labels `version_id` holds now (rows per version and label, so the order
    /// versions are written in does not matter).
    fn put_labels(&self, pk: i64, version_id: &str, labels: &[String]) -> CoreResult<()> {
        self.conn()?
            .prepare_cached("DELETE FROM labels WHERE secret = ?1 AND version_id = ?2")
            .db()?
            .execute(params![pk, version_id])
            .db()?;
        for (ord, label) in labels.iter().enumerate() {
            self.conn()?
                .prepare_cached(
                    "INSERT OR IGNORE INTO labels (secret, label, version_id, ord)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .db()?
                .execute(params![pk, label, version_id, ord as i64])
                .db()?;
        }
        Ok(())
    }

    /// Some of a secret's versions, decoded; only a full load is remembered for the write
    /// that may follow.
    fn versions_of(&self, pk: i64, which: Versions<'_>) -> CoreResult<Vec<Version>> {
        let (sql, key) = match which {
            Versions::All => return self.load_versions(pk),
            Versions::Stages => {
                return Ok(self
                    .stages_of_many(std::iter::once(pk))?
                    .remove(&pk)
                    .unwrap_or_default())
            }
            Versions::Changing(ids) => return self.changing_versions(pk, ids),
            Versions::Id(id) => (
                "SELECT body FROM versions WHERE secret = ?1 AND version_id = ?2",
                id,
            ),
            Versions::Labelled(label) => (
                "SELECT v.body FROM labels l
                 JOIN versions v ON v.secret = l.secret AND v.version_id = l.version_id
                 WHERE l.secret = ?1 AND l.label = ?2 ORDER BY v.seq",
                label,
            ),
        };
        let bodies: Vec<String> = {
            let mut stmt = self.conn()?.prepare_cached(sql).db()?;
            let rows = stmt.query_map(params![pk, key], |r| r.get(0)).db()?;
            rows.collect::<rusqlite::Result<_>>().db()?
        };
        decode_versions(pk, bodies)
    }

    /// The version bodies of several secrets in order, in one statement (a page's worth).
    fn versions_of_many(
        &self,
        pks: impl Iterator<Item = i64>,
    ) -> CoreResult<HashMap<i64, Vec<String>>> {
        let list = Value::Array(pks.map(Value::from).collect()).to_string();
        let mut stmt = self
            .conn()?
            .prepare_cached(
                "SELECT secret, body FROM versions
                 WHERE secret IN (SELECT value FROM json_each(?1)) ORDER BY secret, seq",
            )
            .db()?;
        let mut rows = stmt.query([list]).db()?;
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        while let Some(r) = rows.next().db()? {
            out.entry(r.get(0).db()?).or_default().push(r.get(1).db()?);
        }
        Ok(out)
    }

    /// The labelled versions and those with `ids` ([`Versions::Changing`]), each found by its
    /// key; in a write transaction their rows are remembered for the write that follows.
    fn changing_versions(&self, pk: i64, ids: &[&str]) -> CoreResult<Vec<Version>> {
        let ids = Value::Array(ids.iter().map(|&i| Value::from(i)).collect()).to_string();
        let rows: Vec<(String, i64, String)> = {
            let mut stmt = self
                .conn()?
                .prepare_cached(
                    "SELECT version_id, seq, body FROM versions
                     WHERE secret = ?1 AND version_id IN (
                         SELECT version_id FROM labels WHERE secret = ?1
                         UNION SELECT value FROM json_each(?2))
                     ORDER BY seq",
                )
                .db()?;
            let rows = stmt
                .query_map(params![pk, ids], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .db()?;
            rows.collect::<rusqlite::Result<_>>().db()?
        };
        self.decode_and_remember(pk, rows)
    }

    /// The stages of several secrets ([`Versions::Stages`]), from the labels table alone
    /// but for each version's place.
    fn stages_of_many(
        &self,
        pks: impl Iterator<Item = i64>,
    ) -> CoreResult<HashMap<i64, Vec<Version>>> {
        let list = Value::Array(pks.map(Value::from).collect()).to_string();
        let mut stmt = self
            .conn()?
            .prepare_cached(
                "SELECT l.secret, l.version_id, l.label FROM labels l
                 JOIN versions v ON v.secret = l.secret AND v.version_id = l.version_id
                 WHERE l.secret IN (SELECT value FROM json_each(?1))
                 ORDER BY l.secret, v.seq, l.ord",
            )
            .db()?;
        let mut rows = stmt.query([list]).db()?;
        let mut out: HashMap<i64, Vec<Version>> = HashMap::new();
        while let Some(r) = rows.next().db()? {
            let (pk, id, label): (i64, String, String) =
                (r.get(0).db()?, r.get(1).db()?, r.get(2).db()?);
            let versions = out.entry(pk).or_default();
            match versions.last_mut() {
                Some(v) if v.id == id => v.labels.push(label),
                _ => versions.push(stage(id, vec![label])),
            }
        }
        Ok(out)
    }

    /// Walks the rows a listing admits in its order, from `after`, while `row` says go on.
    fn scan(
        &self,
        scope: &Scope,
        q: &ListQuery<'_>,
        after: Option<&Position>,
        now: Timestamp,
        row: &mut dyn FnMut(i64, &str) -> CoreResult<bool>,
    ) -> CoreResult<()> {
        let mut stmt = self
            .conn()?
            .prepare_cached(&page_sql(q, after.is_some()))
            .db()?;
        let binds = ListBinds::new(scope, q, after, now);
        let mut rows = stmt.query(binds.values().as_slice()).db()?;
        while let Some(r) = rows.next().db()? {
            let pk: i64 = r.get(0).db()?;
            let meta = r
                .get_ref(1)
                .db()?
                .as_str()
                .map_err(|e| CoreError::Storage(format!("secret row {pk}: {e}")))?;
            if !row(pk, meta)? {
                break;
            }
        }
        Ok(())
    }

    /// Every secret a listing admits, wherever it resumes.
    fn count_matching(
        &self,
        scope: &Scope,
        q: &ListQuery<'_>,
        now: Timestamp,
    ) -> CoreResult<usize> {
        let Some(keep) = q.keep else {
            let binds = ListBinds::new(scope, q, None, now);
            let n: i64 = self
                .conn()?
                .prepare_cached(&format!(
                    "SELECT COUNT(*) FROM secrets
                     WHERE cloud = ?1 AND tenant = ?2 AND region = ?3 AND {}{}",
                    deletion_sql(q),
                    prefix_sql(q)
                ))
                .db()?
                .query_row(binds.values().as_slice(), |r| r.get(0))
                .db()?;
            return Ok(n as usize);
        };
        let mut n = 0;
        self.scan(scope, q, None, now, &mut |pk, meta| {
            n += usize::from(keep(&decode_secret(pk, meta, Vec::new())?));
            Ok(true)
        })?;
        Ok(n)
    }

    fn put_secret_rows(&self, scope: &Scope, secret: &Secret) -> CoreResult<()> {
        let mut meta = serde_json::to_value(secret).map_err(|e| corrupt("secret", &e))?;
        let Some(Value::Array(bodies)) = meta.as_object_mut().and_then(|m| m.remove("versions"))
        else {
            return Err(CoreError::Storage(
                "a secret did not serialise with its versions".into(),
            ));
        };
        let mut seen = HashSet::new();
        if let Some(dup) = secret.versions.iter().find(|v| !seen.insert(v.id.as_str())) {
            return Err(CoreError::Storage(format!(
                "version id {} appears twice in secret {}",
                dup.id, secret.name
            )));
        }
        let columns = Columns::of(scope, secret);
        let key = row_key(scope, &secret.name);
        let stored = self.rows.borrow_mut().remove(&key);
        let meta = meta.to_string();
        let pk = match stored {
            Some((pk, old)) => {
                self.update_row(pk, &meta, &old, &columns)?;
                pk
            }
            None => self.upsert_row(scope, secret, &meta, &columns)?,
        };
        self.rows.borrow_mut().insert(key, (pk, columns));
        self.put_versions(pk, &secret.versions, bodies, secret.loaded.as_deref())
    }

    /// Writes a secret row this transaction has not read: inserted, or replaced whole.
    fn upsert_row(
        &self,
        scope: &Scope,
        secret: &Secret,
        meta: &str,
        c: &Columns,
    ) -> CoreResult<i64> {
        self.conn()?
            .prepare_cached(
                "INSERT INTO secrets
                     (cloud, tenant, region, name, id, meta, purge_at, next_rotation, expires_at,
                      created, updated, accessed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (cloud, tenant, region, name) DO UPDATE SET
                     id = excluded.id,
                     meta = excluded.meta,
                     purge_at = excluded.purge_at,
                     next_rotation = excluded.next_rotation,
                     expires_at = excluded.expires_at,
                     created = excluded.created,
                     updated = excluded.updated,
                     accessed = excluded.accessed
                 RETURNING pk",
            )
            .db()?
            .query_row(
                params![
                    scope.cloud.as_str(),
                    scope.tenant,
                    scope.region,
                    secret.name,
                    c.id,
                    meta,
                    c.purge_at,
                    c.next_rotation,
                    c.expires_at,
                    c.created,
                    c.updated,
                    c.accessed
                ],
                |r| r.get(0),
            )
            .db()
    }

    /// Rewrites a secret row this transaction read: the metadata, and of the indexed columns
    /// only those that changed (an unchanged column's indexes are left as they are).
    fn update_row(&self, pk: i64, meta: &str, old: &Columns, new: &Columns) -> CoreResult<()> {
        let mut sql = String::from("UPDATE secrets SET meta = ?1");
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&meta];
        let changed: [(&str, bool, &dyn rusqlite::ToSql); 7] = [
            ("id", old.id != new.id, &new.id),
            ("purge_at", old.purge_at != new.purge_at, &new.purge_at),
            (
                "next_rotation",
                old.next_rotation != new.next_rotation,
                &new.next_rotation,
            ),
            (
                "expires_at",
                old.expires_at != new.expires_at,
                &new.expires_at,
            ),
            ("created", old.created != new.created, &new.created),
            ("updated", old.updated != new.updated, &new.updated),
            ("accessed", old.accessed != new.accessed, &new.accessed),
        ];
        for (column, differs, value) in changed {
            if differs {
                sql += &format!(", {column} = ?{}", values.len() + 1);
                values.push(value);
            }
        }
        sql += &format!(" WHERE pk = ?{}", values.len() + 1);
        values.push(&pk);
        self.conn()?
            .prepare_cached(&sql)
            .db()?
            .execute(values.as_slice())
            .db()
            .map(drop)
    }

    /// Inserts new versions, rewrites changed ones and deletes removed ones. With `loaded`
    /// (a secret loaded in part) only those versions are compared or removed, and new ones
    /// are numbered after every stored one.
    fn put_versions(
        &self,
        pk: i64,
        versions: &[Version],
        bodies: Vec<Value>,
        loaded: Option<&[String]>,
    ) -> CoreResult<()> {
        let known = self.known.as_ref().and_then(|k| k.borrow_mut().remove(&pk));
        // Remembered again only if it was read before: a bulk write (a fixture load) must not
        // hold every value it wrote until it commits.
        let remember = known.is_some();
        let mut stored: StoredVersions = match known {
            Some(k) => k,
            None => self
                .stored_versions(pk)?
                .into_iter()
                .map(|(id, seq, body)| (id, (seq, body)))
                .collect(),
        };
        let floor = match loaded {
            Some(ids) => {
                stored.retain(|id, _| ids.contains(id));
                self.conn()?
                    .prepare_cached("SELECT max(seq) FROM versions WHERE secret = ?1")
                    .db()?
                    .query_row([pk], |r| r.get::<_, Option<i64>>(0))
                    .db()?
            }
            None => None,
        };
        let mut now_stored =
            StoredVersions::with_capacity(if remember { versions.len() } else { 0 });
        let seqs = sequence(
            &versions
                .iter()
                .map(|v| stored.get(&v.id).map(|(seq, _)| *seq))
                .collect::<Vec<_>>(),
            floor,
        );
        for ((v, seq), body) in versions.iter().zip(seqs).zip(bodies) {
            let id = v.id.as_str();
            let body = body.to_string();
            let old = stored.remove(id);
            if !old.as_ref().is_some_and(|(s, b)| *s == seq && *b == body) {
                self.put_labels(pk, id, &v.labels)?;
                let sql = match old {
                    Some(_) => {
                        "UPDATE versions SET seq = ?3, body = ?4
                         WHERE secret = ?1 AND version_id = ?2"
                    }
                    None => {
                        "INSERT INTO versions (secret, version_id, seq, body)
                         VALUES (?1, ?2, ?3, ?4)"
                    }
                };
                self.conn()?
                    .prepare_cached(sql)
                    .db()?
                    .execute(params![pk, id, seq, body])
                    .db()?;
            }
            if remember {
                now_stored.insert(id.to_owned(), (seq, body));
            }
        }
        for gone in stored.keys() {
            self.put_labels(pk, gone, &[])?;
            self.conn()?
                .prepare_cached("DELETE FROM versions WHERE secret = ?1 AND version_id = ?2")
                .db()?
                .execute(params![pk, gone])
                .db()?;
        }
        if let (true, Some(known)) = (remember, &self.known) {
            known.borrow_mut().insert(pk, now_stored);
        }
        Ok(())
    }
}

/// Sequence numbers for versions in their desired order, given the numbers already stored
/// (`None` for new ones): strictly increasing, and keeping every stored number that still
/// fits so appending or evicting rewrites no other row. With `floor` (the highest number
/// stored, where some stored versions are not in the list) new ones also go above it.
pub fn sequence(stored: &[Option<i64>], floor: Option<i64>) -> Vec<i64> {
    let mut last: Option<i64> = None;
    stored
        .iter()
        .map(|s| {
            let seq = match (*s, last) {
                (Some(s), Some(l)) if s > l => s,
                (Some(s), None) => s,
                (_, Some(l)) => l + 1,
                (None, None) => 0,
            };
            let seq = match (s, floor) {
                (None, Some(f)) => seq.max(f + 1),
                _ => seq,
            };
            last = Some(seq);
            seq
        })
        .collect()
}

fn scope_of(cloud: &str, tenant: String, region: String) -> CoreResult<Scope> {
    let cloud = Cloud::parse(cloud)
        .ok_or_else(|| CoreError::Storage(format!("unknown cloud {cloud:?} in a stored row")))?;
    Ok(Scope {
        cloud,
        tenant,
        region,
    })
}

fn decode_secret(pk: i64, meta: &str, bodies: Vec<String>) -> CoreResult<Secret> {
    let mut secret: Secret =
        serde_json::from_str(meta).map_err(|e| corrupt(&format!("secret row {pk}"), &e))?;
    secret.versions = decode_versions(pk, bodies)?;
    Ok(secret)
}

fn decode_versions(pk: i64, bodies: Vec<String>) -> CoreResult<Vec<Version>> {
    bodies.iter().map(|b| decode_version(pk, b)).collect()
}

fn decode_version(pk: i64, body: &str) -> CoreResult<Version> {
    serde_json::from_str(body).map_err(|e| corrupt(&format!("version of secret row {pk}"), &e))
}

fn decode_value(kind: &str, key: &str, body: &str) -> CoreResult<Value> {
    serde_json::from_str(body).map_err(|e| corrupt(&format!("{kind} record {key}"), &e))
}

/// The index each listing order walks; each ends in the name, so a page resumes with one
/// range seek. The planner is told, as it would otherwise pick by statistics it lacks.
fn order_index(order: ListOrder) -> (Option<&'static str>, &'static str) {
    match order {
        ListOrder::Name => (None, "sqlite_autoindex_secrets_1"),
        ListOrder::Created => (Some("created"), "secrets_by_created"),
        ListOrder::Updated => (Some("updated"), "secrets_by_updated"),
        ListOrder::LastAccessed => (Some("accessed"), "secrets_by_accessed"),
    }
}

/// Which deleted secrets a listing shows: those not yet past their purge time, or none.
fn deletion_sql(q: &ListQuery<'_>) -> &'static str {
    if q.include_deleted {
        "(purge_at IS NULL OR purge_at > ?4)"
    } else {
        "purge_at IS NULL AND ?4 IS NOT NULL"
    }
}

/// The values a listing statement ([`page_sql`], the count) binds: `?1`–`?4` always,
/// `?5`/`?6` the resume position (nulls when it does not resume but binds a name prefix
/// after them), `?7`/`?8` the name prefix and its [`prefix_end`].
struct ListBinds<'a> {
    scope: &'a Scope,
    cloud: &'static str,
    now: i64,
    after: Option<(i64, &'a str)>,
    prefix: Option<(&'a str, Option<String>)>,
}

impl<'a> ListBinds<'a> {
    fn new(
        scope: &'a Scope,
        q: &ListQuery<'a>,
        after: Option<&'a Position>,
        now: Timestamp,
    ) -> Self {
        Self {
            scope,
            cloud: scope.cloud.as_str(),
            now: now.millis(),
            after: after.map(|a| (a.key, a.name.as_str())),
            prefix: q.name_prefix.map(|p| (p, prefix_end(p))),
        }
    }

    fn values(&self) -> Vec<&dyn rusqlite::ToSql> {
        const NO_KEY: Option<i64> = None;
        const NO_NAME: Option<&str> = None;
        let mut v: Vec<&dyn rusqlite::ToSql> = vec![
            &self.cloud,
            &self.scope.tenant,
            &self.scope.region,
            &self.now,
        ];
        match &self.after {
            Some((key, name)) => v.extend([key as &dyn rusqlite::ToSql, name]),
            None if self.prefix.is_some() => v.extend([&NO_KEY as &dyn rusqlite::ToSql, &NO_NAME]),
            None => {}
        }
        if let Some((prefix, end)) = &self.prefix {
            v.extend([prefix as &dyn rusqlite::ToSql, end]);
        }
        v
    }
}

/// The names a listing's `name_prefix` (`?7`) admits, as a range on the name column up to
/// [`prefix_end`] (`?8`); names compare as UTF-8 bytes, in code point order.
fn prefix_sql(q: &ListQuery<'_>) -> &'static str {
    match q.name_prefix.map(prefix_end) {
        Some(Some(_)) => " AND name >= ?7 AND name < ?8",
        // A prefix of nothing but the last code point has no end: compared as it is.
        Some(None) => " AND substr(name, 1, length(?7)) = ?7 AND ?8 IS NULL",
        None => "",
    }
}

/// The first string after every one that starts with `prefix`: its last code point raised by
/// one (dropping those that cannot be raised).
pub fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (last as u32 + 1..=0x10FFFF).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The statement for one shape of page query. `?1`–`?3` are the scope, `?4` the time before
/// which a deleted secret is purged, `?5`/`?6` the resume key and name, `?7` the name prefix.
fn page_sql(q: &ListQuery<'_>, resume: bool) -> String {
    let (key, index) = order_index(q.order);
    let (cmp, dir) = if q.descending {
        ("<", " DESC")
    } else {
        (">", "")
    };
    let mut sql = format!(
        "SELECT pk, meta FROM secrets INDEXED BY {index}
         WHERE cloud = ?1 AND tenant = ?2 AND region = ?3 AND "
    );
    sql += deletion_sql(q);
    if resume {
        sql += &match key {
            Some(k) => format!(" AND ({k}, name) {cmp} (?5, ?6)"),
            None => format!(" AND name {cmp} ?6 AND ?5 IS NOT NULL"),
        };
    }
    sql += prefix_sql(q);
    sql += &match key {
        Some(k) => format!(" ORDER BY {k}{dir}, name{dir}"),
        None => format!(" ORDER BY name{dir}"),
    };
    sql
}

/// One secret by its name.
const SECRET_BY_NAME: &str = "SELECT pk, meta, id, purge_at, next_rotation, expires_at,
         created, updated, accessed FROM secrets
     WHERE cloud = ?1 AND tenant = ?2 AND region = ?3 AND name = ?4";

/// One secret by its id. Without the index hint the planner walks the scope in name order to
/// skip the sort, reading every secret of the scope to find one id.
const SECRET_BY_ID: &str = "SELECT pk, meta, id, purge_at, next_rotation, expires_at,
         created, updated, accessed FROM secrets INDEXED BY secrets_by_id
     WHERE cloud = ?1 AND tenant = ?2 AND region = ?3 AND id = ?4
     ORDER BY name LIMIT 1";

impl ReadTx for Tx<'_> {
    fn secret(&self, scope: &Scope, name: &str) -> CoreResult<Option<Secret>> {
        self.secret_with(scope, name, Versions::All)
    }

    fn secret_by_id(&self, scope: &Scope, id: &str) -> CoreResult<Option<Secret>> {
        // Ids are unique in practice; if not, the first by name wins, as in the reference.
        self.secret_by_id_with(scope, id, Versions::All)
    }

    fn secret_with(
        &self,
        scope: &Scope,
        name: &str,
        versions: Versions<'_>,
    ) -> CoreResult<Option<Secret>> {
        self.secret_where(By::Name, scope, name, versions)
    }

    fn secret_by_id_with(
        &self,
        scope: &Scope,
        id: &str,
        versions: Versions<'_>,
    ) -> CoreResult<Option<Secret>> {
        self.secret_where(By::Id, scope, id, versions)
    }

    fn secrets(&self, scope: &Scope) -> CoreResult<Vec<Secret>> {
        let p = params![scope.cloud.as_str(), scope.tenant, scope.region];
        let metas: Vec<(i64, String)> = {
            let mut stmt = self
                .conn()?
                .prepare_cached(
                    "SELECT pk, meta FROM secrets
                     WHERE cloud = ?1 AND tenant = ?2 AND region = ?3 ORDER BY name",
                )
                .db()?;
            let rows = stmt.query_map(p, |r| Ok((r.get(0)?, r.get(1)?))).db()?;
            rows.collect::<rusqlite::Result<_>>().db()?
        };
        let mut bodies: HashMap<i64, Vec<String>> = HashMap::new();
        {
            let mut stmt = self
                .conn()?
                .prepare_cached(
                    "SELECT v.secret, v.body FROM versions v JOIN secrets s ON s.pk = v.secret
                     WHERE s.cloud = ?1 AND s.tenant = ?2 AND s.region = ?3
                     ORDER BY v.secret, v.seq",
                )
                .db()?;
            let mut rows = stmt.query(p).db()?;
            while let Some(r) = rows.next().db()? {
                bodies
                    .entry(r.get(0).db()?)
                    .or_default()
                    .push(r.get(1).db()?);
            }
        }
        metas
            .into_iter()
            .map(|(pk, meta)| decode_secret(pk, &meta, bodies.remove(&pk).unwrap_or_default()))
            .collect()
    }

    fn page(&self, scope: &Scope, q: &ListQuery<'_>, now: Timestamp) -> CoreResult<ListPage> {
        let mut total = 0;
        let mut skip = q.skip;
        let mut found: Vec<(i64, Secret)> = Vec::with_capacity(q.limit.min(1000));
        let mut more = false;
        // Counting in the same pass needs a pass from the start that filters in Rust.
        let count_here = q.count && q.after.is_none() && q.keep.is_some();
        self.scan(scope, q, q.after.as_ref(), now, &mut |pk, meta| {
            let secret = decode_secret(pk, meta, Vec::new())?;
            if q.keep.is_some_and(|k| !k(&secret)) {
                return Ok(true);
            }
            total += 1;
            if skip > 0 {
                skip -= 1;
            } else if found.len() < q.limit {
                found.push((pk, secret));
            } else {
                more = true;
                return Ok(count_here);
            }
            Ok(true)
        })?;
        let total = match (q.count, count_here) {
            (false, _) => None,
            (true, true) => Some(total),
            (true, false) => Some(self.count_matching(scope, q, now)?),
        };
        let next = more
            .then(|| found.last().map(|(_, s)| Position::of(q.order, s)))
            .flatten();
        if q.stages_only {
            let mut stages = self.stages_of_many(found.iter().map(|(pk, _)| *pk))?;
            let secrets = found
                .into_iter()
                .map(|(pk, mut s)| {
                    s.versions = stages.remove(&pk).unwrap_or_default();
                    s
                })
                .collect();
            return Ok(ListPage {
                secrets,
                next,
                total,
            });
        }
        let mut bodies = self.versions_of_many(found.iter().map(|(pk, _)| *pk))?;
        let secrets = found
            .into_iter()
            .map(|(pk, mut s)| {
                s.versions = decode_versions(pk, bodies.remove(&pk).unwrap_or_default())?;
                Ok(s)
            })
            .collect::<CoreResult<_>>()?;
        Ok(ListPage {
            secrets,
            next,
            total,
        })
    }

    fn count(&self) -> CoreResult<usize> {
        let n: i64 = self
            .conn()?
            .prepare_cached("SELECT COUNT(*) FROM secrets")
            .db()?
            .query_row([], |r| r.get(0))
            .db()?;
        Ok(n as usize)
    }

    fn scopes(&self, cloud: Option<Cloud>) -> CoreResult<Vec<Scope>> {
        let rows: Vec<(String, String, String)> = {
            let mut stmt = self
                .conn()?
                .prepare_cached(
                    "SELECT cloud, tenant, region FROM secrets WHERE ?1 IS NULL OR cloud = ?1
                     UNION
                     SELECT cloud, tenant, region FROM records WHERE ?1 IS NULL OR cloud = ?1",
                )
                .db()?;
            let rows = stmt
                .query_map([cloud.map(Cloud::as_str)], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .db()?;
            rows.collect::<rusqlite::Result<_>>().db()?
        };
        let mut out = rows
            .into_iter()
            .map(|(c, t, r)| scope_of(&c, t, r))
            .collect::<CoreResult<Vec<_>>>()?;
        // The model's order (clouds in declaration order), not SQLite's text order.
        out.sort();
        out.dedup();
        Ok(out)
    }

    fn due(&self, until: Timestamp) -> CoreResult<Vec<Due>> {
        type Row = (String, String, String, String, i64, u8);
        let rows: Vec<Row> = {
            let mut stmt = self
                .conn()?
                .prepare_cached(
                    "SELECT cloud, tenant, region, name, purge_at, 1 FROM secrets
                     WHERE purge_at <= ?1
                     UNION ALL
                     SELECT cloud, tenant, region, name, next_rotation, 0 FROM secrets
                     WHERE next_rotation <= ?1
                     UNION ALL
                     SELECT cloud, tenant, region, name, expires_at, 2 FROM secrets
                     WHERE expires_at <= ?1",
                )
                .db()?;
            let rows = stmt
                .query_map([until.millis()], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })
                .db()?;
            rows.collect::<rusqlite::Result<_>>().db()?
        };
        let mut out = rows
            .into_iter()
            .map(|(c, t, r, name, at, kind)| {
                Ok(Due {
                    scope: scope_of(&c, t, r)?,
                    name,
                    at: Timestamp::from_millis(at),
                    kind: match kind {
                        1 => DueKind::Purge,
                        0 => DueKind::Rotation,
                        _ => DueKind::Expiry,
                    },
                })
            })
            .collect::<CoreResult<Vec<_>>>()?;
        // Earliest first; ties in the reference's (scope, name) order.
        out.sort_by(|a, b| (a.at, &a.scope, &a.name).cmp(&(b.at, &b.scope, &b.name)));
        Ok(out)
    }

    fn next_due(&self) -> CoreResult<Option<Timestamp>> {
        let at: Option<i64> = self
            .conn()?
            .prepare_cached(
                "SELECT MIN(t) FROM (
                     SELECT MIN(purge_at) AS t FROM secrets WHERE purge_at IS NOT NULL
                     UNION ALL
                     SELECT MIN(next_rotation) FROM secrets WHERE next_rotation IS NOT NULL
                     UNION ALL
                     SELECT MIN(expires_at) FROM secrets WHERE expires_at IS NOT NULL
                 )",
            )
            .db()?
            .query_row([], |r| r.get(0))
            .db()?;
        Ok(at.map(Timestamp::from_millis))
    }

    fn records(&self, scope: &Scope, kind: &str) -> CoreResult<Vec<(String, Value)>> {
        let rows: Vec<(String, String)> = {
            let mut stmt = self
                .conn()?
                .prepare_cached(
                    "SELECT key, value FROM records
                     WHERE cloud = ?1 AND tenant = ?2 AND region = ?3 AND kind = ?4
                     ORDER BY key",
                )
                .db()?;
            let rows = stmt
                .query_map(
                    params![scope.cloud.as_str(), scope.tenant, scope.region, kind],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .db()?;
            rows.collect::<rusqlite::Result<_>>().db()?
        };
        rows.into_iter()
            .map(|(key, body)| {
                let value = decode_value(kind, &key, &body)?;
                Ok((key, value))
            })
            .collect()
    }

    fn record(&self, scope: &Scope, kind: &str, key: &str) -> CoreResult<Option<Value>> {
        let body: Option<String> = self
            .conn()?
            .prepare_cached(
                "SELECT value FROM records
                 WHERE cloud = ?1 AND tenant = ?2 AND region = ?3 AND kind = ?4 AND key = ?5",
            )
            .db()?
            .query_row(
                params![scope.cloud.as_str(), scope.tenant, scope.region, kind, key],
                |r| r.get(0),
            )
            .optional()
            .db()?;
        body.map(|b| decode_value(kind, key, &b)).transpose()
    }

    fn setting(&self, key: &str) -> CoreResult<Option<String>> {
        self.conn()?
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")
            .db()?
            .query_row([key], |r| r.get(0))
            .optional()
            .db()
    }
}

impl WriteTx for Tx<'_> {
    fn put_secret(&mut self, scope: &Scope, secret: &Secret) -> CoreResult<()> {
        let r = self.put_secret_rows(scope, secret);
        self.guard(r)
    }

    fn trim_unlabelled(&mut self, scope: &Scope, name: &str, keep: usize) -> CoreResult<()> {
        // Bounded by the cap it keeps: the counts read index entries only. Most secrets have
        // fewer versions in all than the cap, and need no more than the first.
        let total: i64 = self
            .conn()?
            .prepare_cached(
                "SELECT count(*) FROM versions WHERE secret = (
                     SELECT pk FROM secrets
                     WHERE cloud = ?1 AND tenant = ?2 AND region = ?3 AND name = ?4)",
            )
            .db()?
            .query_row(
                params![scope.cloud.as_str(), scope.tenant, scope.region, name],
                |r| r.get(0),
            )
            .db()?;
        if total as usize <= keep {
            return Ok(());
        }
        let r = self
            .conn()?
            .prepare_cached(
                "WITH unlabelled AS (
                     SELECT v.version_id, v.seq FROM versions v
                     WHERE v.secret = (SELECT pk FROM secrets
                                       WHERE cloud = ?1 AND tenant = ?2 AND region = ?3
                                         AND name = ?4)
                       AND NOT EXISTS (SELECT 1 FROM labels l
                                       WHERE l.secret = v.secret AND l.version_id = v.version_id))
                 DELETE FROM versions
                 WHERE secret = (SELECT pk FROM secrets
                                 WHERE cloud = ?1 AND tenant = ?2 AND region = ?3 AND name = ?4)
                   AND version_id IN (
                     SELECT version_id FROM unlabelled ORDER BY seq
                     LIMIT max(0, (SELECT count(*) FROM unlabelled) - ?5))",
            )
            .db()
            .and_then(|mut st| {
                st.execute(params![
                    scope.cloud.as_str(),
                    scope.tenant,
                    scope.region,
                    name,
                    keep as i64
                ])
                .db()
            });
        if let (Ok(n), Some(known)) = (&r, self.known.as_mut()) {
            if *n > 0 {
                // The rows remembered for this secret may include those just removed.
                known.get_mut().clear();
            }
        }
        self.guard(r.map(drop))
    }

    fn delete_secret(&mut self, scope: &Scope, name: &str) -> CoreResult<()> {
        // Versions go with it (ON DELETE CASCADE), and a new row may take its row id.
        if let Some(known) = self.known.as_mut() {
            known.get_mut().clear();
        }
        self.rows.get_mut().clear();
        let r = self
            .conn()?
            .prepare_cached(
                "DELETE FROM secrets
                 WHERE cloud = ?1 AND tenant = ?2 AND region = ?3 AND name = ?4",
            )
            .and_then(|mut s| {
                s.execute(params![
                    scope.cloud.as_str(),
                    scope.tenant,
                    scope.region,
                    name
                ])
            })
            .db()
            .map(drop);
        self.guard(r)
    }

    fn put_record(
        &mut self,
        scope: &Scope,
        kind: &str,
        key: &str,
        value: &Value,
    ) -> CoreResult<()> {
        let r = self
            .conn()?
            .prepare_cached(
                "INSERT INTO records (cloud, tenant, region, kind, key, value)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (cloud, tenant, region, kind, key) DO UPDATE SET value = excluded.value",
            )
            .and_then(|mut s| {
                s.execute(params![
                    scope.cloud.as_str(),
                    scope.tenant,
                    scope.region,
                    kind,
                    key,
                    value.to_string()
                ])
            })
            .db()
            .map(drop);
        self.guard(r)
    }

    fn delete_record(&mut self, scope: &Scope, kind: &str, key: &str) -> CoreResult<()> {
        let r = self
            .conn()?
            .prepare_cached(
                "DELETE FROM records
                 WHERE cloud = ?1 AND tenant = ?2 AND region = ?3 AND kind = ?4 AND key = ?5",
            )
            .and_then(|mut s| {
                s.execute(params![
                    scope.cloud.as_str(),
                    scope.tenant,
                    scope.region,
                    kind,
                    key
                ])
            })
            .db()
            .map(drop);
        self.guard(r)
    }

    fn reset(&mut self, filter: &ResetFilter) -> CoreResult<()> {
        if let Some(known) = self.known.as_mut() {
            known.get_mut().clear();
        }
        self.rows.get_mut().clear();
        let cloud = filter.cloud.map(Cloud::as_str);
        let tenant = filter.tenant.as_deref();
        let conn = self.conn()?;
        let r = ["secrets", "records"]
            .into_iter()
            .try_for_each(|table| {
                conn.prepare_cached(&format!(
                    "DELETE FROM {table}
                         WHERE (?1 IS NULL OR cloud = ?1) AND (?2 IS NULL OR tenant = ?2)"
                ))?
                .execute(params![cloud, tenant])
                .map(drop)
            })
            .db();
        self.guard(r)
    }

    fn set_setting(&mut self, key: &str, value: &str) -> CoreResult<()> {
        let r = self
            .conn()?
            .prepare_cached(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .and_then(|mut s| s.execute([key, value]))
            .db()
            .map(drop);
        self.guard(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_found_by_id_through_its_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut conn).unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {SECRET_BY_ID}"))
            .unwrap()
            .query_map(["aws", "t", "r", "id"], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter().any(|step| step.contains(
                "USING INDEX secrets_by_id (cloud=? AND tenant=? AND region=? AND id=?)"
            )),
            "{plan:?}"
        );
    }

    /// A resumed page is one range seek on its order's index, never a scan of the scope or
    /// a sort.
    #[test]
    fn pages_resume_with_a_seek_on_their_orders_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut conn).unwrap();
        for order in [
            ListOrder::Name,
            ListOrder::Created,
            ListOrder::Updated,
            ListOrder::LastAccessed,
        ] {
            for descending in [false, true] {
                let mut q = ListQuery::new(order, 10);
                q.descending = descending;
                let sql = page_sql(&q, true);
                let plan: Vec<String> = conn
                    .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .unwrap()
                    .query_map(params!["aws", "t", "r", 0, 0, "n"], |r| {
                        r.get::<_, String>(3)
                    })
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
                let (_, index) = order_index(order);
                assert_eq!(plan.len(), 1, "{order:?}: {plan:?}");
                assert!(
                    plan[0].starts_with(&format!(
                        "SEARCH secrets USING INDEX {index} (cloud=? AND tenant=? AND region=? AND"
                    )) && plan[0].contains('>') | plan[0].contains('<'),
                    "{order:?} {descending}: {plan:?}"
                );
            }
        }
    }

    /// A name prefix in name order is a range seek: a page of `prod/…` secrets reads those
    /// only, however many others the scope holds.
    #[test]
    fn a_name_prefix_in_name_order_seeks_its_range() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut conn).unwrap();
        for resume in [false, true] {
            let mut q = ListQuery::new(ListOrder::Name, 10);
            q.name_prefix = Some("prod/");
            let sql = page_sql(&q, resume);
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map(
                    params!["aws", "t", "r", 0, None::<i64>, "prod/a", "prod/", "prod0"],
                    |r| r.get::<_, String>(3),
                )
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(plan.len(), 1, "{plan:?}");
            assert!(
                plan[0].starts_with(
                    "SEARCH secrets USING INDEX sqlite_autoindex_secrets_1 \
                     (cloud=? AND tenant=? AND region=? AND name>? AND name<?)"
                ),
                "{resume}: {plan:?}"
            );
        }
    }

    /// The scheduler's questions are answered from the (partial) due-time indexes, never by
    /// reading every secret.
    #[test]
    fn due_times_come_from_their_indexes() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut conn).unwrap();
        let tx = Tx::reading(&conn, None);
        let plan = |sql: &str| -> Vec<String> {
            conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map([0], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        for (column, index) in [
            ("purge_at", "secrets_by_purge"),
            ("next_rotation", "secrets_by_rotation"),
            ("expires_at", "secrets_by_expiry"),
        ] {
            let due = plan(&format!("SELECT name FROM secrets WHERE {column} <= ?1"));
            assert!(due.iter().any(|p| p.contains(index)), "{due:?}");
            let first = plan(&format!(
                "SELECT MIN({column}) FROM secrets WHERE {column} IS NOT NULL AND ?1 IS NOT NULL"
            ));
            assert!(first.iter().any(|p| p.contains(index)), "{first:?}");
        }
        assert_eq!(tx.next_due().unwrap(), None);
    }

    #[test]
    fn a_prefix_ends_at_its_last_code_point_raised() {
        assert_eq!(prefix_end("prod/"), Some("prod0".into()));
        assert_eq!(prefix_end("a\u{D7FF}"), Some("a\u{E000}".into()));
        assert_eq!(prefix_end("a\u{10FFFF}"), Some("b".into()));
        assert_eq!(prefix_end("\u{10FFFF}"), None);
        assert_eq!(prefix_end(""), None);
        for name in ["prod/x", "prod/", "prod/\u{10FFFF}z"] {
            assert!(name >= "prod/" && name < prefix_end("prod/").unwrap().as_str());
        }
    }

    #[test]
    fn sequence_keeps_stored_numbers_that_still_fit() {
        let cases: &[(&[Option<i64>], &[i64])] = &[
            (&[], &[]),
            (&[None, None], &[0, 1]),
            // Appending a version.
            (&[Some(0), Some(1), None], &[0, 1, 2]),
            // Evicting the oldest leaves the rest alone.
            (&[Some(1), Some(2), None], &[1, 2, 3]),
            // Reordering renumbers only what must move.
            (&[Some(2), Some(0), Some(1)], &[2, 3, 4]),
            (&[Some(0), Some(2), Some(1), Some(5)], &[0, 2, 3, 5]),
            // A version put before the stored ones.
            (&[None, Some(0), Some(1)], &[0, 1, 2]),
            (&[Some(-3), None, Some(7)], &[-3, -2, 7]),
        ];
        for (stored, want) in cases {
            assert_eq!(sequence(stored, None), *want, "{stored:?}");
        }
        // Loaded in part: new versions go above every stored one, loaded or not.
        assert_eq!(sequence(&[Some(3), Some(5), None], Some(9)), [3, 5, 10]);
        assert_eq!(sequence(&[Some(3), None], Some(1)), [3, 4]);
    }
}
