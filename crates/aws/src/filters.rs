//! ListSecrets / BatchGetSecretValue filters. Filters combine with AND, the values of one
//! filter with OR, and a value starting with `!` negates. `name`, `tag-key`, `tag-value`,
//! `primary-region` and `owning-service` are case-sensitive prefix matches; `description` and
//! `all` break the value into words and need every word to begin some word of the attribute,
//! ignoring case (AWS matches "a secret" against "an secret", not against "asecret"). Words
//! end where AWS's search ends them: at punctuation, where a lower-case letter meets an
//! upper-case one, and between letters and digits ("credsDatabase#892" is creds, database,
//! 892).

use crate::error::{AwsError, AwsResult};
use crate::json::{Input, Len};
use crate::state::AwsState;
use localsecrets_core::{Scope, Secret};

pub const KEYS: &[&str] = &[
    "description",
    "name",
    "tag-key",
    "tag-value",
    "primary-region",
    "owning-service",
    "all",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub key: String,
    pub values: Vec<String>,
}

const VALUE_CHARS: &str = " :_@/+=.-!";

/// Reads the `Filters` member (at most 10 filters of 1–10 values each).
pub fn parse(input: &Input) -> AwsResult<Option<Vec<Filter>>> {
    let Some(items) = input.objects("Filters", Len(0, 10))? else {
        return Ok(None);
    };
    items
        .iter()
        .map(|f| {
            let key = f.enum_str("Key", KEYS)?.ok_or_else(|| {
                AwsError::InvalidParameter("Invalid filter key: a filter needs a Key.".into())
            })?;
            let values = f
                .str_list("Values", Len(1, 10), Len(0, 512))?
                .ok_or_else(|| {
                    AwsError::InvalidParameter(format!(
                        "Invalid filter values for key {key}: a filter needs Values."
                    ))
                })?;
            for v in &values {
                let body = v.strip_prefix('!').unwrap_or(v);
                if !body
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || VALUE_CHARS.contains(c))
                {
                    return Err(AwsError::Validation(format!(
                        "1 validation error detected: Value '{v}' at '{}' failed to \
                         satisfy constraint: Member must satisfy regular expression pattern: \
                         ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$",
                        f.at("Values")
                    )));
                }
            }
            Ok(Filter { key, values })
        })
        .collect::<AwsResult<Vec<_>>>()
        .map(Some)
}

fn words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut last: Option<char> = None;
    for c in s.chars() {
        if !c.is_alphanumeric() {
            last = None;
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        let boundary = last.is_some_and(|p| {
            (p.is_lowercase() && c.is_uppercase()) || (p.is_numeric() != c.is_numeric())
        });
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.extend(c.to_lowercase());
        last = Some(c);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

fn word_match(pattern: &str, attribute: &str) -> bool {
    let pattern = words(pattern);
    let attribute = words(attribute);
    !pattern.is_empty()
        && pattern
            .iter()
            .all(|p| attribute.iter().any(|a| a.starts_with(p.as_str())))
}

fn attributes(key: &str, scope: &Scope, s: &Secret) -> Vec<String> {
    let tags = s.tags.as_deref().unwrap_or_default();
    match key {
        "name" => vec![s.name.clone()],
        "description" => s.description.iter().cloned().collect(),
        "tag-key" => tags.iter().map(|t| t.key.clone()).collect(),
        "tag-value" => tags.iter().map(|t| t.value.clone()).collect(),
        "primary-region" => crate::render::primary_region(scope, &AwsState::of(s))
            .into_iter()
            .collect(),
        "owning-service" => vec![],
        _ => std::iter::once(s.name.clone())
            .chain(s.description.clone())
            .chain(tags.iter().flat_map(|t| [t.key.clone(), t.value.clone()]))
            .collect(),
    }
}

fn value_matches(key: &str, value: &str, attrs: &[String]) -> bool {
    let (negated, pattern) = match value.strip_prefix('!') {
        Some(p) => (true, p),
        None => (false, value),
    };
    let hit = attrs.iter().any(|a| match key {
        "description" | "all" => word_match(pattern, a),
        _ => a.starts_with(pattern),
    });
    hit != negated
}

/// A prefix every name the filters admit starts with, for the store to apply on its name
/// column: the longest common prefix of a `name` filter's values when none is negated (the
/// longest such prefix when there are several `name` filters).
pub fn name_prefix(filters: &[Filter]) -> Option<String> {
    filters
        .iter()
        .filter(|f| f.key == "name" && !f.values.iter().any(|v| v.starts_with('!')))
        .filter_map(|f| {
            let first = f.values.first()?;
            let common = f.values.iter().fold(first.as_str(), |acc, v| {
                let n = acc
                    .char_indices()
                    .zip(v.chars())
                    .find(|((_, a), b)| a != b)
                    .map_or(acc.len().min(v.len()), |((i, _), _)| i);
                &acc[..n]
            });
            (!common.is_empty()).then(|| common.to_owned())
        })
        .max_by_key(String::len)
}

pub fn matches(filters: &[Filter], scope: &Scope, s: &Secret) -> bool {
    filters.iter().all(|f| {
        let attrs = attributes(&f.key, scope, s);
        f.values.iter().any(|v| value_matches(&f.key, v, &attrs))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_core::{Cloud, Tag, Timestamp};

    fn filter(key: &str, values: &[&str]) -> Filter {
        Filter {
            key: key.into(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    #[test]
    fn the_store_gets_a_prefix_every_admitted_name_has() {
        let cases: &[(&[Filter], Option<&str>)] = &[
            (&[filter("name", &["prod/db"])], Some("prod/db")),
            (&[filter("name", &["prod/db", "prod/api"])], Some("prod/")),
            (&[filter("name", &["prod", "dev"])], None),
            (&[filter("name", &["prod", "!prod/old"])], None),
            (&[filter("tag-key", &["prod"])], None),
            (
                &[filter("name", &["a"]), filter("name", &["ab/c", "ab/d"])],
                Some("ab/"),
            ),
        ];
        for (filters, want) in cases {
            assert_eq!(name_prefix(filters).as_deref(), *want, "{filters:?}");
            // Necessary: every name the filters admit starts with it.
            let scope = Scope::new(Cloud::Aws, "1", "r");
            for name in ["prod/db", "prod/api", "prod", "dev", "ab/c", "ab/d", "a"] {
                let s = secret(name, "", &[]);
                if matches(filters, &scope, &s) {
                    assert!(
                        want.is_none_or(|p| name.starts_with(p)),
                        "{name} {filters:?}"
                    );
                }
            }
        }
    }

    fn secret(name: &str, description: &str, tags: &[(&str, &str)]) -> Secret {
        Secret {
            description: Some(description.into()),
            tags: Some(
                tags.iter()
                    .map(|(k, v)| Tag {
                        key: (*k).into(),
                        value: (*v).into(),
                    })
                    .collect(),
            ),
            ..Secret::new(name, name, "AbCdEf", Timestamp::from_secs(0))
        }
    }

    fn f(key: &str, values: &[&str]) -> Filter {
        Filter {
            key: key.into(),
            values: values.iter().map(|v| (*v).into()).collect(),
        }
    }

    /// The recorded AWS cases: four secrets, which ones each filter keeps.
    #[test]
    fn recorded_filter_semantics() {
        let scope = Scope::new(Cloud::Aws, "1", "us-east-1");
        let all = [
            secret("testing1/one-1", "a secret", &[]),
            secret("/testing2/two-1", "an secret", &[]),
            secret("testing3/three-1", "asecret", &[]),
            secret("/testing4/four-1", "thesecret", &[("Env", "Prod")]),
        ];
        let cases: Vec<(Vec<Filter>, Vec<usize>)> = vec![
            (vec![f("name", &["/"])], vec![1, 3]),
            (vec![f("name", &["!/"])], vec![0, 2]),
            (vec![f("name", &["testing1 one"])], vec![]),
            (vec![f("description", &["a"])], vec![0, 1, 2]),
            (vec![f("description", &["!a"])], vec![3]),
            (vec![f("description", &["a secret"])], vec![0, 1]),
            (vec![f("description", &["A"])], vec![0, 1, 2]),
            (vec![f("description", &["!c"])], vec![0, 1, 2, 3]),
            (
                vec![f("description", &["a"]), f("name", &["secret"])],
                vec![],
            ),
            (vec![f("name", &["testing1", "/testing2"])], vec![0, 1]),
            (vec![f("tag-key", &["Env"])], vec![3]),
            (vec![f("tag-key", &["env"])], vec![]),
            (vec![f("tag-value", &["Pro"])], vec![3]),
            (vec![f("all", &["prod"])], vec![3]),
            (vec![f("all", &["testing3"])], vec![2]),
            // None of them is replicated, so none has a primary region.
            (vec![f("primary-region", &["us-east"])], vec![]),
            (vec![f("primary-region", &["!us-east"])], vec![0, 1, 2, 3]),
        ];
        for (filters, want) in cases {
            let got: Vec<usize> = all
                .iter()
                .enumerate()
                .filter(|(_, s)| matches(&filters, &scope, s))
                .map(|(i, _)| i)
                .collect();
            assert_eq!(got, want, "{filters:?}");
        }
    }

    #[test]
    fn words_end_where_aws_search_ends_them() {
        assert_eq!(words("credsDatabase#892"), ["creds", "database", "892"]);
        assert_eq!(words("prod/AppBeta/x"), ["prod", "app", "beta", "x"]);
        assert_eq!(words("DescTwo v2beta"), ["desc", "two", "v", "2", "beta"]);
        assert_eq!(words("HTTPServer"), ["httpserver"]);
        let scope = Scope::new(Cloud::Aws, "1", "us-east-1");
        let s = secret("prod/AppBeta/x", "DescTwo", &[("CostCenter", "42a")]);
        for (key, value, hit) in [
            ("all", "Beta", true),
            ("all", "appbeta", false),
            ("all", "app Beta", true),
            ("all", "center", true),
            ("all", "42", true),
            ("description", "two", true),
            ("description", "desc two", true),
            ("description", "esc", false),
            ("description", "!two", false),
        ] {
            assert_eq!(
                matches(&[f(key, &[value])], &scope, &s),
                hit,
                "{key}:{value}"
            );
        }
    }

    #[test]
    fn parsing_checks_keys_and_values() {
        let ok = Input::from_value(
            serde_json::json!({"Filters": [{"Key": "name", "Values": ["!a/b"]}]}),
        );
        assert_eq!(parse(&ok).unwrap().unwrap(), vec![f("name", &["!a/b"])]);
        for bad in [
            serde_json::json!({"Filters": [{"Key": "colour", "Values": ["x"]}]}),
            serde_json::json!({"Filters": [{"Key": "name", "Values": []}]}),
            serde_json::json!({"Filters": [{"Key": "name", "Values": ["a*"]}]}),
            serde_json::json!({"Filters": [{"Key": "name"}]}),
            serde_json::json!({"Filters": "name"}),
        ] {
            assert!(parse(&Input::from_value(bad.clone())).is_err(), "{bad}");
        }
    }
}
