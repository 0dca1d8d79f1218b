//! `GET /v1/{project_id}/secrets/{secret_name}`: metadata, also of a secret pending deletion.

use crate::call::{check_secret_name, Call};
use crate::error::HwResult;
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::{Access, SecretRef};
use serde_json::json;

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    let s = call.secret(SecretRef::Name(name), Access::AnyState)?;
    Ok(render::ok(json!({ "secret": render::secret(&s) })))
}
