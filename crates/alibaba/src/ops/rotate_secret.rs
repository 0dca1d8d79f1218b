//! RotateSecret: a managed secret gets version VersionId with a newly generated credential,
//! which becomes ACSCurrent (the old current ACSPrevious). Generic secrets are refused: they
//! rotate through PutSecretValue. An existing VersionId answers success without rotating or
//! counting; otherwise at most 50 rotations per secret per hour, admitted by the core inside
//! the rotation's own transaction.

use super::Cx;
use crate::error::AliResult;
use crate::managed;
use crate::params::Params;
use crate::render::Obj;
use localsecrets_core::{Access, RotateRequest, SecretRef};

pub fn handle(cx: &Cx<'_>, p: &Params) -> AliResult<Obj> {
    let name = cx.secret_name(p)?;
    let version_id = super::put_secret_value::check_version_id(p.required("VersionId")?)?;
    let secret = cx.describe(name, Access::Live)?;
    cx.require_managed(
        &secret,
        "RotateSecret",
        "a generic secret is rotated by storing a new version with PutSecretValue.",
    )?;
    let now = cx.now();
    let generate = |s: &localsecrets_core::Secret, r: &localsecrets_core::Random| {
        managed::rotated_value(s, r, now)
    };
    let written = cx.service.rotate(
        &cx.scope,
        SecretRef::Name(name),
        RotateRequest {
            version_id: Some(version_id.to_owned()),
            configure: None,
            require_function: false,
            immediately: true,
            generate: &generate,
        },
    )?;
    Ok(Obj::new()
        .str("SecretName", &written.secret.name)
        .str("VersionId", version_id)
        .str("Arn", cx.arn(&written.secret.name)))
}
