//! `GET /v1/{project_id}/secrets/checker/config`: whether secret strength checking is on
//! (off until turned on).

use crate::call::Call;
use crate::error::HwResult;
use crate::records;
use crate::render;
use localsecrets_api::Response;
use serde_json::{json, Value};

pub const KEY: &str = "config";

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let on = call
        .svc
        .record(&call.scope, records::CHECKER, KEY)?
        .and_then(|v| v.get("checking_secret_strength").and_then(Value::as_bool))
        .unwrap_or(false);
    Ok(render::ok(json!({ "checking_secret_strength": on })))
}
