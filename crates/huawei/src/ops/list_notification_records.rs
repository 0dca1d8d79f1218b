//! `GET /v1/{project_id}/csms/notification-records`: what the project's events would have
//! sent, oldest first.

use crate::call::Call;
use crate::error::HwResult;
use crate::records::{self, NotificationRecord};
use crate::render;
use localsecrets_api::Response;
use serde_json::json;

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let records: Vec<NotificationRecord> =
        records::all::<NotificationRecord>(call.svc, &call.scope, records::NOTIFICATION)?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
    Ok(render::ok(json!({
        "records": records,
        "page_info": render::page_info(None, None, records.len()),
    })))
}
