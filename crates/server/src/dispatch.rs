//! Who answers a request: the admin API first, then each cloud in order (AWS by
//! `X-Amz-Target: secretsmanager.*`, by a SigV4 signature or by STS's version; Huawei by
//! `/v1/…`; Alibaba by `Action`), else a neutral JSON 404 that names the protocols served.
//! AWS comes before Alibaba so that a SigV4-signed `Action=` (STS, or a service not emulated)
//! is answered in AWS's shape. Each answers only what the [`crate::guard`] lets through: a
//! refused cloud request gets the cloud's own access-denied error.

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
    let host = app.guard.check_host(req);
    if admin::claims(req) {
        let response = match host
            .map_err(|m| (403, "host_not_allowed", m))
            .and_then(|()| {
                app.guard
                    .check_admin(req, &req.raw_path)
                    .map_err(|r| (r.status, r.code, r.message))
            }) {
            Ok(()) => admin::handle(app, req),
            Err((401, code, message)) => admin::error(401, code, &message)
                .header("www-authenticate", r#"Bearer realm="localsecrets""#),
            Err((status, code, message)) => admin::error(status, code, &message),
        };
        return (Route::Admin, response);
    }
    if let Some(f) = app.frontends.iter().find(|f| f.claims(req)) {
        let route = Route::Cloud {
            cloud: f.cloud().as_str(),
            operation: f.operation(req),
        };
        let started = std::time::Instant::now();
        let (response, info) = match &host {
            Ok(()) if app.journal.is_active() => {
                let (response, info) = f.serve(req);
                (response, Some(info))
            }
            Ok(()) => (f.handle(req), None),
            Err(message) => (f.refuse(req, message), None),
        };
        let time = app.service.now();
        match info {
            Some(info) => {
                let took = started.elapsed();
                app.journal
                    .record(f.cloud(), info, req, &response, time, took)
            }
            None => app
                .journal
                .note(f.as_ref(), req, &response, time, started.elapsed()),
        }
        return (route, response);
    }
    match host {
        Ok(()) => (Route::NotFound, not_found(req)),
        Err(m) => (Route::NotFound, admin::error(403, "host_not_allowed", &m)),
    }
}

/// Whether a request is a cloud read (see `Frontend::only_reads`) on a store whose reads
/// never wait for a write. Admin calls never are: an export or a fixture load holds the store
/// for long.
pub fn only_reads(app: &App, req: &Request) -> bool {
    app.service.reads_beside_writes()
        && !admin::claims(req)
        && app
            .frontends
            .iter()
            .find(|f| f.claims(req))
            .is_some_and(|f| f.only_reads(req))
}

pub const PROTOCOLS: [&str; 3] = [
    "aws: POST / with X-Amz-Target: secretsmanager.<Operation> (JSON 1.1); STS Action=<Operation>&Version=2011-06-15 (query protocol); any other SigV4-signed request gets AWS's not-emulated error",
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
        fn refuse(&self, _req: &Request, message: &str) -> Response {
            Response::new(403).body(format!("{} refuses: {message}", self.0.as_str()))
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
    fn a_refused_host_gets_each_answerers_own_refusal() {
        let mut app = app();
        app.guard = crate::guard::Guard::new(true, &[], None);
        let evil = |r: Request| r.with_header("host", "rebound.example.com:4566");

        let (by, r) = route(&app, &evil(Request::new("POST", "/").with_header("l", "x")));
        assert_eq!(
            by,
            Route::Cloud {
                cloud: "alibaba",
                operation: Some("x".into())
            }
        );
        assert_eq!(r.status, 403);
        assert!(r.body.starts_with(b"alibaba refuses: Host"), "{:?}", r.body);

        let (by, r) = route(&app, &evil(Request::new("GET", "/_localsecrets/export")));
        assert_eq!((by, r.status), (Route::Admin, 403));
        assert_eq!(r.json_body().unwrap()["error"], "host_not_allowed");

        let (by, r) = route(&app, &evil(Request::new("GET", "/elsewhere")));
        assert_eq!((by, r.status), (Route::NotFound, 403));

        let local =
            Request::new("GET", "/_localsecrets/health").with_header("host", "localhost:4566");
        assert_eq!(route(&app, &local).1.status, 200);
    }

    #[test]
    fn admin_refusals_come_before_the_handler() {
        let mut app = app();
        app.guard = crate::guard::Guard::new(true, &[], Some("tok".into()));
        let reset = Request::new("POST", "/_localsecrets/reset")
            .with_header("content-type", "application/json");
        let r = route(&app, &reset).1;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.header_value("www-authenticate"),
            Some(r#"Bearer realm="localsecrets""#)
        );
        let r = route(
            &app,
            &reset.clone().with_header("authorization", "Bearer tok"),
        )
        .1;
        assert_eq!(r.status, 200);
        let cross = reset
            .with_header("authorization", "Bearer tok")
            .with_header("origin", "https://evil.example")
            .with_header("host", "127.0.0.1:4566");
        assert_eq!(route(&app, &cross).1.status, 403);
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
