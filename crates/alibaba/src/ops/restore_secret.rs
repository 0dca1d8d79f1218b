//! RestoreSecret: cancels a scheduled deletion.

use super::Cx;
use crate::error::AliResult;
use crate::params::Params;
use crate::render::Obj;
use localsecrets_core::SecretRef;

pub fn handle(cx: &Cx<'_>, p: &Params) -> AliResult<Obj> {
    let name = cx.secret_name(p)?;
    let s = cx.service.restore(&cx.scope, SecretRef::Name(name))?;
    Ok(Obj::new().str("SecretName", s.name))
}
