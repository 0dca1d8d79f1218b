//! Resource policies: a syntax check (a JSON object with a `Statement` whose entries have an
//! `Effect` of Allow or Deny) and the public-access check behind `BlockPublicPolicy` and
//! ValidateResourcePolicy: an Allow for every principal (`"*"`) without a condition.

use crate::error::{AwsError, AwsResult};
use serde_json::Value;

pub const DEFAULT_NAME: &str = "default";

fn malformed() -> AwsError {
    AwsError::MalformedPolicyDocument("This resource policy contains a syntax error.".into())
}

fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => vec![],
    }
}

/// The policy parsed, or `MalformedPolicyDocumentException`.
pub fn parse(policy: &str) -> AwsResult<Value> {
    let doc: Value = serde_json::from_str(policy).map_err(|_| malformed())?;
    if !doc.is_object() {
        return Err(malformed());
    }
    let list = statements(&doc);
    if list.is_empty() {
        return Err(malformed());
    }
    for s in list {
        let effect = s.get("Effect").and_then(Value::as_str);
        if !matches!(effect, Some("Allow" | "Deny")) || !s.is_object() {
            return Err(malformed());
        }
        if s.get("Principal").is_none() && s.get("NotPrincipal").is_none() {
            return Err(malformed());
        }
    }
    Ok(doc)
}

fn is_everyone(principal: &Value) -> bool {
    match principal {
        Value::String(s) => s == "*",
        Value::Array(items) => items.iter().any(is_everyone),
        Value::Object(map) => map.get("AWS").is_some_and(is_everyone),
        _ => false,
    }
}

/// Whether the policy lets anyone in: an unconditioned Allow for principal `*`.
pub fn is_public(doc: &Value) -> bool {
    statements(doc).into_iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some("Allow")
            && s.get("Principal").is_some_and(is_everyone)
            && s.get("Condition").is_none()
    })
}

pub fn public_refused() -> AwsError {
    AwsError::PublicPolicy(
        "This resource policy will grant public access to the secret. Remove the public \
         access, or set BlockPublicPolicy to false."
            .into(),
    )
}

/// Only the default policy can be changed (PolicyName of Put/Delete).
pub fn check_name(name: Option<&str>) -> AwsResult<()> {
    match name {
        None | Some(DEFAULT_NAME) => Ok(()),
        Some(other) => Err(AwsError::InvalidParameter(format!(
            "You can only modify the default resource policy, not {other}."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_and_public_access() {
        let public = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;
        let account = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"*","Resource":"*"}}"#;
        let conditioned = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"1"}}}]}"#;
        assert!(is_public(&parse(public).unwrap()));
        assert!(!is_public(&parse(account).unwrap()));
        assert!(!is_public(&parse(conditioned).unwrap()));
        for bad in [
            "",
            "not json",
            "[]",
            "{}",
            r#"{"Statement":[]}"#,
            r#"{"Statement":[{"Effect":"Maybe","Principal":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow"}]}"#,
        ] {
            assert_eq!(parse(bad), Err(malformed()), "{bad}");
        }
    }

    #[test]
    fn only_the_default_policy_is_writable() {
        assert!(check_name(None).is_ok());
        assert!(check_name(Some("default")).is_ok());
        assert!(matches!(
            check_name(Some("other")),
            Err(AwsError::InvalidParameter(_))
        ));
    }
}
