//! `POST …/secrets/{secret_name}/rotate`: rotates now. The new version `vN` gets a generated
//! password in place of the old one (a JSON value keeps its other fields), becomes SYSCURRENT
//! and the old current version SYSPREVIOUS; the rotation is recorded as a task. Shared
//! (`COMMON`) secrets rotate only when they name a `rotation_func_urn`.
//!
//! Answers the current SDK's flat `{"version_id", "secret_name", "rotation_task_id"}` (the
//! older documented `{"rotate": {…}}` parses to nothing in the SDK).

use crate::call::{check_secret_name, Call};
use crate::error::HwResult;
use crate::meta::HuaweiMeta;
use crate::records::{self, Task};
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::dialect::HUAWEI;
use localsecrets_core::random::PUNCTUATION;
use localsecrets_core::{
    rotation, Access, CoreResult, PasswordPolicy, Random, RotateRequest, Secret, SecretRef,
    SecretValue,
};
use serde_json::{json, Value};

/// Secret types the service rotates with its own function.
pub const SELF_ROTATING: [&str; 3] = ["RDS", "RDS-FG", "GaussDB-FG"];

/// Special characters RDS and GaussDB accept in passwords.
const DB_SPECIALS: &str = "~!@#%^*-_=+?";

pub fn policy() -> PasswordPolicy {
    PasswordPolicy {
        length: 16,
        exclude_characters: PUNCTUATION
            .chars()
            .filter(|c| !DB_SPECIALS.contains(*c))
            .collect(),
        require_each_included_type: true,
        ..Default::default()
    }
}

/// The field of a JSON value that holds the password: `password` (any case), `passwd`, `pwd`,
/// or the first key containing "password"; `password` when there is none.
pub fn password_field(value: Option<&SecretValue>) -> String {
    let keys: Vec<String> = value
        .and_then(SecretValue::as_text)
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
        .and_then(|v| v.as_object().map(|m| m.keys().cloned().collect()))
        .unwrap_or_default();
    let lower = |k: &String| k.to_ascii_lowercase();
    keys.iter()
        .find(|k| matches!(lower(k).as_str(), "password" | "passwd" | "pwd"))
        .or_else(|| keys.iter().find(|k| lower(k).contains("password")))
        .cloned()
        .unwrap_or_else(|| "password".to_owned())
}

/// The rotated value. Single-user rotation resets the current account's password;
/// multi-user rotation resets the other account (the SYSPREVIOUS one), which then becomes
/// current.
pub fn generate(s: &Secret, rnd: &Random) -> CoreResult<SecretValue> {
    let multi = HuaweiMeta::read(s).sub_type().as_deref() == Some("MultiUser");
    let base = if multi {
        s.holder(HUAWEI.previous)
            .or_else(|| s.holder(HUAWEI.current))
    } else {
        s.holder(HUAWEI.current)
    }
    .map(|v| &v.value);
    let password = rnd.password(&policy())?;
    Ok(rotation::replace_password(
        base,
        &password_field(base),
        password,
    ))
}

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    let s = call.secret(SecretRef::Name(name), Access::Live)?;
    let w = call.svc.rotate(
        &call.scope,
        SecretRef::Name(name),
        RotateRequest {
            version_id: None,
            configure: None,
            require_function: !SELF_ROTATING.contains(&s.secret_type.as_str()),
            immediately: true,
            generate: &generate,
        },
    )?;
    let version_id = w.version_id.unwrap_or_default();
    // The task was written with the rotation, by the observer.
    let task = call
        .read(|tx| records::all::<Task, _>(tx, &call.scope, records::TASK))?
        .into_iter()
        .map(|(_, t)| t)
        .rfind(|t| t.secret_name == name && t.version_id == version_id);
    Ok(render::ok(json!({
        "version_id": version_id,
        "secret_name": name,
        "rotation_task_id": task.map(|t| t.task_id),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_fields() {
        let t = |s: &str| password_field(Some(&SecretValue::Text(s.into())));
        assert_eq!(t(r#"{"username":"u","password":"p"}"#), "password");
        assert_eq!(t(r#"{"user":"u","passwd":"p"}"#), "passwd");
        assert_eq!(t(r#"{"user":"u","Password":"p"}"#), "Password");
        assert_eq!(
            t(r#"{"user":"u","db_password_main":"p"}"#),
            "db_password_main"
        );
        assert_eq!(t(r#"{"user":"u"}"#), "password");
        assert_eq!(t("plain"), "password");
        assert_eq!(password_field(None), "password");
    }

    #[test]
    fn generated_passwords_suit_databases() {
        let r = Random::seeded(3);
        for _ in 0..50 {
            let p = r.password(&policy()).unwrap();
            assert_eq!(p.len(), 16);
            assert!(p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || DB_SPECIALS.contains(c)));
            assert!(p.chars().any(|c| DB_SPECIALS.contains(c)));
        }
    }
}
