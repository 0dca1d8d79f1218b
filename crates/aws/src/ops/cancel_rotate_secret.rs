//! CancelRotateSecret: turns automatic rotation off. Labels stay where they are, as in AWS;
//! the answer names the version an unfinished rotation left with AWSPENDING.

use crate::ctx::Ctx;
use crate::error::AwsResult;
use crate::render::Obj;
use localsecrets_core::rotation;
use serde_json::Value;

pub fn handle(ctx: &Ctx<'_>) -> AwsResult<Value> {
    let t = ctx.target()?;
    ctx.ensure_writable(&t)?;
    let s = ctx.service.cancel_rotation(&ctx.scope, t.as_ref())?;
    let pending = rotation::in_progress(&s, ctx.scope.cloud.dialect()).map(str::to_owned);
    Ok(Obj::new()
        .put("ARN", ctx.arn(&s))
        .put("Name", s.name.as_str())
        .opt("VersionId", pending)
        .done())
}
