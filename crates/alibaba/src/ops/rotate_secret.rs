//! RotateSecret: a managed secret gets version VersionId with a newly generated credential,
//! which becomes ACSCurrent (the old current ACSPrevious). Generic secrets are refused: they
//! rotate through PutSecretValue. An existing VersionId answers success without rotating or
//! counting; otherwise at most 50 rotations per secret per hour, admitted by the core inside
//! the rotation's own transaction. A Generic secret with a rotation function registered under
//! its name is rotated by that function instead (see [`crate::rotation`]).

use crate::call::Call;
use crate::error::AliResult;
use crate::params::Params;
use crate::render::Obj;
use crate::rotation;
use localsecrets_core::Access;

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let name = call.secret_name(p)?;
    let version_id = super::put_secret_value::check_version_id(p.required("VersionId")?)?;
    let secret = call.describe(name, Access::Live)?;
    call.require_managed(
        &secret,
        "RotateSecret",
        "a generic secret is rotated by storing a new version with PutSecretValue.",
    )?;
    let (secret, _) = rotation::rotate(
        call.service,
        call.functions,
        &call.scope,
        name,
        Some(version_id.to_owned()),
    )?;
    Ok(Obj::new()
        .str("SecretName", &secret.name)
        .str("VersionId", version_id)
        .str("Arn", call.arn(&secret.name)))
}
