//! DescribeSecret: the metadata, also of a secret in its deletion window (with DeletedDate).

use crate::call::Call;
use crate::error::AwsResult;
use crate::render;
use localsecrets_core::Access;
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let t = call.target()?;
    let s = call.describe_stages(&t, Access::AnyState)?;
    Ok(render::describe(&call.scope, &s))
}
