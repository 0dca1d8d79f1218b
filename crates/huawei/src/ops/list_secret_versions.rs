//! `GET …/secrets/{secret_name}/versions?marker&limit`: versions oldest first; the marker is
//! the last version id of the previous page.

use super::{limit, page};
use crate::call::{check_secret_name, Call};
use crate::error::HwResult;
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::{Access, SecretRef};
use serde_json::json;

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    let limit = limit(call)?;
    let marker = call.query("marker");
    let s = call.secret(SecretRef::Name(name), Access::AnyState)?;
    let versions: Vec<_> = s.versions.iter().collect();
    let p = page(versions, |v| &v.id, marker.as_deref(), limit, false)?;
    Ok(render::ok(json!({
        "version_metadatas": p.items.iter().map(|v| render::version_metadata(&s, v)).collect::<Vec<_>>(),
        "page_info": render::page_info(marker.as_deref().filter(|m| !m.is_empty()), p.next.as_deref(), p.items.len()),
    })))
}
