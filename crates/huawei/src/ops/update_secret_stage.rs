//! `PUT …/secrets/{secret_name}/stages/{stage_name}` `{"version_id"}`: moves the stage onto the
//! version. Moving SYSCURRENT makes its old holder SYSPREVIOUS. At most 12 stages per version.

use crate::call::{check_name, check_secret_name, Call};
use crate::error::{HuaweiError, HwResult};
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::SecretRef;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Body {
    version_id: Option<String>,
}

pub fn handle(call: &Call<'_>, name: &str, stage: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    check_name("stage name", stage)?;
    let b: Body = call.body()?;
    let to = b
        .version_id
        .filter(|v| !v.is_empty())
        .ok_or_else(|| HuaweiError::invalid("version_id is required."))?;
    let s = call
        .svc
        .update_stage(&call.scope, SecretRef::Name(name), stage, Some(&to), None)
        .map_err(|e| super::update_version::version_missing(e, name))?;
    let holder = s
        .holder(stage)
        .ok_or_else(|| HuaweiError::not_found(format!("The stage {stage} vanished.")))?;
    Ok(render::ok(
        json!({ "stage": render::stage(&s, stage, holder) }),
    ))
}
