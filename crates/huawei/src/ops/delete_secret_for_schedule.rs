//! `POST …/secrets/{secret_name}/scheduled-deleted-tasks/create`
//! `{"recovery_window_in_days": 7..30}`: the secret turns PENDING_DELETE and is purged when the
//! window ends, unless the deletion is cancelled.

use super::int_or_string;
use crate::call::{check_secret_name, Call};
use crate::error::{ErrorKind, HuaweiError, HwResult};
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::{CoreError, SecretRef};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Body {
    #[serde(default, deserialize_with = "int_or_string")]
    recovery_window_in_days: Option<i64>,
}

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    let b: Body = call.body_or_default()?;
    let s = call
        .svc
        .schedule_deletion(
            &call.scope,
            SecretRef::Name(name),
            b.recovery_window_in_days,
        )
        .map_err(|e| match e {
            CoreError::RecoveryWindow { days, min, max } => HuaweiError::invalid(format!(
                "recovery_window_in_days must be from {min} to {max}, not {days}."
            )),
            CoreError::ScheduledForDeletion { name } => HuaweiError::new(
                ErrorKind::AlreadyScheduled,
                format!("The secret {name} is already scheduled for deletion."),
            ),
            e => e.into(),
        })?;
    Ok(render::ok(json!({ "secret": render::secret(&s) })))
}
