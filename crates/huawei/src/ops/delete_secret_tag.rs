//! `DELETE /v1/{project_id}/csms/{secret_id}/tags/{key}`: removes the tag. 204, no body.

use crate::call::Call;
use crate::error::{HuaweiError, HwResult};
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::{CoreError, SecretRef, TagKeys};

pub fn handle(call: &Call<'_>, secret_id: &str, key: &str) -> HwResult<Response> {
    call.svc
        .untag(
            &call.scope,
            &[SecretRef::Id(secret_id)],
            TagKeys::Present(key),
        )
        .map_err(|e| match e {
            CoreError::TagNotFound { .. } => {
                HuaweiError::not_found(format!("The secret {secret_id} has no tag {key}."))
            }
            e => super::list_secret_tags::by_id(e.into(), secret_id),
        })?;
    Ok(render::no_content())
}
