//! SetSecretPolicy: stores the secret's policy (PolicyName `default`).

use crate::call::Call;
use crate::error::AliResult;
use crate::params::Params;
use crate::policy;
use crate::render::Obj;
use localsecrets_core::SecretRef;

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let name = call.secret_name(p)?;
    let text = policy::check(p.required("Policy")?)?;
    policy::check_name(p.optional("PolicyName"))?;
    call.service
        .set_policy(&call.scope, SecretRef::Name(name), Some(text))?;
    Ok(Obj::new())
}
