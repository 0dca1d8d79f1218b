//! `POST /v1/{project_id}/csms/{secret_id}/tags` `{"tag": {"key", "value"}}`: adds a tag (or
//! replaces the value of the key) on the secret with that id. 204, no body.

use crate::call::Call;
use crate::error::{HuaweiError, HwResult};
use crate::render;
use crate::tags::{check_item, refused, TagItem};
use localsecrets_api::Response;
use localsecrets_core::SecretRef;
use serde::Deserialize;

#[derive(Deserialize)]
struct Body {
    tag: Option<TagItem>,
}

pub fn handle(call: &Call<'_>, secret_id: &str) -> HwResult<Response> {
    let b: Body = call.body()?;
    let tag = check_item(
        b.tag
            .ok_or_else(|| HuaweiError::invalid("tag is required."))?,
    )?;
    call.svc
        .tag(&call.scope, &[SecretRef::Id(secret_id)], &[tag])
        .map_err(|e| refused(e, secret_id))?;
    Ok(render::no_content())
}
