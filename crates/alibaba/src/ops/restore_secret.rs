//! RestoreSecret: cancels a scheduled deletion.

use crate::call::Call;
use crate::error::AliResult;
use crate::params::Params;
use crate::render::Obj;
use localsecrets_core::SecretRef;

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let name = call.secret_name(p)?;
    let s = call.service.restore(&call.scope, SecretRef::Name(name))?;
    Ok(Obj::new().str("SecretName", s.name))
}
