//! AWS Secrets Manager over JSON 1.1: requests are `POST /` with
//! `X-Amz-Target: secretsmanager.<Operation>`.

use localsecrets_api::{Frontend, Request, Response};
use localsecrets_core::{Cloud, Service};
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
    #[allow(dead_code)]
    service: Arc<Service>,
    #[allow(dead_code)]
    config: AwsConfig,
}

impl AwsFrontend {
    pub fn new(service: Arc<Service>, config: AwsConfig) -> Self {
        Self { service, config }
    }
}

fn target(req: &Request) -> Option<&str> {
    let t = req.header("x-amz-target")?;
    let (prefix, op) = t.split_once('.')?;
    prefix.eq_ignore_ascii_case("secretsmanager").then_some(op)
}

impl Frontend for AwsFrontend {
    fn cloud(&self) -> Cloud {
        Cloud::Aws
    }

    fn claims(&self, req: &Request) -> bool {
        target(req).is_some()
    }

    fn operation(&self, req: &Request) -> Option<String> {
        target(req).map(str::to_owned)
    }

    fn handle(&self, req: &Request) -> Response {
        let op = target(req).unwrap_or_default();
        let body = serde_json::json!({
            "__type": "UnknownOperationException",
            "Message": format!("Operation {op} is not supported by this endpoint."),
        });
        Response::json(400, &body)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amzn-RequestId", &req.request_id)
            .header("x-amzn-ErrorType", "UnknownOperationException")
    }
}
