//! Alibaba Cloud KMS secrets over RPC: `Action` from the query, the form body or the ACS3
//! `x-acs-action` header; answers in JSON or XML.

use localsecrets_api::{http::parse_form, Frontend, Request, Response};
use localsecrets_core::{Cloud, Service};
use std::sync::Arc;

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
    #[allow(dead_code)]
    service: Arc<Service>,
    #[allow(dead_code)]
    config: AlibabaConfig,
}

impl AlibabaFrontend {
    pub fn new(service: Arc<Service>, config: AlibabaConfig) -> Self {
        Self { service, config }
    }
}

fn action(req: &Request) -> Option<String> {
    if let Some(a) = req.header("x-acs-action") {
        return Some(a.to_owned());
    }
    let from = |pairs: Vec<(String, String)>| {
        pairs
            .into_iter()
            .find(|(k, _)| k == "Action")
            .map(|(_, v)| v)
    };
    from(req.query_pairs()).or_else(|| {
        (req.content_type().as_deref() == Some("application/x-www-form-urlencoded"))
            .then(|| from(parse_form(&String::from_utf8_lossy(&req.body))))
            .flatten()
    })
}

impl Frontend for AlibabaFrontend {
    fn cloud(&self) -> Cloud {
        Cloud::Alibaba
    }

    fn claims(&self, req: &Request) -> bool {
        action(req).is_some()
    }

    fn operation(&self, req: &Request) -> Option<String> {
        action(req)
    }

    fn handle(&self, req: &Request) -> Response {
        let body = serde_json::json!({
            "RequestId": req.request_id,
            "HostId": "kms.aliyuncs.com",
            "Code": "InvalidAction.NotFound",
            "Message": "Specified api is not found, please check your url and method.",
            "Recommend": "",
        });
        Response::json(404, &body)
            .header("content-type", "application/json;charset=utf-8")
            .header("x-acs-request-id", &req.request_id)
    }
}
