//! `GET /_localsecrets/export[?cloud=aws|alibaba|huawei]`: the current state as a fixture
//! document, ready to be loaded again with `POST /_localsecrets/fixtures`.

use super::{error, internal};
use crate::app::App;
use localsecrets_api::{Request, Response};
use localsecrets_core::Cloud;

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
    match crate::export::document(app, cloud) {
        Ok(doc) => Response::new(200)
            .header("content-type", "application/json")
            .body(doc),
        Err(e) => internal(&e),
    }
}
