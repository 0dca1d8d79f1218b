//! TagResource: adds tags, replacing the value of keys that exist.

use crate::ctx::Ctx;
use crate::error::{AwsError, AwsResult};
use localsecrets_core::Access;
use serde_json::{json, Value};

/// AWS allows 50 tags on a secret.
pub const MAX_TAGS: usize = 50;

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
    let (s, ()) = ctx
        .service
        .modify(&ctx.scope, t.as_ref(), Access::Live, |s, _| {
            let mut tags = s.tags.take().unwrap_or_default();
            super::merge_tags(&mut tags, new);
            if tags.len() > MAX_TAGS {
                return Err(localsecrets_core::CoreError::LimitExceeded(format!(
                    "a secret can have at most {MAX_TAGS} tags"
                )));
            }
            s.tags = Some(tags);
            Ok(())
        })?;
    ctx.replicate(&s);
    Ok(json!({}))
}
