//! `POST /v1/{project_id}/secrets/batch-import`: creates each secret on its own; failures are
//! listed by name and do not stop the others.

use super::create_secret::{self, SecretBody};
use crate::call::Call;
use crate::error::{HuaweiError, HwResult};
use crate::render;
use localsecrets_api::Response;
use serde::Deserialize;
use serde_json::json;

/// At most this many secrets per request.
pub const MAX_BATCH: usize = 100;

#[derive(Deserialize)]
struct Body {
    secrets: Option<Vec<SecretBody>>,
}

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let b: Body = call.body()?;
    let secrets = b
        .secrets
        .filter(|s| !s.is_empty())
        .ok_or_else(|| HuaweiError::invalid("secrets must list at least one secret."))?;
    if secrets.len() > MAX_BATCH {
        return Err(HuaweiError::invalid(format!(
            "At most {MAX_BATCH} secrets can be imported at once."
        )));
    }
    let total = secrets.len();
    let mut errors = Vec::new();
    for s in secrets {
        let name = s.name.clone().unwrap_or_default();
        if let Err(e) = create_secret::create(call, s) {
            errors.push(json!({ "name": name, "error_msg": e.text() }));
        }
    }
    Ok(render::ok(json!({
        "error_list": errors,
        "total": total,
        "success": total - errors.len(),
        "failed": errors.len(),
    })))
}
