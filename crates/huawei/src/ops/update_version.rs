//! `PUT …/secrets/{secret_name}/versions/{version_id}` `{"expire_time"}`: sets when the version
//! expires.

use super::create_secret_version::check_expire_time;
use crate::call::{check_secret_name, Call};
use crate::error::{ErrorKind, HuaweiError, HwResult};
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::{CoreError, SecretRef};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Body {
    expire_time: Option<i64>,
}

pub fn handle(call: &Call<'_>, name: &str, version: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    let b: Body = call.body()?;
    let t = b
        .expire_time
        .ok_or_else(|| HuaweiError::invalid("expire_time is required."))?;
    let t = check_expire_time(t)?;
    let s = call
        .svc
        .set_version_expiry(&call.scope, SecretRef::Name(name), version, Some(t))
        .map_err(|e| version_missing(e, name))?;
    let v = s
        .version(version)
        .ok_or_else(|| HuaweiError::new(ErrorKind::Internal, "the version vanished"))?;
    Ok(render::ok(
        json!({ "version_metadata": render::version_metadata(&s, v) }),
    ))
}

/// A missing version in CSMS's words; anything else as the model says.
pub fn version_missing(e: CoreError, name: &str) -> HuaweiError {
    match e {
        CoreError::VersionNotFound { version_id } => HuaweiError::not_found(format!(
            "The version {version_id} of secret {name} does not exist."
        )),
        e => e.into(),
    }
}
