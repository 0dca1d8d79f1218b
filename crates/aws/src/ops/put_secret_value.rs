//! PutSecretValue: a new version, AWSCURRENT unless `VersionStages` says otherwise (then the
//! current version keeps its label). Idempotent on ClientRequestToken: the same token and
//! value answer the existing version, another value is a ResourceExistsException.

use crate::call::{token_required, Call};
use crate::error::{AwsError, AwsResult};
use crate::json::Len;
use crate::render::Obj;
use localsecrets_core::NewVersion;
use serde_json::{json, Value};

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let t = call.target()?;
    let token = call.token(Some(token_required()))?;
    let value = super::value(i)?.ok_or_else(|| {
        AwsError::InvalidRequest("You must provide either SecretString or SecretBinary.".into())
    })?;
    let stages = i.str_list("VersionStages", Len(1, 20), Len(1, 256))?;
    i.secret_str("RotationToken", Len(36, 256))?;
    let w = call
        .service
        .put_value(
            &call.scope,
            t.as_ref(),
            NewVersion {
                id: token,
                value: Some(value),
                labels: stages,
                expires: None,
            },
        )
        .map_err(|e| call.error(e))?;
    let id = w.version_id.clone().unwrap_or_default();
    let labels = w
        .secret
        .version(&id)
        .map(|v| v.labels.clone())
        .unwrap_or_default();
    Ok(Obj::new()
        .put("ARN", call.arn(&w.secret))
        .put("Name", w.secret.name.as_str())
        .put("VersionId", id)
        .opt("VersionStages", (!labels.is_empty()).then(|| json!(labels)))
        .done())
}
