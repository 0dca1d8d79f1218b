//! UpdateSecretVersionStage: attach a stage to MoveToVersion (moving ACSCurrent makes the old
//! holder ACSPrevious), remove a custom stage from RemoveFromVersion, or both.

use super::put_secret_value::check_stage;
use crate::call::Call;
use crate::error::AliResult;
use crate::params::Params;
use crate::render::Obj;
use localsecrets_core::SecretRef;

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let name = call.secret_name(p)?;
    let stage = check_stage(p.required("VersionStage")?)?;
    let secret = call.service.update_stage(
        &call.scope,
        SecretRef::Name(name),
        stage,
        p.optional("MoveToVersion"),
        p.optional("RemoveFromVersion"),
    )?;
    Ok(Obj::new().str("SecretName", secret.name))
}
