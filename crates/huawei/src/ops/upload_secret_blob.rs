//! `POST /v1/{project_id}/secrets/restore` `{"secret_blob"}`: brings back a backed-up secret
//! with all its versions and stages, under its old name and id.

use super::download_secret_blob::{Blob, FORMAT};
use crate::call::{check_secret_name, Call};
use crate::error::{HuaweiError, HwResult};
use crate::render;
use base64::Engine;
use localsecrets_api::Response;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Body {
    secret_blob: Option<String>,
}

pub fn decode(blob: &str) -> HwResult<Blob> {
    let bad = || HuaweiError::invalid("secret_blob is not a backup made by DownloadSecretBlob.");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(blob.trim())
        .map_err(|_| bad())?;
    let b: Blob = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if b.format != FORMAT {
        return Err(bad());
    }
    Ok(b)
}

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let b: Body = call.body()?;
    let blob = b
        .secret_blob
        .filter(|s| !s.is_empty())
        .ok_or_else(|| HuaweiError::invalid("secret_blob is required."))?;
    let mut secret = decode(&blob)?.secret;
    check_secret_name(&secret.name)?;
    secret.deletion = None;
    secret.updated = call.svc.now();
    let s = call.svc.import_secret(&call.scope, secret)?;
    Ok(render::ok(json!({ "secret": render::secret(&s) })))
}
