//! `DELETE /v1/{project_id}/csms/events/{event_name}`: refused while a secret subscribes to
//! it. 204, no body.

use super::show_secret_event::not_found;
use crate::call::{check_name, Call};
use crate::error::{HuaweiError, HwResult};
use crate::meta::HuaweiMeta;
use crate::records::{self, Event};
use crate::render;
use localsecrets_api::Response;

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_name("event name", name)?;
    if records::get::<Event>(call.svc, &call.scope, records::EVENT, name)?.is_none() {
        return Err(not_found(name));
    }
    let subscribed: Vec<String> = call
        .svc
        .list(&call.scope)?
        .into_iter()
        .filter(|s| {
            HuaweiMeta::read(s)
                .event_subscriptions
                .iter()
                .any(|e| e == name)
        })
        .map(|s| s.name)
        .collect();
    if !subscribed.is_empty() {
        return Err(HuaweiError::new(
            crate::error::ErrorKind::InvalidRequest,
            format!(
                "The event {name} is subscribed by the secrets {}: remove their subscription \
                     with UpdateSecret first.",
                subscribed.join(", ")
            ),
        ));
    }
    if !call.svc.delete_record(&call.scope, records::EVENT, name)? {
        return Err(not_found(name));
    }
    Ok(render::no_content())
}
