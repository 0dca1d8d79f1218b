//! Who answers a request: the admin API first, then each cloud in order (AWS by
//! `X-Amz-Target`, Huawei by `/v1/…`, Alibaba by `Action`), else a neutral JSON 404 that
//! names the protocols served.

use crate::admin;
use crate::app::App;
use localsecrets_api::{Request, Response};
use serde_json::json;

/// Who answered, for the request log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Admin,
    Cloud {
        cloud: &'static str,
        operation: Option<String>,
    },
    NotFound,
}

pub fn route(app: &App, req: &Request) -> (Route, Response) {
    if admin::claims(req) {
        return (Route::Admin, admin::handle(app, req));
    }
    if let Some(f) = app.frontends.iter().find(|f| f.claims(req)) {
        let route = Route::Cloud {
            cloud: f.cloud().as_str(),
            operation: f.operation(req),
        };
        let started = std::time::Instant::now();
        let response = f.handle(req);
        let time = app.service.now();
        app.journal
            .note(f.as_ref(), req, &response, time, started.elapsed());
        return (route, response);
    }
    (Route::NotFound, not_found(req))
}

pub const PROTOCOLS: [&str; 3] = [
    "aws: POST / with X-Amz-Target: secretsmanager.<Operation> (JSON 1.1)",
    "alibaba: RPC with Action=<Operation> in the query or form body, or an x-acs-action header",
    "huawei: REST under /v1/{project_id}/secrets",
];

fn not_found(req: &Request) -> Response {
    Response::json(
        404,
        &json!({
            "error": "not_found",
            "message": format!(
                "no protocol served here matches {} {}; the admin API is under {}/",
                req.method,
                req.raw_path,
                admin::PREFIX
            ),
            "protocols": PROTOCOLS,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_api::Frontend;
    use localsecrets_core::Cloud;
    use std::sync::Arc;

    /// A frontend that claims by a header and answers with its own name.
    struct Probe(Cloud, &'static str);

    impl Frontend for Probe {
        fn cloud(&self) -> Cloud {
            self.0
        }
        fn claims(&self, req: &Request) -> bool {
            req.header(self.1).is_some()
        }
        fn handle(&self, _req: &Request) -> Response {
            Response::new(200).body(self.0.as_str())
        }
        fn operation(&self, req: &Request) -> Option<String> {
            req.header(self.1).map(str::to_owned)
        }
    }

    fn app() -> App {
        let mut app = crate::admin::tests::app();
        app.frontends = vec![
            Arc::new(Probe(Cloud::Aws, "a")),
            Arc::new(Probe(Cloud::Huawei, "h")),
            Arc::new(Probe(Cloud::Alibaba, "l")),
        ];
        app
    }

    #[test]
    fn order_is_admin_then_frontends_in_sequence_then_404() {
        let app = app();
        let both = Request::new("POST", "/")
            .with_header("h", "x")
            .with_header("l", "y");
        let (by, r) = route(&app, &both);
        assert_eq!(r.body, "huawei");
        assert_eq!(
            by,
            Route::Cloud {
                cloud: "huawei",
                operation: Some("x".into())
            }
        );

        let all = both.clone().with_header("a", "z");
        assert_eq!(route(&app, &all).1.body, "aws");

        let admin = Request::new("GET", "/_localsecrets/health").with_header("a", "z");
        let (r, resp) = route(&app, &admin);
        assert_eq!((r, resp.status), (Route::Admin, 200));

        let (r, resp) = route(&app, &Request::new("GET", "/nowhere"));
        assert_eq!(r, Route::NotFound);
        assert_eq!(resp.status, 404);
        let body = resp.json_body().unwrap();
        assert_eq!(body["error"], "not_found");
        assert_eq!(body["protocols"].as_array().unwrap().len(), 3);
        assert!(body["message"].as_str().unwrap().contains("GET /nowhere"));
    }
}
