//! RestoreSecret: cancels a scheduled deletion.

use crate::call::Call;
use crate::error::AwsResult;
use crate::render::Obj;
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let t = call.target()?;
    let s = call.service.restore(&call.scope, t.as_ref())?;
    Ok(Obj::new()
        .put("ARN", call.arn(&s))
        .put("Name", s.name.as_str())
        .done())
}
