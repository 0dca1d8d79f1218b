//! `GET /_localsecrets/requests[?cloud=&operation=&secret=&status=&since=&tenant=&region=]`:
//! the request journal, oldest first; `DELETE /_localsecrets/requests` empties it.
//! `status` is a code (`404`) or a class (`4xx`); `since` an RFC 3339 time or one relative
//! to now (`-5m`); `operation` matches without regard to case.

use super::{error, ok};
use crate::app::App;
use crate::fixtures::times::parse_time;
use crate::journal::{Filter, StatusFilter};
use localsecrets_api::{Request, Response};
use localsecrets_core::Cloud;
use serde_json::json;

pub fn get(app: &App, req: &Request) -> Response {
    let filter = match parse(app, req) {
        Ok(f) => f,
        Err(message) => return error(400, "bad_request", &message),
    };
    let entries = app.journal.query(&filter);
    ok(&json!({
        "requests": entries.iter().map(|e| e.to_json()).collect::<Vec<_>>(),
        "count": entries.len(),
        "capacity": app.journal.capacity(),
        "evicted": app.journal.evicted(),
    }))
}

pub fn delete(app: &App) -> Response {
    let cleared = app.journal.clear();
    ok(&json!({ "status": "ok", "cleared": cleared }))
}

fn parse(app: &App, req: &Request) -> Result<Filter, String> {
    let mut f = Filter::default();
    for (key, value) in req.query_pairs() {
        if value.is_empty() {
            return Err(format!("{key} must not be empty"));
        }
        match key.as_str() {
            "cloud" => {
                f.cloud = Some(Cloud::parse(&value).ok_or_else(|| {
                    format!("unknown cloud {value:?}: expected aws, alibaba or huawei")
                })?)
            }
            "operation" => f.operation = Some(value),
            "secret" => f.secret = Some(value),
            "tenant" => f.tenant = Some(value),
            "region" => f.region = Some(value),
            "status" => {
                f.status = Some(StatusFilter::parse(&value).ok_or_else(|| {
                    format!("status must be an HTTP status such as 404 or a class such as 4xx, not {value:?}")
                })?)
            }
            "since" => f.since = Some(parse_time(&value, app.service.now())?),
            _ => {
                return Err(format!(
                    "unknown parameter {key:?}: requests takes cloud, operation, secret, status, since, tenant and region"
                ))
            }
        }
    }
    Ok(f)
}
