//! `POST /_localsecrets/fixtures[?replace=true][&name=<file name>]`: loads the body, a fixture
//! document, in one transaction. A refused document changes nothing and answers `400` with
//! `{"error": "invalid_fixture", "message": "<name>: <JSON path>: <problem>", "path": ...}`;
//! a taken name answers `409` unless `replace=true`.

use super::{error, ok};
use crate::app::App;
use crate::fixtures::{self, FixtureError, Refusal};
use localsecrets_api::{Request, Response};
use serde_json::json;

/// What a document is called in messages when the caller gives no name.
const BODY: &str = "request body";

pub fn post(app: &App, req: &Request) -> Response {
    let mut replace = false;
    let mut name = BODY.to_owned();
    for (key, value) in req.query_pairs() {
        match (key.as_str(), value.as_str()) {
            ("replace", "true" | "1" | "") => replace = true,
            ("replace", "false" | "0") => replace = false,
            ("replace", other) => {
                return error(
                    400,
                    "bad_request",
                    &format!("replace must be true or false, not {other:?}"),
                )
            }
            ("name", n) if !n.is_empty() => name = n.to_owned(),
            _ => {
                return error(
                    400,
                    "bad_request",
                    &format!(
                        "unknown parameter {key:?}: fixtures takes replace=true|false and name=<file name>"
                    ),
                )
            }
        }
    }
    match fixtures::load(app, &name, &req.body, replace) {
        Ok(loaded) => {
            tracing::info!(
                source = %loaded.source,
                secrets = loaded.secrets,
                records = loaded.records,
                "fixtures loaded"
            );
            let by_cloud: serde_json::Map<String, serde_json::Value> = loaded
                .by_cloud
                .iter()
                .map(|(c, n)| (c.as_str().to_owned(), json!(n)))
                .collect();
            ok(&json!({
                "status": "ok",
                "loaded": {
                    "source": loaded.source,
                    "secrets": loaded.secrets,
                    "records": loaded.records,
                    "by_cloud": by_cloud,
                },
            }))
        }
        Err(e) => refused(&e),
    }
}

fn refused(e: &FixtureError) -> Response {
    let (status, code) = match e.refusal {
        Refusal::Invalid => (400, "invalid_fixture"),
        Refusal::Conflict => (409, "conflict"),
        Refusal::Storage => (500, "internal"),
    };
    Response::json(
        status,
        &json!({
            "error": code,
            "message": e.to_string(),
            "source": e.source,
            "path": e.path,
            "problem": e.message,
        }),
    )
}
