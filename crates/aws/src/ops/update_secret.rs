//! UpdateSecret: description, KMS key, type and (optionally) a new current value, all in
//! one transaction. A VersionId is answered only when a value was given.

use crate::call::{token_required, Call};
use crate::error::AwsResult;
use crate::json::Len;
use crate::render::Obj;
use localsecrets_core::{NewVersion, Update};
use serde_json::Value;

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let t = call.target()?;
    let value = super::value(i)?;
    let token = call.token(value.is_some().then(token_required))?;
    let description = i.str("Description", Len(0, 2048))?;
    let kms_key_id = i.str("KmsKeyId", Len(0, 2048))?;
    let secret_type = i.str("Type", Len(0, 256))?;
    let version = value.map(|v| NewVersion {
        id: token,
        value: Some(v),
        labels: None,
        expires: None,
    });
    let change = Update {
        description: description.map(Some),
        kms_key_id: kms_key_id.map(|k| Some(k).filter(|k| !k.is_empty())),
        secret_type,
        ..Update::default()
    };
    let w = call
        .service
        .update_secret(&call.scope, t.as_ref(), &change, version)
        .map_err(|e| call.error(e))?;
    Ok(Obj::new()
        .put("ARN", call.arn(&w.secret))
        .put("Name", w.secret.name.as_str())
        .opt("VersionId", w.version_id)
        .done())
}
