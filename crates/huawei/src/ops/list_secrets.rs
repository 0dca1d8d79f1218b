//! `GET /v1/{project_id}/secrets?limit&marker&event_name`: secrets by name, those pending
//! deletion included; `event_name` keeps those subscribed to that event.

use super::{limit, page};
use crate::call::Call;
use crate::error::HwResult;
use crate::meta::HuaweiMeta;
use crate::render;
use localsecrets_api::Response;
use serde_json::json;

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let limit = limit(call)?;
    let marker = call.query("marker");
    let event = call.query("event_name").filter(|e| !e.is_empty());
    let mut all = call.svc.list(&call.scope)?;
    if let Some(e) = &event {
        all.retain(|s| HuaweiMeta::read(s).event_subscriptions.contains(e));
    }
    all.sort_by(|a, b| a.name.cmp(&b.name));
    let p = page(all, |s| &s.name, marker.as_deref(), limit, true)?;
    Ok(render::ok(json!({
        "secrets": p.items.iter().map(render::secret).collect::<Vec<_>>(),
        "page_info": render::page_info(marker.as_deref().filter(|m| !m.is_empty()), p.next.as_deref(), p.items.len()),
    })))
}
