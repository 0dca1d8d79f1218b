//! The Secrets Manager rules a secret loaded from a fixture must obey, the same limits the
//! service model sets on the operations: a 12-digit account, secret names, version ids
//! (ClientRequestToken, 32 to 64 characters), staging labels, value sizes, tags, and the AWS
//! attributes kept in `extra["aws"]`.

use crate::arn;
use crate::state::AwsState;
use localsecrets_api::ImportIssue;
use localsecrets_core::{Scope, Secret, SecretValue};

/// SecretString and SecretBinary are at most 65536 bytes.
pub const MAX_VALUE_BYTES: usize = 65_536;

fn too_long(field: impl Into<String>, what: &str, max: usize) -> ImportIssue {
    ImportIssue::new(field, format!("{what} must be at most {max} characters"))
}

pub fn check_import(scope: &Scope, s: &Secret) -> Result<(), ImportIssue> {
    let t = &scope.tenant;
    if t.len() != 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ImportIssue::new(
            "tenant",
            format!("{t} is not an AWS account id: use 12 digits"),
        ));
    }
    let r = &scope.region;
    if r.is_empty()
        || !r
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(ImportIssue::new(
            "region",
            format!("{r:?} is not a region such as us-east-1"),
        ));
    }
    if !arn::valid_name(&s.name) {
        return Err(ImportIssue::new("name", arn::invalid_name().message()));
    }
    if s.name.chars().count() > 512 {
        return Err(too_long("name", "a name", 512));
    }
    let limits = [
        ("description", s.description.as_deref(), 2048),
        ("kms_key_id", s.kms_key_id.as_deref(), 2048),
        ("type", Some(s.secret_type.as_str()), 256),
        ("policy", s.policy.as_deref(), 20_480),
    ];
    for (field, value, max) in limits {
        if value.is_some_and(|v| v.chars().count() > max) {
            return Err(too_long(field, field, max));
        }
    }
    if let Some(p) = &s.policy {
        if serde_json::from_str::<serde_json::Value>(p).is_err() {
            return Err(ImportIssue::new(
                "policy",
                "a resource policy is a JSON document",
            ));
        }
    }
    if let Some(tags) = &s.tags {
        let max = scope.cloud.dialect().max_tags;
        if tags.len() > max {
            return Err(ImportIssue::new("tags", format!("at most {max} tags")));
        }
        for (i, tag) in tags.iter().enumerate() {
            if tag.key.is_empty() || tag.key.chars().count() > 128 {
                return Err(ImportIssue::new(
                    format!("tags[{i}].key"),
                    "a tag key has 1 to 128 characters",
                ));
            }
            if tag.value.chars().count() > 256 {
                return Err(too_long(format!("tags[{i}].value"), "a tag value", 256));
            }
        }
    }
    for (i, v) in s.versions.iter().enumerate() {
        if !(32..=64).contains(&v.id.chars().count()) {
            return Err(ImportIssue::new(
                format!("versions[{i}].id"),
                format!(
                    "{} is not a version id AWS accepts: a ClientRequestToken has 32 to 64 \
                     characters (a UUID, or leave id out to get one)",
                    v.id
                ),
            ));
        }
        for l in &v.labels {
            if l.chars().count() > 256 {
                return Err(too_long(
                    format!("versions[{i}].labels"),
                    "a staging label",
                    256,
                ));
            }
        }
        let size = match &v.value {
            SecretValue::Text(t) => t.len(),
            SecretValue::Binary(b) => b.len(),
        };
        if size > MAX_VALUE_BYTES {
            return Err(ImportIssue::new(
                format!("versions[{i}]"),
                format!("the value is {size} bytes; at most {MAX_VALUE_BYTES}"),
            ));
        }
    }
    if let Some(k) = s.extra.keys().find(|k| *k != "aws") {
        return Err(ImportIssue::new(
            format!("extra.{k}"),
            "not an AWS attribute: AWS keeps its own under extra.aws",
        ));
    }
    if let Some(v) = s.extra.get("aws") {
        serde_json::from_value::<AwsState>(v.clone()).map_err(|e| {
            ImportIssue::new("extra.aws", format!("not AWS replication state: {e}"))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_core::{Cloud, Timestamp, Version};
    use serde_json::json;

    fn scope() -> Scope {
        Scope::new(Cloud::Aws, "000000000000", "us-east-1")
    }

    fn secret() -> Secret {
        Secret {
            versions: vec![Version::new(
                "7a3b2f9e-1111-4222-8333-944455556666",
                SecretValue::Text("x".into()),
                Timestamp::from_secs(0),
                vec!["AWSCURRENT".into()],
            )],
            ..Secret::new("app/db", "id", "AbC123", Timestamp::from_secs(0))
        }
    }

    #[test]
    fn the_service_model_limits_apply() {
        assert_eq!(check_import(&scope(), &secret()), Ok(()));
        let field = |s: &Secret| check_import(&scope(), s).unwrap_err().field;
        let mut s = secret();
        s.name = "bad name".into();
        assert_eq!(field(&s), "name");
        let mut s = secret();
        s.versions[0].id = "v1".into();
        assert_eq!(field(&s), "versions[0].id");
        let mut s = secret();
        s.versions[0].value = SecretValue::Binary(vec![0; MAX_VALUE_BYTES + 1]);
        assert_eq!(field(&s), "versions[0]");
        let mut s = secret();
        s.policy = Some("{".into());
        assert_eq!(field(&s), "policy");
        let mut s = secret();
        s.extra.insert("aws".into(), json!({"replicas": "x"}));
        assert_eq!(field(&s), "extra.aws");
        let mut s = secret();
        s.extra.insert("other".into(), json!(1));
        assert_eq!(field(&s), "extra.other");
        let other = Scope::new(Cloud::Aws, "12", "us-east-1");
        assert_eq!(check_import(&other, &secret()).unwrap_err().field, "tenant");
    }
}
