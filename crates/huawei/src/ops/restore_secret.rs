//! `POST …/secrets/{secret_name}/scheduled-deleted-tasks/cancel`: cancels a scheduled
//! deletion; the secret is ENABLED again.

use crate::call::{check_secret_name, Call};
use crate::error::{ErrorKind, HuaweiError, HwResult};
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::{Access, SecretRef};
use serde_json::json;

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    let (s, ()) = call.modify(SecretRef::Name(name), Access::AnyState, |s, _| {
        if s.deletion.take().is_none() {
            return Err(HuaweiError::new(
                ErrorKind::NotScheduled,
                format!("The secret {name} is not scheduled for deletion."),
            ));
        }
        Ok(())
    })?;
    Ok(render::ok(json!({ "secret": render::secret(&s) })))
}
