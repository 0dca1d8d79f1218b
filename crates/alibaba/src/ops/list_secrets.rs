//! ListSecrets: the secrets of the account in this region, pending deletions included, paged
//! by PageNumber/PageSize and narrowed by Filters (`[{"Key":..,"Values":[..]}]`: keys AND-ed,
//! values of one key OR-ed).

use crate::call::Call;
use crate::error::{AliResult, AlibabaError};
use crate::managed::SecretType;
use crate::meta::AlibabaMeta;
use crate::params::Params;
use crate::render::{Node, Obj};
use crate::view;
use localsecrets_core::listing::Keep;
use localsecrets_core::{ListOrder, ListQuery, Secret};
use serde::Deserialize;

#[derive(Deserialize)]
struct Filter {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Values", default)]
    values: Vec<String>,
}

const KEYS: &[&str] = &[
    "SecretName",
    "Description",
    "TagKey",
    "TagValue",
    "DKMSInstanceId",
    "SecretType",
    "Creator",
];

fn matches(s: &Secret, f: &Filter) -> bool {
    let tags = s.tags.iter().flatten();
    f.values.iter().any(|v| match f.key.as_str() {
        "SecretName" => s.name.contains(v.as_str()),
        "Description" => s
            .description
            .as_deref()
            .is_some_and(|d| d.contains(v.as_str())),
        "TagKey" => tags.clone().any(|t| t.key == *v),
        "TagValue" => tags.clone().any(|t| t.value == *v),
        "DKMSInstanceId" => view::dkms_instance(s).as_deref() == Some(v.as_str()),
        "SecretType" => SecretType::parse(v).is_some_and(|t| SecretType::of(s) == t),
        "Creator" => AlibabaMeta::read(s).creator.as_deref() == Some(v.as_str()),
        _ => false,
    })
}

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let fetch_tags = p.bool("FetchTags")?.unwrap_or(false);
    let page = p.int("PageNumber", 1..=i64::from(u32::MAX))?.unwrap_or(1);
    let size = p.int("PageSize", 1..=100)?.unwrap_or(10);
    let filters = p
        .json::<Vec<Filter>>("Filters", r#"[{"Key":"SecretName","Values":["a","b"]}]"#)?
        .unwrap_or_default();
    if filters.len() > 10 {
        return Err(AlibabaError::invalid(
            "The parameter Filters can hold at most 10 filters.",
        ));
    }
    for f in &filters {
        if !KEYS.contains(&f.key.as_str()) {
            return Err(AlibabaError::invalid(format!(
                "The filter key \"{}\" is invalid: use one of {}.",
                f.key,
                KEYS.join(", ")
            )));
        }
        if f.values.is_empty() || f.values.len() > 10 {
            return Err(AlibabaError::invalid(format!(
                "The filter {} must have from 1 to 10 values.",
                f.key
            )));
        }
    }
    let keep = |s: &Secret| filters.iter().all(|f| matches(s, f));
    let size_n = usize::try_from(size).unwrap_or(10);
    let page_of = call.service.page(
        &call.scope,
        &ListQuery {
            skip: usize::try_from(page - 1)
                .unwrap_or(usize::MAX)
                .saturating_mul(size_n),
            include_deleted: true,
            keep: (!filters.is_empty()).then_some(&keep as Keep<'_>),
            count: true,
            ..ListQuery::new(ListOrder::Created, size_n)
        },
    )?;
    let total = page_of.total.unwrap_or(0);
    let items: Vec<Node> = page_of
        .secrets
        .iter()
        .map(|s| {
            let o = Obj::new()
                .str("SecretName", &s.name)
                .str("SecretType", &s.secret_type)
                .str("CreateTime", view::time(s.created))
                .str("UpdateTime", view::time(s.updated))
                .opt_str(
                    "PlannedDeleteTime",
                    s.deletion.map(|d| view::time(d.purge_at)),
                );
            Node::from(if fetch_tags { view::tags(o, s) } else { o })
        })
        .collect();
    Ok(Obj::new()
        .int("PageNumber", page)
        .int("PageSize", size)
        .int("TotalCount", i64::try_from(total).unwrap_or(i64::MAX))
        .wrapped("SecretList", "Secret", items))
}
