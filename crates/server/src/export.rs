//! The current state as a fixture document (the format [`crate::fixtures`] reads), so export
//! → reset → load gives the same secrets back: ids, ARN suffixes, versions, labels, times,
//! rotation and deletion state, cloud attributes and the frontends' auxiliary records. Times
//! are absolute; secrets whose deletion window has ended are gone and not written.

use crate::app::App;
use crate::fixtures::times::format_duration;
use localsecrets_core::{
    Cloud, CoreResult, RotationState, Schedule, ScopeSnapshot, Secret, SecretValue, Timestamp,
    Version,
};
use serde_json::{json, Map, Value};

/// The export as JSON text, written one secret at a time so the document never exists twice
/// in memory (as values and as text).
pub fn document(app: &App, cloud: Option<Cloud>) -> CoreResult<Vec<u8>> {
    let service = &app.service;
    let now = service.now();
    let kinds = |c: Cloud| {
        app.frontends
            .iter()
            .find(|f| f.cloud() == c)
            .map_or(&[][..], |f| f.record_kinds())
    };
    let snapshot = service.snapshot(cloud, &kinds)?;
    let description = format!(
        "localsecrets export of {} at {now}",
        cloud.map_or("all clouds", Cloud::as_str)
    );
    let mut out = Vec::new();
    out.extend_from_slice(b"{\"description\":");
    append(&mut out, &json!(description));
    out.extend_from_slice(b",\"secrets\":[");
    let mut first = true;
    for ScopeSnapshot { scope, secrets, .. } in &snapshot {
        // A secret whose deletion window has ended is gone, even if not purged yet.
        for s in secrets
            .iter()
            .filter(|s| s.deletion.is_none_or(|d| d.purge_at > now))
        {
            let mut v = place(scope.cloud, &scope.tenant, &scope.region);
            v.extend(secret(s));
            separate(&mut out, &mut first);
            append(&mut out, &Value::Object(v));
        }
    }
    out.push(b']');
    if snapshot.iter().any(|s| !s.records.is_empty()) {
        out.extend_from_slice(b",\"records\":[");
        let mut first = true;
        for ScopeSnapshot { scope, records, .. } in &snapshot {
            for (kind, key, value) in records {
                let mut v = place(scope.cloud, &scope.tenant, &scope.region);
                v.insert("kind".into(), json!(kind));
                v.insert("key".into(), json!(key));
                v.insert("value".into(), value.clone());
                separate(&mut out, &mut first);
                append(&mut out, &Value::Object(v));
            }
        }
        out.push(b']');
    }
    out.push(b'}');
    Ok(out)
}

fn separate(out: &mut Vec<u8>, first: &mut bool) {
    if !std::mem::take(first) {
        out.push(b',');
    }
}

fn append(out: &mut Vec<u8>, v: &Value) {
    // Writing a `Value` into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, v);
}

fn place(cloud: Cloud, tenant: &str, region: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("cloud".into(), json!(cloud.as_str()));
    m.insert("tenant".into(), json!(tenant));
    m.insert("region".into(), json!(region));
    m
}

fn time(t: Timestamp) -> Value {
    json!(t.to_rfc3339())
}

fn put_opt(m: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        m.insert(key.to_owned(), v);
    }
}

/// A version a rotation reserved has no value yet, and is written without one.
fn version(v: &Version, reserved: bool) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(v.id));
    match &v.value {
        _ if reserved => None,
        SecretValue::Text(t) => m.insert("value".into(), json!(t)),
        SecretValue::Binary(b) => {
            use base64::Engine;
            m.insert(
                "binary".into(),
                json!(base64::engine::general_purpose::STANDARD.encode(b)),
            )
        }
    };
    m.insert("labels".into(), json!(v.labels));
    m.insert("created".into(), time(v.created));
    put_opt(&mut m, "expires", v.expires.map(time));
    put_opt(&mut m, "last_accessed", v.last_accessed.map(time));
    Value::Object(m)
}

fn step_state(state: &RotationState) -> Option<Value> {
    match state {
        RotationState::Idle => None,
        RotationState::InProgress {
            version_id,
            step,
            started,
        } => Some(json!({"in_progress": {
            "version_id": version_id, "step": step.as_str(), "started": time(*started)
        }})),
        RotationState::Failed {
            version_id,
            step,
            error,
            at,
        } => Some(json!({"failed": {
            "version_id": version_id, "step": step.as_str(), "error": error, "at": time(*at)
        }})),
    }
}

fn secret(s: &Secret) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("name".into(), json!(s.name));
    m.insert("id".into(), json!(s.id));
    m.insert("arn_suffix".into(), json!(s.arn_suffix));
    m.insert("type".into(), json!(s.secret_type));
    put_opt(
        &mut m,
        "description",
        s.description.as_ref().map(|d| json!(d)),
    );
    put_opt(
        &mut m,
        "kms_key_id",
        s.kms_key_id.as_ref().map(|k| json!(k)),
    );
    put_opt(
        &mut m,
        "tags",
        s.tags.as_ref().map(|tags| {
            Value::Array(
                tags.iter()
                    .map(|t| json!({"key": t.key, "value": t.value}))
                    .collect(),
            )
        }),
    );
    put_opt(&mut m, "policy", s.policy.as_ref().map(|p| json!(p)));
    m.insert("created".into(), time(s.created));
    m.insert("updated".into(), time(s.updated));
    put_opt(&mut m, "last_accessed", s.last_accessed.map(time));
    if s.version_seq > 0 {
        m.insert("version_seq".into(), json!(s.version_seq));
    }
    m.insert(
        "versions".into(),
        Value::Array(
            s.versions
                .iter()
                .map(|v| version(v, s.rotation.reserved.as_deref() == Some(&v.id)))
                .collect(),
        ),
    );
    let r = &s.rotation;
    let mut rot = Map::new();
    rot.insert("enabled".into(), json!(r.enabled));
    put_opt(&mut rot, "function", r.function.as_ref().map(|f| json!(f)));
    put_opt(
        &mut rot,
        "schedule",
        r.schedule.as_ref().map(|sch| match sch {
            Schedule::Every { seconds } => json!({"every": format_duration(*seconds)}),
            Schedule::Expression { expression } => json!({"expression": expression}),
        }),
    );
    put_opt(
        &mut rot,
        "window",
        r.window_secs.map(|w| json!(format_duration(w))),
    );
    put_opt(&mut rot, "last_rotated", r.last_rotated.map(time));
    put_opt(
        &mut rot,
        "next_rotation",
        r.next_rotation.filter(|_| r.enabled).map(time),
    );
    if !r.history.is_empty() {
        rot.insert(
            "history".into(),
            Value::Array(r.history.events().iter().map(|t| time(*t)).collect()),
        );
    }
    put_opt(&mut rot, "state", step_state(&r.state));
    if rot.len() > 1 || r.enabled {
        m.insert("rotation".into(), Value::Object(rot));
    }
    if let Some(d) = s.deletion {
        m.insert(
            "deletion".into(),
            json!({
                "deleted_at": time(d.deleted_at),
                "recovery_window_days": (d.purge_at.millis() - d.deleted_at.millis()) / 86_400_000,
            }),
        );
    }
    if !s.extra.is_empty() {
        m.insert("extra".into(), Value::Object(s.extra.clone()));
    }
    m
}
