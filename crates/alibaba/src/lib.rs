//! Alibaba Cloud KMS secrets (API version 2016-01-20) over RPC.
//!
//! - [`params`]: one flat parameter map from the query, the form body and the ACS3
//!   `x-acs-action`/`x-acs-version` headers, with typed readers.
//! - [`identity`]: account (from the AccessKeyId) and region (Host, `RegionId`, default);
//!   signatures parsed, not verified.
//! - [`call`]: the request in hand — service, identity, scope, rotation functions — and the
//!   checks every operation shares.
//! - [`router`]: the `Action` → its handler, and the actions answered as unsupported.
//! - [`ops`]: one file per operation — parse, call the core [`Service`], return fields.
//! - [`managed`]: secret types, their `ExtendedConfig` rules and generated credentials.
//! - [`meta`]: Alibaba attributes kept in `Secret::extra`.
//! - [`rotation`]: managed secrets with their generators, Generic secrets with the user
//!   function registered under their name (RotateSecret and scheduled rotations).
//! - [`render`]: the fields as JSON or as an XML `<{Action}Response>` document.
//! - [`error`]: the one table of status and `Code`, and the error body in either format.
//! - [`arn`], [`tags`], [`policy`], [`view`]: shared pieces of the operations.
//! - [`import`]: the same rules for secrets loaded from fixture files.
//! - `tests` and `testutil` (tests only): the frontend end to end on an in-memory store, and
//!   the captured SDK requests it replays.
//!
//! Data flow: [`Request`] → [`Params`] → `Action` routed by [`router::find`] → [`Identity`] picks
//! the [`Scope`] of a [`call::Call`] → the handler calls the core → [`render::document`] (or
//! [`AlibabaError`]'s `render`) → [`Response`] with `x-acs-request-id`.

pub mod arn;
pub mod call;
pub mod error;
pub mod identity;
pub mod import;
pub mod managed;
pub mod meta;
pub mod ops;
pub mod params;
pub mod policy;
pub mod render;
pub mod rotation;
pub mod router;
pub mod tags;
#[cfg(test)]
mod testutil;
pub mod view;

pub use error::{AlibabaError, Code};
pub use identity::Identity;
pub use managed::rotated_value;
pub use params::Params;

use crate::call::Call;
use localsecrets_api::{
    Frontend, ImportIssue, Request, RequestInfo, Response, RotationFunctions, WireError,
};
use localsecrets_core::{Cloud, Scope, Secret, Service};
use render::{Format, Obj};
use std::sync::Arc;

/// The API version every request must name (or leave out).
pub const API_VERSION: &str = "2016-01-20";

#[derive(Clone, Debug)]
pub struct AlibabaConfig {
    /// The account used when an AccessKeyId is not a 16-digit account id.
    pub default_account: String,
    pub default_region: String,
}

impl Default for AlibabaConfig {
    fn default() -> Self {
        Self {
            default_account: "1000000000000000".into(),
            default_region: "cn-hangzhou".into(),
        }
    }
}

pub struct AlibabaFrontend {
    service: Arc<Service>,
    config: AlibabaConfig,
    functions: Arc<dyn RotationFunctions>,
}

/// `Format` (any case), else XML when the client accepts only XML, else JSON.
fn requested_format(req: &Request, p: &Params) -> Result<Format, AlibabaError> {
    if let Some(f) = p.optional("Format") {
        return Format::parse(f).ok_or_else(|| {
            AlibabaError::invalid(format!(
                "The parameter Format \"{f}\" is invalid: use JSON or XML."
            ))
        });
    }
    let accept = req.header("accept").unwrap_or("").to_ascii_lowercase();
    Ok(if accept.contains("xml") && !accept.contains("json") {
        Format::Xml
    } else {
        Format::Json
    })
}

impl AlibabaFrontend {
    pub fn new(service: Arc<Service>, config: AlibabaConfig) -> Self {
        Self {
            service,
            config,
            functions: localsecrets_api::rotation::no_functions(),
        }
    }

    /// The registry Generic secrets find their rotation function in, by secret name.
    pub fn with_rotation_functions(mut self, functions: Arc<dyn RotationFunctions>) -> Self {
        self.functions = functions;
        self
    }

    fn answer(&self, req: &Request, p: &Params) -> Result<(String, Obj), (AlibabaError, String)> {
        let default_host = format!("kms.{}.aliyuncs.com", self.config.default_region);
        let early = |e: AlibabaError| (e, default_host.clone());
        if !req.method.eq_ignore_ascii_case("GET") && !req.method.eq_ignore_ascii_case("POST") {
            return Err(early(AlibabaError::with(
                Code::UnsupportedHttpMethod,
                format!(
                    "This http method is not supported: {} (use GET or POST).",
                    req.method
                ),
            )));
        }
        let action = p
            .action()
            .ok_or_else(|| early(AlibabaError::missing("Action")))?;
        if let Some(v) = p.version().filter(|v| *v != API_VERSION) {
            return Err(early(AlibabaError::with(
                Code::InvalidVersion,
                format!(
                    "Specified parameter Version is not valid: {v} (KMS speaks {API_VERSION})."
                ),
            )));
        }
        let handler = router::find(action).map_err(early)?;
        let identity = identity::identify(req, p, &self.config).map_err(early)?;
        let host = identity.host_id();
        let call = Call {
            service: &self.service,
            scope: Scope::new(Cloud::Alibaba, &identity.account, &identity.region),
            identity: &identity,
            functions: &*self.functions,
        };
        let fields = handler(&call, p).map_err(|e| (e, host))?;
        Ok((action.to_owned(), fields))
    }
}

impl Frontend for AlibabaFrontend {
    fn cloud(&self) -> Cloud {
        Cloud::Alibaba
    }

    fn scheduled_rotation(&self, scope: &Scope, name: &str) -> Result<(), String> {
        rotation::rotate(&self.service, &*self.functions, scope, name, None)
            .map(drop)
            .map_err(|e| e.message)
    }

    fn claims(&self, req: &Request) -> bool {
        Params::from_request(req).action().is_some()
    }

    fn operation(&self, req: &Request) -> Option<String> {
        Params::from_request(req).action().map(str::to_owned)
    }

    fn only_reads(&self, req: &Request) -> bool {
        Params::from_request(req)
            .action()
            .is_some_and(|a| router::READS.contains(&a))
    }

    fn describe(&self, req: &Request) -> RequestInfo {
        let p = Params::from_request(req);
        let who = identity::identify(req, &p, &self.config).ok();
        RequestInfo {
            operation: p.action().map(str::to_owned),
            tenant: who.as_ref().map(|w| w.account.clone()),
            region: who.map(|w| w.region),
            secret: p.optional("SecretName").map(str::to_owned),
        }
    }

    fn check_import(&self, scope: &Scope, secret: &Secret) -> Result<(), ImportIssue> {
        import::check_import(scope, secret)
    }

    fn refuse(&self, req: &Request, message: &str) -> Response {
        let format = requested_format(req, &Params::from_request(req)).unwrap_or(Format::Json);
        let host = format!("kms.{}.aliyuncs.com", self.config.default_region);
        AlibabaError::with(Code::NoPermission, message)
            .rendered_as(format, &host)
            .respond(&req.request_id)
    }

    fn handle(&self, req: &Request) -> Response {
        let id = req.request_id.as_str();
        let p = Params::from_request(req);
        let format = match requested_format(req, &p) {
            Ok(f) => f,
            Err(e) => return e.respond(id),
        };
        match self.answer(req, &p) {
            Ok((action, fields)) => {
                let body = Obj::new().str("RequestId", id).extend(fields);
                render::document(200, format, &format!("{action}Response"), &body)
                    .header("x-acs-request-id", id)
            }
            Err((e, host)) => e.rendered_as(format, &host).respond(id),
        }
    }
}

#[cfg(test)]
mod tests;
