//! The admin API under `/_localsecrets/`, JSON in and out, plus the aliases other emulators'
//! tools expect (`/_localstack/health`, `POST /moto-api/reset`).

mod clock;
mod export;
mod fixtures;
mod health;
mod requests;
mod reset;
mod rotation;

use crate::app::App;
use localsecrets_api::{Request, Response};
use serde_json::json;

pub const PREFIX: &str = "/_localsecrets";

/// The admin endpoints, for the 404 answer and `Allow` headers.
const ROUTES: &[(&str, &[&str])] = &[
    ("/_localsecrets/health", &["GET", "HEAD"]),
    ("/_localsecrets/reset", &["POST"]),
    ("/_localsecrets/clock", &["GET", "POST"]),
    ("/_localsecrets/fixtures", &["POST"]),
    ("/_localsecrets/export", &["GET"]),
    ("/_localsecrets/requests", &["GET", "DELETE"]),
    ("/_localstack/health", &["GET", "HEAD"]),
    ("/moto-api/reset", &["POST"]),
];

/// Whether the admin API answers this path (before any cloud is asked).
pub fn claims(req: &Request) -> bool {
    let p = normalized(&req.raw_path);
    p == PREFIX
        || p.strip_prefix(PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
        || ROUTES.iter().any(|(route, _)| *route == p)
}

pub fn handle(app: &App, req: &Request) -> Response {
    let path = normalized(&req.raw_path);
    if let Some(r) = rotation::route(app, req, path) {
        return r;
    }
    let Some((route, methods)) = ROUTES.iter().find(|(route, _)| *route == path) else {
        return error(
            404,
            "not_found",
            &format!(
                "no admin endpoint {path}; the admin API serves {}",
                ROUTES
                    .iter()
                    .filter(|(r, _)| r.starts_with(PREFIX))
                    .map(|(r, m)| format!("{} {r}", m.join("|")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    };
    if !methods.contains(&req.method.as_str()) {
        return error(
            405,
            "method_not_allowed",
            &format!(
                "{} does not accept {}; use {}",
                route,
                req.method,
                methods.join(" or ")
            ),
        )
        .header("allow", &methods.join(", "));
    }
    match (*route, req.method.as_str()) {
        ("/_localsecrets/health" | "/_localstack/health", _) => health::get(app),
        ("/_localsecrets/reset" | "/moto-api/reset", _) => reset::post(app, req),
        ("/_localsecrets/clock", "GET") => clock::get(app),
        ("/_localsecrets/clock", _) => clock::post(app, req),
        ("/_localsecrets/fixtures", _) => fixtures::post(app, req),
        ("/_localsecrets/export", _) => export::get(app, req),
        ("/_localsecrets/requests", "GET") => requests::get(app, req),
        ("/_localsecrets/requests", _) => requests::delete(app),
        _ => error(500, "internal", "admin route without a handler"),
    }
}

/// One trailing slash is tolerated: `/_localsecrets/health/` is the health endpoint.
fn normalized(path: &str) -> &str {
    match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    }
}

pub(crate) fn ok(value: &serde_json::Value) -> Response {
    Response::json(200, value)
}

/// The admin API's error form: `{"error": "<code>", "message": "<what to fix>"}`.
pub(crate) fn error(status: u16, code: &str, message: &str) -> Response {
    Response::json(status, &json!({ "error": code, "message": message }))
}

pub(crate) fn internal(e: &impl std::fmt::Display) -> Response {
    tracing::error!("admin request failed: {e}");
    error(500, "internal", &e.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use localsecrets_core::memory::MemoryStorage;
    use localsecrets_core::Random;
    use std::sync::Arc;

    pub fn app() -> App {
        App::new(Arc::new(MemoryStorage::new()), Random::seeded(1)).unwrap()
    }

    pub fn call(app: &App, method: &str, target: &str, body: &str) -> (u16, serde_json::Value) {
        let req = Request::new(method, target).with_body(body.to_owned());
        assert!(claims(&req), "{target} is not an admin path");
        let r = handle(app, &req).collected().unwrap();
        let v = r.json_body().unwrap_or(serde_json::Value::Null);
        (r.status, v)
    }

    #[test]
    fn claims_only_admin_paths() {
        for p in [
            "/_localsecrets",
            "/_localsecrets/",
            "/_localsecrets/health",
            "/_localsecrets/nope",
            "/_localstack/health",
            "/moto-api/reset",
        ] {
            assert!(claims(&Request::new("GET", p)), "{p}");
        }
        for p in [
            "/",
            "/_localsecretsx",
            "/v1/p/secrets",
            "/_localstack/other",
            "/moto-api/",
        ] {
            assert!(!claims(&Request::new("GET", p)), "{p}");
        }
    }

    #[test]
    fn unknown_path_and_wrong_method() {
        let app = app();
        let (status, body) = call(&app, "GET", "/_localsecrets/nope", "");
        assert_eq!(status, 404);
        assert_eq!(body["error"], "not_found");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains("/_localsecrets/health"));

        let req = Request::new("DELETE", "/_localsecrets/health");
        let r = handle(&app, &req);
        assert_eq!(r.status, 405);
        assert_eq!(r.header_value("allow"), Some("GET, HEAD"));
        assert_eq!(r.json_body().unwrap()["error"], "method_not_allowed");

        let (status, _) = call(&app, "GET", "/moto-api/reset", "");
        assert_eq!(status, 405);
        let (status, _) = call(&app, "GET", "/_localsecrets/health/", "");
        assert_eq!(status, 200);
    }
}
