//! CancelRotateSecret: turns automatic rotation off. Labels stay where they are, as in AWS;
//! the answer names the version an unfinished rotation left with AWSPENDING.

use crate::call::Call;
use crate::error::AwsResult;
use crate::render::Obj;
use localsecrets_core::rotation;
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let t = call.target()?;
    let s = call.service.cancel_rotation(&call.scope, t.as_ref())?;
    let pending = rotation::in_progress(&s, call.scope.cloud.dialect()).map(str::to_owned);
    Ok(Obj::new()
        .put("ARN", call.arn(&s))
        .put("Name", s.name.as_str())
        .opt("VersionId", pending)
        .done())
}
