//! The request's parameters as one flat map, whichever of the three SDK shapes sent them:
//! URL query, `application/x-www-form-urlencoded` body (the body wins a clash) and, for
//! ACS3-signed requests, `Action`/`Version` in the `x-acs-action`/`x-acs-version` headers.
//! Typed readers turn the strings into booleans (any case), integers, JSON-text values,
//! `Key.N` lists and flattened `A.B.C` objects, answering the cloud's error naming the parameter.

use crate::error::{AliResult, AlibabaError};
use localsecrets_api::{http::parse_form, Request};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    map: BTreeMap<String, String>,
    action: Option<String>,
    version: Option<String>,
}

/// The body is form data when it says so, or when it says nothing (curl, older clients).
fn body_is_form(req: &Request) -> bool {
    match req.content_type() {
        Some(ct) => ct == "application/x-www-form-urlencoded",
        None => !req.body.is_empty(),
    }
}

impl Params {
    pub fn from_request(req: &Request) -> Self {
        let mut map: BTreeMap<String, String> = req.query_pairs().into_iter().collect();
        if body_is_form(req) {
            map.extend(parse_form(&String::from_utf8_lossy(&req.body)));
        }
        let nonempty = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let action = nonempty(map.get("Action").map(String::as_str))
            .or_else(|| nonempty(req.header("x-acs-action")));
        let version = nonempty(map.get("Version").map(String::as_str))
            .or_else(|| nonempty(req.header("x-acs-version")));
        Self {
            map,
            action,
            version,
        }
    }

    /// Built from pairs; for tests and for items of JSON lists.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let map: BTreeMap<String, String> = pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Self {
            action: map.get("Action").cloned(),
            version: map.get("Version").cloned(),
            map,
        }
    }

    pub fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }

    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The raw value, empty strings included.
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.map.get(key).map(String::as_str)
    }

    /// A value that is present and not empty.
    pub fn optional(&self, key: &str) -> Option<&str> {
        self.raw(key).filter(|v| !v.is_empty())
    }

    pub fn required(&self, key: &str) -> AliResult<&str> {
        self.optional(key).ok_or_else(|| AlibabaError::missing(key))
    }

    pub fn bool(&self, key: &str) -> AliResult<Option<bool>> {
        match self.optional(key) {
            None => Ok(None),
            Some(v) => parse_bool(v).map(Some).ok_or_else(|| {
                AlibabaError::invalid(format!(
                    "The parameter {key} must be true or false, not \"{v}\"."
                ))
            }),
        }
    }

    pub fn int(&self, key: &str, range: RangeInclusive<i64>) -> AliResult<Option<i64>> {
        match self.optional(key) {
            None => Ok(None),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if range.contains(&n) => Ok(Some(n)),
                _ => Err(AlibabaError::invalid(format!(
                    "The parameter {key} must be an integer from {} to {}, not \"{v}\".",
                    range.start(),
                    range.end()
                ))),
            },
        }
    }

    /// A JSON-text parameter (`Tags`, `Filters`, `ExtendedConfig`, `VersionStages`…).
    pub fn json<T: DeserializeOwned>(&self, key: &str, shape: &str) -> AliResult<Option<T>> {
        match self.optional(key) {
            None => Ok(None),
            Some(v) => serde_json::from_str(v).map(Some).map_err(|_| {
                AlibabaError::invalid(format!(
                    "The parameter {key} must be JSON text of the form {shape}."
                ))
            }),
        }
    }

    /// `Key.1`, `Key.2`, … in index order; a bare `Key` holding a JSON string array is also
    /// accepted (the raw API's documented form).
    pub fn indexed(&self, key: &str) -> AliResult<Vec<String>> {
        let mut items: Vec<(u32, String)> = Vec::new();
        for (k, v) in self.prefixed(key) {
            let n = index(key, k)?;
            items.push((n, v.to_owned()));
        }
        if items.is_empty() {
            if let Some(list) = self.json::<Vec<String>>(key, "[\"a\",\"b\"]")? {
                return Ok(list);
            }
        }
        items.sort_by_key(|(n, _)| *n);
        Ok(items.into_iter().map(|(_, v)| v).collect())
    }

    /// `Tag.N.Key` / `Tag.N.Value` pairs in index order (missing halves are `None`); a bare
    /// `Tag` holding `[{"Key":..,"Value":..}]` is also accepted.
    pub fn indexed_pairs(
        &self,
        key: &str,
        first: &str,
        second: &str,
    ) -> AliResult<Vec<(Option<String>, Option<String>)>> {
        let mut items: BTreeMap<u32, (Option<String>, Option<String>)> = BTreeMap::new();
        for (k, v) in self.prefixed(key) {
            let rest = &k[key.len() + 1..];
            let (n, field) = rest.split_once('.').ok_or_else(|| {
                AlibabaError::invalid(format!(
                    "The parameter {k} must be {key}.N.{first} or {key}.N.{second}."
                ))
            })?;
            let n = index(key, &format!("{key}.{n}"))?;
            let slot = items.entry(n).or_default();
            if field == first {
                slot.0 = Some(v.to_owned());
            } else if field == second {
                slot.1 = Some(v.to_owned());
            } else {
                return Err(AlibabaError::invalid(format!(
                    "The parameter {k} must be {key}.N.{first} or {key}.N.{second}."
                )));
            }
        }
        if items.is_empty() {
            if let Some(list) =
                self.json::<Vec<Map<String, Value>>>(key, "[{\"Key\":\"k\",\"Value\":\"v\"}]")?
            {
                let text = |m: &Map<String, Value>, f: &str| {
                    m.get(f).and_then(Value::as_str).map(str::to_owned)
                };
                return Ok(list
                    .iter()
                    .map(|m| (text(m, first), text(m, second)))
                    .collect());
            }
        }
        Ok(items.into_values().collect())
    }

    /// An object sent flattened (`ExtendedConfig.CustomData.k=v`, nested keys joined by `.`)
    /// or as JSON text in the parameter itself (`ExtendedConfig.CustomData={"k":"v"}`).
    pub fn object(&self, key: &str) -> AliResult<Option<Map<String, Value>>> {
        let mut out = match self.optional(key) {
            Some(_) => self.json::<Map<String, Value>>(key, "{\"k\":\"v\"}")?,
            None => None,
        };
        for (k, v) in self.prefixed(key) {
            let path: Vec<&str> = k[key.len() + 1..].split('.').collect();
            if path.iter().any(|p| p.is_empty()) {
                return Err(AlibabaError::invalid(format!(
                    "The parameter {k} is not a valid field path."
                )));
            }
            insert_path(out.get_or_insert_with(Map::new), &path, v);
        }
        Ok(out)
    }

    /// Every `key.<rest>` entry.
    fn prefixed<'a>(&'a self, key: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.map
            .iter()
            .filter(move |(k, _)| {
                k.len() > key.len() + 1 && k.starts_with(key) && k.as_bytes()[key.len()] == b'.'
            })
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

fn index(key: &str, full: &str) -> AliResult<u32> {
    full[key.len() + 1..]
        .parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            AlibabaError::invalid(format!(
                "The parameter {full} must be {key}.N with N from 1."
            ))
        })
}

fn insert_path(map: &mut Map<String, Value>, path: &[&str], value: &str) {
    match path {
        [] => {}
        [last] => {
            map.insert((*last).to_owned(), Value::String(value.to_owned()));
        }
        [first, rest @ ..] => {
            let child = map
                .entry((*first).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !child.is_object() {
                *child = Value::Object(Map::new());
            }
            if let Value::Object(m) = child {
                insert_path(m, rest, value);
            }
        }
    }
}

/// `true`/`false` in any case: the Python Tea SDK sends `True`/`False`.
pub fn parse_bool(s: &str) -> Option<bool> {
    if s.trim().eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.trim().eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    #[test]
    fn booleans_in_any_case() {
        let p = Params::from_pairs([
            ("A", "True"),
            ("B", "false"),
            ("C", "TRUE"),
            ("D", "yes"),
            ("E", ""),
        ]);
        assert_eq!(p.bool("A").unwrap(), Some(true));
        assert_eq!(p.bool("B").unwrap(), Some(false));
        assert_eq!(p.bool("C").unwrap(), Some(true));
        assert_eq!(p.bool("E").unwrap(), None);
        assert_eq!(p.bool("Z").unwrap(), None);
        let e = p.bool("D").unwrap_err();
        assert_eq!(e.code, Code::InvalidParameter);
        assert!(e.message.contains("D"));
    }

    #[test]
    fn required_and_integers() {
        let p = Params::from_pairs([("PageSize", "101"), ("PageNumber", "2"), ("Empty", "")]);
        assert_eq!(p.int("PageNumber", 1..=i64::MAX).unwrap(), Some(2));
        assert_eq!(
            p.int("PageSize", 1..=100).unwrap_err().code,
            Code::InvalidParameter
        );
        let e = p.required("Empty").unwrap_err();
        assert_eq!(e.code, Code::MissingParameter);
        assert!(e.message.contains("\"Empty\""), "{}", e.message);
    }

    #[test]
    fn indexed_lists_sort_by_index_and_accept_json() {
        let p = Params::from_pairs([
            ("ResourceId.10", "j"),
            ("ResourceId.2", "b"),
            ("ResourceId.1", "a"),
        ]);
        assert_eq!(p.indexed("ResourceId").unwrap(), vec!["a", "b", "j"]);
        let p = Params::from_pairs([("ResourceId", r#"["x","y"]"#)]);
        assert_eq!(p.indexed("ResourceId").unwrap(), vec!["x", "y"]);
        let p = Params::from_pairs([("ResourceId.0", "a")]);
        assert!(p.indexed("ResourceId").is_err());
        assert!(Params::default().indexed("ResourceId").unwrap().is_empty());
        // A different parameter sharing the prefix is not part of the list.
        let p = Params::from_pairs([("ResourceIdX", "a")]);
        assert!(p.indexed("ResourceId").unwrap().is_empty());
    }

    #[test]
    fn indexed_pairs() {
        let p = Params::from_pairs([
            ("Tag.2.Key", "k2"),
            ("Tag.1.Value", "v1"),
            ("Tag.1.Key", "k1"),
        ]);
        assert_eq!(
            p.indexed_pairs("Tag", "Key", "Value").unwrap(),
            vec![
                (Some("k1".into()), Some("v1".into())),
                (Some("k2".into()), None)
            ]
        );
        let p = Params::from_pairs([("Tag", r#"[{"Key":"a","Value":"b"}]"#)]);
        assert_eq!(
            p.indexed_pairs("Tag", "Key", "Value").unwrap(),
            vec![(Some("a".into()), Some("b".into()))]
        );
        assert!(Params::from_pairs([("Tag.1.Colour", "x")])
            .indexed_pairs("Tag", "Key", "Value")
            .is_err());
    }

    #[test]
    fn flattened_and_json_objects() {
        let p = Params::from_pairs([
            ("ExtendedConfig.CustomData.k", "v"),
            ("ExtendedConfig.CustomData.n.deep", "1"),
        ]);
        assert_eq!(
            Value::Object(p.object("ExtendedConfig.CustomData").unwrap().unwrap()),
            serde_json::json!({"k": "v", "n": {"deep": "1"}})
        );
        let p = Params::from_pairs([("ExtendedConfig.CustomData", r#"{"k":"v"}"#)]);
        assert_eq!(
            Value::Object(p.object("ExtendedConfig.CustomData").unwrap().unwrap()),
            serde_json::json!({"k": "v"})
        );
        assert!(Params::from_pairs([("ExtendedConfig.CustomData", "[1]")])
            .object("ExtendedConfig.CustomData")
            .is_err());
        assert_eq!(Params::default().object("X").unwrap(), None);
    }

    #[test]
    fn json_text_errors_name_the_parameter() {
        let p = Params::from_pairs([("Tags", "[{")]);
        let e = p.json::<Value>("Tags", "[..]").unwrap_err();
        assert_eq!(e.code, Code::InvalidParameter);
        assert!(e.message.contains("Tags"));
    }
}
