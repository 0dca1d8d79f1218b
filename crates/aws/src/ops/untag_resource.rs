//! UntagResource: removes tags by key; a secret whose tags were all removed shows `Tags: []`.

use crate::ctx::Ctx;
use crate::error::AwsResult;
use crate::json::Len;
use localsecrets_core::TagKeys;
use serde_json::{json, Value};

pub fn handle(ctx: &Ctx<'_>) -> AwsResult<Value> {
    let t = ctx.target()?;
    let keys = ctx
        .input
        .req_str_list("TagKeys", Len(0, usize::MAX), Len(1, 128))?;
    ctx.ensure_writable(&t)?;
    ctx.service
        .untag(&ctx.scope, &[t.as_ref()], TagKeys::Named(&keys))?;
    Ok(json!({}))
}
