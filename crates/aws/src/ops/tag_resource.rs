//! TagResource: adds tags, replacing the value of keys that exist.

use crate::call::Call;
use crate::error::{AwsError, AwsResult};
use serde_json::{json, Value};

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let t = call.target()?;
    let new = crate::tags::parse(&call.input, "Tags")?.ok_or_else(|| {
        AwsError::Validation(
            "1 validation error detected: Value null at 'tags' failed to satisfy constraint: \
             Member must not be null"
                .into(),
        )
    })?;
    call.service.tag(&call.scope, &[t.as_ref()], &new)?;
    Ok(json!({}))
}
