//! GetSecretValue: one version by id, by staging label, or both (which must agree);
//! AWSCURRENT when neither is given.

use crate::ctx::{Ctx, VERSION_ID};
use crate::error::AwsResult;
use crate::json::Len;
use crate::render;
use localsecrets_core::Selector;
use serde_json::Value;

pub fn handle(ctx: &Ctx<'_>) -> AwsResult<Value> {
    let t = ctx.target()?;
    let version_id = ctx.input.str("VersionId", VERSION_ID)?;
    let stage = ctx.input.str("VersionStage", Len(1, 256))?;
    let selector = match (version_id, stage) {
        (Some(id), Some(label)) => Selector::IdWithLabel(id, label),
        (Some(id), None) => Selector::Id(id),
        (None, Some(label)) => Selector::Label(label),
        (None, None) => Selector::Label("AWSCURRENT".into()),
    };
    let (s, v) = ctx.service.get_value(&ctx.scope, t.as_ref(), &selector)?;
    Ok(render::secret_value(&ctx.scope, &s, &v))
}
