//! Huawei Cloud CSMS v1 over REST + JSON under `/v1/{project_id}/…` and `/v1/csms/…`.
//!
//! - [`router`]: method and raw path → [`router::Op`], each segment percent-decoded.
//! - [`identity`]: the `SDK-HMAC-SHA256` header, parsed for the access key.
//! - [`call`]: the request in hand — scope, body, query and the shared checks.
//! - [`ops`]: one file per operation: parse, call the core service, render.
//! - [`render`]: the CSMS JSON shapes (times in epoch milliseconds).
//! - [`meta`]: Huawei attributes kept in `Secret::extra`.
//! - [`records`]: events, tasks, notification records as core storage records.
//! - [`notify`]: the core observer that writes tasks and notification records inside the
//!   transaction of the change that causes them.
//! - [`tags`]: the tag rules every tag operation applies.
//! - [`rotation`]: the user function `rotation_func_urn` names, else the built-in generator
//!   (RotateSecret and scheduled rotations).
//! - [`error`]: every CSMS error in one table.
//! - [`import`]: the same rules for secrets and records loaded from fixture files.
//! - `tests` (tests only): the frontend end to end on an in-memory store.
//!
//! Data flow: [`HuaweiFrontend::handle`] → [`identity::parse`] → [`router::route`] → a
//! [`call::Call`] for the project (or account) scope → `ops::<operation>` → core
//! [`Service`] → [`render`], with `X-Request-Id` on every response.

pub mod call;
pub mod error;
pub mod identity;
pub mod import;
pub mod meta;
pub mod notify;
pub mod ops;
pub mod records;
pub mod render;
pub mod rotation;
pub mod router;
pub mod tags;

use crate::call::Call;
use crate::error::{ErrorKind, HuaweiError, HwResult};
use crate::router::{Op, Target};
use localsecrets_api::{
    Frontend, ImportIssue, Request, RequestInfo, Response, RotationFunctions, WireError,
};
use localsecrets_core::{Cloud, Scope, Secret, Service};
use serde_json::Value;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct HuaweiConfig {
    /// The region of requests whose host does not name one (`kms.<region>.…`).
    pub default_region: String,
}

impl Default for HuaweiConfig {
    fn default() -> Self {
        Self {
            default_region: "cn-north-4".into(),
        }
    }
}

pub struct HuaweiFrontend {
    service: Arc<Service>,
    config: HuaweiConfig,
    functions: Arc<dyn RotationFunctions>,
}

impl HuaweiFrontend {
    /// Also registers the observer that records rotation tasks and notifications.
    pub fn new(service: Arc<Service>, config: HuaweiConfig) -> Self {
        service.observe(notify::OBSERVER_KEY, Arc::new(notify::Notifier));
        Self {
            service,
            config,
            functions: localsecrets_api::rotation::no_functions(),
        }
    }

    /// The registry that `rotation_func_urn` names functions in.
    pub fn with_rotation_functions(mut self, functions: Arc<dyn RotationFunctions>) -> Self {
        self.functions = functions;
        self
    }

    /// `kms.<region>.myhuaweicloud.com` (or `csms.…`) names the region; anything else
    /// (`127.0.0.1:4566`) gets the default.
    fn region(&self, req: &Request) -> String {
        let host = req.header("host").unwrap_or_default();
        let host = host.split(':').next().unwrap_or_default();
        let parts: Vec<&str> = host.split('.').collect();
        match parts.as_slice() {
            [svc, region, ..] if (*svc == "kms" || *svc == "csms") && parts.len() >= 4 => {
                (*region).to_owned()
            }
            _ => self.config.default_region.clone(),
        }
    }

    fn answer(&self, req: &Request) -> HwResult<Response> {
        let signed = identity::parse(req)?;
        let routed = router::route(&req.method, &req.raw_path)?;
        let region = self.region(req);
        let (tenant, project) = match &routed.target {
            Target::Project(p) => {
                if let Some(h) = req.header("x-project-id") {
                    if h != p {
                        return Err(HuaweiError::new(
                            error::ErrorKind::InvalidRequest,
                            format!(
                                "The X-Project-Id header {h} does not match the project id {p} \
                                 in the path."
                            ),
                        ));
                    }
                }
                (p.clone(), Some(p.clone()))
            }
            Target::Account => {
                let ak = signed.map_or_else(|| "anonymous".to_owned(), |s| s.access_key);
                (format!("account:{ak}"), None)
            }
        };
        let call = Call {
            svc: &self.service,
            req,
            scope: Scope::new(Cloud::Huawei, tenant, region),
            project,
            functions: &*self.functions,
        };
        ops::dispatch(&call, &routed.op)
    }
}

impl Frontend for HuaweiFrontend {
    fn cloud(&self) -> Cloud {
        Cloud::Huawei
    }

    fn claims(&self, req: &Request) -> bool {
        req.raw_path.starts_with("/v1/")
    }

    fn operation(&self, req: &Request) -> Option<String> {
        router::match_route(&req.method, &req.raw_path)
            .ok()
            .flatten()
            .map(|r| r.op.name().to_owned())
    }

    /// Every Huawei `GET` is a read.
    fn only_reads(&self, req: &Request) -> bool {
        req.method == "GET"
    }

    fn refuse(&self, req: &Request, message: &str) -> Response {
        HuaweiError::new(ErrorKind::Forbidden, message).respond(&req.request_id)
    }

    fn handle(&self, req: &Request) -> Response {
        match self.answer(req) {
            Ok(r) => r.header("X-Request-Id", &req.request_id),
            Err(e) => e.respond(&req.request_id),
        }
    }

    fn describe(&self, req: &Request) -> RequestInfo {
        let routed = router::match_route(&req.method, &req.raw_path)
            .ok()
            .flatten();
        let tenant = routed.as_ref().map(|r| match &r.target {
            Target::Project(p) => p.clone(),
            Target::Account => {
                let ak = identity::parse(req).ok().flatten().map(|s| s.access_key);
                format!("account:{}", ak.as_deref().unwrap_or("anonymous"))
            }
        });
        let secret = routed.as_ref().and_then(|r| match &r.op {
            Op::CreateSecret => serde_json::from_slice::<Value>(&req.body)
                .ok()
                .and_then(|b| b.get("name")?.as_str().map(str::to_owned)),
            op => secret_of(op).map(str::to_owned),
        });
        RequestInfo {
            operation: routed.map(|r| r.op.name().to_owned()),
            tenant,
            region: Some(self.region(req)),
            secret,
        }
    }

    fn scheduled_rotation(&self, scope: &Scope, name: &str) -> Result<(), String> {
        rotation::rotate(&self.service, &*self.functions, scope, name)
            .map(drop)
            .map_err(|e| e.message)
    }

    fn check_import(&self, scope: &Scope, secret: &Secret) -> Result<(), ImportIssue> {
        import::check_import(scope, secret)
    }

    fn record_kinds(&self) -> &'static [&'static str] {
        &import::RECORD_KINDS
    }

    fn check_record(
        &self,
        _scope: &Scope,
        kind: &str,
        key: &str,
        value: &Value,
    ) -> Result<(), String> {
        import::check_record(kind, key, value)
    }
}

/// The secret an operation's path names (by name, or by id for the tag operations).
fn secret_of(op: &Op) -> Option<&str> {
    match op {
        Op::ShowSecret { name }
        | Op::UpdateSecret { name }
        | Op::DeleteSecret { name }
        | Op::DownloadSecretBlob { name }
        | Op::RotateSecret { name }
        | Op::RestoreSecret { name }
        | Op::DeleteSecretForSchedule { name }
        | Op::ShowSecretStage { name, .. }
        | Op::UpdateSecretStage { name, .. }
        | Op::DeleteSecretStage { name, .. }
        | Op::ListSecretVersions { name }
        | Op::CreateSecretVersion { name }
        | Op::ShowSecretVersion { name, .. }
        | Op::UpdateVersion { name, .. } => Some(name),
        Op::ListSecretTags { secret_id }
        | Op::CreateSecretTag { secret_id }
        | Op::BatchCreateOrDeleteTags { secret_id }
        | Op::DeleteSecretTag { secret_id, .. } => Some(secret_id),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
