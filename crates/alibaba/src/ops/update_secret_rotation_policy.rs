//! UpdateSecretRotationPolicy: turns automatic rotation of a managed secret on (with
//! RotationInterval, `<n>d|h|m|s`) or off.

use super::Cx;
use crate::error::{AliResult, AlibabaError};
use crate::managed;
use crate::params::Params;
use crate::render::Obj;
use localsecrets_core::{Access, Schedule, SecretRef};

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
    let (secret, ()) =
        cx.service
            .modify(&cx.scope, SecretRef::Name(name), Access::Live, |s, ctx| {
                s.rotation.enabled = enabled;
                if let Some(seconds) = interval {
                    s.rotation.schedule = Some(Schedule::Every { seconds });
                }
                s.rotation.next_rotation = interval.map(|secs| {
                    s.rotation
                        .last_rotated
                        .unwrap_or(ctx.now)
                        .max(ctx.now.plus_secs(-secs))
                        .plus_secs(secs)
                });
                Ok(())
            })?;
    Ok(Obj::new().str("SecretName", secret.name))
}
