//! `POST /v1/{project_id}/csms/{secret_id}/tags/action`
//! `{"action": "create" | "delete", "tags": [{"key", "value"}]}`: all or nothing. Deleting a
//! key that is absent (or whose value differs from a given one) is a no-op. 204, no body.

use crate::call::Call;
use crate::error::{HuaweiError, HwResult};
use crate::render;
use crate::tags::{check_item, check_key, refused, TagItem};
use localsecrets_api::Response;
use localsecrets_core::{SecretRef, TagKeys};
use serde::Deserialize;

#[derive(Deserialize)]
struct Body {
    tags: Option<Vec<TagItem>>,
    action: Option<String>,
}

pub fn handle(call: &Call<'_>, secret_id: &str) -> HwResult<Response> {
    let b: Body = call.body()?;
    let items = b
        .tags
        .filter(|t| !t.is_empty())
        .ok_or_else(|| HuaweiError::invalid("tags must list at least one tag."))?;
    let res = match b.action.as_deref() {
        Some("create") => {
            let tags = items
                .into_iter()
                .map(check_item)
                .collect::<HwResult<Vec<_>>>()?;
            call.svc
                .tag(&call.scope, &[SecretRef::Id(secret_id)], &tags)
        }
        Some("delete") => {
            let mut gone = Vec::new();
            for t in items {
                let key = t
                    .key
                    .ok_or_else(|| HuaweiError::invalid("A tag needs a key."))?;
                check_key(&key)?;
                gone.push((key, t.value));
            }
            call.svc.untag(
                &call.scope,
                &[SecretRef::Id(secret_id)],
                TagKeys::Matching(&gone),
            )
        }
        other => {
            return Err(HuaweiError::invalid(format!(
                "The action {} is invalid: use create or delete.",
                other.unwrap_or("(none)")
            )))
        }
    };
    res.map_err(|e| refused(e, secret_id))?;
    Ok(render::no_content())
}
