//! Secret ARNs (`arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>`) and how a
//! `SecretId` names a secret: by name, by complete ARN (name and suffix must both match) or by
//! partial ARN (no suffix). As in AWS, an ARN whose tail looks like `-` plus six characters is
//! taken as complete.

use crate::error::{AwsError, AwsResult};
use localsecrets_core::{Scope, SecretRef};

pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

pub fn secret_arn(region: &str, account: &str, name: &str, suffix: &str) -> String {
    format!(
        "arn:{}:secretsmanager:{region}:{account}:secret:{name}-{suffix}",
        partition(region)
    )
}

/// A parsed secret ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretArn {
    pub region: String,
    pub account: String,
    pub target: Target,
}

/// A secret named by a caller, resolved within a scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Name(String),
    Complete { name: String, suffix: String },
}

impl Target {
    pub fn as_ref(&self) -> SecretRef<'_> {
        match self {
            Target::Name(n) => SecretRef::Name(n),
            Target::Complete { name, suffix } => SecretRef::NameWithSuffix(name, suffix),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Target::Name(n) | Target::Complete { name: n, .. } => n,
        }
    }
}

fn split_suffix(tail: &str) -> Target {
    match tail.rsplit_once('-') {
        Some((name, suffix))
            if !name.is_empty()
                && suffix.len() == 6
                && suffix.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            Target::Complete {
                name: name.to_owned(),
                suffix: suffix.to_owned(),
            }
        }
        _ => Target::Name(tail.to_owned()),
    }
}

/// Parses `arn:<partition>:secretsmanager:<region>:<account>:secret:<tail>`.
pub fn parse(arn: &str) -> Option<SecretArn> {
    let mut parts = arn.splitn(7, ':');
    let (Some("arn"), Some(_partition), Some("secretsmanager"), Some(region), Some(account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let (Some("secret"), Some(tail)) = (parts.next(), parts.next()) else {
        return None;
    };
    if region.is_empty() || account.is_empty() || tail.is_empty() {
        return None;
    }
    Some(SecretArn {
        region: region.to_owned(),
        account: account.to_owned(),
        target: split_suffix(tail),
    })
}

const NAME_CHARS: &str = "/_+=.@-!";

/// Whether `name` only uses the characters AWS allows in secret names.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || NAME_CHARS.contains(c))
}

pub fn invalid_name() -> AwsError {
    AwsError::Validation(
        "Invalid name. Must be a valid name containing alphanumeric characters, or any of the \
         following: -/_+=.@!"
            .into(),
    )
}

/// Resolves a `SecretId` (name or ARN) in the caller's scope. An ARN of another account or
/// region names nothing here.
pub fn target(secret_id: &str, scope: &Scope) -> AwsResult<Target> {
    if secret_id.starts_with("arn:") {
        let arn = parse(secret_id).ok_or_else(AwsError::not_found)?;
        if arn.region != scope.region || arn.account != scope.tenant {
            return Err(AwsError::not_found());
        }
        return Ok(arn.target);
    }
    if !valid_name(secret_id) {
        return Err(invalid_name());
    }
    Ok(Target::Name(secret_id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_core::Cloud;

    fn scope() -> Scope {
        Scope::new(Cloud::Aws, "111111111111", "us-east-1")
    }

    #[test]
    fn formats_arns_with_the_region_partition() {
        assert_eq!(
            secret_arn("us-east-1", "111111111111", "db/pw", "AbC123"),
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:db/pw-AbC123"
        );
        assert!(secret_arn("cn-north-1", "1", "n", "s").starts_with("arn:aws-cn:"));
    }

    #[test]
    fn secret_ids_resolve_like_aws() {
        let base = "arn:aws:secretsmanager:us-east-1:111111111111:secret:";
        let cases: Vec<(String, AwsResult<Target>)> = vec![
            ("plain".into(), Ok(Target::Name("plain".into()))),
            (
                format!("{base}Valid/_+=.@-Name-a1b2c3--AbCdEf"),
                Ok(Target::Complete {
                    name: "Valid/_+=.@-Name-a1b2c3-".into(),
                    suffix: "AbCdEf".into(),
                }),
            ),
            // Partial ARNs: the tail is the whole name...
            (
                format!("{base}Valid/_+=.@-Name-a1b2"),
                Ok(Target::Name("Valid/_+=.@-Name-a1b2".into())),
            ),
            (
                format!("{base}Valid/_+=.@-Name-a1b2c3-"),
                Ok(Target::Name("Valid/_+=.@-Name-a1b2c3-".into())),
            ),
            (
                format!("{base}s-c64bdc03"),
                Ok(Target::Name("s-c64bdc03".into())),
            ),
            // ...unless it ends like a suffix, as AWS reads it.
            (
                format!("{base}Invalid-Name-a1b2c3"),
                Ok(Target::Complete {
                    name: "Invalid-Name".into(),
                    suffix: "a1b2c3".into(),
                }),
            ),
            (
                "arn:aws:secretsmanager:eu-west-1:111111111111:secret:x-AbCdEf".into(),
                Err(AwsError::not_found()),
            ),
            (
                "arn:aws:secretsmanager:us-east-1:222222222222:secret:x".into(),
                Err(AwsError::not_found()),
            ),
            ("arn:aws:s3:::bucket".into(), Err(AwsError::not_found())),
            ("Inv Name".into(), Err(invalid_name())),
            (" Inv *?!]Name\\-".into(), Err(invalid_name())),
        ];
        for (id, want) in cases {
            assert_eq!(target(&id, &scope()), want, "{id}");
        }
    }

    #[test]
    fn name_characters() {
        assert!(valid_name("a-Z_0/+=.@!"));
        for bad in ["", "a b", "a*", "a?", "a]", "a\\", "ä", "a:b"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
