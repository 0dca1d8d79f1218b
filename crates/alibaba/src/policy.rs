//! Secret policies: JSON of at most 32768 bytes with `"Version":"1"` and a `Statement` list.
//! They are stored and returned; access decisions are not made from them.

use crate::error::{AliResult, AlibabaError};
use serde_json::{json, Value};

pub const MAX_POLICY: usize = 32_768;

/// Validates a policy document and returns it as sent.
pub fn check(policy: &str) -> AliResult<String> {
    if policy.len() > MAX_POLICY {
        return Err(AlibabaError::invalid(format!(
            "The parameter Policy is too long: at most {MAX_POLICY} bytes."
        )));
    }
    let bad = |why: &str| AlibabaError::invalid(format!("The parameter Policy is invalid: {why}."));
    let v: Value = serde_json::from_str(policy).map_err(|_| bad("it must be a JSON object"))?;
    let obj = v
        .as_object()
        .ok_or_else(|| bad("it must be a JSON object"))?;
    if obj.get("Version").and_then(Value::as_str) != Some("1") {
        return Err(bad("Version must be \"1\""));
    }
    let statements = obj
        .get("Statement")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("Statement must be a list"))?;
    for s in statements {
        match s.get("Effect").and_then(Value::as_str) {
            Some("Allow" | "Deny") => {}
            _ => return Err(bad("every statement needs Effect Allow or Deny")),
        }
    }
    Ok(policy.to_owned())
}

/// The policy a secret has until one is set: the owning account may do everything.
pub fn default_policy(account: &str) -> String {
    json!({
        "Version": "1",
        "Statement": [{
            "Sid": "kms default secret policy",
            "Effect": "Allow",
            "Principal": {"RAM": [format!("acs:ram::{account}:*")]},
            "Action": ["kms:*"],
            "Resource": ["*"]
        }]
    })
    .to_string()
}

/// `PolicyName` may only be `default`.
pub fn check_name(name: Option<&str>) -> AliResult<()> {
    match name {
        None | Some("default") => Ok(()),
        Some(other) => Err(AlibabaError::invalid(format!(
            "The parameter PolicyName \"{other}\" is invalid: the only policy name is default."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies() {
        let ok = r#"{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1:*"]},"Action":["kms:*"],"Resource":["*"]}]}"#;
        assert_eq!(check(ok).unwrap(), ok);
        assert!(check(&default_policy("1234567890123456")).is_ok());
        for bad in [
            "nope",
            "[]",
            r#"{"Version":"2","Statement":[]}"#,
            r#"{"Version":"1"}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Maybe"}]}"#,
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
        assert!(check(&format!(
            r#"{{"Version":"1","Statement":[],"x":"{}"}}"#,
            "a".repeat(MAX_POLICY)
        ))
        .is_err());
        assert!(check_name(None).is_ok());
        assert!(check_name(Some("default")).is_ok());
        assert!(check_name(Some("custom")).is_err());
    }
}
