//! UntagResource: removes tags by key; a secret whose tags were all removed shows `Tags: []`.

use crate::call::Call;
use crate::error::AwsResult;
use crate::json::Len;
use localsecrets_core::TagKeys;
use serde_json::{json, Value};

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let t = call.target()?;
    let keys = call
        .input
        .req_str_list("TagKeys", Len(0, usize::MAX), Len(1, 128))?;
    call.service
        .untag(&call.scope, &[t.as_ref()], TagKeys::Named(&keys))?;
    Ok(json!({}))
}
