//! The JSON shapes CSMS answers with. Times are epoch milliseconds throughout; empty-model
//! answers are 204 with no body. `X-Request-Id` is added to every response by the frontend.

use crate::meta::{stage_time, HuaweiMeta};
use localsecrets_api::Response;
use localsecrets_core::dialect::HUAWEI;
use localsecrets_core::{Secret, SecretValue, Timestamp, Version};
use serde_json::{json, Value};

pub const CONTENT_TYPE: &str = "application/json;charset=UTF-8";

pub fn json(status: u16, value: &Value) -> Response {
    Response::new(status)
        .header("Content-Type", CONTENT_TYPE)
        .body(localsecrets_api::http::json_bytes(value))
}

pub fn ok(value: Value) -> Response {
    json(200, &value)
}

/// Delete and tag operations: the SDK builds an empty response object from 204.
pub fn no_content() -> Response {
    Response::new(204)
}

pub fn millis(t: Timestamp) -> i64 {
    t.millis()
}

pub fn opt_millis(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| json!(t.millis()))
}

pub fn state(s: &Secret) -> &'static str {
    if s.is_pending_deletion() {
        "PENDING_DELETE"
    } else {
        "ENABLED"
    }
}

/// The `Secret` object of every secret answer.
pub fn secret(s: &Secret) -> Value {
    let meta = HuaweiMeta::read(s);
    json!({
        "id": s.id,
        "name": s.name,
        "state": state(s),
        "kms_key_id": s.kms_key_id,
        "description": s.description.clone().unwrap_or_default(),
        "create_time": millis(s.created),
        "update_time": millis(s.updated),
        "scheduled_delete_time": s.deletion.map_or(0, |d| d.purge_at.millis()),
        "secret_type": s.secret_type,
        "auto_rotation": s.rotation.enabled,
        "rotation_period": meta.rotation_period,
        "rotation_config": meta.rotation_config,
        "rotation_time": opt_millis(s.rotation.last_rotated),
        "next_rotation_time": opt_millis(s.rotation.next_rotation.filter(|_| s.rotation.enabled)),
        "event_subscriptions": meta.event_subscriptions,
        "enterprise_project_id": meta.enterprise_project_id,
        "rotation_func_urn": s.rotation.function,
    })
}

pub fn version_metadata(s: &Secret, v: &Version) -> Value {
    json!({
        "id": v.id,
        "create_time": millis(v.created),
        "expire_time": opt_millis(v.expires),
        "kms_key_id": s.kms_key_id,
        "secret_name": s.name,
        "version_stages": v.labels,
    })
}

/// A version with its value: `secret_string` or base64 `secret_binary`.
pub fn version(s: &Secret, v: &Version) -> Value {
    let mut out = json!({ "version_metadata": version_metadata(s, v) });
    match &v.value {
        SecretValue::Text(t) => out["secret_string"] = json!(t),
        SecretValue::Binary(b) => {
            use base64::Engine;
            out["secret_binary"] = json!(base64::engine::general_purpose::STANDARD.encode(b));
        }
    }
    out
}

pub fn stage(s: &Secret, name: &str, holder: &Version) -> Value {
    json!({
        "name": name,
        "update_time": stage_time(s, &HUAWEI, name, holder).millis(),
        "secret_name": s.name,
        "version_id": holder.id,
    })
}

/// `page_info` of marker-paged lists: `previous_marker` is the marker this page started
/// after, `next_marker` the last item when more follow.
pub fn page_info(previous: Option<&str>, next: Option<&str>, count: usize) -> Value {
    json!({
        "next_marker": next,
        "previous_marker": previous,
        "current_count": count,
    })
}
