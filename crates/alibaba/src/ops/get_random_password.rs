//! GetRandomPassword: PasswordLength 8-128 (default 32) from the character classes not
//! excluded, by default one of each.

use crate::call::Call;
use crate::error::{AliResult, AlibabaError};
use crate::params::Params;
use crate::render::Obj;
use localsecrets_core::PasswordPolicy;

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let length = p.int("PasswordLength", 8..=128)?.unwrap_or(32);
    let policy = PasswordPolicy {
        length: usize::try_from(length).unwrap_or(32),
        exclude_characters: p.raw("ExcludeCharacters").unwrap_or_default().to_owned(),
        exclude_lowercase: p.bool("ExcludeLowercase")?.unwrap_or(false),
        exclude_uppercase: p.bool("ExcludeUppercase")?.unwrap_or(false),
        exclude_numbers: p.bool("ExcludeNumbers")?.unwrap_or(false),
        exclude_punctuation: p.bool("ExcludePunctuation")?.unwrap_or(false),
        include_space: false,
        require_each_included_type: p.bool("RequireEachIncludedType")?.unwrap_or(true),
    };
    let password = call
        .service
        .random()
        .password(&policy)
        .map_err(|e| AlibabaError::invalid(e.to_string()))?;
    Ok(Obj::new().str("RandomPassword", password))
}
