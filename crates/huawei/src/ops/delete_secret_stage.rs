//! `DELETE …/secrets/{secret_name}/stages/{stage_name}`: takes a user stage off its version;
//! the system stages SYSCURRENT and SYSPREVIOUS are refused (CSMS.0105). 204, no body.

use crate::call::{check_name, check_secret_name, Call};
use crate::error::{ErrorKind, HuaweiError, HwResult};
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::dialect::HUAWEI;
use localsecrets_core::{CoreError, SecretRef};

pub fn handle(call: &Call<'_>, name: &str, stage: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    check_name("stage name", stage)?;
    if HUAWEI.move_only_labels.contains(&stage) {
        return Err(HuaweiError::new(
            ErrorKind::SystemStage,
            format!("The stage {stage} is a system stage and cannot be deleted."),
        ));
    }
    call.svc
        .remove_stage(&call.scope, SecretRef::Name(name), stage)
        .map_err(|e| match e {
            CoreError::LabelNotFound { .. } => HuaweiError::not_found(format!(
                "The stage {stage} of secret {name} does not exist."
            )),
            e => e.into(),
        })?;
    Ok(render::no_content())
}
