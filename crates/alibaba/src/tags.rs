//! Tag rules shared by CreateSecret and the tag operations: keys of 1-128 characters that do
//! not start with `aliyun` or `acs:`, values up to 128, at most 20 tags on a secret.

use crate::error::{AliResult, AlibabaError};
use crate::params::Params;
use localsecrets_core::{Cloud, Tag};
use serde_json::{Map, Value};

/// How many tags a secret (and so one request) may carry.
pub fn max_tags() -> usize {
    Cloud::Alibaba.dialect().max_tags
}

pub(crate) fn check(key: &str, value: &str) -> AliResult<()> {
    if key.is_empty() || key.chars().count() > 128 {
        return Err(AlibabaError::invalid(format!(
            "The tag key \"{key}\" is invalid: use 1 to 128 characters."
        )));
    }
    let lower = key.to_ascii_lowercase();
    if lower.starts_with("aliyun") || lower.starts_with("acs:") {
        return Err(AlibabaError::invalid(format!(
            "The tag key \"{key}\" is invalid: tag keys cannot start with aliyun or acs:."
        )));
    }
    if value.chars().count() > 128 {
        return Err(AlibabaError::invalid(format!(
            "The value of tag \"{key}\" is too long: at most 128 characters."
        )));
    }
    Ok(())
}

/// `[{"TagKey":"k","TagValue":"v"}]` from a JSON-text parameter (CreateSecret, TagResource).
pub fn from_json(p: &Params, param: &str) -> AliResult<Option<Vec<Tag>>> {
    let shape = r#"[{"TagKey":"k","TagValue":"v"}]"#;
    let Some(items) = p.json::<Vec<Map<String, Value>>>(param, shape)? else {
        return Ok(None);
    };
    let mut tags = Vec::with_capacity(items.len());
    for item in &items {
        let key = item.get("TagKey").and_then(Value::as_str);
        let value = item.get("TagValue").and_then(Value::as_str).unwrap_or("");
        let Some(key) = key else {
            return Err(AlibabaError::invalid(format!(
                "Every tag in {param} needs a TagKey: {shape}."
            )));
        };
        check(key, value)?;
        tags.push(Tag {
            key: key.to_owned(),
            value: value.to_owned(),
        });
    }
    dedupe_and_cap(tags).map(Some)
}

/// `Tag.N.Key` / `Tag.N.Value` (TagResources, ListTagResources).
pub fn from_pairs(p: &Params) -> AliResult<Vec<Tag>> {
    let mut tags = Vec::new();
    for (key, value) in p.indexed_pairs("Tag", "Key", "Value")? {
        let key =
            key.ok_or_else(|| AlibabaError::invalid("Every Tag.N.Value needs a Tag.N.Key."))?;
        let value = value.unwrap_or_default();
        check(&key, &value)?;
        tags.push(Tag { key, value });
    }
    dedupe_and_cap(tags)
}

/// The last value given for a key wins; more than 20 tags are refused.
fn dedupe_and_cap(tags: Vec<Tag>) -> AliResult<Vec<Tag>> {
    let mut out: Vec<Tag> = Vec::new();
    for t in tags {
        match out.iter_mut().find(|o| o.key == t.key) {
            Some(o) => o.value = t.value,
            None => out.push(t),
        }
    }
    if out.len() > max_tags() {
        return Err(AlibabaError::invalid(format!(
            "At most {} tags can be given at once.",
            max_tags()
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    #[test]
    fn json_tags() {
        let p = Params::from_pairs([(
            "Tags",
            r#"[{"TagKey":"env","TagValue":"dev"},{"TagKey":"env","TagValue":"prod"}]"#,
        )]);
        assert_eq!(
            from_json(&p, "Tags").unwrap(),
            Some(vec![Tag {
                key: "env".into(),
                value: "prod".into()
            }])
        );
        for bad in [
            r#"[{"TagValue":"x"}]"#,
            r#"[{"TagKey":"acs:x","TagValue":"x"}]"#,
            r#"[{"TagKey":"Aliyun-x","TagValue":"x"}]"#,
            r#"[{"TagKey":"","TagValue":"x"}]"#,
            r#"{"TagKey":"k"}"#,
        ] {
            let p = Params::from_pairs([("Tags", bad)]);
            assert_eq!(
                from_json(&p, "Tags").unwrap_err().code,
                Code::InvalidParameter,
                "{bad}"
            );
        }
        let many: Vec<String> = (0..21)
            .map(|i| format!(r#"{{"TagKey":"k{i}","TagValue":"v"}}"#))
            .collect();
        let p = Params::from_pairs([("Tags", format!("[{}]", many.join(",")).as_str())]);
        assert!(from_json(&p, "Tags").is_err());
    }

    #[test]
    fn indexed_tags() {
        let p = Params::from_pairs([
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "dev"),
            ("Tag.2.Key", "team"),
        ]);
        assert_eq!(
            from_pairs(&p).unwrap(),
            vec![
                Tag {
                    key: "env".into(),
                    value: "dev".into()
                },
                Tag {
                    key: "team".into(),
                    value: String::new()
                }
            ]
        );
        let p = Params::from_pairs([("Tag.1.Value", "dev")]);
        assert!(from_pairs(&p).is_err());
    }
}
