//! Secrets, versions and what hangs off them. Cloud-specific attributes the model never
//! decides on (Alibaba ExtendedConfig, Huawei event subscriptions, AWS replica settings) live
//! in `extra`, so adding one needs no schema change; so does the one piece of bookkeeping the
//! model keeps there, [`EXPIRIES_ANNOUNCED`].

use crate::limiter::SlidingWindow;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretValue {
    Text(String),
    Binary(#[serde(with = "b64")] Vec<u8>),
}

impl SecretValue {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(s),
            Self::Binary(_) => None,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Self::Text(s) => s.len(),
            Self::Binary(b) => b.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Binary values are kept as base64 inside the JSON aggregate.
mod b64 {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        STANDARD.decode(s).map_err(serde::de::Error::custom)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub id: String,
    pub value: SecretValue,
    pub created: Timestamp,
    /// Huawei `expire_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Timestamp>,
    /// In the order they were attached.
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<Timestamp>,
}

impl Version {
    /// A version as a write creates it: never read, no expiry.
    pub fn new(
        id: impl Into<String>,
        value: SecretValue,
        created: Timestamp,
        labels: Vec<String>,
    ) -> Self {
        Self {
            id: id.into(),
            value,
            created,
            expires: None,
            labels,
            last_accessed: None,
        }
    }

    pub fn has_label(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l == label)
    }

    /// A version with no label is deprecated: hidden from default listings, first evicted.
    pub fn is_deprecated(&self) -> bool {
        self.labels.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// When rotations fall due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    /// Every N seconds after the last rotation.
    Every { seconds: i64 },
    /// A cloud schedule expression (AWS `cron(...)` / `rate(...)`), interpreted by the scheduler.
    Expression { expression: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RotationStep {
    CreateSecret,
    SetSecret,
    TestSecret,
    FinishSecret,
}

impl RotationStep {
    pub const ALL: [RotationStep; 4] = [
        RotationStep::CreateSecret,
        RotationStep::SetSecret,
        RotationStep::TestSecret,
        RotationStep::FinishSecret,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreateSecret => "createSecret",
            Self::SetSecret => "setSecret",
            Self::TestSecret => "testSecret",
            Self::FinishSecret => "finishSecret",
        }
    }
}

/// Where the last rotation stands. `InProgress` and `Failed` name the pending version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RotationState {
    #[default]
    Idle,
    InProgress {
        version_id: String,
        step: RotationStep,
        started: Timestamp,
    },
    Failed {
        version_id: String,
        step: RotationStep,
        error: String,
        at: Timestamp,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    pub enabled: bool,
    /// The rotation function: AWS Lambda ARN, Huawei FunctionGraph URN, or a registered id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// The window in which a scheduled rotation may start (AWS `Duration`), in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_secs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotated: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_rotation: Option<Timestamp>,
    #[serde(default)]
    pub state: RotationState,
    /// A version an outside rotation reserved (empty, labelled pending) whose value its
    /// function has not supplied yet: reads of it find no value, and a write with its id
    /// fills it instead of conflicting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved: Option<String>,
    /// Admitted rotations, for the dialect's rate limit.
    #[serde(default, skip_serializing_if = "SlidingWindow::is_empty")]
    pub history: SlidingWindow,
    /// The version ids of the rotations `history` still counts, oldest first: a retry of one
    /// is a success that does not count, even after the version cap evicted the version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recent_ids: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deletion {
    pub deleted_at: Timestamp,
    /// When the secret is purged for good.
    pub purge_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Secret {
    pub name: String,
    /// Service-assigned id (Huawei `id`, the key of tag operations).
    pub id: String,
    /// Random suffix of AWS ARNs, fixed at creation.
    pub arn_suffix: String,
    pub secret_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// `None` until tags were ever set; `Some(vec![])` after all were removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(default)]
    pub rotation: Rotation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion: Option<Deletion>,
    pub created: Timestamp,
    pub updated: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<Timestamp>,
    /// Sequence of the last service-assigned version id (Huawei `vN`).
    #[serde(default)]
    pub version_seq: u64,
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Oldest first.
    #[serde(default)]
    pub versions: Vec<Version>,
    /// `None` when `versions` holds every version. Otherwise the ids `versions` was loaded
    /// with (a write loads only what it changes, [`crate::storage::Versions::Changing`]):
    /// storing the secret then changes only those, and adds the new ones after every other.
    #[serde(skip)]
    pub loaded: Option<Vec<String>>,
}

/// The `extra` key under which the model records up to when version expiries (Huawei
/// `expire_time`) were announced.
pub const EXPIRIES_ANNOUNCED: &str = "expiries_announced_through";

/// The `extra` key under which the model records when each label was last moved by an
/// explicit stage update, where the dialect keeps such times (Huawei stage `update_time`).
pub const LABEL_MOVES: &str = "stage_times";

impl Secret {
    /// A secret as creation leaves it before its first version: no type, metadata, rotation
    /// or deletion; the other fields are set with struct update syntax.
    pub fn new(
        name: impl Into<String>,
        id: impl Into<String>,
        arn_suffix: impl Into<String>,
        created: Timestamp,
    ) -> Self {
        Self {
            name: name.into(),
            id: id.into(),
            arn_suffix: arn_suffix.into(),
            secret_type: String::new(),
            description: None,
            kms_key_id: None,
            tags: None,
            policy: None,
            rotation: Rotation::default(),
            deletion: None,
            created,
            updated: created,
            last_accessed: None,
            version_seq: 0,
            extra: serde_json::Map::new(),
            versions: Vec::new(),
            loaded: None,
        }
    }

    /// Version expiries at or before this time have been announced.
    pub fn expiries_announced_through(&self) -> Option<Timestamp> {
        self.extra
            .get(EXPIRIES_ANNOUNCED)
            .and_then(serde_json::Value::as_i64)
            .map(Timestamp::from_millis)
    }

    pub fn set_expiries_announced_through(&mut self, t: Timestamp) {
        self.extra
            .insert(EXPIRIES_ANNOUNCED.to_owned(), serde_json::json!(t.millis()));
    }

    /// When `label` was last moved onto `version_id` by a stage update, if recorded.
    pub fn label_moved_at(&self, label: &str, version_id: &str) -> Option<Timestamp> {
        let e = self.extra.get(LABEL_MOVES)?.get(label)?;
        (e.get("version_id")?.as_str()? == version_id)
            .then(|| e.get("time")?.as_i64().map(Timestamp::from_millis))
            .flatten()
    }

    fn record_label_move(&mut self, label: &str, version_id: &str, at: Timestamp) {
        let times = self
            .extra
            .entry(LABEL_MOVES)
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
        if let serde_json::Value::Object(m) = times {
            m.insert(
                label.to_owned(),
                serde_json::json!({"version_id": version_id, "time": at.millis()}),
            );
        }
    }

    /// Records every label whose holder differs from `before` (label → version id).
    pub(crate) fn record_label_moves(
        &mut self,
        before: &std::collections::BTreeMap<String, String>,
        at: Timestamp,
    ) {
        for (label, holder) in self.label_holders() {
            if before.get(&label) != Some(&holder) {
                self.record_label_move(&label, &holder, at);
            }
        }
    }

    /// Every label and the id of the version holding it.
    pub(crate) fn label_holders(&self) -> std::collections::BTreeMap<String, String> {
        self.versions
            .iter()
            .flat_map(|v| v.labels.iter().map(|l| (l.clone(), v.id.clone())))
            .collect()
    }

    /// The earliest version expiry not yet announced.
    pub fn next_expiry(&self) -> Option<Timestamp> {
        let done = self.expiries_announced_through();
        self.versions
            .iter()
            .filter_map(|v| v.expires)
            .filter(|t| done.is_none_or(|d| *t > d))
            .min()
    }

    pub fn version(&self, id: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.id == id)
    }

    pub fn version_mut(&mut self, id: &str) -> Option<&mut Version> {
        self.versions.iter_mut().find(|v| v.id == id)
    }

    /// The version holding `label`, if any.
    pub fn holder(&self, label: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.has_label(label))
    }

    pub fn holder_id(&self, label: &str) -> Option<&str> {
        self.holder(label).map(|v| v.id.as_str())
    }

    pub fn is_pending_deletion(&self) -> bool {
        self.deletion.is_some()
    }

    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .as_ref()?
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_values_round_trip_through_json() {
        for bytes in [vec![], vec![0u8], vec![0, 1, 2, 255], (0..=255).collect()] {
            let v = SecretValue::Binary(bytes.clone());
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(serde_json::from_str::<SecretValue>(&json).unwrap(), v);
        }
        assert_eq!(
            serde_json::to_string(&SecretValue::Binary(vec![0, 1, 2, 0xff])).unwrap(),
            r#"{"binary":"AAEC/w=="}"#
        );
    }
}
