//! Who is calling and where: the AccessKeyId (query `AccessKeyId` for RPC v1 signatures, the
//! `Credential=` of an ACS3 `Authorization` header) picks the account — a 16-digit all-digit
//! key is the account id, any other key the configured default — and the region comes from a
//! `kms.<region>.aliyuncs.com` Host, else `RegionId`, else the default. Signatures are parsed
//! so a garbled one is refused, but not verified.

use crate::error::{AliResult, AlibabaError, Code};
use crate::params::Params;
use crate::AlibabaConfig;
use localsecrets_api::Request;

/// The signature a request carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signature {
    None,
    /// `SignatureVersion=1.0` in the parameters (legacy SDK, Tea SDK in `v2` mode).
    RpcV1 {
        method: String,
        value: String,
    },
    /// `Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`.
    Acs3 {
        algorithm: String,
        signed_headers: Vec<String>,
        value: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub access_key_id: Option<String>,
    pub account: String,
    pub region: String,
    pub signature: Signature,
}

impl Identity {
    /// `kms.<region>.aliyuncs.com`, the `HostId` of error bodies.
    pub fn host_id(&self) -> String {
        format!("kms.{}.aliyuncs.com", self.region)
    }
}

/// Whether an access key id is itself an account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The region named by a `kms.<region>.aliyuncs.com` or `kms-vpc.<region>.aliyuncs.com` host.
pub fn region_from_host(host: &str) -> Option<&str> {
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let rest = host
        .strip_prefix("kms.")
        .or_else(|| host.strip_prefix("kms-vpc."))?;
    let region = rest.strip_suffix(".aliyuncs.com")?;
    is_region(region).then_some(region)
}

pub(crate) fn is_region(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn parse_acs3(header: &str) -> AliResult<(Option<String>, Signature)> {
    let incomplete = |what: &str| {
        AlibabaError::with(
            Code::IncompleteSignature,
            format!("The Authorization header is incomplete: {what}. Expected \"ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2>,Signature=<hex>\"."),
        )
    };
    let (algorithm, rest) = header
        .trim()
        .split_once(' ')
        .ok_or_else(|| incomplete("no fields after the algorithm"))?;
    let mut credential = None;
    let mut signed = None;
    let mut value = None;
    for part in rest.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            continue;
        };
        match k.trim() {
            "Credential" => credential = Some(v.trim().to_owned()),
            "SignedHeaders" => signed = Some(v.trim().to_owned()),
            "Signature" => value = Some(v.trim().to_owned()),
            _ => {}
        }
    }
    let credential = credential
        .filter(|c| !c.is_empty())
        .ok_or_else(|| incomplete("Credential is missing"))?;
    let signed = signed.ok_or_else(|| incomplete("SignedHeaders is missing"))?;
    let value = value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| incomplete("Signature is missing"))?;
    Ok((
        Some(credential),
        Signature::Acs3 {
            algorithm: algorithm.to_owned(),
            signed_headers: signed
                .split(';')
                .filter(|h| !h.is_empty())
                .map(str::to_ascii_lowercase)
                .collect(),
            value,
        },
    ))
}

pub fn identify(req: &Request, params: &Params, config: &AlibabaConfig) -> AliResult<Identity> {
    let acs3 = req
        .header("authorization")
        .filter(|h| h.trim_start().starts_with("ACS3-"));
    let (access_key_id, signature) = if let Some(h) = acs3 {
        let (ak, sig) = parse_acs3(h)?;
        // With STS credentials the key id is also sent on its own.
        (
            req.header("x-acs-accesskey-id").map(str::to_owned).or(ak),
            sig,
        )
    } else {
        let sig = match params.optional("Signature") {
            Some(v) => Signature::RpcV1 {
                method: params
                    .optional("SignatureMethod")
                    .unwrap_or("HMAC-SHA1")
                    .to_owned(),
                value: v.to_owned(),
            },
            None => Signature::None,
        };
        (params.optional("AccessKeyId").map(str::to_owned), sig)
    };
    let account = match access_key_id.as_deref() {
        Some(ak) if is_account_id(ak) => ak.to_owned(),
        _ => config.default_account.clone(),
    };
    let region = match req.header("host").and_then(region_from_host) {
        Some(r) => r.to_owned(),
        None => match params.optional("RegionId") {
            Some(r) if is_region(r) => r.to_owned(),
            Some(r) => {
                return Err(AlibabaError::invalid(format!(
                    "The parameter RegionId \"{r}\" is not a region id such as cn-hangzhou."
                )))
            }
            None => config.default_region.clone(),
        },
    };
    Ok(Identity {
        access_key_id,
        account,
        region,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::capture_requests;

    fn config() -> AlibabaConfig {
        AlibabaConfig {
            default_account: "1000000000000000".into(),
            default_region: "cn-hangzhou".into(),
        }
    }

    fn id(req: &Request) -> AliResult<Identity> {
        identify(req, &Params::from_request(req), &config())
    }

    #[test]
    fn accounts_from_key_ids() {
        assert!(is_account_id("1234567890123456"));
        assert!(!is_account_id("123456789012345"));
        assert!(!is_account_id("12345678901234567"));
        assert!(!is_account_id("LTAI5tProbeAccessKey"));
        let r = Request::new("POST", "/?Action=ListSecrets&AccessKeyId=1234567890123456");
        assert_eq!(id(&r).unwrap().account, "1234567890123456");
        let r = Request::new("POST", "/?Action=ListSecrets&AccessKeyId=LTAIabc");
        assert_eq!(id(&r).unwrap().account, "1000000000000000");
        let r = Request::new("POST", "/")
            .with_header("x-acs-action", "ListSecrets")
            .with_header(
                "Authorization",
                "ACS3-HMAC-SHA256 Credential=2222333344445555,SignedHeaders=host;x-acs-date,Signature=abc",
            );
        let i = id(&r).unwrap();
        assert_eq!(i.account, "2222333344445555");
        assert_eq!(
            i.signature,
            Signature::Acs3 {
                algorithm: "ACS3-HMAC-SHA256".into(),
                signed_headers: vec!["host".into(), "x-acs-date".into()],
                value: "abc".into()
            }
        );
    }

    #[test]
    fn garbled_acs3_headers_are_refused() {
        for h in [
            "ACS3-HMAC-SHA256",
            "ACS3-HMAC-SHA256 SignedHeaders=host,Signature=abc",
            "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host",
        ] {
            let r = Request::new("POST", "/").with_header("authorization", h);
            assert_eq!(id(&r).unwrap_err().code, Code::IncompleteSignature, "{h}");
        }
    }

    #[test]
    fn regions_from_host_then_region_id_then_default() {
        assert_eq!(
            region_from_host("kms.cn-shanghai.aliyuncs.com"),
            Some("cn-shanghai")
        );
        assert_eq!(
            region_from_host("kms-vpc.eu-central-1.aliyuncs.com:443"),
            Some("eu-central-1")
        );
        assert_eq!(region_from_host("127.0.0.1:4566"), None);
        assert_eq!(region_from_host("kms.aliyuncs.com"), None);
        let r = Request::new("POST", "/?Action=X&RegionId=cn-beijing")
            .with_header("host", "kms.ap-southeast-1.aliyuncs.com");
        assert_eq!(id(&r).unwrap().region, "ap-southeast-1");
        let r = Request::new("POST", "/?Action=X&RegionId=cn-beijing")
            .with_header("host", "127.0.0.1:1");
        assert_eq!(id(&r).unwrap().region, "cn-beijing");
        let r = Request::new("POST", "/?Action=X").with_header("host", "127.0.0.1:1");
        assert_eq!(id(&r).unwrap().region, "cn-hangzhou");
        let r = Request::new("POST", "/?Action=X&RegionId=%3Cscript%3E");
        assert_eq!(id(&r).unwrap_err().code, Code::InvalidParameter);
    }

    #[test]
    fn captured_requests_identify_their_key_and_signature() {
        let mut kinds = std::collections::BTreeSet::new();
        for (name, req) in capture_requests() {
            let i = id(&req).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(
                i.access_key_id.as_deref(),
                Some("LTAI5tProbeAccessKey"),
                "{name}"
            );
            assert_eq!(i.account, "1000000000000000", "{name}");
            assert_eq!(i.region, "cn-hangzhou", "{name}");
            match &i.signature {
                Signature::Acs3 {
                    algorithm,
                    signed_headers,
                    value,
                } => {
                    assert!(
                        name.contains("acs3sig") || name.contains("client-v2"),
                        "{name}"
                    );
                    assert_eq!(algorithm, "ACS3-HMAC-SHA256");
                    assert!(signed_headers.contains(&"x-acs-action".to_owned()));
                    assert_eq!(value.len(), 64);
                    kinds.insert("acs3");
                }
                Signature::RpcV1 { method, value } => {
                    assert_eq!(method, "HMAC-SHA1", "{name}");
                    assert!(value.ends_with('='), "{name}");
                    kinds.insert("rpc");
                }
                Signature::None => panic!("{name}: no signature found"),
            }
        }
        assert_eq!(kinds.len(), 2);
    }
}
