//! ListSecretVersionIds: the versions oldest first, deprecated ones (no label) only with
//! IncludeDeprecated, paged with an opaque NextToken.

use crate::call::Call;
use crate::error::AwsResult;
use crate::json::Len;
use crate::paging;
use crate::render::{self, Obj};
use localsecrets_core::Access;
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let t = call.target()?;
    let max = i.int("MaxResults", Some(1), Some(100))?.unwrap_or(100);
    let token = i.str("NextToken", Len(1, 4096))?;
    let deprecated = i.bool("IncludeDeprecated")?.unwrap_or(false);
    let s = call.describe(&t, Access::AnyState)?;
    let versions: Vec<_> = s
        .versions
        .iter()
        .filter(|v| deprecated || !v.is_deprecated())
        .collect();
    let context = format!("ListSecretVersionIds|{}|{}|{deprecated}", call.scope, s.id);
    let (page, next) = paging::page(versions, max as usize, token.as_deref(), &context)?;
    Ok(Obj::new()
        .put(
            "Versions",
            page.iter()
                .map(|v| render::version_entry(&s, v))
                .collect::<Vec<_>>(),
        )
        .opt("NextToken", next)
        .put("ARN", call.arn(&s))
        .put("Name", s.name.as_str())
        .done())
}
