//! TagResource: adds tags, replacing the value of keys that exist.

use crate::ctx::Ctx;
use crate::error::{AwsError, AwsResult};
use serde_json::{json, Value};

pub fn handle(ctx: &Ctx<'_>) -> AwsResult<Value> {
    let t = ctx.target()?;
    let new = super::tags(&ctx.input, "Tags")?.ok_or_else(|| {
        AwsError::Validation(
            "1 validation error detected: Value null at 'tags' failed to satisfy constraint: \
             Member must not be null"
                .into(),
        )
    })?;
    ctx.ensure_writable(&t)?;
    ctx.service.tag(&ctx.scope, &[t.as_ref()], &new)?;
    Ok(json!({}))
}
