//! `GET …/secrets/{secret_name}/stages/{stage_name}`: which version holds the stage.

use crate::call::{check_name, check_secret_name, Call};
use crate::error::{HuaweiError, HwResult};
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::{Access, SecretRef};
use serde_json::json;

pub fn handle(call: &Call<'_>, name: &str, stage: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    check_name("stage name", stage)?;
    let s = call.secret(SecretRef::Name(name), Access::AnyState)?;
    let holder = s.holder(stage).ok_or_else(|| {
        HuaweiError::not_found(format!(
            "The stage {stage} of secret {name} does not exist."
        ))
    })?;
    Ok(render::ok(
        json!({ "stage": render::stage(&s, stage, holder) }),
    ))
}
