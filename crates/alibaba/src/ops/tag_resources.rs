//! TagResources: adds `Tag.N.Key`/`Tag.N.Value` to every secret in `ResourceId.N`, all or
//! none in one transaction.

use crate::call::Call;
use crate::error::{AliResult, AlibabaError};
use crate::params::Params;
use crate::render::Obj;
use crate::tags;
use localsecrets_core::SecretRef;

pub const MAX_RESOURCES: usize = 50;

/// The secret names a multi-resource tag operation names (RegionId and ResourceType checked).
/// `required` says whether ResourceId.N must be given.
pub fn secret_names(call: &Call<'_>, p: &Params, required: bool) -> AliResult<Vec<String>> {
    p.required("RegionId")?;
    let ty = p.required("ResourceType")?;
    let ids = p.indexed("ResourceId")?;
    if required && ids.is_empty() {
        return Err(AlibabaError::missing("ResourceId.1"));
    }
    if ids.len() > MAX_RESOURCES {
        return Err(AlibabaError::invalid(format!(
            "At most {MAX_RESOURCES} ResourceId.N can be given."
        )));
    }
    if ty.eq_ignore_ascii_case("key") {
        return match ids.first() {
            Some(id) => Err(super::list_resource_tags::key_not_found(id)),
            None => Ok(Vec::new()),
        };
    }
    if !ty.eq_ignore_ascii_case("secret") {
        return Err(AlibabaError::invalid(format!(
            "The parameter ResourceType \"{ty}\" is invalid: use secret or key."
        )));
    }
    let mut names: Vec<String> = Vec::with_capacity(ids.len());
    for id in &ids {
        let n = call.name(id)?.to_owned();
        if !names.contains(&n) {
            names.push(n);
        }
    }
    Ok(names)
}

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let names = secret_names(call, p, true)?;
    let new = tags::from_pairs(p)?;
    if new.is_empty() {
        return Err(AlibabaError::missing("Tag.1.Key"));
    }
    let refs: Vec<SecretRef<'_>> = names.iter().map(|n| SecretRef::Name(n)).collect();
    call.service.tag(&call.scope, &refs, &new)?;
    Ok(Obj::new())
}
