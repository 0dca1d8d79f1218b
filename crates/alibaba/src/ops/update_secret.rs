//! UpdateSecret: the description, and for managed secrets `ExtendedConfig.CustomData` (sent
//! flattened, `ExtendedConfig.CustomData.<key>=<value>`, or as JSON text).

use crate::call::Call;
use crate::error::{AliResult, AlibabaError};
use crate::managed::SecretType;
use crate::meta::AlibabaMeta;
use crate::params::Params;
use crate::render::Obj;
use localsecrets_core::{Access, SecretRef, Update};

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let name = call.secret_name(p)?;
    let description = p.raw("Description").map(str::to_owned);
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 256)
    {
        return Err(AlibabaError::invalid(
            "The parameter Description is too long: at most 256 characters.",
        ));
    }
    let custom = p.object("ExtendedConfig.CustomData")?;
    if custom.is_some() {
        let secret = call.describe(name, Access::Live)?;
        if !SecretType::of(&secret).is_managed() {
            return Err(AlibabaError::invalid(
                "The parameter ExtendedConfig.CustomData is not available for generic secrets.",
            ));
        }
    }
    let change = Update {
        description: description.map(|d| (!d.is_empty()).then_some(d)),
        extra: custom
            .map(AlibabaMeta::set_custom_data)
            .into_iter()
            .collect(),
        ..Update::default()
    };
    let w = call
        .service
        .update_secret(&call.scope, SecretRef::Name(name), &change, None)?;
    Ok(Obj::new().str("SecretName", w.secret.name))
}
