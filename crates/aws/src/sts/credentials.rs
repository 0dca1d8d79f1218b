//! Temporary credentials, kept without state.
//!
//! The access key id names its account (`ASIA` + 12-digit account + 4 characters of `A-Z2-7`,
//! see [`crate::identity::temporary_key_account`]), so every later call — Secrets Manager's
//! too — maps to that account through the one identity rule, with no lookup, across restarts
//! and resets. What GetCallerIdentity needs beyond the account (which role, which session)
//! rides in the session token the SDKs send back as `X-Amz-Security-Token`: base64 of
//! `localsecrets-sts-1`, the access key id, the role ARN and the session name (empty for
//! GetSessionToken) and a nonce, one per line. A token is read only with the key it was
//! minted with. Nothing is signed or checked for expiry: like long-term keys, temporary ones
//! only select the tenant.

use crate::identity::{self, TEMPORARY_KEY_PREFIX};
use base64::Engine;
use localsecrets_api::Request;
use localsecrets_core::Random;

const TOKEN_MAGIC: &str = "localsecrets-sts-1";

/// The base32 alphabet AWS key ids draw from.
const KEY_ALPHABET: &[char] = &[
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S',
    'T', 'U', 'V', 'W', 'X', 'Y', 'Z', '2', '3', '4', '5', '6', '7',
];

/// What secret access keys look like: base64 characters.
const SECRET_ALPHABET: &[char] = &[
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S',
    'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l',
    'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '0', '1', '2', '3', '4',
    '5', '6', '7', '8', '9', '+', '/',
];

/// A role ARN `arn:<partition>:iam::<account>:role/[<path>/]<name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleArn {
    pub arn: String,
    pub partition: String,
    pub account: String,
    pub name: String,
}

impl RoleArn {
    pub fn parse(arn: &str) -> Option<Self> {
        let mut parts = arn.splitn(6, ':');
        let (prefix, partition, service, region, account, resource) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        let partition_ok = partition == "aws"
            || partition.strip_prefix("aws-").is_some_and(|p| {
                !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            });
        let path_and_name = resource.strip_prefix("role/")?;
        let name = path_and_name.rsplit('/').next()?;
        let name_ok = (1..=64).contains(&name.len()) && name.chars().all(is_name_char);
        (prefix == "arn"
            && partition_ok
            && service == "iam"
            && region.is_empty()
            && identity::is_account_id(account)
            && name_ok)
            .then(|| Self {
                arn: arn.to_owned(),
                partition: partition.to_owned(),
                account: account.to_owned(),
                name: name.to_owned(),
            })
    }

    /// The role's unique id, `AROA…`: derived from the ARN so that the same role always has
    /// the same id, as in IAM.
    pub fn role_id(&self) -> String {
        let hash = localsecrets_api::signing::sha256_hex(self.arn.as_bytes());
        format!("AROA{}", hash[..17].to_ascii_uppercase())
    }
}

/// `[\w+=,.@-]`, the characters of role and session names.
pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

/// A session of an assumed role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumedRole {
    pub role: RoleArn,
    pub session_name: String,
}

impl AssumedRole {
    /// `AROA…:<session>`: AssumedRoleId, and GetCallerIdentity's UserId.
    pub fn assumed_role_id(&self) -> String {
        format!("{}:{}", self.role.role_id(), self.session_name)
    }

    pub fn arn(&self) -> String {
        format!(
            "arn:{}:sts::{}:assumed-role/{}/{}",
            self.role.partition, self.role.account, self.role.name, self.session_name
        )
    }
}

/// New temporary credentials for `account`.
pub struct Minted {
    pub access_key: String,
    pub secret_key: String,
    pub session_token: String,
}

pub fn mint(random: &Random, account: &str, role: Option<&AssumedRole>) -> Minted {
    let access_key = format!(
        "{TEMPORARY_KEY_PREFIX}{account}{}",
        random.pick(KEY_ALPHABET, 4)
    );
    let (arn, session) = role.map_or(("", ""), |r| (r.role.arn.as_str(), &r.session_name));
    let token = format!(
        "{TOKEN_MAGIC}\n{access_key}\n{arn}\n{session}\n{}",
        random.alphanumeric(32)
    );
    Minted {
        secret_key: random.pick(SECRET_ALPHABET, 40),
        session_token: base64::engine::general_purpose::STANDARD.encode(token),
        access_key,
    }
}

/// The session token a request carries (header, or presigned query).
pub fn session_token(req: &Request) -> Option<String> {
    req.header("x-amz-security-token")
        .map(str::to_owned)
        .or_else(|| {
            req.query_pairs()
                .into_iter()
                .find(|(k, _)| k == "X-Amz-Security-Token")
                .map(|(_, v)| v)
        })
}

/// The role session a token minted for `access_key` names; `None` for a token of
/// GetSessionToken, of another key, or not minted here.
pub fn role_in_token(token: &str, access_key: &str) -> Option<AssumedRole> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let mut lines = text.split('\n');
    if lines.next()? != TOKEN_MAGIC || lines.next()? != access_key {
        return None;
    }
    let role = RoleArn::parse(lines.next()?)?;
    let session_name = lines.next()?.to_owned();
    (role.account == identity::temporary_key_account(access_key)?)
        .then_some(AssumedRole { role, session_name })
}

/// Who signed a request, as STS sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub account: String,
    pub partition: &'static str,
    /// Whether the key is a temporary one minted here.
    pub temporary: bool,
    /// The role session, for credentials from AssumeRole.
    pub role: Option<AssumedRole>,
}

impl Caller {
    pub fn of(req: &Request, who: &identity::Identity) -> Self {
        let key = who.access_key.as_deref().unwrap_or_default();
        let temporary = identity::temporary_key_account(key).is_some();
        let role = temporary
            .then(|| session_token(req))
            .flatten()
            .and_then(|t| role_in_token(&t, key));
        Self {
            account: who.account.clone(),
            partition: crate::arn::partition(&who.region),
            temporary,
            role,
        }
    }

    /// GetCallerIdentity's `Arn`: the assumed role's, else the account root's (every other
    /// key stands for the account itself).
    pub fn arn(&self) -> String {
        match &self.role {
            Some(r) => r.arn(),
            None => format!("arn:{}:iam::{}:root", self.partition, self.account),
        }
    }

    /// GetCallerIdentity's `UserId`: the role id and session, else the account id (what AWS
    /// answers for the root user).
    pub fn user_id(&self) -> String {
        match &self.role {
            Some(r) => r.assumed_role_id(),
            None => self.account.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_are_iam_roles_with_an_account() {
        let r = RoleArn::parse("arn:aws:iam::222222222222:role/path/to/Deployer").unwrap();
        assert_eq!(
            (r.account.as_str(), r.name.as_str()),
            ("222222222222", "Deployer")
        );
        assert_eq!(r.role_id().len(), 21);
        assert_eq!(r.role_id(), RoleArn::parse(&r.arn).unwrap().role_id());
        assert!(RoleArn::parse("arn:aws-cn:iam::222222222222:role/r").is_some());
        for bad in [
            "arn:aws:iam::22222222222:role/r",
            "arn:aws:iam::222222222222:user/r",
            "arn:aws:iam:us-east-1:222222222222:role/r",
            "arn:aws:s3::222222222222:role/r",
            "arn:aws:iam::222222222222:role/",
            "arn:aws:iam::222222222222:role/a b",
            "arn:gcp:iam::222222222222:role/r",
            "not an arn at all, but long",
        ] {
            assert_eq!(RoleArn::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn minted_keys_name_their_account_and_tokens_their_role() {
        let random = Random::seeded(1);
        let role = AssumedRole {
            role: RoleArn::parse("arn:aws:iam::222222222222:role/Deployer").unwrap(),
            session_name: "ci@build".into(),
        };
        let m = mint(&random, "222222222222", Some(&role));
        assert_eq!(m.access_key.len(), 20);
        assert_eq!(
            identity::temporary_key_account(&m.access_key),
            Some("222222222222")
        );
        assert_eq!(m.secret_key.len(), 40);
        assert_eq!(role_in_token(&m.session_token, &m.access_key), Some(role));
        // Another key's token, a session token's, or a foreign one name no role.
        let other = mint(&random, "222222222222", None);
        assert_eq!(role_in_token(&m.session_token, &other.access_key), None);
        assert_eq!(role_in_token(&other.session_token, &other.access_key), None);
        assert_eq!(
            role_in_token("FwoGZXIvYXdzEJr//////////wEaDM", &m.access_key),
            None
        );
    }

    #[test]
    fn callers_are_the_root_or_an_assumed_role() {
        let random = Random::seeded(2);
        let role = AssumedRole {
            role: RoleArn::parse("arn:aws:iam::222222222222:role/Deployer").unwrap(),
            session_name: "s1".into(),
        };
        let m = mint(&random, "222222222222", Some(&role));
        let req = Request::new("POST", "/").with_header("X-Amz-Security-Token", &m.session_token);
        let who = identity::Identity {
            access_key: Some(m.access_key.clone()),
            account: "222222222222".into(),
            region: "us-east-1".into(),
            service: Some("sts".into()),
        };
        let c = Caller::of(&req, &who);
        assert_eq!(
            c.arn(),
            "arn:aws:sts::222222222222:assumed-role/Deployer/s1"
        );
        assert_eq!(c.user_id(), format!("{}:s1", role.role.role_id()));
        assert!(c.temporary);
        let plain = identity::Identity {
            access_key: Some("AKIAEXAMPLE".into()),
            account: "000000000000".into(),
            ..who
        };
        let c = Caller::of(&req, &plain);
        assert_eq!(c.arn(), "arn:aws:iam::000000000000:root");
        assert_eq!(c.user_id(), "000000000000");
        assert!(!c.temporary && c.role.is_none());
    }
}
