//! `GET …/secrets/{secret_name}/versions/{version_id}`: a version with its value; `latest` is
//! the newest version. Only enabled secrets can be read.

use crate::call::{check_secret_name, Call};
use crate::error::HwResult;
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::{SecretRef, Selector};
use serde_json::json;

pub fn handle(call: &Call<'_>, name: &str, version: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    let selector = if version == "latest" {
        Selector::Latest
    } else {
        Selector::Id(version.to_owned())
    };
    let (s, v) = call
        .svc
        .get_value(&call.scope, SecretRef::Name(name), &selector)?;
    Ok(render::ok(json!({ "version": render::version(&s, &v) })))
}
