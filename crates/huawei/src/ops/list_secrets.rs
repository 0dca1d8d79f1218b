//! `GET /v1/{project_id}/secrets?limit&marker&event_name`: secrets by name, those pending
//! deletion included; `event_name` keeps those subscribed to that event.

use super::limit;
use crate::call::Call;
use crate::error::HwResult;
use crate::meta::HuaweiMeta;
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::listing::Keep;
use localsecrets_core::{ListOrder, ListQuery, Position, Secret};
use serde_json::json;

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let limit = limit(call)?;
    let marker = call.query("marker");
    let event = call.query("event_name").filter(|e| !e.is_empty());
    let subscribed = |s: &Secret| {
        event
            .as_ref()
            .is_none_or(|e| HuaweiMeta::read(s).event_subscriptions.contains(e))
    };
    let marker = marker.filter(|m| !m.is_empty());
    let p = call.svc.page(
        &call.scope,
        &ListQuery {
            after: marker.as_ref().map(Position::after_name),
            include_deleted: true,
            keep: event.is_some().then_some(&subscribed as Keep<'_>),
            ..ListQuery::new(ListOrder::Name, limit)
        },
    )?;
    let next = p.next.map(|n| n.name);
    Ok(render::ok(json!({
        "secrets": p.secrets.iter().map(render::secret).collect::<Vec<_>>(),
        "page_info": render::page_info(marker.as_deref(), next.as_deref(), p.secrets.len()),
    })))
}
