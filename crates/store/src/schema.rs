//! The schema as an ordered list of migrations. `PRAGMA user_version` counts how many have
//! been applied; the pending ones run in one transaction together with the version bump, so
//! a crash mid-migration leaves the previous version intact and reopening never re-runs one.

use crate::error::DbResult;
use localsecrets_core::{CoreError, CoreResult};
use rusqlite::{Connection, TransactionBehavior};

/// Migration `i` takes the schema from version `i` to `i + 1`. Append only.
pub const MIGRATIONS: &[&str] = &[
    // 1: secrets with their versions, auxiliary records, settings.
    //
    // `meta` is the secret without its versions; `purge_at` and `next_rotation` repeat what
    // the scheduler asks for (at most one of them is set, as `memory::due_items` decides) so
    // that `due` and `next_due` are index lookups.
    "
    CREATE TABLE secrets (
        pk            INTEGER PRIMARY KEY,
        cloud         TEXT NOT NULL,
        tenant        TEXT NOT NULL,
        region        TEXT NOT NULL,
        name          TEXT NOT NULL,
        id            TEXT NOT NULL,
        meta          TEXT NOT NULL,
        purge_at      INTEGER,
        next_rotation INTEGER,
        UNIQUE (cloud, tenant, region, name)
    ) STRICT;
    CREATE INDEX secrets_by_id ON secrets (cloud, tenant, region, id);
    CREATE INDEX secrets_by_purge ON secrets (purge_at);
    CREATE INDEX secrets_by_rotation ON secrets (next_rotation);

    CREATE TABLE versions (
        secret     INTEGER NOT NULL REFERENCES secrets (pk) ON DELETE CASCADE,
        version_id TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        body       TEXT NOT NULL,
        PRIMARY KEY (secret, version_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX versions_in_order ON versions (secret, seq);

    CREATE TABLE records (
        cloud  TEXT NOT NULL,
        tenant TEXT NOT NULL,
        region TEXT NOT NULL,
        kind   TEXT NOT NULL,
        key    TEXT NOT NULL,
        value  TEXT NOT NULL,
        PRIMARY KEY (cloud, tenant, region, kind, key)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE settings (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    ",
    // 2: the earliest version expiry not yet announced (Huawei `expire_time`), as `due` asks
    // for it; filled for secrets stored before (none was announced then).
    "
    ALTER TABLE secrets ADD COLUMN expires_at INTEGER;
    CREATE INDEX secrets_by_expiry ON secrets (expires_at);
    UPDATE secrets SET expires_at = (
        SELECT MIN(json_extract(v.body, '$.expires')) FROM versions v
        WHERE v.secret = secrets.pk AND json_extract(v.body, '$.expires') IS NOT NULL
    ) WHERE purge_at IS NULL;
    ",
    // 3: the columns listings sort on, each with an index that ends in the name, so a page is
    // a range scan from where the last one stopped (keyset pagination). A never-read secret
    // sorts first (`listing::NEVER`).
    "
    ALTER TABLE secrets ADD COLUMN created INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE secrets ADD COLUMN updated INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE secrets ADD COLUMN accessed INTEGER NOT NULL DEFAULT 0;
    UPDATE secrets SET
        created = coalesce(json_extract(meta, '$.created'), 0),
        updated = coalesce(json_extract(meta, '$.updated'), 0),
        accessed = coalesce(json_extract(meta, '$.last_accessed'), -9223372036854775807 - 1);
    CREATE INDEX secrets_by_created ON secrets (cloud, tenant, region, created, name);
    CREATE INDEX secrets_by_updated ON secrets (cloud, tenant, region, updated, name);
    CREATE INDEX secrets_by_accessed ON secrets (cloud, tenant, region, accessed, name);
    ",
    // 4: which version holds each label, so reading "the version labelled X" loads that
    // version alone. The model lets one version hold a label; the table does not insist.
    "
    CREATE TABLE labels (
        secret     INTEGER NOT NULL REFERENCES secrets (pk) ON DELETE CASCADE,
        label      TEXT NOT NULL,
        version_id TEXT NOT NULL,
        PRIMARY KEY (secret, label, version_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX labels_by_version ON labels (secret, version_id);
    INSERT OR IGNORE INTO labels (secret, label, version_id)
        SELECT v.secret, j.value, v.version_id
        FROM versions v, json_each(v.body, '$.labels') j;
    ",
    // 5: most secrets have no purge, rotation or expiry time; indexing only those that do
    // spares every write of the others three index updates.
    "
    DROP INDEX secrets_by_purge;
    DROP INDEX secrets_by_rotation;
    DROP INDEX secrets_by_expiry;
    CREATE INDEX secrets_by_purge ON secrets (purge_at) WHERE purge_at IS NOT NULL;
    CREATE INDEX secrets_by_rotation ON secrets (next_rotation) WHERE next_rotation IS NOT NULL;
    CREATE INDEX secrets_by_expiry ON secrets (expires_at) WHERE expires_at IS NOT NULL;
    ",
    // 6: the order labels were attached in, so a stage map reads from this table alone.
    "
    ALTER TABLE labels ADD COLUMN ord INTEGER NOT NULL DEFAULT 0;
    UPDATE labels SET ord = (
        SELECT j.key FROM versions v, json_each(v.body, '$.labels') j
        WHERE v.secret = labels.secret AND v.version_id = labels.version_id
          AND j.value = labels.label
        LIMIT 1
    );
    ",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

pub fn user_version(conn: &Connection) -> CoreResult<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0)).db()
}

/// Brings the database up to [`SCHEMA_VERSION`]. A database written by a newer build is
/// refused rather than guessed at.
pub fn migrate(conn: &mut Connection) -> CoreResult<()> {
    let from = user_version(conn)?;
    if from > SCHEMA_VERSION {
        return Err(CoreError::Storage(format!(
            "the database has schema version {from}, newer than this build's {SCHEMA_VERSION}"
        )));
    }
    if from == SCHEMA_VERSION {
        return Ok(());
    }
    // All pending migrations in one transaction: a new database is ready after one commit,
    // and a crash still leaves the version it started from.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    // Another process may have migrated between our read and our lock.
    let from = user_version(&tx)?;
    for sql in MIGRATIONS.iter().skip(from as usize) {
        tx.execute_batch(sql).db()?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .db()?;
    tx.commit().db()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        conn.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')", [])
            .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        let v: String = conn
            .query_row("SELECT value FROM settings WHERE key = 'k'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(v, "v");
    }

    #[test]
    fn expiries_stored_before_the_expiry_column_are_found() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO secrets (pk, cloud, tenant, region, name, id, meta)
                 VALUES (1, 'huawei', 'p', 'r', 'db', 'i', '{}');
             INSERT INTO versions (secret, version_id, seq, body) VALUES
                 (1, 'v1', 1, '{\"id\":\"v1\",\"expires\":500}'),
                 (1, 'v2', 2, '{\"id\":\"v2\",\"expires\":200}'),
                 (1, 'v3', 3, '{\"id\":\"v3\"}');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let at: Option<i64> = conn
            .query_row("SELECT expires_at FROM secrets WHERE pk = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(at, Some(200));
    }

    #[test]
    fn sort_columns_are_filled_for_secrets_stored_before_them() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch(MIGRATIONS[1]).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO secrets (pk, cloud, tenant, region, name, id, meta) VALUES
                 (1, 'aws', 't', 'r', 'read', 'i', '{\"created\":5,\"updated\":7,\"last_accessed\":9}'),
                 (2, 'aws', 't', 'r', 'unread', 'j', '{\"created\":6,\"updated\":8}');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let rows: Vec<(i64, i64, i64)> = conn
            .prepare("SELECT created, updated, accessed FROM secrets ORDER BY pk")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows, [(5, 7, 9), (6, 8, i64::MIN)]);
    }

    #[test]
    fn labels_of_versions_stored_before_the_labels_table_are_found() {
        let mut conn = Connection::open_in_memory().unwrap();
        for m in &MIGRATIONS[..3] {
            conn.execute_batch(m).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch(
            "INSERT INTO secrets (pk, cloud, tenant, region, name, id, meta)
                 VALUES (1, 'aws', 't', 'r', 'db', 'i', '{}');
             INSERT INTO versions (secret, version_id, seq, body) VALUES
                 (1, 'v1', 1, '{\"id\":\"v1\",\"labels\":[\"x\",\"AWSPREVIOUS\"]}'),
                 (1, 'v2', 2, '{\"id\":\"v2\",\"labels\":[\"AWSCURRENT\"]}'),
                 (1, 'v3', 3, '{\"id\":\"v3\"}');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let rows: Vec<(String, String, i64)> = conn
            .prepare("SELECT label, version_id, ord FROM labels ORDER BY label")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        // Each label keeps its place among its version's labels (schema 6).
        let want = [
            ("AWSCURRENT", "v2", 0),
            ("AWSPREVIOUS", "v1", 1),
            ("x", "v1", 0),
        ];
        assert_eq!(
            rows,
            want.map(|(l, v, o)| (l.to_owned(), v.to_owned(), o))
                .to_vec()
        );
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        assert!(matches!(migrate(&mut conn), Err(CoreError::Storage(_))));
    }
}
