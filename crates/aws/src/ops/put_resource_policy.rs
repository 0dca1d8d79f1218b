//! PutResourcePolicy: attaches the (default) resource policy after a syntax check;
//! BlockPublicPolicy refuses policies that open the secret to everyone.

use crate::call::Call;
use crate::error::AwsResult;
use crate::json::Len;
use crate::policy;
use crate::render::Obj;
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let t = call.target()?;
    let text = i.req_str("ResourcePolicy", Len(1, 20_480))?;
    let name = i.str("PolicyName", Len(1, 64))?;
    policy::check_name(name.as_deref())?;
    let block = i.bool("BlockPublicPolicy")?.unwrap_or(false);
    let doc = policy::parse(&text)?;
    if block && policy::is_public(&doc) {
        return Err(policy::public_refused());
    }
    let s = call
        .service
        .set_policy(&call.scope, t.as_ref(), Some(text))?;
    Ok(Obj::new()
        .put("ARN", call.arn(&s))
        .put("Name", s.name.as_str())
        .done())
}
