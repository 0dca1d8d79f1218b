//! What every frontend shares:
//!
//! - [`http`]: the plain request and response the server hands over.
//! - [`error`]: the wire-error trait each cloud's error enum implements.
//! - [`rotation`]: the user rotation functions and the one path every frontend rotates
//!   through.
//! - [`signing`]: the primitives signature schemes are built from (HMACs, hashes, RFC 3986
//!   encoding).
//! - here: the [`Frontend`] trait dispatch calls, with [`RequestInfo`] and [`ImportIssue`].
//!
//! Data flow: server builds a [`Request`] → asks each frontend [`Frontend::claims`] in
//! dispatch order → [`Frontend::handle`] parses, calls the core service, renders a
//! [`Response`] (errors through [`WireError::respond`], which names the error code for the
//! request journal) → the journal takes what the call was about from [`Frontend::serve`]
//! (or asks [`Frontend::describe`]).
//! Fixtures ask [`Frontend::check_import`] whether a secret built outside the API obeys the
//! cloud's rules. The scheduler asks [`Frontend::scheduled_rotation`] to rotate a secret whose
//! time has come; [`rotation`] holds the user rotation functions frontends may call.

pub mod error;
pub mod http;
pub mod rotation;
pub mod signing;

pub use error::WireError;
pub use http::{BodyStream, Request, Response};
pub use rotation::{Calls, Rotate, Rotated, RotationFunctions, StepsRun};

use localsecrets_core::{Cloud, Scope, Secret};
use serde_json::Value;

/// What the request journal records about a call besides its outcome. Names only: a frontend
/// never puts a secret value here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestInfo {
    pub operation: Option<String>,
    /// Account or project.
    pub tenant: Option<String>,
    pub region: Option<String>,
    /// The secret the call names (name, ARN tail or id, as the caller gave it).
    pub secret: Option<String>,
}

/// Why a secret from a fixture is not one the cloud's API could have built: `field` is the
/// path inside the secret (`name`, `versions[1].id`, `extra.ExtendedConfig`), `message` says
/// what to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportIssue {
    pub field: String,
    pub message: String,
}

impl ImportIssue {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// One cloud's wire protocol.
pub trait Frontend: Send + Sync {
    fn cloud(&self) -> Cloud;
    /// Whether this request is in this frontend's protocol (checked in dispatch order).
    fn claims(&self, req: &Request) -> bool;
    /// Answers the request; never panics on bad input, answers a 4xx in the cloud's format.
    fn handle(&self, req: &Request) -> Response;
    /// The operation a request names, for the request journal (`None` when unknown).
    fn operation(&self, req: &Request) -> Option<String>;

    /// Whether the request only reads: it waits for no rotation function, no other request
    /// and (but for the once-a-day access mark a read may leave) no commit, so the listener
    /// answers it on its own thread instead of handing it to the blocking pool.
    fn only_reads(&self, _req: &Request) -> bool {
        false
    }

    /// Answers a request the server refuses before this frontend reads it (its `Host` fails
    /// the DNS-rebinding rule), as this cloud answers a caller it denies access.
    fn refuse(&self, _req: &Request, message: &str) -> Response {
        Response::json(
            403,
            &serde_json::json!({"error": "forbidden", "message": message}),
        )
    }

    /// Answers a request and says what it was about, for the journal. A frontend that learns
    /// that while answering overrides it, so the journal does not parse the request again.
    fn serve(&self, req: &Request) -> (Response, RequestInfo) {
        (self.handle(req), self.describe(req))
    }

    /// The journal's view of a request: operation, tenant, region and secret name. Must be
    /// cheap and must never read a secret value.
    fn describe(&self, req: &Request) -> RequestInfo {
        RequestInfo {
            operation: self.operation(req),
            ..RequestInfo::default()
        }
    }

    /// Checks the cloud's own rules (tenant and name shapes, types, version ids, sizes,
    /// cloud attributes in `extra`) on a secret that did not come through the API. The model's
    /// label and version rules are checked by the core.
    fn check_import(&self, _scope: &Scope, _secret: &Secret) -> Result<(), ImportIssue> {
        Ok(())
    }

    /// The kinds of auxiliary records this frontend keeps in storage (exported with the
    /// secrets).
    fn record_kinds(&self) -> &'static [&'static str] {
        &[]
    }

    /// Checks an auxiliary record (`kind`, `key`, `value`) from a fixture. A frontend accepts
    /// only the kinds it writes itself, so none are accepted by default.
    fn check_record(
        &self,
        _scope: &Scope,
        kind: &str,
        _key: &str,
        _value: &Value,
    ) -> Result<(), String> {
        Err(format!("{} keeps no records of kind {kind}", self.cloud()))
    }

    /// Rotates secret `name` of `scope` because its schedule says so, as the cloud would: with
    /// the registered user function the secret names, else the cloud's built-in one. `Err`
    /// says why no rotation could start or how it failed; the scheduler then moves the due
    /// time on to the next window.
    fn scheduled_rotation(&self, _scope: &Scope, name: &str) -> Result<(), String> {
        Err(format!(
            "{} does not rotate {name} on a schedule",
            self.cloud()
        ))
    }
}
