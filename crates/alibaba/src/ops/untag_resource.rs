//! UntagResource: removes the keys in `TagKeys` (`["k1","k2"]`) from the secret SecretName.

use super::tag_resource::target;
use crate::call::Call;
use crate::error::{AliResult, AlibabaError};
use crate::params::Params;
use crate::render::Obj;
use localsecrets_core::{SecretRef, TagKeys};

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let name = target(call, p)?;
    let keys = p
        .json::<Vec<String>>("TagKeys", r#"["k1","k2"]"#)?
        .ok_or_else(|| AlibabaError::missing("TagKeys"))?;
    call.service
        .untag(&call.scope, &[SecretRef::Name(name)], TagKeys::Named(&keys))?;
    Ok(Obj::new())
}
