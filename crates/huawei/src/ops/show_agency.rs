//! `GET /v1/csms/agencies?secret_type`: whether the account granted CSMS the agency that
//! rotation of this secret type needs (`"true"` / `"false"`).

use super::create_agency::check_type;
use crate::call::Call;
use crate::error::{HuaweiError, HwResult};
use crate::records;
use crate::render;
use localsecrets_api::Response;
use serde_json::json;

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let t = call
        .query("secret_type")
        .ok_or_else(|| HuaweiError::invalid("secret_type is required."))?;
    check_type(&t)?;
    let granted = call.svc.record(&call.scope, records::AGENCY, &t)?.is_some();
    Ok(render::ok(json!({ "agency_granted": granted.to_string() })))
}
