//! One contract for every `Storage`: each case runs on SQLite in memory, SQLite on a file and
//! core's `MemoryStorage` (the reference), so the implementations are held to the same
//! answers. A randomized differential run at the end compares them operation by operation.

mod common;

use common::*;
use localsecrets_core::labels;
use localsecrets_core::listing::{Keep, ListOrder, ListPage, ListQuery};
use localsecrets_core::storage::{Due, DueKind, ResetFilter, Storage, Versions, WriteTx};
use localsecrets_core::{
    Access, Cloud, CoreError, CoreResult, NewSecret, NewVersion, Random, RotateRequest, Rotation,
    RotationChange, RotationState, RotationStep, Schedule, Scope, Secret, SecretRef, SecretValue,
    Selector, Timestamp, Update,
};
use serde_json::json;
use std::sync::Arc;

type S = Arc<dyn Storage>;

macro_rules! suite {
    ($fixture:ident: $($case:ident),* $(,)?) => {
        mod $fixture {
            $(
                #[test]
                fn $case() {
                    let f = super::common::$fixture();
                    super::$case(&f.storage);
                }
            )*
        }
    };
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        suite!(reference: $($case),*);
        suite!(sqlite_memory: $($case),*);
        suite!(sqlite_file: $($case),*);
    };
}

contract!(
    secrets_round_trip_by_name_and_id,
    scopes_are_isolated,
    secrets_list_in_name_order,
    versions_round_trip_through_changes,
    binary_and_text_values_round_trip,
    delete_removes_secret_and_versions,
    records_crud_and_listing,
    scopes_lists_every_scope_in_model_order,
    reset_by_cloud_tenant_and_all,
    settings_are_kept,
    due_and_next_due_follow_the_reference_rules,
    version_expiries_are_due_until_announced,
    a_failed_write_leaves_nothing,
    reads_inside_a_write_see_its_writes,
    service_create_put_and_read,
    service_builtin_and_outside_rotation,
    service_writes_over_many_versions,
    service_deletion_restore_and_purge,
    service_huawei_sequence_and_eviction,
    service_alibaba_rotation_limit,
    service_records_in_transactions,
);

fn get(s: &S, scope: &Scope, name: &str) -> Option<Secret> {
    read(s, |tx| tx.secret(scope, name))
}

fn put(s: &S, scope: &Scope, secret: &Secret) {
    write(s, |tx| tx.put_secret(scope, secret))
}

fn secrets_round_trip_by_name_and_id(s: &S) {
    let full = full_secret("db");
    put(s, &aws(), &full);
    assert_eq!(get(s, &aws(), "db"), Some(full.clone()));
    assert_eq!(
        read(s, |tx| tx.secret_by_id(&aws(), "id-db")),
        Some(full.clone())
    );
    assert_eq!(get(s, &aws(), "DB"), None);
    assert_eq!(read(s, |tx| tx.secret_by_id(&aws(), "db")), None);
    // Overwriting replaces every field, including ones cleared or emptied.
    let mut changed = full.clone();
    changed.description = None;
    changed.tags = Some(vec![]);
    changed.extra.clear();
    changed.rotation = Rotation::default();
    changed.id = "id-new".into();
    put(s, &aws(), &changed);
    assert_eq!(get(s, &aws(), "db"), Some(changed.clone()));
    assert_eq!(read(s, |tx| tx.secret_by_id(&aws(), "id-db")), None);
    assert_eq!(
        read(s, |tx| tx.secret_by_id(&aws(), "id-new")),
        Some(changed)
    );
}

fn scopes_are_isolated(s: &S) {
    let scopes = [
        aws(),
        Scope::new(Cloud::Alibaba, "000000000000", "us-east-1"),
        Scope::new(Cloud::Aws, "111111111111", "us-east-1"),
        Scope::new(Cloud::Aws, "000000000000", "eu-west-1"),
    ];
    for (i, scope) in scopes.iter().enumerate() {
        let mut secret = full_secret("db");
        secret.description = Some(format!("in scope {i}"));
        secret.id = format!("id-{i}");
        put(s, scope, &secret);
        write(s, |tx| {
            tx.put_record(scope, "task", "k", &json!({ "scope": i }))
        });
    }
    for (i, scope) in scopes.iter().enumerate() {
        let found = get(s, scope, "db").unwrap();
        assert_eq!(found.description, Some(format!("in scope {i}")));
        let listed = read(s, |tx| tx.secrets(scope));
        assert_eq!(listed, vec![found]);
        assert_eq!(
            read(s, |tx| tx.record(scope, "task", "k")),
            Some(json!({ "scope": i }))
        );
        for (j, other) in scopes.iter().enumerate() {
            let by_id = read(s, |tx| tx.secret_by_id(other, &format!("id-{i}")));
            assert_eq!(by_id.is_some(), i == j, "{scope} seen from {other}");
        }
    }
    // Deleting in one scope leaves the others.
    write(s, |tx| {
        tx.delete_secret(&scopes[0], "db")?;
        tx.delete_record(&scopes[0], "task", "k")
    });
    assert_eq!(get(s, &scopes[0], "db"), None);
    assert_eq!(read(s, |tx| tx.record(&scopes[0], "task", "k")), None);
    for scope in &scopes[1..] {
        assert!(get(s, scope, "db").is_some());
        assert!(read(s, |tx| tx.record(scope, "task", "k")).is_some());
    }
}

fn secrets_list_in_name_order(s: &S) {
    let names = ["b", "a", "B", "a-1", "é", "Z", "aa", "a/b", "_x", "10", "9"];
    for (i, name) in names.iter().enumerate() {
        let v = version(&format!("t{i}"), text(name), &["AWSCURRENT"]);
        put(s, &aws(), &bare_secret(name, vec![v]));
    }
    let listed = read(s, |tx| tx.secrets(&aws()));
    let got: Vec<&str> = listed.iter().map(|s| s.name.as_str()).collect();
    let mut want = names.to_vec();
    want.sort();
    assert_eq!(got, want);
    // Each comes with its own versions.
    for secret in &listed {
        assert_eq!(secret.versions.len(), 1);
        assert_eq!(secret.versions[0].value, text(&secret.name));
    }
}

fn versions_round_trip_through_changes(s: &S) {
    let mut secret = full_secret("db");
    let check = |secret: &Secret| {
        put(s, &aws(), secret);
        assert_eq!(get(s, &aws(), "db").as_ref(), Some(secret));
        assert_eq!(read(s, |tx| tx.secrets(&aws())), vec![secret.clone()]);
    };
    check(&secret);
    // Add a version and move the current label onto it.
    secret.versions[1].labels.retain(|l| l != "AWSPREVIOUS");
    secret.versions[2].labels = vec!["AWSPREVIOUS".into()];
    secret
        .versions
        .push(version("v4", text("four"), &["AWSCURRENT"]));
    check(&secret);
    // Change a version in place.
    secret.versions[0].value = text("one, changed");
    secret.versions[0].last_accessed = Some(Timestamp::from_millis(5));
    check(&secret);
    // Remove one in the middle.
    secret.versions.remove(1);
    check(&secret);
    // Reorder: the newest first, then back.
    let last = secret.versions.pop().unwrap();
    secret.versions.insert(0, last);
    check(&secret);
    secret.versions.rotate_left(1);
    check(&secret);
    // Many at once, then none, then some again.
    for i in 5..40 {
        secret
            .versions
            .push(version(&format!("v{i}"), text(&format!("{i}")), &[]));
    }
    check(&secret);
    secret.versions.retain(|v| v.id.len() % 2 == 0);
    check(&secret);
    secret.versions.clear();
    check(&secret);
    secret.versions = vec![
        version("v1", text("reused id"), &["AWSCURRENT"]),
        version("v0", text("older id, newer position"), &[]),
    ];
    check(&secret);
}

fn binary_and_text_values_round_trip(s: &S) {
    let values = [
        SecretValue::Binary((0..=255).collect()),
        SecretValue::Binary(vec![]),
        SecretValue::Binary(vec![0]),
        text(""),
        text("nul \0 inside, ünïcode ✓, emoji 🔑"),
        text("{\"json\": \"in a string\", \"quote\": \"\\\"\"}\n\ttabs"),
        text(&"x".repeat(65_536)),
    ];
    let versions = values
        .iter()
        .enumerate()
        .map(|(i, v)| version(&format!("v{i}"), v.clone(), &[]))
        .collect();
    let secret = bare_secret("values", versions);
    put(s, &aws(), &secret);
    let got = get(s, &aws(), "values").unwrap();
    let got_values: Vec<SecretValue> = got.versions.into_iter().map(|v| v.value).collect();
    assert_eq!(got_values, values);
}

fn delete_removes_secret_and_versions(s: &S) {
    put(s, &aws(), &full_secret("db"));
    put(s, &aws(), &full_secret("keep"));
    write(s, |tx| tx.delete_secret(&aws(), "db"));
    assert_eq!(get(s, &aws(), "db"), None);
    assert_eq!(read(s, |tx| tx.secret_by_id(&aws(), "id-db")), None);
    let names: Vec<String> = read(s, |tx| tx.secrets(&aws()))
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["keep"]);
    // Deleting what is not there is not an error.
    write(s, |tx| tx.delete_secret(&aws(), "db"));
    // A secret of the same name starts from nothing: no version of the old one returns.
    let fresh = bare_secret("db", vec![version("v9", text("new"), &["AWSCURRENT"])]);
    put(s, &aws(), &fresh);
    assert_eq!(get(s, &aws(), "db"), Some(fresh));
}

fn records_crud_and_listing(s: &S) {
    let other = Scope::new(Cloud::Huawei, "p1", "cn-north-4");
    let values = [
        ("b", json!({"status": "running", "n": 1})),
        ("a", json!(null)),
        ("c", json!([1, "two", {"three": 3.5}])),
        ("A", json!("a string")),
    ];
    write(s, |tx| {
        for (k, v) in &values {
            tx.put_record(&aws(), "task", k, v)?;
        }
        tx.put_record(&aws(), "event", "a", &json!("event a"))?;
        tx.put_record(&other, "task", "a", &json!("other scope"))
    });
    let mut want: Vec<(String, serde_json::Value)> = values
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    want.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(read(s, |tx| tx.records(&aws(), "task")), want);
    assert_eq!(
        read(s, |tx| tx.records(&aws(), "event")),
        vec![("a".to_owned(), json!("event a"))]
    );
    assert_eq!(read(s, |tx| tx.records(&aws(), "nothing")), vec![]);
    assert_eq!(
        read(s, |tx| tx.records(&other, "task")),
        vec![("a".to_owned(), json!("other scope"))]
    );
    assert_eq!(
        read(s, |tx| tx.record(&aws(), "task", "a")),
        Some(json!(null))
    );
    assert_eq!(read(s, |tx| tx.record(&aws(), "event", "b")), None);
    // Overwrite, delete, delete again.
    write(s, |tx| tx.put_record(&aws(), "task", "a", &json!({"v": 2})));
    assert_eq!(
        read(s, |tx| tx.record(&aws(), "task", "a")),
        Some(json!({"v": 2}))
    );
    write(s, |tx| tx.delete_record(&aws(), "task", "b"));
    write(s, |tx| tx.delete_record(&aws(), "task", "b"));
    let keys: Vec<String> = read(s, |tx| tx.records(&aws(), "task"))
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, ["A", "a", "c"]);
    assert_eq!(
        read(s, |tx| tx.record(&aws(), "event", "a")),
        Some(json!("event a"))
    );
}

fn scopes_lists_every_scope_in_model_order(s: &S) {
    assert_eq!(read(s, |tx| tx.scopes(None)), vec![]);
    let hw = Scope::new(Cloud::Huawei, "p", "cn-north-4");
    let ali = Scope::new(Cloud::Alibaba, "1", "cn-hangzhou");
    let aws2 = Scope::new(Cloud::Aws, "000000000000", "eu-west-1");
    put(s, &hw, &full_secret("x"));
    put(s, &aws2, &full_secret("x"));
    put(s, &aws(), &full_secret("x"));
    put(s, &aws(), &full_secret("y"));
    write(s, |tx| {
        // A scope with only records counts; one with both is listed once.
        tx.put_record(&ali, "task", "k", &json!(1))?;
        tx.put_record(&aws(), "task", "k", &json!(1))
    });
    // Clouds in the model's order (aws, alibaba, huawei), then tenant, then region.
    assert_eq!(
        read(s, |tx| tx.scopes(None)),
        vec![aws2.clone(), aws(), ali.clone(), hw.clone()]
    );
    assert_eq!(read(s, |tx| tx.scopes(Some(Cloud::Aws))), vec![aws2, aws()]);
    assert_eq!(read(s, |tx| tx.scopes(Some(Cloud::Alibaba))), vec![ali]);
    assert_eq!(read(s, |tx| tx.scopes(Some(Cloud::Huawei))), vec![hw]);
}

fn reset_by_cloud_tenant_and_all(s: &S) {
    let aws1 = Scope::new(Cloud::Aws, "t1", "r");
    let aws2 = Scope::new(Cloud::Aws, "t2", "r");
    let ali1 = Scope::new(Cloud::Alibaba, "t1", "r");
    let hw2 = Scope::new(Cloud::Huawei, "t2", "r");
    let all = [aws1.clone(), aws2.clone(), ali1.clone(), hw2.clone()];
    for scope in &all {
        put(s, scope, &deleted(full_secret("x"), 100));
        write(s, |tx| tx.put_record(scope, "task", "k", &json!(1)));
    }
    write(s, |tx| tx.set_setting("clock_offset_ms", "5"));
    let left = |s: &S| read(s, |tx| tx.scopes(None));
    write(s, |tx| {
        tx.reset(&ResetFilter {
            cloud: Some(Cloud::Aws),
            tenant: Some("t1".into()),
        })
    });
    assert_eq!(left(s), vec![aws2.clone(), ali1.clone(), hw2.clone()]);
    assert_eq!(get(s, &aws1, "x"), None);
    assert_eq!(read(s, |tx| tx.record(&aws1, "task", "k")), None);
    write(s, |tx| {
        tx.reset(&ResetFilter {
            cloud: None,
            tenant: Some("t2".into()),
        })
    });
    assert_eq!(left(s), vec![ali1.clone()]);
    write(s, |tx| {
        tx.reset(&ResetFilter {
            cloud: Some(Cloud::Huawei),
            tenant: None,
        })
    });
    assert_eq!(left(s), vec![ali1.clone()]);
    // The due list forgets what went.
    assert_eq!(read(s, |tx| tx.due(Timestamp::from_millis(1000))).len(), 1);
    write(s, |tx| tx.reset(&ResetFilter::default()));
    assert_eq!(left(s), vec![]);
    assert_eq!(get(s, &ali1, "x"), None);
    assert_eq!(read(s, |tx| tx.next_due()), None);
    // Settings are server state, not scope state.
    assert_eq!(
        read(s, |tx| tx.setting("clock_offset_ms")),
        Some("5".into())
    );
}

fn settings_are_kept(s: &S) {
    assert_eq!(read(s, |tx| tx.setting("clock_offset_ms")), None);
    write(s, |tx| tx.set_setting("clock_offset_ms", "86400000"));
    write(s, |tx| tx.set_setting("other", ""));
    assert_eq!(
        read(s, |tx| tx.setting("clock_offset_ms")),
        Some("86400000".into())
    );
    assert_eq!(read(s, |tx| tx.setting("other")), Some(String::new()));
    write(s, |tx| tx.set_setting("clock_offset_ms", "-1"));
    assert_eq!(
        read(s, |tx| tx.setting("clock_offset_ms")),
        Some("-1".into())
    );
    assert_eq!(read(s, |tx| tx.setting("missing")), None);
}

fn due(scope: &Scope, name: &str, at: i64, kind: DueKind) -> Due {
    Due {
        scope: scope.clone(),
        name: name.into(),
        at: Timestamp::from_millis(at),
        kind,
    }
}

fn due_and_next_due_follow_the_reference_rules(s: &S) {
    let until = |s: &S, at: i64| read(s, |tx| tx.due(Timestamp::from_millis(at)));
    assert_eq!(until(s, i64::MAX), vec![]);
    assert_eq!(read(s, |tx| tx.next_due()), None);
    let ali = Scope::new(Cloud::Alibaba, "t", "r");
    let hw = Scope::new(Cloud::Huawei, "t", "r");
    let bare = |n: &str| bare_secret(n, vec![]);
    put(s, &aws(), &deleted(bare("purge"), 100));
    put(s, &aws(), &rotating(bare("rotate"), true, Some(50)));
    // Not due: rotation off, or no time set.
    put(s, &aws(), &rotating(bare("off"), false, Some(10)));
    put(s, &aws(), &rotating(bare("untimed"), true, None));
    // Deletion wins over rotation.
    put(
        s,
        &aws(),
        &deleted(rotating(bare("both"), true, Some(20)), 200),
    );
    // Ties at 70, across scopes and names.
    put(s, &hw, &rotating(bare("a"), true, Some(70)));
    put(s, &aws(), &deleted(bare("tie-b"), 70));
    put(s, &aws(), &rotating(bare("tie-a"), true, Some(70)));
    put(s, &ali, &deleted(bare("a"), 70));
    use DueKind::{Purge, Rotation};
    let all = vec![
        due(&aws(), "rotate", 50, Rotation),
        due(&aws(), "tie-a", 70, Rotation),
        due(&aws(), "tie-b", 70, Purge),
        due(&ali, "a", 70, Purge),
        due(&hw, "a", 70, Rotation),
        due(&aws(), "purge", 100, Purge),
        due(&aws(), "both", 200, Purge),
    ];
    assert_eq!(until(s, i64::MAX), all);
    assert_eq!(until(s, 49), vec![]);
    assert_eq!(until(s, 50), all[..1].to_vec());
    assert_eq!(until(s, 70), all[..5].to_vec());
    assert_eq!(until(s, 199), all[..6].to_vec());
    assert_eq!(
        read(s, |tx| tx.next_due()),
        Some(Timestamp::from_millis(50))
    );
    // Turning rotation off, deleting and restoring move the schedule.
    put(s, &aws(), &rotating(bare("rotate"), false, Some(50)));
    assert_eq!(
        read(s, |tx| tx.next_due()),
        Some(Timestamp::from_millis(70))
    );
    write(s, |tx| {
        tx.delete_secret(&aws(), "tie-a")?;
        tx.delete_secret(&aws(), "tie-b")?;
        tx.delete_secret(&ali, "a")?;
        tx.delete_secret(&hw, "a")
    });
    assert_eq!(
        read(s, |tx| tx.next_due()),
        Some(Timestamp::from_millis(100))
    );
    put(s, &aws(), &rotating(bare("both"), true, Some(20)));
    assert_eq!(
        until(s, i64::MAX),
        vec![
            due(&aws(), "both", 20, Rotation),
            due(&aws(), "purge", 100, Purge)
        ]
    );
    assert_eq!(
        read(s, |tx| tx.next_due()),
        Some(Timestamp::from_millis(20))
    );
    // Times before the epoch order correctly too.
    put(s, &aws(), &deleted(bare("early"), -5));
    assert_eq!(until(s, 0), vec![due(&aws(), "early", -5, Purge)]);
    assert_eq!(
        read(s, |tx| tx.next_due()),
        Some(Timestamp::from_millis(-5))
    );
}

fn version_expiries_are_due_until_announced(s: &S) {
    let hw = Scope::new(Cloud::Huawei, "p", "r");
    let expiring = |id: &str, at: Option<i64>| localsecrets_core::Version {
        expires: at.map(Timestamp::from_millis),
        ..version(id, text("v"), &[])
    };
    let mut secret = bare_secret(
        "db",
        vec![
            expiring("v1", Some(300)),
            expiring("v2", None),
            expiring("v3", Some(100)),
        ],
    );
    secret.versions[0].labels = vec!["SYSCURRENT".into()];
    put(s, &hw, &rotating(secret.clone(), true, Some(200)));
    let until = |at: i64| read(s, |tx| tx.due(Timestamp::from_millis(at)));
    assert_eq!(
        until(i64::MAX),
        vec![
            due(&hw, "db", 100, DueKind::Expiry),
            due(&hw, "db", 200, DueKind::Rotation),
        ]
    );
    assert_eq!(
        read(s, |tx| tx.next_due()),
        Some(Timestamp::from_millis(100))
    );
    // Announced through 150: the next expiry is the later one.
    secret.set_expiries_announced_through(Timestamp::from_millis(150));
    put(s, &hw, &secret);
    assert_eq!(until(i64::MAX), vec![due(&hw, "db", 300, DueKind::Expiry)]);
    // A secret in its deletion window is only due for its purge.
    put(s, &hw, &deleted(secret, 400));
    assert_eq!(until(i64::MAX), vec![due(&hw, "db", 400, DueKind::Purge)]);
}

fn a_failed_write_leaves_nothing(s: &S) {
    let other = Scope::new(Cloud::Huawei, "p", "cn-north-4");
    put(s, &aws(), &full_secret("db"));
    put(s, &other, &full_secret("other"));
    write(s, |tx| {
        tx.put_record(&aws(), "task", "k", &json!("kept"))?;
        tx.set_setting("clock_offset_ms", "1")
    });
    let scopes = [aws(), other.clone()];
    let before = snapshot(s, &scopes);
    let failure = CoreError::InvalidParameter("refused".into());
    let result = try_write(s, |tx| -> Result<(), CoreError> {
        // Versions added, changed and removed, all on one secret.
        let mut db = tx.secret(&aws(), "db")?.unwrap();
        db.versions.remove(0);
        db.versions[0].labels.clear();
        db.versions[1].value = text("changed");
        db.versions
            .push(version("v9", text("new"), &["AWSPENDING"]));
        tx.put_secret(&aws(), &db)?;
        tx.put_secret(&aws(), &full_secret("new"))?;
        tx.delete_secret(&other, "other")?;
        tx.put_record(&aws(), "task", "k", &json!("overwritten"))?;
        tx.put_record(&aws(), "event", "e", &json!("added"))?;
        tx.set_setting("clock_offset_ms", "2")?;
        tx.set_setting("other", "added")?;
        tx.reset(&ResetFilter {
            cloud: Some(Cloud::Huawei),
            tenant: None,
        })?;
        Err(failure.clone())
    });
    assert_eq!(result, Err(failure));
    assert_eq!(snapshot(s, &scopes), before);
    // The store still takes writes afterwards.
    put(s, &aws(), &full_secret("after"));
    assert!(get(s, &aws(), "after").is_some());
}

fn reads_inside_a_write_see_its_writes(s: &S) {
    write(s, |tx| {
        let secret = deleted(full_secret("db"), 10);
        tx.put_secret(&aws(), &secret)?;
        assert_eq!(tx.secret(&aws(), "db")?, Some(secret.clone()));
        assert_eq!(tx.secret_by_id(&aws(), "id-db")?, Some(secret.clone()));
        assert_eq!(tx.secrets(&aws())?, vec![secret]);
        assert_eq!(tx.scopes(None)?, vec![aws()]);
        assert_eq!(tx.due(Timestamp::from_millis(10))?.len(), 1);
        assert_eq!(tx.next_due()?, Some(Timestamp::from_millis(10)));
        tx.put_record(&aws(), "task", "k", &json!(1))?;
        assert_eq!(tx.record(&aws(), "task", "k")?, Some(json!(1)));
        assert_eq!(tx.records(&aws(), "task")?.len(), 1);
        tx.set_setting("other", "x")?;
        assert_eq!(tx.setting("other")?, Some("x".into()));
        tx.delete_secret(&aws(), "db")?;
        assert_eq!(tx.secret(&aws(), "db")?, None);
        assert_eq!(tx.next_due()?, None);
        Ok(())
    });
    assert_eq!(get(s, &aws(), "db"), None);
    assert_eq!(read(s, |tx| tx.setting("other")), Some("x".into()));
}

fn valid(scope: &Scope, secret: &Secret) {
    labels::validate(secret, scope.cloud.dialect()).unwrap();
}

fn new_secret(name: &str, token: Option<&str>, value: &str) -> NewSecret {
    NewSecret {
        name: name.into(),
        version: NewVersion {
            id: token.map(str::to_owned),
            value: Some(text(value)),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn service_create_put_and_read(s: &S) {
    let svc = service(s);
    let w = svc
        .create_secret(&aws(), new_secret("db", Some("t1"), "one"))
        .unwrap();
    assert!(!w.replayed);
    // A fresh service on the same storage sees it exactly as returned.
    let again = service(s);
    assert_eq!(
        again.describe(&aws(), SecretRef::Name("db"), Access::Live),
        Ok(w.secret.clone())
    );
    assert_eq!(
        again
            .describe(&aws(), SecretRef::Id(&w.secret.id), Access::Live)
            .map(|s| s.name),
        Ok("db".into())
    );
    let tail = format!("db-{}", w.secret.arn_suffix);
    assert!(svc
        .describe(&aws(), SecretRef::NameOrSuffixed(&tail), Access::Live)
        .is_ok());
    // Replay and conflict of the creation.
    assert!(
        svc.create_secret(&aws(), new_secret("db", Some("t1"), "one"))
            .unwrap()
            .replayed
    );
    assert!(matches!(
        svc.create_secret(&aws(), new_secret("db", Some("t1"), "other")),
        Err(CoreError::IdempotencyConflict { version_id, .. }) if version_id == "t1"
    ));
    assert!(matches!(
        svc.create_secret(&aws(), new_secret("db", Some("t9"), "other")),
        Err(CoreError::AlreadyExists { .. })
    ));
    // New versions, a replay, a conflict.
    let r = SecretRef::Name("db");
    let put = |token: &str, value: SecretValue| {
        svc.put_value(
            &aws(),
            r,
            NewVersion {
                id: Some(token.into()),
                value: Some(value),
                ..Default::default()
            },
        )
    };
    assert!(!put("t2", text("two")).unwrap().replayed);
    assert!(put("t2", text("two")).unwrap().replayed);
    assert!(matches!(
        put("t2", text("else")).map(|w| w.replayed),
        Err(CoreError::IdempotencyConflict { version_id, .. }) if version_id == "t2"
    ));
    let bin = SecretValue::Binary(vec![0, 159, 146, 150, 255]);
    put("t3", bin.clone()).unwrap();
    let (secret, v) = svc
        .get_value(&aws(), r, &Selector::Label("AWSCURRENT".into()))
        .unwrap();
    assert_eq!((v.id.as_str(), &v.value), ("t3", &bin));
    // A read loads the version it answers, not the others.
    assert!(secret.versions.is_empty());
    let described = svc.describe(&aws(), r, Access::Live).unwrap();
    assert_eq!(described.holder_id("AWSPREVIOUS"), Some("t2"));
    let (_, v) = svc
        .get_value(&aws(), r, &Selector::Id("t1".into()))
        .unwrap();
    assert_eq!(v.value, text("one"));
    assert!(v.labels.is_empty());
    // The access day was written back.
    assert!(again
        .describe(&aws(), r, Access::Live)
        .unwrap()
        .last_accessed
        .is_some());
    // Labels move and are removed in one transaction each.
    svc.update_stage(&aws(), r, "AWSCURRENT", Some("t1"), Some("t3"))
        .unwrap();
    svc.update_stage(&aws(), r, "custom", Some("t2"), None)
        .unwrap();
    let stored = again.describe(&aws(), r, Access::Live).unwrap();
    assert_eq!(stored.holder_id("AWSCURRENT"), Some("t1"));
    assert_eq!(stored.holder_id("AWSPREVIOUS"), Some("t3"));
    assert_eq!(stored.holder_id("custom"), Some("t2"));
    let ids: Vec<&str> = stored.versions.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["t1", "t2", "t3"]);
    valid(&aws(), &stored);
    // A refused metadata change leaves the stored secret alone: the description changes,
    // then reusing id t2 with another value refuses the whole update.
    let refused = svc.update_secret(
        &aws(),
        r,
        &Update {
            description: Some(Some("changed".into())),
            ..Default::default()
        },
        Some(NewVersion {
            id: Some("t2".into()),
            value: Some(text("else")),
            ..Default::default()
        }),
    );
    assert!(matches!(
        refused,
        Err(CoreError::IdempotencyConflict { .. })
    ));
    assert_eq!(again.describe(&aws(), r, Access::Live), Ok(stored));
    assert_eq!(svc.list(&aws()).unwrap().len(), 1);
}

fn generate(s: &Secret, rnd: &Random) -> CoreResult<SecretValue> {
    let current = s.holder("AWSCURRENT").map(|v| &v.value);
    Ok(localsecrets_core::rotation::replace_password(
        current,
        "password",
        rnd.alphanumeric(12),
    ))
}

/// AWS writes load only the labelled versions and those they name; what they leave alone
/// (the unlabelled rest) stays, in order, under the cap of 100.
fn service_writes_over_many_versions(s: &S) {
    let svc = service(s);
    let r = SecretRef::Name("db");
    svc.create_secret(&aws(), new_secret("db", Some("t000"), "v0"))
        .unwrap();
    let put = |token: &str, labels: Option<Vec<String>>| {
        svc.put_value(
            &aws(),
            r,
            NewVersion {
                id: Some(token.into()),
                value: Some(text(&format!("value {token}"))),
                labels,
                ..Default::default()
            },
        )
        .unwrap()
    };
    for i in 1..=120 {
        let w = put(&format!("t{i:03}"), None);
        assert!(w.secret.loaded.is_some(), "an AWS write loads in part");
    }
    // An unlabelled newest version, then a current one after it.
    put("loose", Some(vec![]));
    put("t121", None);
    let all = svc.describe(&aws(), r, Access::Live).unwrap();
    valid(&aws(), &all);
    let ids: Vec<&str> = all.versions.iter().map(|v| v.id.as_str()).collect();
    let unlabelled = all.versions.iter().filter(|v| v.is_deprecated()).count();
    assert_eq!(
        unlabelled, 100,
        "the cap keeps the 100 newest unlabelled versions"
    );
    assert_eq!(ids.len(), 102);
    assert_eq!(
        &ids[ids.len() - 3..],
        ["t119", "t120", "loose", "t121"][1..].as_ref()
    );
    assert_eq!(all.holder_id("AWSCURRENT"), Some("t121"));
    assert_eq!(all.holder_id("AWSPREVIOUS"), Some("t120"));
    assert_eq!(
        ids[0], "t021",
        "the oldest went first (t000–t020: 123 versions, 2 labelled)"
    );
    // Replaying an old token finds its version though the write loads only what it names.
    let again = put("t050", None);
    assert!(again.replayed);
    // A label moved onto an old unlabelled version by id.
    svc.update_stage(&aws(), r, "X", Some("t030"), None)
        .unwrap();
    let after = svc.describe(&aws(), r, Access::Live).unwrap();
    assert_eq!(after.holder_id("X"), Some("t030"));
    assert_eq!(
        after
            .versions
            .iter()
            .map(|v| v.id.as_str())
            .collect::<Vec<_>>(),
        ids,
        "moving a label reorders and removes nothing"
    );
    assert_eq!(after.version("t030").unwrap().value, text("value t030"));
}

fn service_builtin_and_outside_rotation(s: &S) {
    let svc = service(s);
    let r = SecretRef::Name("db");
    svc.create_secret(
        &aws(),
        new_secret("db", Some("t1"), r#"{"username":"u","password":"p"}"#),
    )
    .unwrap();
    let configure = RotationChange {
        enabled: Some(true),
        function: Some(Some(
            "arn:aws:lambda:us-east-1:000000000000:function:f".into(),
        )),
        schedule: Some(Some(Schedule::Every { seconds: 86_400 })),
        window_secs: None,
    };
    let w = svc
        .rotate(
            &aws(),
            r,
            RotateRequest {
                version_id: Some("t2".into()),
                configure: configure.clone(),
                require_function: true,
                immediately: true,
                generate: &generate,
            },
        )
        .unwrap();
    let stored = service(s).describe(&aws(), r, Access::Live).unwrap();
    // A write answers with the versions it loaded (all of them here) and says so.
    assert_eq!(w.secret.loaded.as_deref(), Some(&["t1".to_owned()][..]));
    assert_eq!(
        stored,
        Secret {
            loaded: None,
            ..w.secret
        }
    );
    assert_eq!(stored.holder_id("AWSCURRENT"), Some("t2"));
    assert_eq!(stored.holder_id("AWSPREVIOUS"), Some("t1"));
    assert_eq!(stored.rotation.state, RotationState::Idle);
    valid(&aws(), &stored);
    // The schedule is visible to the scheduler's queries.
    let next = stored.rotation.next_rotation.unwrap();
    assert_eq!(svc.next_due(), Ok(Some(next)));
    let due = svc.due(next).unwrap();
    assert_eq!(
        due,
        vec![self::due(&aws(), "db", next.millis(), DueKind::Rotation)]
    );
    assert_eq!(svc.due(next.plus_millis(-1)), Ok(vec![]));
    // An outside rotation that fails keeps its pending version and blocks the next one.
    let (_, id) = svc.rotation_begin(&aws(), r, Some("t3".into())).unwrap();
    svc.put_value(
        &aws(),
        r,
        NewVersion {
            id: Some(id.clone()),
            value: Some(text("three")),
            labels: Some(vec!["AWSPENDING".into()]),
            ..Default::default()
        },
    )
    .unwrap();
    svc.rotation_step(&aws(), r, &id, RotationStep::SetSecret)
        .unwrap();
    svc.rotation_end(&aws(), r, &id, Err((RotationStep::TestSecret, "no".into())))
        .unwrap();
    let stored = service(s).describe(&aws(), r, Access::Live).unwrap();
    assert!(matches!(
        stored.rotation.state,
        RotationState::Failed { .. }
    ));
    assert_eq!(stored.holder_id("AWSPENDING"), Some("t3"));
    assert_eq!(stored.holder_id("AWSCURRENT"), Some("t2"));
    assert!(matches!(
        svc.rotation_begin(&aws(), r, Some("t4".into())),
        Err(CoreError::RotationInProgress { .. })
    ));
    // A refused rotation wrote nothing.
    assert_eq!(service(s).describe(&aws(), r, Access::Live), Ok(stored));
    // Cancelling takes the secret off the schedule.
    svc.cancel_rotation(&aws(), r).unwrap();
    assert_eq!(svc.next_due(), Ok(None));
}

fn service_deletion_restore_and_purge(s: &S) {
    let svc = service(s);
    let r = SecretRef::Name("db");
    svc.create_secret(&aws(), new_secret("db", None, "v"))
        .unwrap();
    svc.create_secret(&aws(), new_secret("gone", None, "v"))
        .unwrap();
    let d = svc
        .schedule_deletion(&aws(), r, Some(7))
        .unwrap()
        .deletion
        .unwrap();
    assert_eq!(svc.next_due(), Ok(Some(d.purge_at)));
    assert!(matches!(
        svc.get_value(&aws(), r, &Selector::Label("AWSCURRENT".into())),
        Err(CoreError::ScheduledForDeletion { .. })
    ));
    assert!(svc.restore(&aws(), r).unwrap().deletion.is_none());
    assert_eq!(svc.next_due(), Ok(None));
    svc.schedule_deletion(&aws(), r, Some(7)).unwrap();
    let forced = svc.force_delete(&aws(), SecretRef::Name("gone")).unwrap();
    assert_eq!(forced.name, "gone");
    assert!(get(s, &aws(), "gone").is_none());
    svc.clock().advance_secs(7 * 86_400 - 1).unwrap();
    assert_eq!(svc.purge_due(), Ok(vec![]));
    svc.clock().advance_secs(1).unwrap();
    let purged = svc.purge_due().unwrap();
    assert_eq!(purged.len(), 1);
    assert_eq!(
        (purged[0].name.as_str(), &purged[0].kind),
        ("db", &DueKind::Purge)
    );
    assert!(get(s, &aws(), "db").is_none());
    assert_eq!(svc.next_due(), Ok(None));
    // The name is free again, with none of the old versions.
    let w = svc
        .create_secret(&aws(), new_secret("db", Some("n1"), "new"))
        .unwrap();
    assert_eq!(w.secret.versions.len(), 1);
    assert_eq!(
        service(s).describe(&aws(), r, Access::Live),
        Ok(Secret {
            loaded: None,
            ..w.secret
        })
    );
}

fn service_huawei_sequence_and_eviction(s: &S) {
    let svc = service(s);
    let scope = Scope::new(
        Cloud::Huawei,
        "0123456789abcdef0123456789abcdef",
        "cn-north-4",
    );
    let r = SecretRef::Name("db");
    svc.create_secret(&scope, new_secret("db", None, "v1"))
        .unwrap();
    for i in 2..=30 {
        let w = svc
            .put_value(
                &scope,
                r,
                NewVersion {
                    value: Some(text(&format!("v{i}"))),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(w.version_id, Some(format!("v{i}")));
    }
    let stored = service(s).describe(&scope, r, Access::Live).unwrap();
    valid(&scope, &stored);
    assert_eq!(stored.version_seq, 30);
    // Huawei keeps 20: the oldest unlabelled went, in order.
    let ids: Vec<String> = stored.versions.iter().map(|v| v.id.clone()).collect();
    let want: Vec<String> = (11..=30).map(|i| format!("v{i}")).collect();
    assert_eq!(ids, want);
    assert_eq!(stored.holder_id("SYSCURRENT"), Some("v30"));
    assert_eq!(stored.holder_id("SYSPREVIOUS"), Some("v29"));
    for v in &stored.versions {
        assert_eq!(v.value, text(&v.id));
    }
}

fn service_alibaba_rotation_limit(s: &S) {
    let svc = service(s);
    let scope = Scope::new(Cloud::Alibaba, "1234567890123456", "cn-hangzhou");
    let r = SecretRef::Name("rds");
    svc.create_secret(
        &scope,
        NewSecret {
            secret_type: Some("Rds".into()),
            ..new_secret("rds", Some("v0"), "{}")
        },
    )
    .unwrap();
    let rotate = |i: usize| {
        svc.rotate(
            &scope,
            r,
            RotateRequest {
                version_id: Some(format!("r{i}")),
                configure: RotationChange::default(),
                require_function: false,
                immediately: true,
                generate: &|_, rnd| Ok(SecretValue::Text(rnd.alphanumeric(8))),
            },
        )
    };
    for i in 0..50 {
        rotate(i).unwrap();
    }
    assert!(matches!(rotate(50), Err(CoreError::Throttled { .. })));
    let stored = service(s).describe(&scope, r, Access::Live).unwrap();
    assert_eq!(stored.holder_id("ACSCurrent"), Some("r49"));
    assert_eq!(stored.holder_id("ACSPrevious"), Some("r48"));
    assert!(stored.version("r50").is_none());
    valid(&scope, &stored);
}

fn service_records_in_transactions(s: &S) {
    let svc = service(s);
    svc.create_secret(&aws(), new_secret("db", None, "v"))
        .unwrap();
    // A secret change and its auxiliary record commit together…
    write(s, |tx| {
        let mut secret = tx.secret(&aws(), "db")?.unwrap();
        secret.description = Some("tasked".into());
        tx.put_secret(&aws(), &secret)?;
        tx.put_record(&aws(), "task", "t1", &json!({"secret": "db"}))
    });
    // …or not at all.
    let failed: Result<(), CoreError> = try_write(s, |tx| {
        tx.delete_secret(&aws(), "db")?;
        tx.delete_record(&aws(), "task", "t1")?;
        Err(CoreError::Storage("simulated".into()))
    });
    assert!(failed.is_err());
    let (secret, record) = read(s, |tx| {
        Ok((tx.secret(&aws(), "db")?, tx.record(&aws(), "task", "t1")?))
    });
    assert_eq!(secret.unwrap().description.as_deref(), Some("tasked"));
    assert_eq!(record, Some(json!({"secret": "db"})));
}

type Op = dyn Fn(&mut dyn WriteTx) -> CoreResult<()>;

/// Random operations applied to the reference and both SQLite modes must leave all three
/// answering identically after every step.
#[test]
fn random_operations_agree_with_the_reference() {
    let fixtures = [reference(), sqlite_memory(), sqlite_file()];
    let scopes = [
        aws(),
        Scope::new(Cloud::Aws, "111111111111", "us-east-1"),
        Scope::new(Cloud::Alibaba, "000000000000", "us-east-1"),
        Scope::new(Cloud::Huawei, "p", "r"),
    ];
    let rnd = Random::seeded(20240601);
    let pick = |n: usize| rnd.below(n as u64) as usize;
    let names = ["a", "b", "c", "d"];
    let mut next_version = 0;
    for step in 0..400 {
        let scope = scopes[pick(scopes.len())].clone();
        let name = names[pick(names.len())];
        // Build the operation once, then run it on every storage.
        let op: Box<Op> = match pick(8) {
            0..=2 => {
                let mut secret = bare_secret(name, vec![]);
                // Start from what is stored (same on all), then change the versions.
                let stored = read(&fixtures[0].storage, |tx| tx.secret(&scope, name));
                if let Some(stored) = stored {
                    secret.versions = stored.versions;
                }
                if pick(3) > 0 {
                    next_version += 1;
                    let labels: &[&str] = [&[][..], &["AWSCURRENT"], &["x", "y"]][pick(3)];
                    let pos = pick(secret.versions.len() + 1);
                    secret.versions.insert(
                        pos,
                        version(
                            &format!("v{next_version}"),
                            text(&format!("{step}")),
                            labels,
                        ),
                    );
                }
                if !secret.versions.is_empty() && pick(3) == 0 {
                    secret.versions.remove(pick(secret.versions.len()));
                }
                if !secret.versions.is_empty() && pick(2) == 0 {
                    let i = pick(secret.versions.len());
                    secret.versions[i].labels = vec![format!("l{step}")];
                }
                secret = match pick(4) {
                    0 => deleted(secret, pick(50) as i64),
                    1 => rotating(secret, pick(2) == 0, Some(pick(50) as i64)),
                    _ => secret,
                };
                Box::new(move |tx| tx.put_secret(&scope, &secret))
            }
            3 => Box::new(move |tx| tx.delete_secret(&scope, name)),
            4 => {
                let kind = KINDS[pick(2)];
                let value = json!({ "step": step });
                Box::new(move |tx| tx.put_record(&scope, kind, name, &value))
            }
            5 => {
                let kind = KINDS[pick(2)];
                Box::new(move |tx| tx.delete_record(&scope, kind, name))
            }
            6 => {
                let key = SETTINGS[pick(2)];
                let value = step.to_string();
                Box::new(move |tx| tx.set_setting(key, &value))
            }
            _ => {
                let filter = ResetFilter {
                    cloud: (pick(2) == 0).then_some(scope.cloud),
                    tenant: (pick(2) == 0).then(|| scope.tenant.clone()),
                };
                if pick(4) == 0 {
                    Box::new(move |tx| tx.reset(&filter))
                } else {
                    // Most resets are part of a write that then fails.
                    Box::new(move |tx| {
                        tx.reset(&filter)?;
                        tx.set_setting("other", "never")?;
                        Err(CoreError::InvalidParameter("abandoned".into()))
                    })
                }
            }
        };
        let results: Vec<_> = fixtures
            .iter()
            .map(|f| f.storage.write(&mut |tx| op(tx)))
            .collect();
        assert!(
            results.iter().all(|r| r == &results[0]),
            "step {step}: {results:?}"
        );
        let want = snapshot(&fixtures[0].storage, &scopes);
        for f in &fixtures[1..] {
            assert_eq!(snapshot(&f.storage, &scopes), want, "step {step}");
        }
        // Partial loads agree too: by label (the labels table) and by version id.
        let label = format!("l{}", pick(step + 1));
        let id = format!("v{}", pick(next_version + 1));
        let partial = |s: &S| {
            let mut out = Vec::new();
            for scope in &scopes {
                for name in names {
                    for which in [
                        Versions::Labelled("AWSCURRENT"),
                        Versions::Labelled("x"),
                        Versions::Labelled(&label),
                        Versions::Id(&id),
                    ] {
                        out.push(read(s, |tx| tx.secret_with(scope, name, which)));
                        out.push(read(s, |tx| {
                            tx.secret_by_id_with(scope, &format!("id-{name}"), which)
                        }));
                    }
                }
            }
            out
        };
        let want = partial(&fixtures[0].storage);
        for f in &fixtures[1..] {
            assert_eq!(partial(&f.storage), want, "step {step}");
        }
    }
}

/// Every page of every listing shape, walked from start to end by its `next` positions, is
/// the reference's page, on a scope with ties in every sort key, deleted and purgeable
/// secrets and a neighbouring scope that must not leak in.
#[test]
fn pages_agree_with_the_reference() {
    let fixtures = [reference(), sqlite_memory(), sqlite_file()];
    let scope = aws();
    let other = Scope::new(Cloud::Aws, "111111111111", "us-east-1");
    let rnd = Random::seeded(7);
    let pick = |n: usize| rnd.below(n as u64) as usize;
    for i in 0..60 {
        let labels: &[&str] = match pick(3) {
            0 => &["AWSCURRENT"],
            1 => &["x", "AWSCURRENT"],
            _ => &["AWSCURRENT", "y", "x"],
        };
        let mut s = bare_secret(
            &format!("s{:02}", pick(100)),
            vec![
                version(&format!("u{i}"), text("old"), &[]),
                version(&format!("v{i}"), text("x"), labels),
                version(&format!("w{i}"), text("y"), &["AWSPREVIOUS"]),
            ],
        );
        s.created = Timestamp::from_millis(pick(8) as i64);
        s.updated = Timestamp::from_millis(pick(8) as i64);
        s.last_accessed = (pick(3) > 0).then(|| Timestamp::from_millis(pick(4) as i64));
        s.description = Some(format!("d{}", pick(3)));
        if pick(5) == 0 {
            s = deleted(s, 20 + pick(2) as i64 * 100);
        }
        let target = if pick(6) == 0 { &other } else { &scope };
        for f in &fixtures {
            put(&f.storage, target, &s);
        }
    }
    let now = Timestamp::from_millis(50);
    let keep_d1 = |s: &Secret| s.description.as_deref() == Some("d1");
    let orders = [
        ListOrder::Name,
        ListOrder::Created,
        ListOrder::Updated,
        ListOrder::LastAccessed,
    ];
    let mut checked = 0;
    for order in orders {
        for descending in [false, true] {
            for include_deleted in [false, true] {
                for filtered in [false, true] {
                    for (limit, skip, count) in [(1, 0, false), (7, 0, true), (5, 3, true)] {
                        let mut q = ListQuery::new(order, limit);
                        q.descending = descending;
                        q.include_deleted = include_deleted;
                        q.keep = filtered.then_some(&keep_d1 as Keep<'_>);
                        q.skip = skip;
                        q.count = count;
                        // Stage maps (AWS ListSecrets) or whole versions.
                        q.stages_only = descending != filtered;
                        // A name prefix the store applies on its name column.
                        q.name_prefix = match limit {
                            1 => None,
                            7 => Some("s"),
                            _ => Some("s1"),
                        };
                        let want = walk(&fixtures[0].storage, &scope, &mut q, now);
                        assert!(!want.is_empty());
                        for f in &fixtures[1..] {
                            let mut q2 = ListQuery { after: None, ..q };
                            assert_eq!(walk(&f.storage, &scope, &mut q2, now), want);
                        }
                        checked += 1;
                        q.after = None;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 4 * 2 * 2 * 2 * 3);
}

/// Every page of a listing, following `next` until it ends.
fn walk(s: &S, scope: &Scope, q: &mut ListQuery<'_>, now: Timestamp) -> Vec<ListPage> {
    let mut pages = Vec::new();
    loop {
        let page = read(s, |tx| tx.page(scope, q, now));
        let next = page.next.clone();
        pages.push(page);
        match next {
            Some(p) if pages.len() < 200 => q.after = Some(p),
            _ => return pages,
        }
    }
}
