//! UntagResources: removes `TagKey.N` (or, with `All=true` and no keys, every tag) from every
//! secret in `ResourceId.N`, all or none in one transaction.

use super::tag_resources::secret_names;
use crate::call::Call;
use crate::error::{AliResult, AlibabaError};
use crate::params::Params;
use crate::render::Obj;
use crate::tags;
use localsecrets_core::{SecretRef, TagKeys};

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let names = secret_names(call, p, true)?;
    let keys = p.indexed("TagKey")?;
    if keys.len() > tags::max_tags() {
        return Err(AlibabaError::invalid(format!(
            "At most {} TagKey.N can be given.",
            tags::max_tags()
        )));
    }
    let all = keys.is_empty() && p.bool("All")?.unwrap_or(false);
    let refs: Vec<SecretRef<'_>> = names.iter().map(|n| SecretRef::Name(n)).collect();
    let which = if all {
        TagKeys::All
    } else {
        TagKeys::Named(&keys)
    };
    call.service.untag(&call.scope, &refs, which)?;
    Ok(Obj::new())
}
