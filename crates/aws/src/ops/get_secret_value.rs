//! GetSecretValue: one version by id, by staging label, or both (which must agree);
//! AWSCURRENT when neither is given.

use crate::call::{Call, VERSION_ID};
use crate::error::AwsResult;
use crate::json::Len;
use crate::render;
use localsecrets_core::Selector;
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let t = call.target()?;
    let version_id = call.input.str("VersionId", VERSION_ID)?;
    let stage = call.input.str("VersionStage", Len(1, 256))?;
    let selector = match (version_id, stage) {
        (Some(id), Some(label)) => Selector::IdWithLabel(id, label),
        (Some(id), None) => Selector::Id(id),
        (None, Some(label)) => Selector::Label(label),
        (None, None) => Selector::Label("AWSCURRENT".into()),
    };
    let (s, v) = call.service.get_value(&call.scope, t.as_ref(), &selector)?;
    Ok(render::secret_value(&call.scope, &s, &v))
}
