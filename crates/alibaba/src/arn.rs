//! Secret ARNs, `acs:kms:<region>:<account>:secret/<name>`, accepted wherever a name is.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretArn<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub name: &'a str,
}

pub fn secret_arn(region: &str, account: &str, name: &str) -> String {
    format!("acs:kms:{region}:{account}:secret/{name}")
}

/// Whether `s` is meant as an ARN rather than a name (names cannot contain `:`).
pub fn looks_like_arn(s: &str) -> bool {
    s.starts_with("acs:")
}

/// Parses a secret ARN; `None` when it is not one.
pub fn parse(s: &str) -> Option<SecretArn<'_>> {
    let rest = s.strip_prefix("acs:kms:")?;
    let (region, rest) = rest.split_once(':')?;
    let (account, resource) = rest.split_once(':')?;
    let name = resource.strip_prefix("secret/")?;
    (!region.is_empty() && !account.is_empty() && !name.is_empty()).then_some(SecretArn {
        region,
        account,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let arn = secret_arn(
            "cn-hangzhou",
            "1234567890123456",
            "RdsSecret/Mysql5.4/MyCred",
        );
        assert_eq!(
            arn,
            "acs:kms:cn-hangzhou:1234567890123456:secret/RdsSecret/Mysql5.4/MyCred"
        );
        assert_eq!(
            parse(&arn),
            Some(SecretArn {
                region: "cn-hangzhou",
                account: "1234567890123456",
                name: "RdsSecret/Mysql5.4/MyCred"
            })
        );
    }

    #[test]
    fn non_secret_arns_are_refused() {
        for s in [
            "acs:kms:cn-hangzhou:1:key/abc",
            "acs:ram::1:user/x",
            "acs:kms::1:secret/x",
            "acs:kms:cn-hangzhou:1:secret/",
            "plain-name",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
        assert!(looks_like_arn("acs:kms:x"));
        assert!(!looks_like_arn("name"));
    }
}
