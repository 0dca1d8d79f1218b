//! ListTagResources: one row per (secret, tag), for the secrets in `ResourceId.N` or all of
//! the account's secrets, narrowed to the tags in `Tag.N.Key`/`Tag.N.Value`; 200 rows a page.

use super::tag_resources::secret_names;
use crate::call::Call;
use crate::error::{AliResult, AlibabaError};
use crate::params::Params;
use crate::render::{Node, Obj};
use crate::tags;
use localsecrets_core::{Access, Secret};

pub const PAGE: usize = 200;

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let names = secret_names(call, p, false)?;
    let wanted = tags::from_pairs(p)?;
    let start: usize = match p.optional("NextToken") {
        None => 0,
        Some(t) => t.parse().map_err(|_| {
            AlibabaError::invalid(format!(
                "The parameter NextToken \"{t}\" is not a token this service issued."
            ))
        })?,
    };
    let keys_only = p
        .optional("ResourceType")
        .is_some_and(|t| t.eq_ignore_ascii_case("key"));
    let secrets: Vec<Secret> = if keys_only {
        Vec::new()
    } else if names.is_empty() {
        call.service.list(&call.scope)?
    } else {
        names
            .iter()
            .map(|n| call.describe(n, Access::AnyState))
            .collect::<AliResult<_>>()?
    };
    let wanted = &wanted;
    let rows: Vec<Node> = secrets
        .iter()
        .flat_map(|s| {
            s.tags.iter().flatten().filter_map(move |t| {
                let hit = wanted.is_empty()
                    || wanted
                        .iter()
                        .any(|w| w.key == t.key && (w.value.is_empty() || w.value == t.value));
                hit.then(|| {
                    Node::from(
                        Obj::new()
                            .str("ResourceId", &s.name)
                            .str("ResourceType", "secret")
                            .str("TagKey", &t.key)
                            .str("TagValue", &t.value),
                    )
                })
            })
        })
        .collect();
    let end = start.saturating_add(PAGE).min(rows.len());
    let page: Vec<Node> = rows
        .get(start.min(rows.len())..end)
        .unwrap_or_default()
        .to_vec();
    let next = if end < rows.len() {
        end.to_string()
    } else {
        String::new()
    };
    Ok(Obj::new()
        .str("NextToken", next)
        .wrapped("TagResources", "TagResource", page))
}
