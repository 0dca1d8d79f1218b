//! Who is calling and where: the access key id, region and service from the SigV4 credential
//! scope (`Authorization` header, or `X-Amz-Credential` in a presigned query). A 12-digit access
//! key is the account id itself; a temporary key minted by STS here ([`temporary_key_account`])
//! carries its account; any other key belongs to the configured default account.

use crate::AwsConfig;
use localsecrets_api::Request;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub access_key: Option<String>,
    pub account: String,
    pub region: String,
    /// The credential scope's service (`secretsmanager`, `sts`, …), when the request has one.
    pub service: Option<String>,
}

impl Identity {
    /// What the journal records of a call that names no secret.
    pub fn request_info(&self, operation: Option<String>) -> localsecrets_api::RequestInfo {
        localsecrets_api::RequestInfo {
            operation,
            tenant: Some(self.account.clone()),
            region: Some(self.region.clone()),
            secret: None,
        }
    }
}

/// The algorithm name SigV4 puts in `Authorization` and `X-Amz-Algorithm`.
const SIGV4: &str = "AWS4-HMAC-SHA256";

/// The prefix AWS gives temporary (STS) access key ids.
pub const TEMPORARY_KEY_PREFIX: &str = "ASIA";

/// The parts of a credential scope `AKID/date/region/service/aws4_request`.
struct CredentialScope {
    key: String,
    region: String,
    service: Option<String>,
}

fn credential_scope(credential: &str) -> Option<CredentialScope> {
    let mut parts = credential.trim().split('/');
    let key = parts.next().filter(|k| !k.is_empty())?;
    let _date = parts.next()?;
    let region = parts.next().filter(|r| !r.is_empty())?;
    let service = parts.next().filter(|s| !s.is_empty());
    Some(CredentialScope {
        key: key.to_owned(),
        region: region.to_owned(),
        service: service.map(str::to_owned),
    })
}

fn from_authorization(value: &str) -> Option<CredentialScope> {
    let rest = value.trim().strip_prefix(SIGV4)?;
    rest.split(',')
        .filter_map(|p| p.trim().strip_prefix("Credential="))
        .find_map(credential_scope)
}

fn from_query(req: &Request) -> Option<CredentialScope> {
    req.query_pairs()
        .into_iter()
        .find(|(k, _)| k == "X-Amz-Credential")
        .and_then(|(_, v)| credential_scope(&v))
}

/// Whether the request is signed with SigV4, in the header or in a presigned query. Such a
/// request is AWS's whatever else it carries (an `Action=` does not make it Alibaba's).
pub fn signed_with_sigv4(req: &Request) -> bool {
    let header = req
        .header("authorization")
        .is_some_and(|v| v.trim_start().starts_with(SIGV4));
    header
        || req
            .query_pairs()
            .iter()
            .any(|(k, v)| (k == "X-Amz-Algorithm" && v == SIGV4) || k == "X-Amz-Credential")
}

pub fn is_account_id(key: &str) -> bool {
    key.len() == 12 && key.bytes().all(|b| b.is_ascii_digit())
}

/// The account of a temporary key minted here: `ASIA` + 12-digit account + 4 characters of
/// `A-Z2-7`, 20 in all like AWS's. Keys from real AWS have no digits there and fall through to
/// the default account.
pub fn temporary_key_account(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(TEMPORARY_KEY_PREFIX)?;
    let (account, tail) = (rest.get(..12)?, rest.get(12..)?);
    let tail_ok = tail.len() == 4
        && tail
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
    (is_account_id(account) && tail_ok).then_some(account)
}

/// The account an access key id belongs to.
pub fn account_of(key: &str, config: &AwsConfig) -> String {
    if is_account_id(key) {
        key.to_owned()
    } else if let Some(account) = temporary_key_account(key) {
        account.to_owned()
    } else {
        config.default_account.clone()
    }
}

fn scope(req: &Request) -> Option<CredentialScope> {
    req.header("authorization")
        .and_then(from_authorization)
        .or_else(|| from_query(req))
}

/// The service the credential scope names (`sts`, `iam`, …).
pub fn scope_service(req: &Request) -> Option<String> {
    scope(req).and_then(|s| s.service)
}

pub fn identify(req: &Request, config: &AwsConfig) -> Identity {
    match scope(req) {
        Some(s) => Identity {
            account: account_of(&s.key, config),
            access_key: Some(s.key),
            region: s.region,
            service: s.service,
        },
        None => Identity {
            access_key: None,
            account: config.default_account.clone(),
            region: config.default_region.clone(),
            service: None,
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
            // A temporary key minted here names its account; AWS's own do not.
            (
                "AWS4-HMAC-SHA256 Credential=ASIA222222222222AB27/20240101/us-east-1/secretsmanager/aws4_request",
                ("222222222222", "us-east-1"),
            ),
            (
                "AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/20240101/us-east-1/sts/aws4_request",
                ("000000000000", "us-east-1"),
            ),
            (
                "AWS4-HMAC-SHA256 Credential=ASIA222222222222AB18/20240101/us-east-1/sts/aws4_request",
                ("000000000000", "us-east-1"),
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
        assert_eq!(id.service.as_deref(), Some("secretsmanager"));
        assert!(signed_with_sigv4(&req));
    }

    #[test]
    fn sigv4_is_told_apart_from_other_schemes() {
        let signed = with_auth("AWS4-HMAC-SHA256 Credential=k/20240101/us-east-1/sts/aws4_request");
        assert!(signed_with_sigv4(&signed));
        assert_eq!(
            identify(&signed, &AwsConfig::default()).service.as_deref(),
            Some("sts")
        );
        assert!(signed_with_sigv4(&Request::new(
            "GET",
            "/?Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256"
        )));
        for other in [
            with_auth("ACS3-HMAC-SHA256 Credential=LTAI,SignedHeaders=host,Signature=x"),
            with_auth("SDK-HMAC-SHA256 Access=k, SignedHeaders=host, Signature=x"),
            Request::new(
                "GET",
                "/?Action=ListSecrets&Signature=abc&SignatureMethod=HMAC-SHA1",
            ),
        ] {
            assert!(!signed_with_sigv4(&other));
        }
    }
}
