//! UpdateSecretRotationPolicy: turns automatic rotation of a managed secret on (with
//! RotationInterval, `<n>d|h|m|s`) or off.

use crate::call::Call;
use crate::error::{AliResult, AlibabaError};
use crate::managed;
use crate::params::Params;
use crate::render::Obj;
use localsecrets_core::{Access, RotationChange, Schedule, SecretRef, Update};

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let name = call.secret_name(p)?;
    let enabled = p
        .bool("EnableAutomaticRotation")?
        .ok_or_else(|| AlibabaError::missing("EnableAutomaticRotation"))?;
    let interval = if enabled {
        Some(managed::parse_interval(
            p.optional("RotationInterval")
                .ok_or_else(|| AlibabaError::missing("RotationInterval"))?,
        )?)
    } else {
        None
    };
    let secret = call.describe(name, Access::Live)?;
    call.require_managed(
        &secret,
        "UpdateSecretRotationPolicy",
        "generic secrets have no automatic rotation.",
    )?;
    let change = Update {
        rotation: RotationChange {
            enabled: Some(enabled),
            schedule: interval.map(|seconds| Some(Schedule::Every { seconds })),
            ..RotationChange::default()
        },
        ..Update::default()
    };
    let w = call
        .service
        .update_secret(&call.scope, SecretRef::Name(name), &change, None)?;
    Ok(Obj::new().str("SecretName", w.secret.name))
}
