//! Many threads writing through `Service` on one file: every read-modify-write lands (no lost
//! updates) and lock contention never surfaces as an error, also with a second store (as a
//! second process would) on the same file.

mod common;

use common::*;
use localsecrets_core::storage::Storage;
use localsecrets_core::{
    Access, Cloud, CoreResult, NewSecret, NewVersion, Scope, SecretRef, Selector,
};
use localsecrets_store::SqliteStorage;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const WRITERS: usize = 8;
const ROUNDS: usize = 25;

fn huawei() -> Scope {
    Scope::new(
        Cloud::Huawei,
        "0123456789abcdef0123456789abcdef",
        "cn-north-4",
    )
}

/// A read-modify-write in one storage transaction: a lost update would lose a count.
fn bump_counter(storage: &Arc<dyn Storage>) -> CoreResult<()> {
    try_write(storage, |tx| {
        let n = tx
            .record(&aws(), "counter", "n")?
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        tx.put_record(&aws(), "counter", "n", &json!(n + 1))
    })
}

#[test]
fn concurrent_writers_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let first: Arc<dyn Storage> = Arc::new(SqliteStorage::open(Some(&path)).unwrap());
    let second: Arc<dyn Storage> = Arc::new(SqliteStorage::open(Some(&path)).unwrap());
    service(&first)
        .create_secret(
            &huawei(),
            NewSecret {
                name: "shared".into(),
                version: NewVersion {
                    value: Some(text("v1")),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap();
    let writing = Arc::new(AtomicBool::new(true));
    let readers: Vec<_> = (0..2)
        .map(|i| {
            let svc = service(if i == 0 { &first } else { &second });
            let writing = writing.clone();
            std::thread::spawn(move || -> CoreResult<usize> {
                let mut reads = 0;
                while writing.load(Ordering::SeqCst) {
                    let (_, v) = svc.get_value(
                        &huawei(),
                        SecretRef::Name("shared"),
                        &Selector::Label("SYSCURRENT".into()),
                    )?;
                    assert!(v.has_label("SYSCURRENT"));
                    svc.list(&aws())?;
                    reads += 1;
                }
                Ok(reads)
            })
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|t| {
            // Half the threads go through each store, as two processes would.
            let storage = Arc::clone(if t % 2 == 0 { &first } else { &second });
            let svc = service(&storage);
            std::thread::spawn(move || -> CoreResult<()> {
                let own = format!("own-{t}");
                svc.create_secret(
                    &aws(),
                    NewSecret {
                        name: own.clone(),
                        version: NewVersion {
                            id: Some("t0".into()),
                            value: Some(text("0")),
                            ..Default::default()
                        },
                        ..Default::default()
                    },
                )?;
                for i in 1..=ROUNDS {
                    svc.put_value(
                        &huawei(),
                        SecretRef::Name("shared"),
                        NewVersion {
                            value: Some(text(&format!("{t}-{i}"))),
                            ..Default::default()
                        },
                    )?;
                    svc.put_value(
                        &aws(),
                        SecretRef::Name(&own),
                        NewVersion {
                            id: Some(format!("t{i}")),
                            value: Some(text(&i.to_string())),
                            ..Default::default()
                        },
                    )?;
                    bump_counter(&storage)?;
                }
                Ok(())
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap().unwrap();
    }
    writing.store(false, Ordering::SeqCst);
    for r in readers {
        r.join().unwrap().unwrap();
    }
    let svc = service(&first);
    // Every sequential id was handed out exactly once.
    let shared = svc
        .describe(&huawei(), SecretRef::Name("shared"), Access::Live)
        .unwrap();
    let total = (WRITERS * ROUNDS + 1) as u64;
    assert_eq!(shared.version_seq, total);
    assert_eq!(shared.holder_id("SYSCURRENT"), Some(&*format!("v{total}")));
    localsecrets_core::labels::validate(&shared, huawei().cloud.dialect()).unwrap();
    // Every increment counted.
    assert_eq!(
        read(&second, |tx| tx.record(&aws(), "counter", "n")),
        Some(json!(WRITERS * ROUNDS))
    );
    // Every thread's own secret has all its versions, in order.
    let own = svc.list(&aws()).unwrap();
    assert_eq!(own.len(), WRITERS);
    for s in own {
        let ids: Vec<String> = s.versions.iter().map(|v| v.id.clone()).collect();
        let want: Vec<String> = (0..=ROUNDS).map(|i| format!("t{i}")).collect();
        assert_eq!(ids, want, "{}", s.name);
        assert_eq!(s.holder_id("AWSCURRENT"), Some(&*format!("t{ROUNDS}")));
    }
}

/// On a file, a read runs on its own connection while a write transaction is open, and sees
/// the last committed state, not the write in progress.
#[test]
fn reads_proceed_beside_an_open_write_and_see_the_committed_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> =
        Arc::new(SqliteStorage::open(Some(&dir.path().join("state.db"))).unwrap());
    write(&storage, |tx| tx.set_setting("other", "committed"));
    let seen_during = try_write(&storage, |tx| {
        tx.set_setting("other", "in progress")?;
        let reader = storage.clone();
        let (sent, received) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sent.send(try_read(&reader, |tx| tx.setting("other")));
        });
        // A generous bound only so that a regression fails instead of hanging.
        received
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("the read waited for the writer")
    })
    .unwrap();
    assert_eq!(seen_during, Some("committed".into()));
    assert_eq!(
        read(&storage, |tx| tx.setting("other")),
        Some("in progress".into())
    );
}
