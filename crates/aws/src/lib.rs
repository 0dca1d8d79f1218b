//! AWS on one endpoint: Secrets Manager over JSON 1.1 (`POST /` with
//! `X-Amz-Target: secretsmanager.<Operation>`), STS over the query protocol, and for any
//! other SigV4-signed request an error in its own protocol naming the service.
//!
//! - [`router`]: the target header → one of the 26 operations of the service model.
//! - [`identity`]: SigV4 credential scope → account, region and service, hence the core
//!   [`Scope`].
//! - [`json`]: the body, checked against the model's types and constraints.
//! - [`call`]: the request in hand — service, scope, parsed body, rotation functions — and
//!   the lookups most operations share.
//! - [`ops`]: one file per operation — parse, call the core [`Service`], render.
//! - [`arn`], [`render`], [`filters`], [`paging`], [`policy`], [`tags`]: shared by the
//!   operations.
//! - [`rotation`]: rotation with a registered user function (the Lambda event), else the
//!   built-in one, through `api::rotation`.
//! - [`state`] and [`replication`]: replica links kept in a secret's `extra`, and how
//!   replicas follow their primary.
//! - [`error`]: the one error type, rendered as `{"__type", "Message"}`.
//! - [`import`]: the service model's limits for secrets loaded from fixture files.
//! - [`sts`]: GetCallerIdentity, AssumeRole and GetSessionToken, over [`query`] (the query
//!   protocol's parameters and XML).
//! - [`not_emulated`]: the answer to SigV4 requests for services not emulated here.
//!
//! A Secrets Manager request flows [`AwsFrontend::handle`] → [`router::route`] →
//! [`identity::identify`] → [`json::Input::parse`] → `ops::<op>::handle` → core → JSON answer
//! or [`error::AwsError`]; an STS one [`sts::serve`] → `sts::ops::<op>::handle` → XML.

pub mod arn;
pub mod call;
pub mod error;
pub mod filters;
pub mod identity;
pub mod import;
pub mod json;
pub mod not_emulated;
pub mod ops;
pub mod paging;
pub mod policy;
pub mod query;
pub mod render;
pub mod replication;
pub mod rotation;
pub mod router;
pub mod state;
pub mod sts;
pub mod tags;

use error::{AwsError, CONTENT_TYPE};
use localsecrets_api::{
    Frontend, ImportIssue, Request, RequestInfo, Response, RotationFunctions, WireError,
};
use localsecrets_core::{Cloud, Scope, Secret, Service};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AwsConfig {
    /// The account used when an access key is not a 12-digit account id.
    pub default_account: String,
    /// The region used when a request carries no SigV4 credential scope.
    pub default_region: String,
}

impl Default for AwsConfig {
    fn default() -> Self {
        Self {
            default_account: "000000000000".into(),
            default_region: "us-east-1".into(),
        }
    }
}

pub struct AwsFrontend {
    service: Arc<Service>,
    config: AwsConfig,
    functions: Arc<dyn RotationFunctions>,
}

impl AwsFrontend {
    pub fn new(service: Arc<Service>, config: AwsConfig) -> Self {
        service.observe("aws-replication", Arc::new(replication::Follow));
        Self {
            service,
            config,
            functions: localsecrets_api::rotation::no_functions(),
        }
    }

    /// The registry `RotationLambdaARN`s are looked up in.
    pub fn with_rotation_functions(mut self, functions: Arc<dyn RotationFunctions>) -> Self {
        self.functions = functions;
        self
    }

    /// The answer's body, and what the call was about as far as it was read.
    fn answer(&self, req: &Request, info: &mut RequestInfo) -> Result<serde_json::Value, AwsError> {
        let who = identity::identify(req, &self.config);
        info.tenant = Some(who.account.clone());
        info.region = Some(who.region.clone());
        let op = router::route(req)?;
        let input = json::Input::parse(&req.body)?;
        info.secret = secret_named(input.raw("SecretId").or_else(|| input.raw("Name")));
        let call = call::Call {
            service: &self.service,
            scope: Scope::new(Cloud::Aws, who.account, who.region),
            input,
            functions: &*self.functions,
        };
        op.run(&call)
    }

    fn respond(&self, req: &Request, answer: Result<serde_json::Value, AwsError>) -> Response {
        match answer {
            Ok(body) => Response::new(200)
                .header("content-type", CONTENT_TYPE)
                .header("x-amzn-RequestId", &req.request_id)
                .body(localsecrets_api::http::json_bytes(&body)),
            Err(e) => e.respond(&req.request_id),
        }
    }
}

/// Which AWS protocol a request speaks here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Protocol {
    SecretsManager,
    Sts,
    /// Signed with SigV4 for another service (or another protocol of ours).
    NotEmulated,
}

/// `X-Amz-Target: secretsmanager.*` is Secrets Manager's, signed or not. Any other SigV4
/// request is AWS's, whatever else it carries (an `Action=` does not make it Alibaba's):
/// STS's when its credential scope names `sts`, else not emulated. An unsigned request is
/// STS's only when it names STS's version.
fn protocol(req: &Request) -> Option<Protocol> {
    if router::target(req).is_some() {
        Some(Protocol::SecretsManager)
    } else if identity::signed_with_sigv4(req) {
        let sts = identity::scope_service(req).as_deref() == Some("sts")
            && req.header("x-amz-target").is_none();
        Some(if sts {
            Protocol::Sts
        } else {
            Protocol::NotEmulated
        })
    } else if sts::names_version(req) {
        Some(Protocol::Sts)
    } else {
        None
    }
}

/// The secret's name, from `SecretId` (a name or an ARN) or CreateSecret's `Name`.
fn secret_named(id: Option<&serde_json::Value>) -> Option<String> {
    id.and_then(serde_json::Value::as_str)
        .map(|id| match arn::parse(id) {
            Some(a) => a.target.name().to_owned(),
            None => id.to_owned(),
        })
}

impl Frontend for AwsFrontend {
    fn cloud(&self) -> Cloud {
        Cloud::Aws
    }

    fn claims(&self, req: &Request) -> bool {
        protocol(req).is_some()
    }

    fn scheduled_rotation(&self, scope: &Scope, name: &str) -> Result<(), String> {
        rotation::scheduled(&self.service, &*self.functions, scope, name)
    }

    fn operation(&self, req: &Request) -> Option<String> {
        match protocol(req)? {
            Protocol::SecretsManager => router::target(req).map(str::to_owned),
            Protocol::Sts => sts::operation(req),
            Protocol::NotEmulated => not_emulated::operation(req),
        }
    }

    /// STS and the not-emulated answers never touch the store.
    fn only_reads(&self, req: &Request) -> bool {
        match protocol(req) {
            Some(Protocol::SecretsManager) => {
                router::target(req).is_some_and(|op| router::READS.contains(&op))
            }
            Some(Protocol::Sts | Protocol::NotEmulated) => true,
            None => false,
        }
    }

    fn refuse(&self, req: &Request, message: &str) -> Response {
        match protocol(req) {
            Some(Protocol::Sts) => {
                sts::error(403, "AccessDenied", message).respond(&req.request_id)
            }
            Some(Protocol::NotEmulated) => not_emulated::refuse(req, message),
            _ => AwsError::AccessDenied(message.to_owned()).respond(&req.request_id),
        }
    }

    fn handle(&self, req: &Request) -> Response {
        self.serve(req).0
    }

    fn serve(&self, req: &Request) -> (Response, RequestInfo) {
        match protocol(req) {
            Some(Protocol::Sts) => return sts::serve(&self.service, &self.config, req),
            Some(Protocol::NotEmulated) => return not_emulated::serve(&self.config, req),
            _ => {}
        }
        let mut info = RequestInfo {
            operation: router::target(req).map(str::to_owned),
            ..RequestInfo::default()
        };
        let answer = self.answer(req, &mut info);
        (self.respond(req, answer), info)
    }

    fn describe(&self, req: &Request) -> RequestInfo {
        let who = identity::identify(req, &self.config);
        match protocol(req) {
            Some(Protocol::Sts) => return sts::describe(req, &who),
            Some(Protocol::NotEmulated) => return not_emulated::describe(req, &who),
            _ => {}
        }
        let body = serde_json::from_slice::<serde_json::Value>(&req.body).ok();
        RequestInfo {
            operation: router::target(req).map(str::to_owned),
            tenant: Some(who.account),
            region: Some(who.region),
            secret: secret_named(
                body.as_ref()
                    .and_then(|b| b.get("SecretId").or_else(|| b.get("Name"))),
            ),
        }
    }

    fn check_import(&self, scope: &Scope, secret: &Secret) -> Result<(), ImportIssue> {
        import::check_import(scope, secret)
    }
}

#[cfg(test)]
mod tests;
