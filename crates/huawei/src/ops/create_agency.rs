//! `POST /v1/csms/agencies` `{"secret_type"}`: grants CSMS the agency it rotates RDS-FG or
//! GaussDB-FG secrets through. Granting again returns the same agency.

use crate::call::Call;
use crate::error::{HuaweiError, HwResult};
use crate::records;
use crate::render;
use localsecrets_api::Response;
use serde::Deserialize;
use serde_json::json;

pub const AGENCY_TYPES: [&str; 2] = ["RDS-FG", "GaussDB-FG"];

#[derive(Deserialize)]
struct Body {
    secret_type: Option<String>,
}

pub fn check_type(t: &str) -> HwResult<()> {
    if AGENCY_TYPES.contains(&t) {
        Ok(())
    } else {
        Err(HuaweiError::invalid(format!(
            "The secret_type {t} is invalid: agencies exist for {}.",
            AGENCY_TYPES.join(" and ")
        )))
    }
}

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let b: Body = call.body()?;
    let t = b
        .secret_type
        .ok_or_else(|| HuaweiError::invalid("secret_type is required."))?;
    check_type(&t)?;
    let a = json!({
        "agency_name": format!("csms_{}_agency", t.to_ascii_lowercase().replace('-', "_")),
        "agency_id": call.svc.random().uuid().replace('-', ""),
    });
    // The first agency made for a type stays.
    let agency = call
        .svc
        .insert_record(&call.scope, records::AGENCY, &t, &a)?
        .unwrap_or(a);
    Ok(render::ok(json!({ "agencies": [agency] })))
}
