//! Who is calling and where: the access key id and region from the SigV4 credential scope
//! (`Authorization` header, or `X-Amz-Credential` in a presigned query). A 12-digit access
//! key is the account id itself; any other key belongs to the configured default account.

use crate::AwsConfig;
use localsecrets_api::Request;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub access_key: Option<String>,
    pub account: String,
    pub region: String,
}

/// The parts of a credential scope `AKID/date/region/service/aws4_request`.
fn credential_scope(credential: &str) -> Option<(&str, &str)> {
    let mut parts = credential.trim().split('/');
    let key = parts.next().filter(|k| !k.is_empty())?;
    let _date = parts.next()?;
    let region = parts.next().filter(|r| !r.is_empty())?;
    Some((key, region))
}

fn from_authorization(value: &str) -> Option<(&str, &str)> {
    let rest = value.trim().strip_prefix("AWS4-HMAC-SHA256")?;
    rest.split(',')
        .filter_map(|p| p.trim().strip_prefix("Credential="))
        .find_map(credential_scope)
}

fn is_account_id(key: &str) -> bool {
    key.len() == 12 && key.bytes().all(|b| b.is_ascii_digit())
}

pub fn identify(req: &Request, config: &AwsConfig) -> Identity {
    let from_query = || {
        req.query_pairs()
            .into_iter()
            .find(|(k, _)| k == "X-Amz-Credential")
            .and_then(|(_, v)| credential_scope(&v).map(|(k, r)| (k.to_owned(), r.to_owned())))
    };
    let scope = req
        .header("authorization")
        .and_then(from_authorization)
        .map(|(k, r)| (k.to_owned(), r.to_owned()))
        .or_else(from_query);
    match scope {
        Some((key, region)) => Identity {
            account: if is_account_id(&key) {
                key.clone()
            } else {
                config.default_account.clone()
            },
            access_key: Some(key),
            region,
        },
        None => Identity {
            access_key: None,
            account: config.default_account.clone(),
            region: config.default_region.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> Request {
        Request::new("POST", "/").with_header("Authorization", value)
    }

    #[test]
    fn account_and_region_come_from_the_credential_scope() {
        let config = AwsConfig::default();
        let cases = [
            (
                "AWS4-HMAC-SHA256 Credential=111111111111/20240101/eu-west-2/secretsmanager/aws4_request, SignedHeaders=host, Signature=abc",
                ("111111111111", "eu-west-2"),
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20240101/ap-south-1/secretsmanager/aws4_request,SignedHeaders=host,Signature=abc",
                ("000000000000", "ap-south-1"),
            ),
            // 11 or 13 digits are ordinary keys.
            (
                "AWS4-HMAC-SHA256 Credential=12345678901/20240101/us-west-2/secretsmanager/aws4_request",
                ("000000000000", "us-west-2"),
            ),
            ("Bearer nonsense", ("000000000000", "us-east-1")),
            (
                "AWS4-HMAC-SHA256 Credential=/20240101//x/aws4_request",
                ("000000000000", "us-east-1"),
            ),
        ];
        for (header, (account, region)) in cases {
            let id = identify(&with_auth(header), &config);
            assert_eq!((id.account.as_str(), id.region.as_str()), (account, region));
        }
        let id = identify(&Request::new("POST", "/"), &config);
        assert_eq!(id.access_key, None);
        assert_eq!(id.region, "us-east-1");
    }

    #[test]
    fn presigned_queries_carry_the_scope_too() {
        let req = Request::new(
            "POST",
            "/?X-Amz-Credential=222222222222%2F20240101%2Fsa-east-1%2Fsecretsmanager%2Faws4_request",
        );
        let id = identify(&req, &AwsConfig::default());
        assert_eq!(id.account, "222222222222");
        assert_eq!(id.region, "sa-east-1");
    }
}
