//! DeleteResourcePolicy: detaches the (default) policy; nothing attached is not an error.

use crate::call::Call;
use crate::error::AwsResult;
use crate::json::Len;
use crate::policy;
use crate::render::Obj;
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let t = call.target()?;
    let name = call.input.str("PolicyName", Len(1, 64))?;
    policy::check_name(name.as_deref())?;
    let s = call.service.set_policy(&call.scope, t.as_ref(), None)?;
    Ok(Obj::new()
        .put("ARN", call.arn(&s))
        .put("Name", s.name.as_str())
        .done())
}
