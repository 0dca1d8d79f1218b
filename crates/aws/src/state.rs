//! What AWS keeps about a secret beyond the shared model — replication links, external
//! rotation settings — typed here and stored in the secret's `extra` under `"aws"`, so the
//! core never needs to know about them.

use crate::error::{AwsError, AwsResult};
use localsecrets_core::{ExtraChange, Secret};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

const KEY: &str = "aws";

/// Replication status values of the service model (`StatusType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    InSync,
    Failed,
    InProgress,
    Pending,
    Detached,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InSync => "InSync",
            Status::Failed => "Failed",
            Status::InProgress => "InProgress",
            Status::Pending => "Pending",
            Status::Detached => "Detached",
        }
    }
}

/// A copy of a primary secret in another region of the same account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionReplica {
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
}

/// A replica in another account, linked from the primary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossAccountReplica {
    pub replica_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    pub status: Status,
}

/// On a cross-account replica: the primary it copies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossAccountPrimary {
    pub primary_arn: String,
    pub status: Status,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsState {
    /// On a primary: its replicas in other regions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<RegionReplica>,
    /// On a region replica: where its primary lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_region: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cross_account_replicas: Vec<CrossAccountReplica>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_account_primary: Option<CrossAccountPrimary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_rotation_metadata: Option<Vec<(String, String)>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_rotation_role_arn: Option<String>,
}

impl AwsState {
    pub fn of(secret: &Secret) -> Self {
        secret
            .extra
            .get(KEY)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }

    /// The change that records an outside rotation's metadata and role, where given.
    pub fn external_rotation(
        metadata: Option<Vec<(String, String)>>,
        role: Option<String>,
    ) -> ExtraChange {
        let mut members = Map::new();
        if let Some(m) = metadata {
            members.insert("external_rotation_metadata".into(), serde_json::json!(m));
        }
        if let Some(r) = role {
            members.insert("external_rotation_role_arn".into(), Value::String(r));
        }
        ExtraChange::Merge(KEY.to_owned(), members)
    }

    pub fn store(&self, secret: &mut Secret) {
        self.store_in(&mut secret.extra);
    }

    /// Writes the state into an `extra` map (a secret not created yet).
    pub fn store_in(&self, extra: &mut Map<String, Value>) {
        if *self == Self::default() {
            extra.remove(KEY);
        } else if let Ok(v) = serde_json::to_value(self) {
            extra.insert(KEY.to_owned(), v);
        }
    }

    /// Replicas refuse every write; the primary's changes reach them by replication.
    pub fn ensure_writable(&self) -> AwsResult<()> {
        match self.refusal() {
            Some(why) => Err(AwsError::InvalidParameter(why)),
            None => Ok(()),
        }
    }

    /// Why a write to this secret is refused, if it is (a replica's).
    pub fn refusal(&self) -> Option<String> {
        if self.primary_region.is_some() {
            return Some(
                "Operation not permitted on a replica secret. Call must be made in primary \
                 secret's region."
                    .to_owned(),
            );
        }
        self.cross_account_primary.as_ref().map(|_| {
            "You can't perform this operation on a cross-account replica secret. Call \
             StopReplicationToReplica first."
                .to_owned()
        })
    }

    pub fn is_replicated(&self) -> bool {
        self.replicas.iter().any(|r| r.status == Status::InSync)
            || self
                .cross_account_replicas
                .iter()
                .any(|r| r.status == Status::InSync)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_core::Timestamp;

    fn secret() -> Secret {
        Secret::new("s", "id", "AbCdEf", Timestamp::from_secs(0))
    }

    #[test]
    fn round_trips_through_extra_and_leaves_no_trace_when_empty() {
        let mut s = secret();
        assert_eq!(AwsState::of(&s), AwsState::default());
        let state = AwsState {
            primary_region: Some("us-east-1".into()),
            ..Default::default()
        };
        state.store(&mut s);
        assert_eq!(AwsState::of(&s), state);
        assert!(state.ensure_writable().is_err());
        AwsState::default().store(&mut s);
        assert!(s.extra.is_empty());
        assert!(AwsState::default().ensure_writable().is_ok());
    }
}
