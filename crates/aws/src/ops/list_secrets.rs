//! ListSecrets: the scope's secrets, filtered, sorted (by creation date, oldest first, unless
//! SortBy/SortOrder say otherwise) and paged. Secrets in their deletion window only with
//! IncludePlannedDeletion.

use crate::call::Call;
use crate::error::AwsResult;
use crate::filters;
use crate::json::Len;
use crate::paging;
use crate::render::{self, Obj};
use localsecrets_core::Secret;
use serde_json::Value;
use std::cmp::Ordering;

pub const SORT_BY: &[&str] = &[
    "created-date",
    "last-accessed-date",
    "last-changed-date",
    "name",
];

fn compare(by: &str, a: &Secret, b: &Secret) -> Ordering {
    let primary = match by {
        "name" => a.name.cmp(&b.name),
        "last-accessed-date" => a.last_accessed.cmp(&b.last_accessed),
        "last-changed-date" => a.updated.cmp(&b.updated),
        _ => a.created.cmp(&b.created),
    };
    primary.then_with(|| a.name.cmp(&b.name))
}

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let include_deleted = i.bool("IncludePlannedDeletion")?.unwrap_or(false);
    let max = i.int("MaxResults", Some(1), Some(100))?.unwrap_or(100);
    let token = i.str("NextToken", Len(1, 4096))?;
    let filters = filters::parse(i)?.unwrap_or_default();
    let by = i.enum_str("SortBy", SORT_BY)?;
    let order = i.enum_str("SortOrder", &["asc", "desc"])?;
    let mut all = call.service.list(&call.scope)?;
    all.retain(|s| {
        (include_deleted || s.deletion.is_none()) && filters::matches(&filters, &call.scope, s)
    });
    let by_key = by.as_deref().unwrap_or("created-date");
    all.sort_by(|a, b| compare(by_key, a, b));
    if order.as_deref() == Some("desc") {
        all.reverse();
    }
    let context = format!(
        "ListSecrets|{}|{include_deleted}|{filters:?}|{by:?}|{order:?}",
        call.scope
    );
    let (page, next) = paging::page(all, max as usize, token.as_deref(), &context)?;
    Ok(Obj::new()
        .put(
            "SecretList",
            page.iter()
                .map(|s| render::list_entry(&call.scope, s))
                .collect::<Vec<_>>(),
        )
        .opt("NextToken", next)
        .done())
}
