//! `POST /v1/{project_id}/csms/generate-password`: a random password of `length` (8 to 128,
//! default 32) from the character classes not excluded; `require_each_included_type` puts at
//! least one of each in. `password_policy_name` is accepted and names no stored policy.

use crate::call::Call;
use crate::error::HwResult;
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::PasswordPolicy;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Body {
    #[allow(dead_code)]
    password_policy_name: Option<String>,
    #[serde(default, deserialize_with = "super::int_or_string")]
    length: Option<i64>,
    exclude_characters: Option<String>,
    exclude_lowercase: Option<bool>,
    exclude_uppercase: Option<bool>,
    exclude_numbers: Option<bool>,
    exclude_punctuation: Option<bool>,
    include_space: Option<bool>,
    require_each_included_type: Option<bool>,
}

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let b: Body = call.body_or_default()?;
    let length = super::in_range("length", b.length.unwrap_or(32), 8..=128)? as usize;
    let policy = PasswordPolicy {
        length,
        exclude_characters: b.exclude_characters.unwrap_or_default(),
        exclude_lowercase: b.exclude_lowercase.unwrap_or(false),
        exclude_uppercase: b.exclude_uppercase.unwrap_or(false),
        exclude_numbers: b.exclude_numbers.unwrap_or(false),
        exclude_punctuation: b.exclude_punctuation.unwrap_or(false),
        include_space: b.include_space.unwrap_or(false),
        require_each_included_type: b.require_each_included_type.unwrap_or(false),
    };
    let password = call.svc.random().password(&policy)?;
    Ok(render::ok(json!({ "password": password })))
}
