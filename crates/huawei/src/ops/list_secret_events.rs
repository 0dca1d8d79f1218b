//! `GET /v1/{project_id}/csms/events?limit&marker`: events by name.

use super::{limit, page};
use crate::call::Call;
use crate::error::HwResult;
use crate::records::{self, Event};
use crate::render;
use localsecrets_api::Response;
use serde_json::json;

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let limit = limit(call)?;
    let marker = call.query("marker");
    let events: Vec<Event> = records::all::<Event>(call.svc, &call.scope, records::EVENT)?
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let p = page(events, |e| &e.name, marker.as_deref(), limit, true)?;
    Ok(render::ok(json!({
        "events": p.items,
        "page_info": render::page_info(marker.as_deref().filter(|m| !m.is_empty()), p.next.as_deref(), p.items.len()),
    })))
}
