//! ListSecrets: the scope's secrets, filtered, sorted (by creation date, oldest first, unless
//! SortBy/SortOrder say otherwise) and paged. Secrets in their deletion window only with
//! IncludePlannedDeletion.

use crate::call::Call;
use crate::error::AwsResult;
use crate::filters;
use crate::json::Len;
use crate::paging;
use crate::render::{self, Obj};
use localsecrets_core::listing::Keep;
use localsecrets_core::{ListOrder, ListQuery, Secret};
use serde_json::Value;

pub const SORT_BY: &[&str] = &[
    "created-date",
    "last-accessed-date",
    "last-changed-date",
    "name",
];

fn order(by: Option<&str>) -> ListOrder {
    match by {
        Some("name") => ListOrder::Name,
        Some("last-accessed-date") => ListOrder::LastAccessed,
        Some("last-changed-date") => ListOrder::Updated,
        _ => ListOrder::Created,
    }
}

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let include_deleted = i.bool("IncludePlannedDeletion")?.unwrap_or(false);
    let max = i.int("MaxResults", Some(1), Some(100))?.unwrap_or(100);
    let token = i.str("NextToken", Len(1, 4096))?;
    let filters = filters::parse(i)?.unwrap_or_default();
    let by = i.enum_str("SortBy", SORT_BY)?;
    let sort_order = i.enum_str("SortOrder", &["asc", "desc"])?;
    let context = format!(
        "ListSecrets|{}|{include_deleted}|{filters:?}|{by:?}|{sort_order:?}",
        call.scope
    );
    let keep = |s: &Secret| filters::matches(&filters, &call.scope, s);
    let prefix = filters::name_prefix(&filters);
    let page = call.service.page(
        &call.scope,
        &ListQuery {
            descending: sort_order.as_deref() == Some("desc"),
            after: token
                .as_deref()
                .map(|t| paging::position(t, &context))
                .transpose()?,
            include_deleted,
            keep: (!filters.is_empty()).then_some(&keep as Keep<'_>),
            // An entry shows its stages, never a value.
            stages_only: true,
            name_prefix: prefix.as_deref(),
            ..ListQuery::new(order(by.as_deref()), max as usize)
        },
    )?;
    Ok(Obj::new()
        .put(
            "SecretList",
            page.secrets
                .iter()
                .map(|s| render::list_entry(&call.scope, s))
                .collect::<Vec<_>>(),
        )
        .opt(
            "NextToken",
            page.next.map(|p| paging::position_token(&p, &context)),
        )
        .done())
}
