//! `POST /v1/{project_id}/csms/events`: an event subscription — which basic events of the
//! secrets subscribing to it notify which target.

use crate::call::{check_name, Call};
use crate::error::{ErrorKind, HuaweiError, HwResult};
use crate::records::{self, Event, Notification, EVENT_TYPES};
use crate::render;
use localsecrets_api::Response;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
pub struct NotificationBody {
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
}

#[derive(Deserialize)]
struct Body {
    name: Option<String>,
    event_types: Option<Vec<String>>,
    state: Option<String>,
    notification: Option<NotificationBody>,
}

/// 1 to 12 distinct basic event types.
pub fn check_types(types: &[String]) -> HwResult<()> {
    if types.is_empty() || types.len() > 12 {
        return Err(HuaweiError::invalid(
            "event_types must list 1 to 12 event types.",
        ));
    }
    for (i, t) in types.iter().enumerate() {
        if !EVENT_TYPES.contains(&t.as_str()) {
            return Err(HuaweiError::invalid(format!(
                "The event type {t} is invalid: use {}.",
                EVENT_TYPES.join(", ")
            )));
        }
        if types[..i].contains(t) {
            return Err(HuaweiError::invalid(format!(
                "The event type {t} is listed twice."
            )));
        }
    }
    Ok(())
}

pub fn check_state(s: &str) -> HwResult<()> {
    if s == "ENABLED" || s == "DISABLED" {
        Ok(())
    } else {
        Err(HuaweiError::invalid(format!(
            "The state {s} is invalid: use ENABLED or DISABLED."
        )))
    }
}

pub fn notification(n: NotificationBody) -> HwResult<Notification> {
    let field = |v: Option<String>, name: &str| {
        v.filter(|v| !v.is_empty())
            .ok_or_else(|| HuaweiError::invalid(format!("notification.{name} is required.")))
    };
    Ok(Notification {
        target_type: field(n.target_type, "target_type")?,
        target_id: field(n.target_id, "target_id")?,
        target_name: field(n.target_name, "target_name")?,
    })
}

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let b: Body = call.body()?;
    let name = b
        .name
        .ok_or_else(|| HuaweiError::invalid("The event name is required."))?;
    check_name("event name", &name)?;
    let types = b
        .event_types
        .ok_or_else(|| HuaweiError::invalid("event_types is required."))?;
    check_types(&types)?;
    let state = b
        .state
        .ok_or_else(|| HuaweiError::invalid("state is required."))?;
    check_state(&state)?;
    let target = notification(
        b.notification
            .ok_or_else(|| HuaweiError::invalid("notification is required."))?,
    )?;
    let now = call.svc.now().millis();
    let event = Event {
        name: name.clone(),
        event_id: call.svc.random().uuid(),
        event_types: types,
        state,
        create_time: now,
        update_time: now,
        notification: target,
    };
    let stored = records::encode(&event)?;
    if call
        .svc
        .insert_record(&call.scope, records::EVENT, &name, &stored)?
        .is_some()
    {
        return Err(HuaweiError::new(
            ErrorKind::AlreadyExists,
            format!("The event {name} already exists."),
        ));
    }
    Ok(render::ok(json!({ "event": event })))
}
