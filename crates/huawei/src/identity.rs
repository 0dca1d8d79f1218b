//! Reads who is calling. The SDK signs with `SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=…,
//! Signature=…` (comma and space between parts); the derived-key variant names the key in
//! `Credential=<AK>/<date>/<region>/<service>`. Signatures are parsed, not verified: the access
//! key only names the account that account-level operations (`/v1/csms/…`) belong to.

use crate::error::{ErrorKind, HuaweiError, HwResult};
use localsecrets_api::Request;

const SCHEMES: [&str; 3] = ["SDK-HMAC-SHA256", "V11-HMAC-SHA256", "SDK-HMAC-SM3"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    pub access_key: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

fn refuse(why: &str) -> HuaweiError {
    HuaweiError::new(
        ErrorKind::BadAuthorization,
        format!("Incorrect IAM authentication information: {why}"),
    )
}

/// The parsed `Authorization` header; `None` when there is none (token or anonymous calls).
pub fn parse(req: &Request) -> HwResult<Option<Signed>> {
    let Some(header) = req.header("authorization") else {
        return Ok(None);
    };
    let (scheme, rest) = header
        .trim()
        .split_once(' ')
        .ok_or_else(|| refuse("the Authorization header has no parameters"))?;
    if !SCHEMES.contains(&scheme) {
        return Err(refuse(&format!(
            "the signing scheme {scheme} is not supported (use SDK-HMAC-SHA256)"
        )));
    }
    let mut access = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| refuse("malformed Authorization header"))?;
        match k {
            "Access" => access = Some(v.to_owned()),
            "Credential" => access = v.split('/').next().map(str::to_owned),
            "SignedHeaders" => {
                signed_headers = Some(v.split(';').map(str::to_owned).collect::<Vec<_>>())
            }
            "Signature" => signature = Some(v.to_owned()),
            _ => {}
        }
    }
    match (access, signed_headers, signature) {
        (Some(a), Some(h), Some(s)) if !a.is_empty() && !s.is_empty() => Ok(Some(Signed {
            access_key: a,
            signed_headers: h,
            signature: s,
        })),
        _ => Err(refuse(
            "the Authorization header needs Access, SignedHeaders and Signature",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_api::WireError;

    #[test]
    fn sdk_header() {
        let r = Request::new("GET", "/").with_header(
            "Authorization",
            "SDK-HMAC-SHA256 Access=HWPROBEAK0000000000, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature=4fc5a4ef",
        );
        let s = parse(&r).unwrap().unwrap();
        assert_eq!(s.access_key, "HWPROBEAK0000000000");
        assert_eq!(s.signed_headers.len(), 5);
        assert_eq!(s.signature, "4fc5a4ef");
    }

    #[test]
    fn derived_key_header() {
        let r = Request::new("GET", "/").with_header(
            "Authorization",
            "V11-HMAC-SHA256 Credential=AK1/20261123/cn-north-4/csms, SignedHeaders=host, Signature=ab",
        );
        assert_eq!(parse(&r).unwrap().unwrap().access_key, "AK1");
    }

    #[test]
    fn absent_is_fine_and_garbage_is_a_401() {
        assert_eq!(parse(&Request::new("GET", "/")).unwrap(), None);
        for bad in [
            "Bearer x",
            "SDK-HMAC-SHA256",
            "SDK-HMAC-SHA256 Access=AK",
            "SDK-HMAC-SHA256 nonsense",
        ] {
            let r = Request::new("GET", "/").with_header("Authorization", bad);
            let e = parse(&r).unwrap_err();
            assert_eq!((e.status(), e.code()), (401, "APIGW.0301"), "{bad}");
        }
    }
}
