//! `GET /v1/{project_id}/csms/events/{event_name}`.

use crate::call::{check_name, Call};
use crate::error::{HuaweiError, HwResult};
use crate::records::{self, Event};
use crate::render;
use localsecrets_api::Response;
use serde_json::json;

pub fn not_found(name: &str) -> HuaweiError {
    HuaweiError::not_found(format!("The event {name} does not exist."))
}

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_name("event name", name)?;
    let event = records::get::<Event>(call.svc, &call.scope, records::EVENT, name)?
        .ok_or_else(|| not_found(name))?;
    Ok(render::ok(json!({ "event": event })))
}
