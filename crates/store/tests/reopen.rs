//! A file store keeps everything across close and reopen, and reopening never re-runs or
//! undoes a migration.

mod common;

use common::*;
use localsecrets_core::storage::Storage;
use localsecrets_core::{
    Access, Cloud, CoreError, NewSecret, NewVersion, Scope, SecretRef, SecretValue,
};
use localsecrets_store::{open_storage, SqliteStorage, SCHEMA_VERSION};
use serde_json::json;
use std::sync::Arc;

fn open(path: &std::path::Path) -> (Arc<dyn Storage>, Arc<SqliteStorage>) {
    let store = Arc::new(SqliteStorage::open(Some(path)).unwrap());
    (store.clone(), store)
}

#[test]
fn everything_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let hw = Scope::new(Cloud::Huawei, "p", "cn-north-4");
    let scopes = [aws(), hw.clone()];
    let before = {
        let (s, sqlite) = open(&path);
        assert_eq!(s.persistence(), "file");
        assert_eq!(sqlite.schema_version(), Ok(SCHEMA_VERSION));
        let svc = service(&s);
        svc.create_secret(
            &aws(),
            NewSecret {
                name: "db".into(),
                description: Some("kept".into()),
                version: NewVersion {
                    id: Some("t1".into()),
                    value: Some(SecretValue::Binary(vec![0, 255, 7])),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap();
        svc.put_value(
            &aws(),
            SecretRef::Name("db"),
            NewVersion {
                id: Some("t2".into()),
                value: Some(text("two")),
                ..Default::default()
            },
        )
        .unwrap();
        svc.create_secret(
            &hw,
            NewSecret {
                name: "gone-soon".into(),
                version: NewVersion {
                    value: Some(text("x")),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap();
        svc.schedule_deletion(&hw, SecretRef::Name("gone-soon"), Some(7))
            .unwrap();
        write(&s, |tx| {
            tx.put_record(&hw, "task", "k", &json!({"state": "done"}))?;
            tx.set_setting("clock_offset_ms", "1234")
        });
        snapshot(&s, &scopes)
    };
    assert!(!before.secrets.iter().all(|(_, v)| v.is_empty()));
    let (s, sqlite) = open(&path);
    assert_eq!(sqlite.schema_version(), Ok(SCHEMA_VERSION));
    assert_eq!(snapshot(&s, &scopes), before);
    sqlite.check_integrity().unwrap();
    // It keeps working, and a third open sees the new write too.
    service(&s)
        .put_value(
            &aws(),
            SecretRef::Name("db"),
            NewVersion {
                id: Some("t3".into()),
                value: Some(text("three")),
                ..Default::default()
            },
        )
        .unwrap();
    drop((s, sqlite));
    let (s, sqlite) = open(&path);
    assert_eq!(sqlite.schema_version(), Ok(SCHEMA_VERSION));
    let db = service(&s)
        .describe(&aws(), SecretRef::Name("db"), Access::Live)
        .unwrap();
    let ids: Vec<&str> = db.versions.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["t1", "t2", "t3"]);
    assert_eq!(db.holder_id("AWSCURRENT"), Some("t3"));
    assert_eq!(db.description.as_deref(), Some("kept"));
}

#[test]
fn the_constructor_for_the_server_opens_both_modes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let file = open_storage(Some(&path)).unwrap();
    assert_eq!(file.persistence(), "file");
    write(&file, |tx| tx.set_setting("other", "on disk"));
    drop(file);
    assert_eq!(
        read(&open_storage(Some(&path)).unwrap(), |tx| tx
            .setting("other")),
        Some("on disk".into())
    );
    let memory = open_storage(None).unwrap();
    assert_eq!(memory.persistence(), "memory");
    write(&memory, |tx| tx.set_setting("other", "in memory"));
    assert_eq!(
        read(&memory, |tx| tx.setting("other")),
        Some("in memory".into())
    );
    // Every in-memory store is its own database.
    assert_eq!(
        read(&open_storage(None).unwrap(), |tx| tx.setting("other")),
        None
    );
}

#[test]
fn a_database_from_a_newer_build_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    drop(SqliteStorage::open(Some(&path)).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    assert!(matches!(
        SqliteStorage::open(Some(&path)),
        Err(CoreError::Storage(_))
    ));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION + 1);
}

#[test]
fn unusable_paths_are_storage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing_dir = dir.path().join("no/such/dir/state.db");
    assert!(matches!(
        SqliteStorage::open(Some(&missing_dir)),
        Err(CoreError::Storage(_))
    ));
    let not_sqlite = dir.path().join("text.db");
    std::fs::write(
        &not_sqlite,
        "this is not a database, just text ".repeat(100),
    )
    .unwrap();
    assert!(matches!(
        SqliteStorage::open(Some(&not_sqlite)),
        Err(CoreError::Storage(_))
    ));
    assert!(matches!(
        SqliteStorage::open(Some(dir.path())),
        Err(CoreError::Storage(_))
    ));
}
