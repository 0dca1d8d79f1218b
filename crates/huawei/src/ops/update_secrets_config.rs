//! `POST /v1/{project_id}/secrets/checker/config` `{"checking_secret_strength"}`: turns secret
//! strength checking on or off for the project.

use super::show_secrets_config::KEY;
use crate::call::Call;
use crate::error::{HuaweiError, HwResult};
use crate::records;
use crate::render;
use localsecrets_api::Response;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Body {
    checking_secret_strength: Option<bool>,
}

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let b: Body = call.body()?;
    let on = b
        .checking_secret_strength
        .ok_or_else(|| HuaweiError::invalid("checking_secret_strength is required."))?;
    let v = json!({ "checking_secret_strength": on });
    call.svc
        .put_record(&call.scope, records::CHECKER, KEY, &v)?;
    Ok(render::ok(v))
}
