//! The KMS rules a secret loaded from a fixture must obey, the same ones the operations apply:
//! 16-digit account, region id, secret type and its name rules, `ExtendedConfig` of managed
//! types, caller-chosen version ids and stage names, value sizes, managed values in their
//! read form, tags, and automatic rotation only for managed secrets.

use crate::managed::{self, SecretType, MAX_SECRET_DATA};
use crate::ops::put_secret_value::{check_stage, check_version_id};
use crate::{identity, meta, tags};
use localsecrets_api::ImportIssue;
use localsecrets_core::{Schedule, Scope, Secret, SecretValue};
use serde_json::{Map, Value};

/// The keys a managed type's stored value (its read form) must carry.
fn value_keys(ty: SecretType, config: &Map<String, Value>) -> &'static [&'static str] {
    match ty {
        SecretType::Generic => &[],
        SecretType::Rds | SecretType::Redis | SecretType::PolarDb => {
            &["AccountName", "AccountPassword"]
        }
        SecretType::RamCredentials => &["AccessKeyId", "AccessKeySecret"],
        SecretType::Ecs
            if config.get("SecretSubType").and_then(Value::as_str) == Some("SSHKey") =>
        {
            &["UserName", "PublicKey", "PrivateKey"]
        }
        SecretType::Ecs => &["UserName", "Password"],
    }
}

/// Dual-account types keep the names of both accounts.
fn dual_account(ty: SecretType, config: &Map<String, Value>) -> bool {
    match ty {
        SecretType::Redis | SecretType::PolarDb => true,
        SecretType::Rds => {
            config.get("SecretSubType").and_then(Value::as_str) == Some("DoubleUsers")
        }
        _ => false,
    }
}

pub fn check_import(scope: &Scope, s: &Secret) -> Result<(), ImportIssue> {
    if !identity::is_account_id(&scope.tenant) {
        return Err(ImportIssue::new(
            "tenant",
            format!(
                "{} is not an Alibaba Cloud account id: use 16 digits",
                scope.tenant
            ),
        ));
    }
    if !identity::is_region(&scope.region) {
        return Err(ImportIssue::new(
            "region",
            format!("{} is not a region id such as cn-hangzhou", scope.region),
        ));
    }
    let ty = SecretType::parse(&s.secret_type)
        .filter(|t| t.as_str() == s.secret_type)
        .ok_or_else(|| {
            ImportIssue::new(
                "type",
                format!(
                    "{:?} is not a secret type: use Generic, Rds, Redis, PolarDB, RAMCredentials or ECS",
                    s.secret_type
                ),
            )
        })?;
    if let Some(k) = s.extra.keys().find(|k| !meta::KEYS.contains(&k.as_str())) {
        return Err(ImportIssue::new(
            format!("extra.{k}"),
            format!("not an Alibaba attribute: use {}", meta::KEYS.join(", ")),
        ));
    }
    // The shapes are checked on the stored JSON: `AlibabaMeta::read` passes over a value
    // that is not in its stored shape.
    let config = s.extra.get(meta::EXTENDED_CONFIG).cloned();
    if !ty.is_managed() && config.is_some() {
        return Err(ImportIssue::new(
            "extra.ExtendedConfig",
            "only managed secrets (Rds, Redis, PolarDB, RAMCredentials, ECS) keep an ExtendedConfig",
        ));
    }
    let config = managed::check_extended_config(ty, config)
        .map_err(|e| ImportIssue::new("extra.ExtendedConfig", e.message))?
        .unwrap_or_default();
    let named = managed::check_name(ty, &s.name, Some(&config))
        .map_err(|e| ImportIssue::new("name", e.message))?;
    if named != s.name {
        return Err(ImportIssue::new(
            "name",
            format!("give the name itself ({named}), not {}", s.name),
        ));
    }
    match s.extra.get(meta::ACCOUNTS) {
        None if dual_account(ty, &config) => {
            return Err(ImportIssue::new(
                "extra.Accounts",
                format!(
                    "a dual-account {} secret names its two accounts: [\"user\", \"user_clone\"]",
                    ty.as_str()
                ),
            ))
        }
        None => {}
        Some(Value::Array(a))
            if dual_account(ty, &config) && a.len() == 2 && a.iter().all(Value::is_string) => {}
        Some(_) => {
            return Err(ImportIssue::new(
                "extra.Accounts",
                "only dual-account Rds, Redis and PolarDB secrets keep Accounts: two account names",
            ))
        }
    }
    if s.description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 256)
    {
        return Err(ImportIssue::new("description", "at most 256 characters"));
    }
    if let Some(t) = &s.tags {
        if t.len() > tags::max_tags() {
            return Err(ImportIssue::new(
                "tags",
                format!("at most {} tags", tags::max_tags()),
            ));
        }
        for (i, tag) in t.iter().enumerate() {
            tags::check(&tag.key, &tag.value)
                .map_err(|e| ImportIssue::new(format!("tags[{i}]"), e.message))?;
        }
    }
    let keys = value_keys(ty, &config);
    for (i, v) in s.versions.iter().enumerate() {
        check_version_id(&v.id)
            .map_err(|e| ImportIssue::new(format!("versions[{i}].id"), e.message))?;
        for l in &v.labels {
            check_stage(l)
                .map_err(|e| ImportIssue::new(format!("versions[{i}].labels"), e.message))?;
        }
        let size = match &v.value {
            SecretValue::Text(t) => t.len(),
            SecretValue::Binary(b) => b.len().div_ceil(3) * 4,
        };
        if size > MAX_SECRET_DATA {
            return Err(ImportIssue::new(
                format!("versions[{i}]"),
                format!("the value is too long: at most {MAX_SECRET_DATA} bytes"),
            ));
        }
        if ty.is_managed() {
            let form = v
                .value
                .as_text()
                .and_then(|t| serde_json::from_str::<Map<String, Value>>(t).ok())
                .filter(|m| keys.iter().all(|k| m.get(*k).is_some_and(Value::is_string)));
            if form.is_none() {
                return Err(ImportIssue::new(
                    format!("versions[{i}].value"),
                    format!(
                        "a {} secret stores a JSON object with {}",
                        ty.as_str(),
                        keys.join(", ")
                    ),
                ));
            }
        }
    }
    let r = &s.rotation;
    if r.enabled && !ty.is_managed() {
        return Err(ImportIssue::new(
            "rotation.enabled",
            "generic secrets do not rotate automatically: they get new versions with PutSecretValue",
        ));
    }
    match &r.schedule {
        Some(Schedule::Expression { .. }) => {
            return Err(ImportIssue::new(
                "rotation.schedule",
                "Alibaba rotation intervals are durations: use every",
            ))
        }
        None if r.enabled => {
            return Err(ImportIssue::new(
                "rotation.schedule",
                "automatic rotation needs its interval (RotationInterval)",
            ))
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_core::{Cloud, Tag, Timestamp, Version};
    use serde_json::json;

    fn scope() -> Scope {
        Scope::new(Cloud::Alibaba, "1000000000000000", "cn-hangzhou")
    }

    fn secret(ty: &str, name: &str, value: &str) -> Secret {
        Secret {
            secret_type: ty.into(),
            versions: vec![Version::new(
                "v1",
                SecretValue::Text(value.into()),
                Timestamp::from_secs(0),
                vec!["ACSCurrent".into()],
            )],
            ..Secret::new(name, "id", "abcdef", Timestamp::from_secs(0))
        }
    }

    fn rds() -> Secret {
        let mut s = secret(
            "Rds",
            "rds-app",
            r#"{"AccountName":"app","AccountPassword":"pw"}"#,
        );
        s.extra.insert(
            "ExtendedConfig".into(),
            json!({"SecretSubType": "SingleUser", "DBInstanceId": "rm-1"}),
        );
        s.rotation.enabled = true;
        s.rotation.schedule = Some(Schedule::Every { seconds: 604_800 });
        s
    }

    #[test]
    fn accepts_what_the_api_builds() {
        assert_eq!(
            check_import(&scope(), &secret("Generic", "db", "x")),
            Ok(())
        );
        assert_eq!(check_import(&scope(), &rds()), Ok(()));
    }

    #[test]
    fn refuses_what_the_api_cannot_build() {
        let field = |s: &Secret| check_import(&scope(), s).unwrap_err().field;
        let mut s = rds();
        s.extra.remove("ExtendedConfig");
        assert_eq!(field(&s), "extra.ExtendedConfig");
        let mut s = rds();
        s.versions[0].value = SecretValue::Text("plain".into());
        assert_eq!(field(&s), "versions[0].value");
        let mut s = secret("Generic", "db", "x");
        s.rotation.enabled = true;
        assert_eq!(field(&s), "rotation.enabled");
        assert_eq!(field(&secret("rds", "db", "x")), "type");
        assert_eq!(field(&secret("Generic", "acs/ecs/x", "x")), "name");
        assert_eq!(field(&secret("Generic", "a b", "x")), "name");
        let mut s = secret("Generic", "db", "x");
        s.versions[0].id = "x".repeat(65);
        assert_eq!(field(&s), "versions[0].id");
        let mut s = secret("Generic", "db", "x");
        s.tags = Some(vec![Tag {
            key: "acs:x".into(),
            value: "v".into(),
        }]);
        assert_eq!(field(&s), "tags[0]");
        let mut s = secret("Generic", "db", "x");
        s.extra.insert("Colour".into(), json!("red"));
        assert_eq!(field(&s), "extra.Colour");
        let bad_tenant = Scope::new(Cloud::Alibaba, "123", "cn-hangzhou");
        assert_eq!(
            check_import(&bad_tenant, &secret("Generic", "db", "x"))
                .unwrap_err()
                .field,
            "tenant"
        );
    }
}
