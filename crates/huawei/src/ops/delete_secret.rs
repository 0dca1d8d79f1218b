//! `DELETE /v1/{project_id}/secrets/{secret_name}`: deletes at once, versions and all (also a
//! secret already pending deletion). 204, no body.

use crate::call::{check_secret_name, Call};
use crate::error::HwResult;
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::SecretRef;

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    call.svc.force_delete(&call.scope, SecretRef::Name(name))?;
    Ok(render::no_content())
}
