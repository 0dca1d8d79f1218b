//! `DELETE /v1/{project_id}/csms/{secret_id}/tags/{key}`: removes the tag. 204, no body.

use crate::call::Call;
use crate::error::{HuaweiError, HwResult};
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::{Access, SecretRef};

pub fn handle(call: &Call<'_>, secret_id: &str, key: &str) -> HwResult<Response> {
    call.modify(SecretRef::Id(secret_id), Access::Live, |s, _| {
        let tags = s.tags.get_or_insert_with(Vec::new);
        let before = tags.len();
        tags.retain(|t| t.key != key);
        if tags.len() == before {
            return Err(HuaweiError::not_found(format!(
                "The secret {secret_id} has no tag {key}."
            )));
        }
        Ok(())
    })
    .map_err(|e| super::list_secret_tags::by_id(e, secret_id))?;
    Ok(render::no_content())
}
