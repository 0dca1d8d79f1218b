//! AWS STS over the query protocol (`Action=…&Version=2011-06-15`, answered in XML), on the
//! same endpoint as Secrets Manager: SDK credential providers, Terraform and the Secrets
//! Manager Agent check their credentials with GetCallerIdentity, and cross-account code
//! assumes a role first.
//!
//! - [`credentials`]: the temporary credentials AssumeRole and GetSessionToken mint, without
//!   state, and who a request's credentials stand for.
//! - [`ops`]: one file per action. Every other STS action answers STS's `InvalidAction`.

pub mod credentials;
pub mod ops;

use crate::identity::{self, Identity};
use crate::query::{self, Params, QueryError};
use crate::AwsConfig;
use credentials::Caller;
use localsecrets_api::{Request, RequestInfo, Response, WireError};
use localsecrets_core::Service;

/// The one API version of STS.
pub const VERSION: &str = "2011-06-15";
pub const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// The result members of one action, already XML.
pub type Handler = fn(&Call<'_>) -> Result<Vec<String>, QueryError>;

/// Every action answered here.
pub const OPERATIONS: &[(&str, Handler)] = &[
    ("AssumeRole", ops::assume_role::handle),
    ("GetCallerIdentity", ops::get_caller_identity::handle),
    ("GetSessionToken", ops::get_session_token::handle),
];

/// The request in hand.
pub struct Call<'a> {
    pub service: &'a Service,
    pub params: &'a Params,
    pub caller: Caller,
}

/// An STS error (it carries STS's namespace).
pub fn error(status: u16, code: &'static str, message: impl Into<String>) -> QueryError {
    QueryError::sender(status, code, message).in_namespace(NAMESPACE)
}

pub fn validation(message: impl Into<String>) -> QueryError {
    error(400, "ValidationError", message)
}

/// Whether an unsigned request is an STS call: STS's version with an `Action`. (No Alibaba
/// API has this version, so such a request was never Alibaba's.)
pub fn names_version(req: &Request) -> bool {
    // Every Alibaba RPC call is asked this: a byte scan spares it a parse.
    let mentions = |b: &[u8]| b.windows(VERSION.len()).any(|w| w == VERSION.as_bytes());
    if !mentions(req.raw_query.as_bytes()) && !mentions(&req.body) {
        return false;
    }
    let p = Params::from_request(req);
    p.action().is_some() && p.version() == Some(VERSION)
}

pub fn operation(req: &Request) -> Option<String> {
    Params::from_request(req).action().map(str::to_owned)
}

pub fn describe(req: &Request, who: &Identity) -> RequestInfo {
    who.request_info(operation(req))
}

pub fn serve(service: &Service, config: &AwsConfig, req: &Request) -> (Response, RequestInfo) {
    let who = identity::identify(req, config);
    let info = describe(req, &who);
    let params = Params::from_request(req);
    let response = match answer(service, &params, Caller::of(req, &who)) {
        Ok((action, result)) => query::answer(action, NAMESPACE, &req.request_id, &result),
        Err(e) => e.respond(&req.request_id),
    };
    (response, info)
}

fn answer<'p>(
    service: &Service,
    params: &'p Params,
    caller: Caller,
) -> Result<(&'p str, Vec<String>), QueryError> {
    let action = params
        .action()
        .ok_or_else(|| error(400, "MissingAction", "Missing Action"))?;
    let version = params.version().unwrap_or(VERSION);
    let handler = OPERATIONS
        .iter()
        .find(|(name, _)| *name == action && version == VERSION)
        .map(|(_, h)| h)
        .ok_or_else(|| {
            error(
                400,
                "InvalidAction",
                format!("Could not find operation {action} for version {version}"),
            )
        })?;
    let call = Call {
        service,
        params,
        caller,
    };
    handler(&call).map(|result| (action, result))
}

/// Collects constraint violations the way STS reports them: `N validation error(s) detected:
/// Value 'x' at 'member' failed to satisfy constraint: …; …`.
#[derive(Default)]
pub struct Checks {
    problems: Vec<String>,
}

impl Checks {
    fn fail(&mut self, value: Option<&str>, member: &str, constraint: &str) {
        let value = value.map_or_else(|| "null".to_owned(), |v| format!("'{v}'"));
        self.problems.push(format!(
            "Value {value} at '{member}' failed to satisfy constraint: Member must {constraint}"
        ));
    }

    pub fn required<'p>(
        &mut self,
        params: &'p Params,
        name: &str,
        member: &str,
    ) -> Option<&'p str> {
        let value = params.get(name);
        if value.is_none() {
            self.fail(None, member, "not be null");
        }
        value
    }

    pub fn length(&mut self, value: &str, member: &str, min: usize, max: usize) {
        let n = value.chars().count();
        if n < min {
            self.fail(
                Some(value),
                member,
                &format!("have length greater than or equal to {min}"),
            );
        } else if n > max {
            self.fail(
                Some(value),
                member,
                &format!("have length less than or equal to {max}"),
            );
        }
    }

    pub fn pattern(&mut self, value: &str, member: &str, pattern: &str, matches: bool) {
        if !matches {
            self.fail(
                Some(value),
                member,
                &format!("satisfy regular expression pattern: {pattern}"),
            );
        }
    }

    /// An optional integer member within `min..=max`.
    pub fn integer(
        &mut self,
        params: &Params,
        name: &str,
        member: &str,
        (min, max): (i64, i64),
    ) -> Option<i64> {
        let raw = params.get(name)?;
        let Ok(n) = raw.trim().parse::<i64>() else {
            self.fail(Some(raw), member, "be a number");
            return None;
        };
        if n < min {
            self.fail(
                Some(raw),
                member,
                &format!("have value greater than or equal to {min}"),
            );
        } else if n > max {
            self.fail(
                Some(raw),
                member,
                &format!("have value less than or equal to {max}"),
            );
        }
        Some(n)
    }

    pub fn finish(self) -> Result<(), QueryError> {
        match self.problems.len() {
            0 => Ok(()),
            n => Err(validation(format!(
                "{n} validation error{} detected: {}",
                if n == 1 { "" } else { "s" },
                self.problems.join("; ")
            ))),
        }
    }
}

/// The `Credentials` member of AssumeRole and GetSessionToken.
pub fn credentials_xml(
    minted: &credentials::Minted,
    expiration: localsecrets_core::Timestamp,
) -> String {
    query::node(
        "Credentials",
        &[
            query::leaf("AccessKeyId", &minted.access_key),
            query::leaf("SecretAccessKey", &minted.secret_key),
            query::leaf("SessionToken", &minted.session_token),
            query::leaf("Expiration", &expiration.to_iso_seconds()),
        ],
    )
}

#[cfg(test)]
mod tests;
