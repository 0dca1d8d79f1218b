//! The raw SDK requests captured in `tests/data/captures/alibaba-*.json`, rebuilt as
//! [`Request`]s. A missing directory or file fails the test, naming it.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use localsecrets_api::Request;
use serde_json::Value;
use std::path::PathBuf;

pub fn captures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/captures")
}

fn collect(v: &Value, out: &mut Vec<Request>) {
    match v {
        Value::Object(m) => {
            if let (Some(method), Some(target), Some(headers)) = (
                m.get("method").and_then(Value::as_str),
                m.get("target").and_then(Value::as_str),
                m.get("headers").and_then(Value::as_array),
            ) {
                let mut req = Request::new(method, target);
                for h in headers {
                    if let (Some(k), Some(v)) = (h[0].as_str(), h[1].as_str()) {
                        req = req.with_header(k, v);
                    }
                }
                let body = m
                    .get("body_b64")
                    .and_then(Value::as_str)
                    .map(|b| STANDARD.decode(b).expect("capture body_b64 is base64"))
                    .unwrap_or_default();
                out.push(req.with_body(body));
                return;
            }
            for child in m.values() {
                collect(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
        _ => {}
    }
}

/// Every captured Alibaba request as (capture name, request).
pub fn capture_requests() -> Vec<(String, Request)> {
    let dir = captures_dir();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the captures directory {} must exist: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("alibaba-") && n.ends_with(".json"))
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "expected the Alibaba captures in {}",
        dir.display()
    );
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f)
            .unwrap_or_else(|e| panic!("capture {} is required: {e}", f.display()));
        let v: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("capture {} is not JSON: {e}", f.display()));
        let mut reqs = Vec::new();
        collect(&v, &mut reqs);
        let name = f
            .file_stem()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        out.extend(reqs.into_iter().map(|r| (name.clone(), r)));
    }
    assert!(
        out.len() >= 20,
        "expected at least 20 captured requests, found {}",
        out.len()
    );
    out
}

/// The captured requests of one capture file.
pub fn capture(name: &str) -> Vec<Request> {
    let reqs: Vec<Request> = capture_requests()
        .into_iter()
        .filter(|(n, _)| n == name)
        .map(|(_, r)| r)
        .collect();
    assert!(!reqs.is_empty(), "no requests in capture {name}");
    reqs
}
