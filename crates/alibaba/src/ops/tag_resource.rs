//! TagResource: adds `Tags` (`[{"TagKey":..,"TagValue":..}]`) to the secret SecretName.
//! KeyId and CertificateId name resources this emulator does not hold.

use crate::call::Call;
use crate::error::{AliResult, AlibabaError};
use crate::params::Params;
use crate::render::Obj;
use crate::tags;
use localsecrets_core::SecretRef;

/// The one secret a single-resource tag operation names; keys and certificates are not held.
pub fn target<'p>(call: &Call<'_>, p: &'p Params) -> AliResult<&'p str> {
    let given: Vec<&str> = ["SecretName", "KeyId", "CertificateId"]
        .into_iter()
        .filter(|k| p.optional(k).is_some())
        .collect();
    match given.as_slice() {
        ["SecretName"] => call.secret_name(p),
        ["KeyId"] => Err(super::list_resource_tags::key_not_found(
            p.optional("KeyId").unwrap_or_default(),
        )),
        ["CertificateId"] => Err(AlibabaError::not_found(format!(
            "The resource is not found: certificate {} does not exist.",
            p.optional("CertificateId").unwrap_or_default()
        ))),
        [] => Err(AlibabaError::missing("SecretName")),
        _ => Err(AlibabaError::invalid(
            "Name exactly one of SecretName, KeyId and CertificateId.",
        )),
    }
}

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let name = target(call, p)?;
    let new = tags::from_json(p, "Tags")?.ok_or_else(|| AlibabaError::missing("Tags"))?;
    call.service
        .tag(&call.scope, &[SecretRef::Name(name)], &new)?;
    Ok(Obj::new())
}
