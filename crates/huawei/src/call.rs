//! One request on its way through an operation: the scope it addresses, its body and query,
//! and the checks every operation shares.

use crate::error::{HuaweiError, HwResult};
use localsecrets_api::{Request, RotationFunctions};
use localsecrets_core::{Access, Scope, Secret, SecretRef, Service};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub struct Call<'a> {
    pub svc: &'a Service,
    pub req: &'a Request,
    pub scope: Scope,
    /// The project id of project-level operations.
    pub project: Option<String>,
    /// User rotation functions (`rotation_func_urn`).
    pub functions: &'a dyn RotationFunctions,
}

impl<'a> Call<'a> {
    /// The body as JSON, which must be an object. An absent body is an error when `required`,
    /// otherwise `{}`.
    fn object(&self, required: bool) -> HwResult<Value> {
        if let Some(ct) = self.req.content_type() {
            if !ct.is_empty() && ct != "application/json" {
                return Err(HuaweiError::body(format!(
                    "The Content-Type {ct} is not supported: send application/json."
                )));
            }
        }
        let body = &self.req.body;
        if body.iter().all(u8::is_ascii_whitespace) {
            return if required {
                Err(HuaweiError::body(
                    "The request body is empty: a JSON object is expected.",
                ))
            } else {
                Ok(Value::Object(Default::default()))
            };
        }
        let v: Value = serde_json::from_slice(body)
            .map_err(|e| HuaweiError::body(format!("The request body is not valid JSON: {e}.")))?;
        if !v.is_object() {
            return Err(HuaweiError::body("The request body must be a JSON object."));
        }
        Ok(v)
    }

    fn decode<T: DeserializeOwned>(v: Value) -> HwResult<T> {
        serde_json::from_value(v)
            .map_err(|e| HuaweiError::invalid(format!("Invalid request body: {e}.")))
    }

    /// A required JSON object body.
    pub fn body<T: DeserializeOwned>(&self) -> HwResult<T> {
        Self::decode(self.object(true)?)
    }

    /// A JSON object body whose every field is optional; an absent body means `{}`.
    pub fn body_or_default<T: DeserializeOwned>(&self) -> HwResult<T> {
        Self::decode(self.object(false)?)
    }

    pub fn query(&self, name: &str) -> Option<String> {
        self.req
            .query_pairs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// A query parameter that must be an integer within `range`, if given.
    pub fn query_int(
        &self,
        name: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> HwResult<Option<i64>> {
        match self.query(name) {
            None => Ok(None),
            Some(v) => parse_int(name, &v, range).map(Some),
        }
    }

    /// Reads a secret.
    pub fn secret(&self, r: SecretRef<'_>, access: Access) -> HwResult<Secret> {
        self.svc
            .describe(&self.scope, r, access)
            .map_err(HuaweiError::from)
    }

    pub fn project(&self) -> &str {
        self.project.as_deref().unwrap_or_default()
    }
}

pub fn parse_int(name: &str, v: &str, range: std::ops::RangeInclusive<i64>) -> HwResult<i64> {
    v.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            HuaweiError::invalid(format!(
                "The parameter {name} is invalid: {v} is not an integer from {} to {}.",
                range.start(),
                range.end()
            ))
        })
}

/// `^[a-zA-Z0-9_-]{1,64}$`: secret, event and stage names.
pub fn is_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub fn check_name(what: &str, s: &str) -> HwResult<()> {
    if is_name(s) {
        Ok(())
    } else {
        Err(HuaweiError::invalid(format!(
            "The {what} {s:?} is invalid: it must match ^[a-zA-Z0-9_-]{{1,64}}$."
        )))
    }
}

pub fn check_secret_name(s: &str) -> HwResult<()> {
    check_name("secret name", s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a", "db-1_X", &"x".repeat(64)] {
            assert!(is_name(ok), "{ok}");
        }
        for bad in ["", "a b", "a/b", "é", &"x".repeat(65), "a.b"] {
            assert!(!is_name(bad), "{bad}");
        }
    }

    #[test]
    fn ints() {
        assert_eq!(parse_int("limit", "10", 1..=100).unwrap(), 10);
        assert!(parse_int("limit", "0", 1..=100).is_err());
        assert!(parse_int("limit", "ten", 1..=100).is_err());
    }
}
