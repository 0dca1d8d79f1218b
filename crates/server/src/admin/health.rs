//! `GET|HEAD /_localsecrets/health` (and `/_localstack/health`): liveness plus what this
//! server is — version, frontends, persistence and the clock.

use super::{clock, ok};
use crate::app::App;
use localsecrets_api::Response;
use localsecrets_core::Cloud;
use serde_json::json;

pub fn get(app: &App) -> Response {
    ok(&json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "frontends": [Cloud::Aws.as_str(), Cloud::Alibaba.as_str(), Cloud::Huawei.as_str()],
        "persistence": app.service.persistence(),
        "clock": clock::state(app),
    }))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{app, call};

    #[test]
    fn shape() {
        let app = app();
        for path in ["/_localsecrets/health", "/_localstack/health"] {
            let (status, body) = call(&app, "GET", path, "");
            assert_eq!(status, 200);
            assert_eq!(body["status"], "ok");
            assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
            assert_eq!(
                body["frontends"],
                serde_json::json!(["aws", "alibaba", "huawei"])
            );
            assert_eq!(body["persistence"], "memory");
            assert_eq!(body["clock"]["offset_seconds"], 0);
            assert!(body["clock"]["now"].as_str().unwrap().ends_with('Z'));
        }
    }
}
