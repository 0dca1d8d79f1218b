//! ListResourceTags: tags of a KMS key. Keys are not emulated, so every KeyId is unknown.

use crate::call::Call;
use crate::error::{AliResult, AlibabaError, Code};
use crate::params::Params;
use crate::render::Obj;

pub fn key_not_found(key_id: &str) -> AlibabaError {
    AlibabaError::with(
        Code::KeyNotFound,
        format!("The specified Key is not found: {key_id} (KMS keys are not emulated)."),
    )
}

pub fn handle(_call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    Err(key_not_found(p.required("KeyId")?))
}
