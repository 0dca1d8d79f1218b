//! The current state as a fixture document (the format [`crate::fixtures`] reads), so export
//! → reset → load gives the same secrets back: ids, ARN suffixes, versions, labels, times,
//! rotation and deletion state, cloud attributes and the frontends' auxiliary records. Times
//! are absolute; secrets whose deletion window has ended are gone and not written.
//!
//! One state always exports to the same bytes, so exports can be kept as golden files and
//! diffed: the document holds nothing of the moment it was made (the admin API sends that
//! in a header), secrets come in scope then name order, versions oldest first, records per
//! scope and kind by key, and object members in key order (`serde_json`'s map is sorted).

use crate::app::App;
use crate::fixtures::times::format_duration;
use bytes::Bytes;
use localsecrets_core::{
    Cloud, CoreResult, RotationState, Schedule, Secret, SecretValue, Service, SnapshotItem,
    Timestamp, Version,
};
use serde_json::{json, Map, Value};

/// How much text is gathered before it is handed on.
const CHUNK: usize = 64 * 1024;

/// The export as JSON text, handed to `emit` in chunks of about [`CHUNK`] bytes while the
/// state is read (one read transaction, a page of secrets in memory at a time). `emit`
/// returns `false` when nobody reads any more, which ends the walk.
pub fn stream(
    service: &Service,
    record_kinds: &dyn Fn(Cloud) -> &'static [&'static str],
    cloud: Option<Cloud>,
    emit: &mut dyn FnMut(Bytes) -> bool,
) -> CoreResult<()> {
    let description = format!(
        "localsecrets export of {}",
        cloud.map_or("all clouds", Cloud::as_str)
    );
    let mut out = Vec::with_capacity(CHUNK * 2);
    out.extend_from_slice(b"{\"description\":");
    append(&mut out, &json!(description));
    out.extend_from_slice(b",\"secrets\":[");
    let (mut first, mut in_records, mut reader_left) = (true, false, false);
    // Hands on what is gathered once there is `at_least` of it; `false` once nobody reads.
    let mut flush = |out: &mut Vec<u8>, at_least: usize| -> bool {
        out.len() < at_least || emit(Bytes::from(std::mem::take(out)))
    };
    service.walk_snapshot(cloud, record_kinds, &mut |item| {
        match item {
            SnapshotItem::Secret(scope, s) => {
                let mut v = place(scope.cloud, &scope.tenant, &scope.region);
                v.extend(secret(s));
                separate(&mut out, &mut first);
                append(&mut out, &Value::Object(v));
            }
            SnapshotItem::Record {
                scope,
                kind,
                key,
                value,
            } => {
                if !std::mem::replace(&mut in_records, true) {
                    out.extend_from_slice(b"],\"records\":[");
                    first = true;
                }
                let mut v = place(scope.cloud, &scope.tenant, &scope.region);
                v.insert("kind".into(), json!(kind));
                v.insert("key".into(), json!(key));
                v.insert("value".into(), value.clone());
                separate(&mut out, &mut first);
                append(&mut out, &Value::Object(v));
            }
        }
        reader_left = !flush(&mut out, CHUNK);
        Ok(!reader_left)
    })?;
    if !reader_left {
        out.extend_from_slice(b"]}");
        flush(&mut out, 0);
    }
    Ok(())
}

/// The whole export as one text (fixture round trips in tests).
pub fn document(app: &App, cloud: Option<Cloud>) -> CoreResult<Vec<u8>> {
    let mut doc = Vec::new();
    stream(&app.service, &record_kinds(app), cloud, &mut |chunk| {
        doc.extend_from_slice(&chunk);
        true
    })?;
    Ok(doc)
}

/// The record kinds each cloud's frontend keeps, as the walk asks for them.
pub fn record_kinds(app: &App) -> impl Fn(Cloud) -> &'static [&'static str] + Send + Sync {
    let kinds: Vec<(Cloud, &'static [&'static str])> = app
        .frontends
        .iter()
        .map(|f| (f.cloud(), f.record_kinds()))
        .collect();
    move |c| {
        kinds
            .iter()
            .find(|(cloud, _)| *cloud == c)
            .map_or(&[][..], |(_, k)| k)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::tests::{app, call};

    #[test]
    fn the_export_comes_in_chunks_and_stops_when_its_reader_leaves() {
        let app = app();
        let value = "v".repeat(1000);
        let secrets: Vec<Value> = (0..200)
            .map(|i| json!({"cloud": "aws", "name": format!("s{i:03}"), "versions": [{"value": value}]}))
            .collect();
        let (status, body) = call(
            &app,
            "POST",
            "/_localsecrets/fixtures",
            &json!({ "secrets": secrets }).to_string(),
        );
        assert_eq!(status, 200, "{body}");
        let kinds = record_kinds(&app);
        let mut sizes = Vec::new();
        stream(&app.service, &kinds, None, &mut |c| {
            sizes.push(c.len());
            true
        })
        .unwrap();
        assert!(sizes.len() >= 3, "{sizes:?}");
        assert!(sizes[..sizes.len() - 1].iter().all(|n| *n >= CHUNK));
        let mut taken = 0;
        stream(&app.service, &kinds, None, &mut |_| {
            taken += 1;
            false
        })
        .unwrap();
        assert_eq!(taken, 1);
        let doc: Value = serde_json::from_slice(&document(&app, None).unwrap()).unwrap();
        assert_eq!(doc["secrets"].as_array().unwrap().len(), 200);
        // Over HTTP it is the same document.
        let (status, exported) = call(&app, "GET", "/_localsecrets/export", "");
        assert_eq!(status, 200);
        assert!(
            exported["secrets"] == doc["secrets"],
            "the HTTP export differs"
        );
    }
}
