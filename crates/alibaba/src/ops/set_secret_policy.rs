//! SetSecretPolicy: stores the secret's policy (PolicyName `default`).

use super::Cx;
use crate::error::AliResult;
use crate::params::Params;
use crate::policy;
use crate::render::Obj;
use localsecrets_core::SecretRef;

pub fn handle(cx: &Cx<'_>, p: &Params) -> AliResult<Obj> {
    let name = cx.secret_name(p)?;
    let text = policy::check(p.required("Policy")?)?;
    policy::check_name(p.optional("PolicyName"))?;
    cx.service
        .set_policy(&cx.scope, SecretRef::Name(name), Some(text))?;
    Ok(Obj::new())
}
