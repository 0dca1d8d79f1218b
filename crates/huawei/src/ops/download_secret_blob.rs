//! `POST …/secrets/{secret_name}/backup`: the whole secret, every version included, as an
//! opaque blob that `UploadSecretBlob` restores.

use crate::call::{check_secret_name, Call};
use crate::error::{ErrorKind, HuaweiError, HwResult};
use crate::render;
use base64::Engine;
use localsecrets_api::Response;
use localsecrets_core::{Access, Secret, SecretRef};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Names the blob format, so an unrelated base64 string is told apart.
pub const FORMAT: &str = "localsecrets.huawei.secret-blob.v1";

#[derive(Serialize, Deserialize)]
pub struct Blob {
    pub format: String,
    pub secret: Secret,
}

pub fn encode(secret: &Secret) -> HwResult<String> {
    let blob = Blob {
        format: FORMAT.to_owned(),
        secret: secret.clone(),
    };
    let bytes = serde_json::to_vec(&blob)
        .map_err(|e| HuaweiError::new(ErrorKind::Internal, e.to_string()))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    let s = call.secret(SecretRef::Name(name), Access::Live)?;
    Ok(render::ok(json!({ "secret_blob": encode(&s)? })))
}
