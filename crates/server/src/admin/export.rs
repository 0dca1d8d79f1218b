//! `GET /_localsecrets/export[?cloud=aws|alibaba|huawei]`: the current state as a fixture
//! document, ready to be loaded again with `POST /_localsecrets/fixtures`. When it was taken
//! (the server's clock) goes in the `X-Localsecrets-Exported-At` header, not the document,
//! so two exports of one state are the same bytes.

use super::error;
use crate::app::App;
use localsecrets_api::{Request, Response};
use localsecrets_core::Cloud;

pub const EXPORTED_AT: &str = "x-localsecrets-exported-at";

pub fn get(app: &App, req: &Request) -> Response {
    let mut cloud = None;
    for (key, value) in req.query_pairs() {
        match key.as_str() {
            "cloud" => match Cloud::parse(&value) {
                Some(c) => cloud = Some(c),
                None => {
                    return error(
                        400,
                        "bad_request",
                        &format!("unknown cloud {value:?}: expected aws, alibaba or huawei"),
                    )
                }
            },
            _ => {
                return error(
                    400,
                    "bad_request",
                    &format!("unknown parameter {key:?}: export takes cloud=aws|alibaba|huawei"),
                )
            }
        }
    }
    // Written while it is sent: an export of any size holds a page of secrets in memory, not
    // the whole document.
    let service = app.service.clone();
    let kinds = crate::export::record_kinds(app);
    let exported_at = service.now().to_rfc3339();
    Response::new(200)
        .header("content-type", "application/json")
        .header(EXPORTED_AT, &exported_at)
        .stream(move |emit| {
            crate::export::stream(&service, &kinds, cloud, emit).map_err(|e| e.to_string())
        })
}
