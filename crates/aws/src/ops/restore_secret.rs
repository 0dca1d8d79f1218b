//! RestoreSecret: cancels a scheduled deletion.

use crate::ctx::Ctx;
use crate::error::AwsResult;
use crate::render::Obj;
use serde_json::Value;

pub fn handle(ctx: &Ctx<'_>) -> AwsResult<Value> {
    let t = ctx.target()?;
    ctx.ensure_writable(&t)?;
    let s = ctx.service.restore(&ctx.scope, t.as_ref())?;
    Ok(Obj::new()
        .put("ARN", ctx.arn(&s))
        .put("Name", s.name.as_str())
        .done())
}
