//! GetSecretPolicy: the secret's policy, or the default one that lets its account do anything.

use crate::call::Call;
use crate::error::AliResult;
use crate::params::Params;
use crate::policy;
use crate::render::Obj;
use localsecrets_core::Access;

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let name = call.secret_name(p)?;
    policy::check_name(p.optional("PolicyName"))?;
    let s = call.describe(name, Access::Live)?;
    let text = s
        .policy
        .unwrap_or_else(|| policy::default_policy(&call.identity.account));
    Ok(Obj::new().str("Policy", text))
}
