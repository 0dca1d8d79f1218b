//! `GET /v1/{project_id}/csms/tags`: every tag key in the project with its distinct values.

use crate::call::Call;
use crate::error::HwResult;
use crate::render;
use localsecrets_api::Response;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in call.svc.list(&call.scope)? {
        for t in s.tags.iter().flatten() {
            keys.entry(t.key.clone())
                .or_default()
                .insert(t.value.clone());
        }
    }
    let tags: Vec<_> = keys
        .into_iter()
        .map(|(key, values)| json!({ "key": key, "values": values }))
        .collect();
    Ok(render::ok(json!({ "tags": tags })))
}
