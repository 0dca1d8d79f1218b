//! GetRandomPassword: a password from the shared random source under AWS's options
//! (32 characters of every class by default).

use crate::call::Call;
use crate::error::{AwsError, AwsResult};
use crate::json::Len;
use localsecrets_core::PasswordPolicy;
use serde_json::{json, Value};

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let d = PasswordPolicy::default();
    let policy = PasswordPolicy {
        length: i.int("PasswordLength", Some(1), Some(4096))?.unwrap_or(32) as usize,
        exclude_characters: i
            .str("ExcludeCharacters", Len(0, 4096))?
            .unwrap_or_default(),
        exclude_lowercase: i.bool("ExcludeLowercase")?.unwrap_or(d.exclude_lowercase),
        exclude_uppercase: i.bool("ExcludeUppercase")?.unwrap_or(d.exclude_uppercase),
        exclude_numbers: i.bool("ExcludeNumbers")?.unwrap_or(d.exclude_numbers),
        exclude_punctuation: i
            .bool("ExcludePunctuation")?
            .unwrap_or(d.exclude_punctuation),
        include_space: i.bool("IncludeSpace")?.unwrap_or(d.include_space),
        require_each_included_type: i
            .bool("RequireEachIncludedType")?
            .unwrap_or(d.require_each_included_type),
    };
    let password = call
        .service
        .random()
        .password(&policy)
        .map_err(|e| AwsError::InvalidParameter(e.to_string()))?;
    Ok(json!({ "RandomPassword": password }))
}
