//! Huawei-only data kept as core storage records of the project's scope: event
//! subscriptions, rotation tasks, notification records, the secret checker's configuration
//! and (per account) agencies. Their JSON form is also their wire form.

use crate::error::{HuaweiError, HwResult};
use localsecrets_core::storage::{ReadTx, WriteTx};
use localsecrets_core::{Scope, Service};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};

pub const EVENT: &str = "huawei.event";
pub const TASK: &str = "huawei.task";
pub const NOTIFICATION: &str = "huawei.notification";
pub const CHECKER: &str = "huawei.checker";
pub const AGENCY: &str = "huawei.agency";

pub const EVENT_TYPES: [&str; 5] = [
    "SECRET_VERSION_CREATED",
    "SECRET_VERSION_EXPIRED",
    "SECRET_ROTATED",
    "SECRET_DELETED",
    "SECRET_ROTATED_FAILED",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub target_type: String,
    pub target_id: String,
    pub target_name: String,
}

/// An event subscription: which basic events notify which target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub name: String,
    pub event_id: String,
    pub event_types: Vec<String>,
    pub state: String,
    pub create_time: i64,
    pub update_time: i64,
    pub notification: Notification,
}

impl Event {
    pub fn enabled_for(&self, event_type: &str) -> bool {
        self.state == "ENABLED" && self.event_types.iter().any(|t| t == event_type)
    }
}

/// One rotation, as `ListSecretTask` shows it. `version_id` pairs it with the version the
/// rotation made; it is not part of the wire form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub task_id: String,
    pub secret_name: String,
    pub rotation_func_urn: Option<String>,
    pub task_status: String,
    pub operate_type: String,
    pub task_time: i64,
    pub attempt_nums: u32,
    pub task_error_code: Option<String>,
    pub task_error_msg: Option<String>,
    pub version_id: String,
}

impl Task {
    pub fn wire(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            m.remove("version_id");
        }
        v
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRecord {
    pub event_name: String,
    pub trigger_event_type: String,
    pub create_time: i64,
    pub secret_name: String,
    pub secret_type: String,
    pub notification_target_name: String,
    pub notification_target_id: String,
    pub notification_content: String,
    pub notification_status: String,
}

pub fn decode<T: DeserializeOwned>(kind: &str, v: serde_json::Value) -> HwResult<T> {
    serde_json::from_value(v).map_err(|e| {
        HuaweiError::new(
            crate::error::ErrorKind::Internal,
            format!("A stored {kind} record is unreadable: {e}"),
        )
    })
}

pub fn get<T: DeserializeOwned>(
    svc: &Service,
    scope: &Scope,
    kind: &str,
    key: &str,
) -> HwResult<Option<T>> {
    svc.record(scope, kind, key)?
        .map(|v| decode(kind, v))
        .transpose()
}

/// Every record of a kind, by key.
pub fn all<T: DeserializeOwned>(
    svc: &Service,
    scope: &Scope,
    kind: &str,
) -> HwResult<Vec<(String, T)>> {
    svc.records(scope, kind)?
        .into_iter()
        .map(|(k, v)| Ok((k, decode(kind, v)?)))
        .collect()
}

pub fn encode<T: Serialize>(value: &T) -> HwResult<Value> {
    serde_json::to_value(value)
        .map_err(|e| HuaweiError::new(crate::error::ErrorKind::Internal, e.to_string()))
}

/// [`get`] inside a transaction the model runs (an observer's).
pub fn get_in<T: DeserializeOwned, R: ReadTx + ?Sized>(
    tx: &R,
    scope: &Scope,
    kind: &str,
    key: &str,
) -> HwResult<Option<T>> {
    tx.record(scope, kind, key)?
        .map(|v| decode(kind, v))
        .transpose()
}

/// Stores a record inside a transaction the model runs (an observer's).
pub fn put_in<T: Serialize, W: WriteTx + ?Sized>(
    tx: &mut W,
    scope: &Scope,
    kind: &str,
    key: &str,
    value: &T,
) -> HwResult<()> {
    tx.put_record(scope, kind, key, &encode(value)?)?;
    Ok(())
}

/// Orders records made within the same millisecond.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// A key that sorts by time, then by order of making, so records list as they were made.
pub fn time_key(millis: i64, unique: &str) -> String {
    let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    format!("{millis:015}.{n:012}.{unique}")
}
