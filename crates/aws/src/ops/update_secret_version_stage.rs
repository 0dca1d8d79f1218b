//! UpdateSecretVersionStage: moves a staging label (`MoveToVersionId`), removes it
//! (`RemoveFromVersionId`), or both. Moving a label another version holds needs that version
//! named in RemoveFromVersionId; moving AWSCURRENT gives the old holder AWSPREVIOUS and
//! leaves the new holder's other labels, AWSPENDING included.

use crate::call::{Call, VERSION_ID};
use crate::error::{AwsError, AwsResult};
use crate::json::Len;
use crate::render::Obj;
use localsecrets_core::CoreError;
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let t = call.target()?;
    let label = i.req_str("VersionStage", Len(1, 256))?;
    let remove_from = i.str("RemoveFromVersionId", VERSION_ID)?;
    let move_to = i.str("MoveToVersionId", VERSION_ID)?;
    let s = call
        .service
        .update_stage(
            &call.scope,
            t.as_ref(),
            &label,
            move_to.as_deref(),
            remove_from.as_deref(),
        )
        .map_err(|e| match (e, remove_from.as_deref()) {
            (CoreError::LabelOnOtherVersion { label, holder }, Some(from)) => {
                AwsError::InvalidParameter(format!(
                    "The staging label {label} is attached to version {holder}, not to version \
                     {from}. RemoveFromVersionId must name the version that currently has it."
                ))
            }
            (CoreError::VersionLabelMismatch { version_id, label }, _) => {
                AwsError::InvalidParameter(format!(
                    "The staging label {label} is not attached to version {version_id}."
                ))
            }
            (CoreError::InvalidParameter(_), None) if move_to.is_none() => {
                AwsError::InvalidParameter(
                    "You must specify MoveToVersionId, RemoveFromVersionId, or both.".into(),
                )
            }
            (e, _) => e.into(),
        })?;
    Ok(Obj::new()
        .put("ARN", call.arn(&s))
        .put("Name", s.name.as_str())
        .done())
}
