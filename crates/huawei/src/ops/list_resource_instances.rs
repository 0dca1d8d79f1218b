//! `POST /v1/{project_id}/csms/resource_instances/action`: secrets by tags and name.
//! `action` `filter` pages with `limit`/`offset` (strings, default 10 and 0); `count` only
//! counts. A secret matches when, for every tag given, it has the key and (if values are
//! listed) one of the values; `matches` on `resource_name` is a substring match.

use super::int_or_string;
use crate::call::Call;
use crate::error::{HuaweiError, HwResult};
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::Secret;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct TagFilter {
    key: Option<String>,
    #[serde(default)]
    values: Vec<String>,
}

#[derive(Deserialize)]
struct Match {
    key: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
struct Body {
    #[serde(default, deserialize_with = "int_or_string")]
    limit: Option<i64>,
    #[serde(default, deserialize_with = "int_or_string")]
    offset: Option<i64>,
    action: Option<String>,
    #[serde(default)]
    tags: Vec<TagFilter>,
    #[serde(default)]
    matches: Vec<Match>,
}

fn has_tag(s: &Secret, key: &str, values: &[String]) -> bool {
    s.tags
        .iter()
        .flatten()
        .any(|t| t.key == key && (values.is_empty() || values.contains(&t.value)))
}

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let b: Body = call.body()?;
    let count_only = match b.action.as_deref() {
        Some("filter") => false,
        Some("count") => true,
        other => {
            return Err(HuaweiError::invalid(format!(
                "The action {} is invalid: use filter or count.",
                other.unwrap_or("(none)")
            )))
        }
    };
    if b.tags.len() > 10 {
        return Err(HuaweiError::invalid("At most 10 tags can be given."));
    }
    let mut tags = Vec::new();
    for t in b.tags {
        let key = t
            .key
            .filter(|k| !k.is_empty())
            .ok_or_else(|| HuaweiError::invalid("Every tag filter needs a key."))?;
        if t.values.len() > 10 {
            return Err(HuaweiError::invalid(
                "A tag filter can list at most 10 values.",
            ));
        }
        tags.push((key, t.values));
    }
    let mut names = Vec::new();
    for m in b.matches {
        if m.key.as_deref() != Some("resource_name") {
            return Err(HuaweiError::invalid(
                "matches supports only the key resource_name.",
            ));
        }
        names.push(m.value.unwrap_or_default());
    }
    let limit = super::in_range("limit", b.limit.unwrap_or(10), 1..=1000)? as usize;
    let offset = super::in_range("offset", b.offset.unwrap_or(0), 0..=i64::MAX)? as usize;
    let mut found: Vec<Secret> = call
        .svc
        .list(&call.scope)?
        .into_iter()
        .filter(|s| tags.iter().all(|(k, v)| has_tag(s, k, v)))
        // An empty match value matches nothing, as documented.
        .filter(|s| {
            names
                .iter()
                .all(|n| !n.is_empty() && s.name.contains(n.as_str()))
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    let total = found.len();
    if count_only {
        return Ok(render::ok(json!({ "total_count": total })));
    }
    let resources: Vec<_> = found
        .iter()
        .skip(offset)
        .take(limit)
        .map(|s| {
            json!({
                "resource_id": s.id,
                "resource_name": s.name,
                "resource_detail": render::secret(s),
                "tags": super::list_secret_tags::tags(s),
                "sys_tags": [],
            })
        })
        .collect();
    Ok(render::ok(
        json!({ "resources": resources, "total_count": total }),
    ))
}
