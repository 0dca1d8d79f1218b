//! The CSMS rules a secret or record loaded from a fixture must obey, the same ones the
//! operations apply: a 32-character project id, secret and stage names, secret types and
//! their rotation configuration, value sizes, key ids, the Huawei attributes kept in `extra`,
//! and records of the kinds this frontend writes, in their stored form.

use crate::call::check_name;
use crate::meta::{self, HuaweiMeta};
use crate::ops::create_secret::{check_description, check_kms_key, MAX_VALUE_BYTES, SECRET_TYPES};
use crate::records::{self, Event, NotificationRecord, Task};
use crate::router::check_project;
use localsecrets_api::ImportIssue;
use localsecrets_core::{Schedule, Scope, Secret};
use serde_json::Value;

const EXTRA_KEYS: [&str; 5] = [
    "rotation_period",
    "rotation_config",
    "event_subscriptions",
    "enterprise_project_id",
    localsecrets_core::model::LABEL_MOVES,
];

pub const RECORD_KINDS: [&str; 5] = [
    records::EVENT,
    records::TASK,
    records::NOTIFICATION,
    records::CHECKER,
    records::AGENCY,
];

pub fn check_import(scope: &Scope, s: &Secret) -> Result<(), ImportIssue> {
    check_project(&scope.tenant).map_err(|e| ImportIssue::new("tenant", e.message))?;
    if scope.region.is_empty() {
        return Err(ImportIssue::new("region", "must not be empty"));
    }
    check_name("secret name", &s.name).map_err(|e| ImportIssue::new("name", e.message))?;
    if !SECRET_TYPES.contains(&s.secret_type.as_str()) {
        return Err(ImportIssue::new(
            "type",
            format!(
                "{:?} is not a secret type: use one of {}",
                s.secret_type,
                SECRET_TYPES.join(", ")
            ),
        ));
    }
    if let Some(d) = &s.description {
        check_description(d).map_err(|e| ImportIssue::new("description", e.message))?;
    }
    if let Some(k) = &s.kms_key_id {
        check_kms_key(k).map_err(|e| ImportIssue::new("kms_key_id", e.message))?;
    }
    // The model's own record of announced version expiries travels with the secret.
    let known =
        |k: &str| EXTRA_KEYS.contains(&k) || k == localsecrets_core::model::EXPIRIES_ANNOUNCED;
    if let Some(k) = s.extra.keys().find(|k| !known(k)) {
        return Err(ImportIssue::new(
            format!("extra.{k}"),
            format!("not a Huawei attribute: use {}", EXTRA_KEYS.join(", ")),
        ));
    }
    for key in [
        "rotation_period",
        "rotation_config",
        "enterprise_project_id",
    ] {
        if s.extra.get(key).is_some_and(|v| !v.is_string()) {
            return Err(ImportIssue::new(
                format!("extra.{key}"),
                "expected a string",
            ));
        }
    }
    let m = HuaweiMeta::read(s);
    if let Some(p) = &m.rotation_period {
        meta::parse_period(p).map_err(|e| ImportIssue::new("extra.rotation_period", e.message))?;
    }
    meta::check_rotation_config(&s.secret_type, m.rotation_config.as_deref())
        .map_err(|e| ImportIssue::new("extra.rotation_config", e.message))?;
    if m.enterprise_project_id.is_empty() || m.enterprise_project_id.len() > 36 {
        return Err(ImportIssue::new(
            "extra.enterprise_project_id",
            "1 to 36 characters",
        ));
    }
    match s.extra.get("event_subscriptions") {
        None => {}
        Some(Value::Array(a)) if a.len() <= 1 && a.iter().all(Value::is_string) => {}
        Some(_) => {
            return Err(ImportIssue::new(
                "extra.event_subscriptions",
                "at most one event name",
            ))
        }
    }
    for (i, v) in s.versions.iter().enumerate() {
        for l in &v.labels {
            check_name("stage name", l)
                .map_err(|e| ImportIssue::new(format!("versions[{i}].labels"), e.message))?;
        }
        if v.value.len() > MAX_VALUE_BYTES {
            return Err(ImportIssue::new(
                format!("versions[{i}]"),
                format!(
                    "the value is {} bytes; at most {MAX_VALUE_BYTES}",
                    v.value.len()
                ),
            ));
        }
    }
    if let Some(Schedule::Expression { .. }) = &s.rotation.schedule {
        return Err(ImportIssue::new(
            "rotation.schedule",
            "CSMS rotation periods are durations: use every",
        ));
    }
    if s.rotation.enabled && s.rotation.schedule.is_none() {
        return Err(ImportIssue::new(
            "rotation.schedule",
            "automatic rotation needs its period (rotation_period)",
        ));
    }
    Ok(())
}

/// Records in the form this frontend stores them.
pub fn check_record(kind: &str, key: &str, value: &Value) -> Result<(), String> {
    let shape = |e: serde_json::Error| format!("not a stored {kind} record: {e}");
    match kind {
        records::EVENT => {
            let e: Event = serde_json::from_value(value.clone()).map_err(shape)?;
            check_name("event name", &e.name).map_err(|e| e.message)?;
            if e.name != key {
                return Err(format!(
                    "an event is stored under its name {}, not {key}",
                    e.name
                ));
            }
            if let Some(t) = e
                .event_types
                .iter()
                .find(|t| !records::EVENT_TYPES.contains(&t.as_str()))
            {
                return Err(format!("unknown event type {t}"));
            }
        }
        records::TASK => {
            serde_json::from_value::<Task>(value.clone()).map_err(shape)?;
        }
        records::NOTIFICATION => {
            serde_json::from_value::<NotificationRecord>(value.clone()).map_err(shape)?;
        }
        records::CHECKER | records::AGENCY => {
            if !value.is_object() {
                return Err(format!("a {kind} record is a JSON object"));
            }
        }
        _ => {
            return Err(format!(
                "huawei keeps no records of kind {kind}: use one of {}",
                RECORD_KINDS.join(", ")
            ))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_core::{Cloud, SecretValue, Timestamp, Version};
    use serde_json::json;

    const PROJECT: &str = "0123456789abcdef0123456789abcdef";

    fn secret() -> Secret {
        Secret {
            secret_type: "COMMON".into(),
            version_seq: 1,
            versions: vec![Version::new(
                "v1",
                SecretValue::Text("x".into()),
                Timestamp::from_secs(0),
                vec!["SYSCURRENT".into()],
            )],
            ..Secret::new("db-password", "id", "abcdef", Timestamp::from_secs(0))
        }
    }

    #[test]
    fn secrets() {
        let scope = Scope::new(Cloud::Huawei, PROJECT, "cn-north-4");
        assert_eq!(check_import(&scope, &secret()), Ok(()));
        let field = |s: &Secret| check_import(&scope, s).unwrap_err().field;
        let mut s = secret();
        s.name = "a b".into();
        assert_eq!(field(&s), "name");
        let mut s = secret();
        s.secret_type = "RDS-FG".into();
        assert_eq!(field(&s), "extra.rotation_config");
        let mut s = secret();
        s.versions[0].labels.push("bad stage".into());
        assert_eq!(field(&s), "versions[0].labels");
        let mut s = secret();
        s.extra.insert("rotation_period".into(), json!("1h"));
        assert_eq!(field(&s), "extra.rotation_period");
        // A secret whose version expiries were announced exports and imports as it is.
        let mut s = secret();
        s.set_expiries_announced_through(localsecrets_core::Timestamp::from_secs(9));
        assert_eq!(check_import(&scope, &s), Ok(()));
        let bad = Scope::new(Cloud::Huawei, "short", "cn-north-4");
        assert_eq!(check_import(&bad, &secret()).unwrap_err().field, "tenant");
    }

    #[test]
    fn records() {
        let event = json!({"name": "ev1", "event_id": "e", "event_types": ["SECRET_ROTATED"],
            "state": "ENABLED", "create_time": 1, "update_time": 1,
            "notification": {"target_type": "SMN", "target_id": "t", "target_name": "n"}});
        assert_eq!(check_record(records::EVENT, "ev1", &event), Ok(()));
        assert!(check_record(records::EVENT, "other", &event).is_err());
        assert!(check_record(records::TASK, "k", &json!({"task_id": 1})).is_err());
        assert!(check_record("huawei.other", "k", &json!({})).is_err());
    }
}
