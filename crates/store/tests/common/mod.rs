//! Helpers shared by the black-box tests: the three storages under test, sample secrets and a
//! full snapshot of what a storage answers.

#![allow(dead_code)]

use localsecrets_core::memory::MemoryStorage;
use localsecrets_core::storage::{Due, ReadTx, Storage, WriteTx};
use localsecrets_core::{
    Clock, Cloud, CoreError, CoreResult, Deletion, Random, Rotation, RotationState, RotationStep,
    Schedule, Scope, Secret, SecretValue, Service, Tag, Timestamp, Version,
};
use localsecrets_store::SqliteStorage;
use serde_json::{json, Value};
use std::sync::Arc;
use tempfile::TempDir;

/// A storage and whatever must outlive it.
pub struct Fixture {
    pub storage: Arc<dyn Storage>,
    pub dir: Option<TempDir>,
}

pub fn reference() -> Fixture {
    Fixture {
        storage: Arc::new(MemoryStorage::new()),
        dir: None,
    }
}

pub fn sqlite_memory() -> Fixture {
    Fixture {
        storage: Arc::new(SqliteStorage::open(None).unwrap()),
        dir: None,
    }
}

pub fn sqlite_file() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(Some(&dir.path().join("state.db"))).unwrap();
    Fixture {
        storage: Arc::new(storage),
        dir: Some(dir),
    }
}

pub fn service(storage: &Arc<dyn Storage>) -> Service {
    Service::new(
        storage.clone(),
        Arc::new(Clock::new()),
        Arc::new(Random::seeded(7)),
    )
}

pub fn aws() -> Scope {
    Scope::new(Cloud::Aws, "000000000000", "us-east-1")
}

/// Runs `f` in one read transaction of the storage itself and answers what it returned.
pub fn try_read<R>(
    s: &Arc<dyn Storage>,
    f: impl FnOnce(&dyn ReadTx) -> CoreResult<R>,
) -> CoreResult<R> {
    let mut f = Some(f);
    let mut out = None;
    s.read(&mut |tx| {
        let f = f
            .take()
            .ok_or_else(|| CoreError::Storage("read retried".into()))?;
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| CoreError::Storage("read produced nothing".into()))
}

/// Runs `f` in one write transaction of the storage itself, which commits only when `f`
/// returns `Ok`.
pub fn try_write<R>(
    s: &Arc<dyn Storage>,
    f: impl FnOnce(&mut dyn WriteTx) -> CoreResult<R>,
) -> CoreResult<R> {
    let mut f = Some(f);
    let mut out = None;
    s.write(&mut |tx| {
        let f = f
            .take()
            .ok_or_else(|| CoreError::Storage("write retried".into()))?;
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| CoreError::Storage("write produced nothing".into()))
}

pub fn read<R>(s: &Arc<dyn Storage>, f: impl FnOnce(&dyn ReadTx) -> CoreResult<R>) -> R {
    try_read(s, f).unwrap()
}

pub fn write<R>(s: &Arc<dyn Storage>, f: impl FnOnce(&mut dyn WriteTx) -> CoreResult<R>) -> R {
    try_write(s, f).unwrap()
}

pub fn version(id: &str, value: SecretValue, labels: &[&str]) -> Version {
    Version::new(
        id,
        value,
        Timestamp::from_millis(1_700_000_000_000),
        labels.iter().map(|l| (*l).to_owned()).collect(),
    )
}

pub fn text(s: &str) -> SecretValue {
    SecretValue::Text(s.into())
}

/// A secret with every optional field set, so a round trip proves none is lost.
pub fn full_secret(name: &str) -> Secret {
    let mut extra = serde_json::Map::new();
    extra.insert("replicas".into(), json!([{"region": "eu-west-1"}]));
    extra.insert("enable_event".into(), json!(true));
    let mut rotation = Rotation {
        enabled: true,
        function: Some("arn:aws:lambda:us-east-1:000000000000:function:rot".into()),
        schedule: Some(Schedule::Expression {
            expression: "rate(10 days)".into(),
        }),
        window_secs: Some(3600),
        last_rotated: Some(Timestamp::from_millis(1_700_000_100_000)),
        next_rotation: Some(Timestamp::from_millis(1_700_864_100_000)),
        state: RotationState::Failed {
            version_id: "v3".into(),
            step: RotationStep::TestSecret,
            error: "unreachable".into(),
            at: Timestamp::from_millis(1_700_000_200_000),
        },
        history: Default::default(),
        recent_ids: vec!["v2".into()],
        reserved: None,
    };
    rotation
        .history
        .record(Timestamp::from_millis(1_700_000_100_000));
    Secret {
        name: name.into(),
        id: format!("id-{name}"),
        arn_suffix: "AbC123".into(),
        secret_type: "Generic".into(),
        description: Some("a \"quoted\" description\nwith a newline".into()),
        kms_key_id: Some("alias/k".into()),
        tags: Some(vec![
            Tag {
                key: "env".into(),
                value: "prod".into(),
            },
            Tag {
                key: "ünïcode".into(),
                value: "✓".into(),
            },
        ]),
        policy: Some(r#"{"Version":"2012-10-17"}"#.into()),
        rotation,
        deletion: None,
        created: Timestamp::from_millis(1_699_000_000_000),
        updated: Timestamp::from_millis(1_700_000_300_000),
        last_accessed: Some(Timestamp::from_millis(1_699_920_000_000)),
        version_seq: 3,
        extra,
        versions: vec![
            version("v1", text("one"), &[]),
            Version {
                expires: Some(Timestamp::from_millis(1_800_000_000_000)),
                last_accessed: Some(Timestamp::from_millis(1_699_920_000_000)),
                ..version("v2", text("two"), &["AWSPREVIOUS", "custom"])
            },
            version(
                "v3",
                SecretValue::Binary(vec![0, 1, 254, 255]),
                &["AWSCURRENT"],
            ),
        ],
        loaded: None,
    }
}

/// A secret with nothing optional and the given versions.
pub fn bare_secret(name: &str, versions: Vec<Version>) -> Secret {
    Secret {
        updated: Timestamp::from_millis(2),
        versions,
        ..Secret::new(
            name,
            format!("id-{name}"),
            "xYz789",
            Timestamp::from_millis(1),
        )
    }
}

pub fn deleted(mut s: Secret, purge_at: i64) -> Secret {
    s.deletion = Some(Deletion {
        deleted_at: Timestamp::from_millis(purge_at - 1000),
        purge_at: Timestamp::from_millis(purge_at),
    });
    s
}

pub fn rotating(mut s: Secret, enabled: bool, next: Option<i64>) -> Secret {
    s.rotation.enabled = enabled;
    s.rotation.next_rotation = next.map(Timestamp::from_millis);
    s
}

pub const KINDS: [&str; 2] = ["task", "event"];
pub const SETTINGS: [&str; 2] = ["clock_offset_ms", "other"];

/// The records of one kind in one scope.
pub type Records = (Scope, &'static str, Vec<(String, Value)>);

/// Everything a storage answers about the given scopes.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub secrets: Vec<(Scope, Vec<Secret>)>,
    pub records: Vec<Records>,
    pub scopes: Vec<Scope>,
    pub scopes_by_cloud: Vec<Vec<Scope>>,
    pub due: Vec<Due>,
    pub next_due: Option<Timestamp>,
    pub settings: Vec<Option<String>>,
}

pub fn snapshot(s: &Arc<dyn Storage>, scopes: &[Scope]) -> Snapshot {
    read(s, |tx| {
        let mut secrets = Vec::new();
        let mut records = Vec::new();
        for scope in scopes {
            secrets.push((scope.clone(), tx.secrets(scope)?));
            for kind in KINDS {
                records.push((scope.clone(), kind, tx.records(scope, kind)?));
            }
        }
        Ok(Snapshot {
            secrets,
            records,
            scopes: tx.scopes(None)?,
            scopes_by_cloud: Cloud::ALL
                .into_iter()
                .map(|c| tx.scopes(Some(c)))
                .collect::<CoreResult<_>>()?,
            due: tx.due(Timestamp::from_millis(i64::MAX))?,
            next_due: tx.next_due()?,
            settings: SETTINGS
                .into_iter()
                .map(|k| tx.setting(k))
                .collect::<CoreResult<_>>()?,
        })
    })
}
