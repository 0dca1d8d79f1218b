//! ListResourcePolicies: the names of the attached policies (at most the default one).

use crate::call::Call;
use crate::error::AwsResult;
use crate::json::Len;
use crate::paging;
use crate::policy;
use crate::render::Obj;
use localsecrets_core::Access;
use serde_json::{json, Value};

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let t = call.target()?;
    let max = i.int("MaxResults", Some(1), Some(100))?.unwrap_or(100);
    let token = i.str("NextToken", Len(1, 4096))?;
    let s = call.describe_stages(&t, Access::AnyState)?;
    let names: Vec<&str> = s.policy.iter().map(|_| policy::DEFAULT_NAME).collect();
    let context = format!("ListResourcePolicies|{}|{}", call.scope, s.id);
    let (page, next) = paging::page(names, max as usize, token.as_deref(), &context)?;
    Ok(Obj::new()
        .put(
            "ResourcePolicies",
            page.iter()
                .map(|n| json!({ "PolicyName": n }))
                .collect::<Vec<_>>(),
        )
        .opt("NextToken", next)
        .done())
}
