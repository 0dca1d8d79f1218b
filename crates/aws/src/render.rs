//! Answers in AWS's shapes: epoch seconds as floats, base64 for binary values, and no member
//! at all where the model has no value (`null` never appears).

use crate::arn::secret_arn;
use crate::state::AwsState;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use localsecrets_core::{Rotation, Schedule, Scope, Secret, SecretValue, Timestamp, Version};
use serde_json::{json, Map, Value};

/// What AWS lists as the key of versions encrypted with the default key.
pub const DEFAULT_KMS_KEY: &str = "DefaultEncryptionKey";
/// The key AWS reports for replicas without their own key.
pub const DEFAULT_REPLICA_KMS_KEY: &str = "alias/aws/secretsmanager";

pub fn ts(t: Timestamp) -> Value {
    json!(t.secs_f64())
}

/// A response object that skips absent members.
#[derive(Debug, Default)]
pub struct Obj(Map<String, Value>);

impl Obj {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn put(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    pub fn opt<V: Into<Value>>(self, key: &str, value: Option<V>) -> Self {
        match value {
            Some(v) => self.put(key, v),
            None => self,
        }
    }

    pub fn done(self) -> Value {
        Value::Object(self.0)
    }
}

pub fn arn(scope: &Scope, s: &Secret) -> String {
    secret_arn(&scope.region, &scope.tenant, &s.name, &s.arn_suffix)
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.clone().filter(|s| !s.is_empty())
}

pub fn rotation_rules(r: &Rotation) -> Option<Value> {
    let mut rules = match r.schedule.as_ref()? {
        Schedule::Every { seconds } if seconds % 86_400 == 0 => {
            Obj::new().put("AutomaticallyAfterDays", seconds / 86_400)
        }
        Schedule::Every { seconds } => Obj::new().put(
            "ScheduleExpression",
            format!("rate({} hours)", (seconds / 3600).max(1)),
        ),
        Schedule::Expression { expression } => {
            Obj::new().put("ScheduleExpression", expression.as_str())
        }
    };
    if let Some(w) = r.window_secs {
        rules = rules.put("Duration", format!("{}h", w / 3600));
    }
    Some(rules.done())
}

fn tags(s: &Secret) -> Option<Value> {
    s.tags.as_ref().map(|tags| {
        tags.iter()
            .map(|t| json!({"Key": t.key, "Value": t.value}))
            .collect()
    })
}

/// Labelled versions and their labels; deprecated versions are left out, as AWS does.
fn stages(s: &Secret) -> Option<Value> {
    let map: Map<String, Value> = s
        .versions
        .iter()
        .filter(|v| !v.is_deprecated())
        .map(|v| (v.id.clone(), json!(v.labels)))
        .collect();
    (!map.is_empty()).then_some(Value::Object(map))
}

pub fn replication_status(state: &AwsState) -> Value {
    state
        .replicas
        .iter()
        .map(|r| {
            Obj::new()
                .put("Region", r.region.as_str())
                .put(
                    "KmsKeyId",
                    r.kms_key_id.as_deref().unwrap_or(DEFAULT_REPLICA_KMS_KEY),
                )
                .put("Status", r.status.as_str())
                .opt("StatusMessage", r.status_message.clone())
                .done()
        })
        .collect()
}

/// The members DescribeSecret and ListSecrets share.
fn common(scope: &Scope, s: &Secret, state: &AwsState) -> Obj {
    let r = &s.rotation;
    let external = state.external_rotation_metadata.as_ref().map(|m| {
        m.iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect::<Value>()
    });
    Obj::new()
        .put("ARN", arn(scope, s))
        .put("Name", s.name.as_str())
        .opt(
            "Type",
            Some(s.secret_type.clone()).filter(|t| !t.is_empty()),
        )
        .opt("Description", non_empty(&s.description))
        .opt("KmsKeyId", non_empty(&s.kms_key_id))
        .opt(
            "RotationEnabled",
            (r.enabled || r.function.is_some()).then_some(r.enabled),
        )
        .opt("RotationLambdaARN", r.function.clone())
        .opt("RotationRules", rotation_rules(r))
        .opt("ExternalSecretRotationMetadata", external)
        .opt(
            "ExternalSecretRotationRoleArn",
            state.external_rotation_role_arn.clone(),
        )
        .opt("LastRotatedDate", r.last_rotated.map(ts))
        .put("LastChangedDate", ts(s.updated))
        .opt("LastAccessedDate", s.last_accessed.map(ts))
        .opt("DeletedDate", s.deletion.map(|d| ts(d.deleted_at)))
        .opt(
            "NextRotationDate",
            r.next_rotation.filter(|_| r.enabled).map(ts),
        )
        .opt("Tags", tags(s))
        .put("CreatedDate", ts(s.created))
        .opt("PrimaryRegion", primary_region(scope, state))
}

/// The region DescribeSecret names as primary: only a replicated secret has one.
pub fn primary_region(scope: &Scope, state: &AwsState) -> Option<String> {
    state
        .primary_region
        .clone()
        .or_else(|| (!state.replicas.is_empty()).then(|| scope.region.clone()))
}

pub fn describe(scope: &Scope, s: &Secret) -> Value {
    let state = AwsState::of(s);
    let cross_replicas: Vec<Value> = state
        .cross_account_replicas
        .iter()
        .map(|r| {
            Obj::new()
                .put("ReplicaSecretARN", r.replica_arn.as_str())
                .opt("ReplicationRoleARN", r.role_arn.clone())
                .put("ReplicationStatus", r.status.as_str())
                .done()
        })
        .collect();
    common(scope, s, &state)
        .opt("VersionIdsToStages", stages(s))
        .opt(
            "ReplicationStatus",
            (!state.replicas.is_empty()).then(|| replication_status(&state)),
        )
        .opt(
            "CrossAccountPrimary",
            state.cross_account_primary.as_ref().map(|p| {
                json!({"PrimarySecretARN": p.primary_arn, "ReplicationStatus": p.status.as_str()})
            }),
        )
        .opt(
            "CrossAccountReplicas",
            (!cross_replicas.is_empty()).then_some(Value::Array(cross_replicas)),
        )
        .done()
}

pub fn list_entry(scope: &Scope, s: &Secret) -> Value {
    let state = AwsState::of(s);
    common(scope, s, &state)
        .opt("SecretVersionsToStages", stages(s))
        .done()
}

/// GetSecretValue's answer and BatchGetSecretValue's entries.
pub fn secret_value(scope: &Scope, s: &Secret, v: &Version) -> Value {
    let value = match &v.value {
        SecretValue::Text(t) => ("SecretString", json!(t)),
        SecretValue::Binary(b) => ("SecretBinary", json!(STANDARD.encode(b))),
    };
    Obj::new()
        .put("ARN", arn(scope, s))
        .put("Name", s.name.as_str())
        .put("VersionId", v.id.as_str())
        .put(value.0, value.1)
        .opt(
            "VersionStages",
            (!v.labels.is_empty()).then(|| json!(v.labels)),
        )
        .put("CreatedDate", ts(v.created))
        .done()
}

/// One entry of ListSecretVersionIds.
pub fn version_entry(s: &Secret, v: &Version) -> Value {
    Obj::new()
        .put("VersionId", v.id.as_str())
        .opt(
            "VersionStages",
            (!v.labels.is_empty()).then(|| json!(v.labels)),
        )
        .opt("LastAccessedDate", v.last_accessed.map(ts))
        .put("CreatedDate", ts(v.created))
        .put(
            "KmsKeyIds",
            json!([non_empty(&s.kms_key_id).unwrap_or_else(|| DEFAULT_KMS_KEY.to_owned())]),
        )
        .done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_core::{Cloud, Deletion, Tag};

    fn secret() -> Secret {
        Secret {
            description: Some(String::new()),
            versions: vec![
                Version::new(
                    "v1",
                    SecretValue::Binary(vec![0, 1, 255]),
                    Timestamp::from_secs(1),
                    vec![],
                ),
                Version {
                    id: "v2".into(),
                    value: SecretValue::Text("s".into()),
                    created: Timestamp::from_secs(2),
                    expires: None,
                    labels: vec!["AWSCURRENT".into()],
                    last_accessed: Some(Timestamp::from_secs(86_400)),
                },
            ],
            updated: Timestamp::from_millis(1_700_000_001_000),
            ..Secret::new(
                "db",
                "id",
                "AbCdEf",
                Timestamp::from_millis(1_700_000_000_123),
            )
        }
    }

    fn scope() -> Scope {
        Scope::new(Cloud::Aws, "111111111111", "us-east-1")
    }

    #[test]
    fn describe_omits_what_has_no_value() {
        let s = secret();
        assert_eq!(
            describe(&scope(), &s),
            json!({
                "ARN": "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf",
                "Name": "db",
                "LastChangedDate": 1_700_000_001.0,
                "CreatedDate": 1_700_000_000.123,
                "VersionIdsToStages": {"v2": ["AWSCURRENT"]},
            })
        );
    }

    #[test]
    fn describe_shows_tags_deletion_and_rotation() {
        let mut s = secret();
        s.tags = Some(vec![]);
        s.deletion = Some(Deletion {
            deleted_at: Timestamp::from_secs(10),
            purge_at: Timestamp::from_secs(20),
        });
        s.rotation.function = Some("arn:aws:lambda:us-east-1:1:function:f".into());
        s.rotation.schedule = Some(Schedule::Every { seconds: 86_400 });
        let d = describe(&scope(), &s);
        assert_eq!(d["Tags"], json!([]));
        assert_eq!(d["DeletedDate"], json!(10.0));
        assert_eq!(d["RotationEnabled"], json!(false));
        assert_eq!(d["RotationRules"], json!({"AutomaticallyAfterDays": 1}));
        assert!(d.get("NextRotationDate").is_none());
        s.tags = Some(vec![Tag {
            key: "k".into(),
            value: "v".into(),
        }]);
        assert_eq!(
            list_entry(&scope(), &s)["Tags"],
            json!([{"Key": "k", "Value": "v"}])
        );
    }

    #[test]
    fn values_and_versions() {
        let s = secret();
        let v = secret_value(&scope(), &s, &s.versions[0]);
        assert_eq!(v["SecretBinary"], json!("AAH/"));
        assert!(v.get("VersionStages").is_none());
        assert!(v.get("SecretString").is_none());
        let e = version_entry(&s, &s.versions[1]);
        assert_eq!(
            e,
            json!({"VersionId": "v2", "VersionStages": ["AWSCURRENT"],
                   "LastAccessedDate": 86_400.0, "CreatedDate": 2.0,
                   "KmsKeyIds": ["DefaultEncryptionKey"]})
        );
    }
}
