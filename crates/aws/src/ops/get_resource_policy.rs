//! GetResourcePolicy: the attached policy text; no ResourcePolicy member when none is
//! attached. Only the default policy exists.

use crate::call::Call;
use crate::error::{AwsError, AwsResult};
use crate::json::Len;
use crate::policy;
use crate::render::Obj;
use localsecrets_core::Access;
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let t = call.target()?;
    let name = call.input.str("PolicyName", Len(1, 64))?;
    let s = call.describe_stages(&t, Access::AnyState)?;
    if name.as_deref().is_some_and(|n| n != policy::DEFAULT_NAME) {
        return Err(AwsError::ResourceNotFound(
            "Secrets Manager can't find the specified resource policy.".into(),
        ));
    }
    Ok(Obj::new()
        .put("ARN", call.arn(&s))
        .put("Name", s.name.as_str())
        .opt("ResourcePolicy", s.policy.clone())
        .done())
}
