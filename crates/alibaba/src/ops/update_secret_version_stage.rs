//! UpdateSecretVersionStage: attach a stage to MoveToVersion (moving ACSCurrent makes the old
//! holder ACSPrevious), remove a custom stage from RemoveFromVersion, or both.

use super::put_secret_value::check_stage;
use super::Cx;
use crate::error::AliResult;
use crate::params::Params;
use crate::render::Obj;
use localsecrets_core::SecretRef;

pub fn handle(cx: &Cx<'_>, p: &Params) -> AliResult<Obj> {
    let name = cx.secret_name(p)?;
    let stage = check_stage(p.required("VersionStage")?)?;
    let secret = cx.service.update_stage(
        &cx.scope,
        SecretRef::Name(name),
        stage,
        p.optional("MoveToVersion"),
        p.optional("RemoveFromVersion"),
    )?;
    Ok(Obj::new().str("SecretName", secret.name))
}
