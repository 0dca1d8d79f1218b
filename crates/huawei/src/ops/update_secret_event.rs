//! `PUT /v1/{project_id}/csms/events/{event_name}`: state, event types and target; fields left
//! out stay as they are.

use super::create_secret_event::{check_state, check_types, notification, NotificationBody};
use super::show_secret_event::not_found;
use crate::call::{check_name, Call};
use crate::error::HwResult;
use crate::records::{self, Event};
use crate::render;
use localsecrets_api::Response;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Body {
    state: Option<String>,
    event_types: Option<Vec<String>>,
    notification: Option<NotificationBody>,
}

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_name("event name", name)?;
    let b: Body = call.body_or_default()?;
    if let Some(s) = &b.state {
        check_state(s)?;
    }
    if let Some(t) = &b.event_types {
        check_types(t)?;
    }
    let target = b.notification.map(notification).transpose()?;
    let now = call.svc.now().millis();
    // Read, change, and write back only if no one changed the event meanwhile.
    let event = loop {
        let stored = call
            .svc
            .record(&call.scope, records::EVENT, name)?
            .ok_or_else(|| not_found(name))?;
        let mut e: Event = records::decode(records::EVENT, stored.clone())?;
        if let Some(s) = &b.state {
            e.state.clone_from(s);
        }
        if let Some(t) = &b.event_types {
            e.event_types.clone_from(t);
        }
        if let Some(n) = &target {
            e.notification = n.clone();
        }
        e.update_time = now;
        let changed = records::encode(&e)?;
        if call
            .svc
            .replace_record(&call.scope, records::EVENT, name, &stored, &changed)?
        {
            break e;
        }
    };
    Ok(render::ok(json!({ "event": event })))
}
