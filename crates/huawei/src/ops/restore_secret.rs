//! `POST …/secrets/{secret_name}/scheduled-deleted-tasks/cancel`: cancels a scheduled
//! deletion; the secret is ENABLED again.

use crate::call::{check_secret_name, Call};
use crate::error::HwResult;
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::SecretRef;
use serde_json::json;

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    let s = call.svc.restore(&call.scope, SecretRef::Name(name))?;
    Ok(render::ok(json!({ "secret": render::secret(&s) })))
}
