//! Huawei Cloud CSMS v1 over REST + JSON under `/v1/{project_id}/…`.

use localsecrets_api::{Frontend, Request, Response};
use localsecrets_core::{Cloud, Service};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct HuaweiConfig {
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
    #[allow(dead_code)]
    service: Arc<Service>,
    #[allow(dead_code)]
    config: HuaweiConfig,
}

impl HuaweiFrontend {
    pub fn new(service: Arc<Service>, config: HuaweiConfig) -> Self {
        Self { service, config }
    }
}

impl Frontend for HuaweiFrontend {
    fn cloud(&self) -> Cloud {
        Cloud::Huawei
    }

    fn claims(&self, req: &Request) -> bool {
        req.raw_path.starts_with("/v1/")
    }

    fn operation(&self, _req: &Request) -> Option<String> {
        None
    }

    fn handle(&self, req: &Request) -> Response {
        let body = serde_json::json!({
            "error_code": "APIGW.0101",
            "error_msg": "The API does not exist or has not been published in the environment",
        });
        Response::json(404, &body).header("X-Request-Id", &req.request_id)
    }
}
