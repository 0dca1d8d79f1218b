//! DeleteResourcePolicy: detaches the (default) policy; nothing attached is not an error.

use crate::ctx::Ctx;
use crate::error::AwsResult;
use crate::json::Len;
use crate::policy;
use crate::render::Obj;
use serde_json::Value;

pub fn handle(ctx: &Ctx<'_>) -> AwsResult<Value> {
    let t = ctx.target()?;
    let name = ctx.input.str("PolicyName", Len(1, 64))?;
    policy::check_name(name.as_deref())?;
    ctx.ensure_writable(&t)?;
    let s = ctx.service.set_policy(&ctx.scope, t.as_ref(), None)?;
    Ok(Obj::new()
        .put("ARN", ctx.arn(&s))
        .put("Name", s.name.as_str())
        .done())
}
