//! UpdateSecretRotationPolicy: turns automatic rotation of a managed secret on (with
//! RotationInterval, `<n>d|h|m|s`) or off.

use super::Cx;
use crate::error::{AliResult, AlibabaError};
use crate::managed;
use crate::params::Params;
use crate::render::Obj;
use localsecrets_core::{Access, RotationChange, Schedule, SecretRef, Update};

pub fn handle(cx: &Cx<'_>, p: &Params) -> AliResult<Obj> {
    let name = cx.secret_name(p)?;
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
    let secret = cx.describe(name, Access::Live)?;
    cx.require_managed(
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
    let w = cx
        .service
        .update_secret(&cx.scope, SecretRef::Name(name), &change, None)?;
    Ok(Obj::new().str("SecretName", w.secret.name))
}
