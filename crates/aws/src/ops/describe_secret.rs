//! DescribeSecret: the metadata, also of a secret in its deletion window (with DeletedDate).

use crate::ctx::Ctx;
use crate::error::AwsResult;
use crate::render;
use localsecrets_core::Access;
use serde_json::Value;

pub fn handle(ctx: &Ctx<'_>) -> AwsResult<Value> {
    let t = ctx.target()?;
    let s = ctx.describe(&t, Access::AnyState)?;
    Ok(render::describe(&ctx.scope, &s))
}
