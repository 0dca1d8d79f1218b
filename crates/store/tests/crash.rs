//! Acknowledged writes survive `kill -9`. The test re-runs its own binary as a child that
//! writes through `Service` on several threads and prints `ACK …` after each call returns
//! (after the commit); the parent kills it with SIGKILL mid-stream, reopens the file and
//! checks that every acknowledged write is there and the state is consistent.

mod common;

use common::*;
use localsecrets_core::labels;
use localsecrets_core::storage::Storage;
use localsecrets_core::{
    CoreResult, NewSecret, NewVersion, RotateRequest, RotationChange, SecretRef, SecretValue,
    Service,
};
use localsecrets_store::SqliteStorage;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

const CHILD_DB: &str = "LOCALSECRETS_STORE_CRASH_CHILD_DB";
const TEST_NAME: &str = "acknowledged_writes_survive_sigkill";
const CHILD_THREADS: usize = 3;
/// Acknowledgements to see before the kill: enough that the child is well into its stream.
const KILL_AFTER: usize = 600;

fn ack(line: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe means the parent is gone; the child will be killed anyway.
    let _ = writeln!(out, "ACK {line}");
    let _ = out.flush();
}

/// Writes forever: per secret a create, a put and a rotation, then a record.
fn child(db: &str) -> CoreResult<()> {
    let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::open(Some(db.as_ref()))?);
    let threads: Vec<_> = (0..CHILD_THREADS)
        .map(|t| {
            let svc = service(&storage);
            std::thread::spawn(move || child_thread(&svc, t))
        })
        .collect();
    for t in threads {
        t.join().expect("writer thread panicked")?;
    }
    Ok(())
}

fn child_thread(svc: &Service, t: usize) -> CoreResult<()> {
    for i in 0.. {
        let name = format!("w{t}-{i}");
        let r = SecretRef::Name(&name);
        svc.create_secret(
            &aws(),
            NewSecret {
                name: name.clone(),
                version: NewVersion {
                    id: Some("c".into()),
                    value: Some(text(&format!("{name}/c"))),
                    ..Default::default()
                },
                ..Default::default()
            },
        )?;
        ack(&format!("{name} c"));
        svc.put_value(
            &aws(),
            r,
            NewVersion {
                id: Some("p".into()),
                value: Some(SecretValue::Binary(name.as_bytes().to_vec())),
                ..Default::default()
            },
        )?;
        ack(&format!("{name} p"));
        let value = text(&format!("{name}/r"));
        svc.rotate(
            &aws(),
            r,
            RotateRequest {
                version_id: Some("r".into()),
                configure: RotationChange::default(),
                require_function: false,
                immediately: true,
                generate: &|_, _| Ok(value.clone()),
            },
        )?;
        ack(&format!("{name} r"));
        svc.put_record(&aws(), "task", &name, &json!({ "i": i }))?;
        ack(&format!("{name} record"));
    }
    Ok(())
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    if let Ok(db) = std::env::var(CHILD_DB) {
        if let Err(e) = child(&db) {
            println!("ERR {e}");
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_DB, &db)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked: Vec<String> = Vec::new();
    let mut other: Vec<String> = Vec::new();
    let mut take = |line: String, acked: &mut Vec<String>| match line.strip_prefix("ACK ") {
        Some(a) => acked.push(a.to_owned()),
        None => other.push(line),
    };
    while acked.len() < KILL_AFTER {
        match lines.next() {
            Some(line) => take(line.unwrap(), &mut acked),
            None => break,
        }
    }
    // The child must still be writing when it dies.
    assert!(child.try_wait().unwrap().is_none(), "child exited early");
    child.kill().unwrap();
    child.wait().unwrap();
    // What it acknowledged before the kill is still in the pipe.
    for line in lines {
        take(line.unwrap(), &mut acked);
    }
    assert!(
        !other.iter().any(|l| l.starts_with("ERR")),
        "child failed: {other:?}"
    );
    assert!(acked.len() >= KILL_AFTER, "only {} acks", acked.len());

    let sqlite = Arc::new(SqliteStorage::open(Some(&db)).unwrap());
    sqlite.check_integrity().unwrap();
    let storage: Arc<dyn Storage> = sqlite;
    let secrets: BTreeMap<String, _> = read(&storage, |tx| tx.secrets(&aws()))
        .into_iter()
        .map(|s| (s.name.clone(), s))
        .collect();
    let records: BTreeMap<String, _> = read(&storage, |tx| tx.records(&aws(), "task"))
        .into_iter()
        .collect();
    let d = aws().cloud.dialect();
    for s in secrets.values() {
        labels::validate(s, d).unwrap();
        assert!(s.holder(d.current).is_some(), "{} has no current", s.name);
    }
    // The last acknowledged step of each secret.
    let mut last: BTreeMap<&str, &str> = BTreeMap::new();
    for a in &acked {
        let (name, step) = a.split_once(' ').unwrap();
        last.insert(name, step);
        let s = secrets
            .get(name)
            .unwrap_or_else(|| panic!("acknowledged secret {name} is missing"));
        let want = match step {
            "c" => text(&format!("{name}/c")),
            "p" => SecretValue::Binary(name.as_bytes().to_vec()),
            "r" => text(&format!("{name}/r")),
            "record" => {
                assert!(records.contains_key(name), "record of {name} is missing");
                continue;
            }
            other => panic!("unexpected ack {other}"),
        };
        let v = s
            .version(step)
            .unwrap_or_else(|| panic!("acknowledged version {step} of {name} is missing"));
        assert_eq!(v.value, want, "{name} {step}");
    }
    // Once a rotation was acknowledged nothing else touches that secret's labels.
    for (name, step) in last {
        if matches!(step, "r" | "record") {
            let s = &secrets[name];
            assert_eq!(s.holder_id(d.current), Some("r"), "{name}");
            assert_eq!(s.holder_id(d.previous), Some("p"), "{name}");
        }
    }
}
