//! Reading a request body against the service model: a member of the wrong JSON type is a
//! `SerializationException`, a member outside its constraints (length, range, list size,
//! required) a `ValidationException` worded as AWS words it. `null` counts as absent and
//! unknown members are ignored, as AWS does. Sensitive members are never echoed.

use crate::error::{AwsError, AwsResult};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value};

/// A JSON object from the request, with the path used in validation messages.
#[derive(Clone, Debug, Default)]
pub struct Input {
    map: Map<String, Value>,
    path: String,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL_VALUE",
        Value::Bool(_) => "BOOLEAN_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::String(_) => "STRING_VALUE",
        Value::Array(_) => "Start of list",
        Value::Object(_) => "Start of structure or map",
    }
}

fn wrong_type(v: &Value, expected: &str) -> AwsError {
    match v {
        Value::Array(_) | Value::Object(_) => {
            AwsError::Serialization(format!("{} found where not expected", kind(v)))
        }
        _ => AwsError::Serialization(format!("{} can not be converted to {expected}", kind(v))),
    }
}

/// `SecretId` → `secretId`, the member naming of AWS validation messages.
fn member(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn violation(value: Option<&str>, at: &str, constraint: &str) -> AwsError {
    let value = match value {
        Some(v) => format!("Value '{v}' at"),
        None => "Value at".to_owned(),
    };
    AwsError::Validation(format!(
        "1 validation error detected: {value} '{at}' failed to satisfy constraint: {constraint}"
    ))
}

fn check_len(value: &str, shown: Option<&str>, at: &str, min: usize, max: usize) -> AwsResult<()> {
    let n = value.chars().count();
    if n < min {
        return Err(violation(
            shown,
            at,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if n > max {
        return Err(violation(
            shown,
            at,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    Ok(())
}

/// Length limits of a string member.
#[derive(Clone, Copy, Debug)]
pub struct Len(pub usize, pub usize);

impl Input {
    /// The request body; an empty body is an empty object.
    pub fn parse(body: &[u8]) -> AwsResult<Self> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        let value: Value = serde_json::from_slice(body).map_err(|_| {
            AwsError::Serialization("The request body could not be parsed as JSON.".into())
        })?;
        match value {
            Value::Object(map) => Ok(Self {
                map,
                path: String::new(),
            }),
            other => Err(wrong_type(&other, "a structure")),
        }
    }

    #[cfg(test)]
    pub fn from_value(v: Value) -> Self {
        match v {
            Value::Object(map) => Self {
                map,
                path: String::new(),
            },
            _ => Self::default(),
        }
    }

    /// Where a member sits, as AWS names it in validation messages: list items are
    /// `<list>.<n>.member` (`filters.1.member.key`).
    pub fn at(&self, field: &str) -> String {
        if self.path.is_empty() {
            member(field)
        } else {
            format!("{}.{}", self.path, member(field))
        }
    }

    fn get(&self, field: &str) -> Option<&Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    /// A field as given, unchecked (what the request journal names).
    pub fn raw(&self, field: &str) -> Option<&Value> {
        self.get(field)
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    fn missing(&self, field: &str) -> AwsError {
        AwsError::Validation(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: \
             Member must not be null",
            self.at(field)
        ))
    }

    fn raw_str(&self, field: &str) -> AwsResult<Option<&str>> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(wrong_type(v, "String")),
        }
    }

    pub fn str(&self, field: &str, len: Len) -> AwsResult<Option<String>> {
        let Some(s) = self.raw_str(field)? else {
            return Ok(None);
        };
        check_len(s, Some(s), &self.at(field), len.0, len.1)?;
        Ok(Some(s.to_owned()))
    }

    pub fn req_str(&self, field: &str, len: Len) -> AwsResult<String> {
        self.str(field, len)?.ok_or_else(|| self.missing(field))
    }

    /// A sensitive string: checked like any other, never quoted back.
    pub fn secret_str(&self, field: &str, len: Len) -> AwsResult<Option<String>> {
        let Some(s) = self.raw_str(field)? else {
            return Ok(None);
        };
        check_len(s, None, &self.at(field), len.0, len.1)?;
        Ok(Some(s.to_owned()))
    }

    /// A string that must be one of `allowed`.
    pub fn enum_str(&self, field: &str, allowed: &[&str]) -> AwsResult<Option<String>> {
        let Some(s) = self.raw_str(field)? else {
            return Ok(None);
        };
        if !allowed.contains(&s) {
            return Err(violation(
                Some(s),
                &self.at(field),
                &format!(
                    "Member must satisfy enum value set: [{}]",
                    allowed.join(", ")
                ),
            ));
        }
        Ok(Some(s.to_owned()))
    }

    /// A sensitive blob, base64 in JSON.
    pub fn blob(&self, field: &str, len: Len) -> AwsResult<Option<Vec<u8>>> {
        let Some(s) = self.raw_str(field)? else {
            return Ok(None);
        };
        let bytes = STANDARD.decode(s.trim()).map_err(|_| {
            AwsError::Serialization(format!(
                "Base64 encoded value at '{}' could not be decoded",
                self.at(field)
            ))
        })?;
        let n = bytes.len();
        if n < len.0 || n > len.1 {
            let bound = if n < len.0 {
                format!("Member must have length greater than or equal to {}", len.0)
            } else {
                format!("Member must have length less than or equal to {}", len.1)
            };
            return Err(violation(None, &self.at(field), &bound));
        }
        Ok(Some(bytes))
    }

    pub fn bool(&self, field: &str) -> AwsResult<Option<bool>> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(wrong_type(v, "Boolean")),
        }
    }

    /// An integer member within `min..=max` (either bound optional).
    pub fn int(&self, field: &str, min: Option<i64>, max: Option<i64>) -> AwsResult<Option<i64>> {
        let n = match self.get(field) {
            None => return Ok(None),
            Some(Value::Number(n)) => n,
            Some(v) => return Err(wrong_type(v, "Long")),
        };
        let Some(n) = n.as_i64() else {
            return Err(AwsError::Serialization(format!(
                "NUMBER_VALUE at '{}' can not be converted to Long",
                self.at(field)
            )));
        };
        let shown = n.to_string();
        if let Some(min) = min.filter(|m| n < *m) {
            return Err(violation(
                Some(&shown),
                &self.at(field),
                &format!("Member must have value greater than or equal to {min}"),
            ));
        }
        if let Some(max) = max.filter(|m| n > *m) {
            return Err(violation(
                Some(&shown),
                &self.at(field),
                &format!("Member must have value less than or equal to {max}"),
            ));
        }
        Ok(Some(n))
    }

    fn list(&self, field: &str, size: Len) -> AwsResult<Option<&Vec<Value>>> {
        let items = match self.get(field) {
            None => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(v) => return Err(wrong_type(v, "a list")),
        };
        if items.len() < size.0 {
            return Err(violation(
                None,
                &self.at(field),
                &format!(
                    "Member must have length greater than or equal to {}",
                    size.0
                ),
            ));
        }
        if items.len() > size.1 {
            return Err(violation(
                None,
                &self.at(field),
                &format!("Member must have length less than or equal to {}", size.1),
            ));
        }
        Ok(Some(items))
    }

    /// A list of strings; `size` bounds the list, `item` each string.
    pub fn str_list(&self, field: &str, size: Len, item: Len) -> AwsResult<Option<Vec<String>>> {
        let Some(items) = self.list(field, size)? else {
            return Ok(None);
        };
        let at = self.at(field);
        items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => {
                    check_len(
                        s,
                        Some(s),
                        &format!("{at}.{}.member", i + 1),
                        item.0,
                        item.1,
                    )?;
                    Ok(s.clone())
                }
                other => Err(wrong_type(other, "String")),
            })
            .collect::<AwsResult<Vec<_>>>()
            .map(Some)
    }

    /// A list of structures.
    pub fn objects(&self, field: &str, size: Len) -> AwsResult<Option<Vec<Input>>> {
        let Some(items) = self.list(field, size)? else {
            return Ok(None);
        };
        let at = self.at(field);
        items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::Object(map) => Ok(Input {
                    map: map.clone(),
                    path: format!("{at}.{}.member", i + 1),
                }),
                other => Err(wrong_type(other, "a structure")),
            })
            .collect::<AwsResult<Vec<_>>>()
            .map(Some)
    }

    /// A nested structure.
    pub fn object(&self, field: &str) -> AwsResult<Option<Input>> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Input {
                map: map.clone(),
                path: self.at(field),
            })),
            Some(v) => Err(wrong_type(v, "a structure")),
        }
    }

    pub fn req_objects(&self, field: &str, size: Len) -> AwsResult<Vec<Input>> {
        self.objects(field, size)?
            .ok_or_else(|| self.missing(field))
    }

    pub fn req_str_list(&self, field: &str, size: Len, item: Len) -> AwsResult<Vec<String>> {
        self.str_list(field, size, item)?
            .ok_or_else(|| self.missing(field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code(e: AwsError) -> String {
        use localsecrets_api::WireError;
        e.code().to_owned()
    }

    #[test]
    fn bodies_that_are_not_objects_are_serialization_errors() {
        for body in [&b"{"[..], b"[]", b"\"x\"", b"12", b"{\"a\":}"] {
            let e = Input::parse(body).unwrap_err();
            assert_eq!(code(e), "SerializationException", "{body:?}");
        }
        assert!(!Input::parse(b"").unwrap().has("x"));
        assert!(!Input::parse(b"  \n").unwrap().has("x"));
    }

    #[test]
    fn members_are_checked_against_the_model() {
        let i = Input::from_value(json!({
            "SecretId": 5, "Name": "", "Long": "x".repeat(3), "Flag": "true",
            "Days": 0, "Frac": 1.5, "List": ["ok", 3], "Null": null,
            "Bin": "!!", "Secret": "", "Tags": [{"Key": 1}], "Obj": []
        }));
        let cases: Vec<(AwsResult<()>, &str, &str)> = vec![
            (i.str("SecretId", Len(1, 10)).map(drop), "SerializationException",
             "NUMBER_VALUE can not be converted to String"),
            (i.str("Name", Len(1, 10)).map(drop), "ValidationException",
             "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"),
            (i.str("Long", Len(1, 2)).map(drop), "ValidationException",
             "Value 'xxx' at 'long' failed to satisfy constraint: Member must have length less than or equal to 2"),
            (i.bool("Flag").map(drop), "SerializationException", "STRING_VALUE can not be converted to Boolean"),
            (i.int("Days", Some(1), Some(1000)).map(drop), "ValidationException",
             "Member must have value greater than or equal to 1"),
            (i.int("Frac", None, None).map(drop), "SerializationException", "Long"),
            (i.str_list("List", Len(1, 5), Len(1, 5)).map(drop), "SerializationException", "NUMBER_VALUE"),
            (i.req_str("Null", Len(1, 5)).map(drop), "ValidationException",
             "Value null at 'null' failed to satisfy constraint: Member must not be null"),
            (i.blob("Bin", Len(1, 5)).map(drop), "SerializationException", "bin"),
            (i.secret_str("Secret", Len(1, 5)).map(drop), "ValidationException",
             "Value at 'secret' failed"),
            (i.objects("Obj", Len(0, 5)).map(drop), "ValidationException", ""),
            (i.object("Obj").map(drop), "SerializationException", "Start of list found where not expected"),
        ];
        for (got, want_code, want_text) in cases {
            match got {
                Err(e) => {
                    assert!(e.message().contains(want_text), "{e:?} vs {want_text}");
                    assert_eq!(code(e), want_code);
                }
                Ok(()) if want_text.is_empty() => {}
                Ok(()) => panic!("expected {want_code}"),
            }
        }
        let tags = i.objects("Tags", Len(0, 5)).unwrap().unwrap();
        let e = tags[0].str("Key", Len(1, 128)).unwrap_err();
        assert_eq!(code(e), "SerializationException");
        let short = Input::from_value(json!({"Tags": [{"Key": ""}]}));
        let e = short.objects("Tags", Len(0, 5)).unwrap().unwrap()[0]
            .str("Key", Len(1, 128))
            .unwrap_err();
        assert!(e.message().contains("at 'tags.1.member.key'"), "{e:?}");
    }

    #[test]
    fn good_members_pass() {
        let i = Input::from_value(json!({
            "S": "abc", "B": true, "N": 7, "L": ["a", "b"], "Bin": "AAEC/w==", "E": "asc"
        }));
        assert_eq!(i.str("S", Len(1, 3)).unwrap().as_deref(), Some("abc"));
        assert_eq!(i.bool("B").unwrap(), Some(true));
        assert_eq!(i.int("N", Some(1), Some(7)).unwrap(), Some(7));
        assert_eq!(
            i.str_list("L", Len(1, 2), Len(1, 1)).unwrap(),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(i.blob("Bin", Len(1, 10)).unwrap(), Some(vec![0, 1, 2, 255]));
        assert_eq!(
            i.enum_str("E", &["asc", "desc"]).unwrap().as_deref(),
            Some("asc")
        );
        assert!(i.enum_str("S", &["asc"]).is_err());
        assert_eq!(i.str("Missing", Len(1, 3)).unwrap(), None);
    }
}
