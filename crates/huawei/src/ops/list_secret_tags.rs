//! `GET /v1/{project_id}/csms/{secret_id}/tags`: the secret's tags (no system tags here).

use crate::call::Call;
use crate::error::{ErrorKind, HuaweiError, HwResult};
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::{Access, Secret, SecretRef};
use serde_json::{json, Value};

/// Tag operations name the secret by id: say so when it is unknown.
pub fn by_id(e: HuaweiError, id: &str) -> HuaweiError {
    if e.kind == ErrorKind::SecretNotFound {
        HuaweiError::new(
            ErrorKind::SecretNotFound,
            format!("No secret has the id {id} (tag operations take the secret id, not its name)."),
        )
    } else {
        e
    }
}

pub fn tags(s: &Secret) -> Vec<Value> {
    s.tags
        .iter()
        .flatten()
        .map(|t| json!({"key": t.key, "value": t.value}))
        .collect()
}

pub fn handle(call: &Call<'_>, secret_id: &str) -> HwResult<Response> {
    let s = call
        .secret(SecretRef::Id(secret_id), Access::AnyState)
        .map_err(|e| by_id(e, secret_id))?;
    Ok(render::ok(json!({ "tags": tags(&s), "sys_tags": [] })))
}
