//! ValidateResourcePolicy: the syntax check (a MalformedPolicyDocumentException) and the
//! broad-access check, reported as a failed validation rather than an error.

use crate::call::Call;
use crate::error::AwsResult;
use crate::json::Len;
use crate::policy;
use crate::render::Obj;
use localsecrets_core::Access;
use serde_json::{json, Value};

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    if i.has("SecretId") {
        let t = call.target()?;
        call.describe_stages(&t, Access::AnyState)?;
    }
    let text = i.req_str("ResourcePolicy", Len(1, 20_480))?;
    let doc = policy::parse(&text)?;
    let errors: Vec<Value> = if policy::is_public(&doc) {
        vec![json!({
            "CheckName": "BROAD_ACCESS",
            "ErrorMessage": "This resource policy grants access to every principal (\"*\") \
                             without a condition."
        })]
    } else {
        vec![]
    };
    Ok(Obj::new()
        .put("PolicyValidationPassed", errors.is_empty())
        .put("ValidationErrors", errors)
        .done())
}
