//! `POST …/secrets/{secret_name}/versions`: a new version `vN`. Without `version_stages` it
//! becomes SYSCURRENT and the old current version SYSPREVIOUS; stages named explicitly are
//! moved onto it and nothing else changes. The oldest unlabelled versions beyond 20 go.

use super::create_secret::value;
use crate::call::{check_name, check_secret_name, Call};
use crate::error::{ErrorKind, HuaweiError, HwResult};
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::dialect::HUAWEI;
use localsecrets_core::{NewVersion, SecretRef, Timestamp};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Body {
    secret_binary: Option<String>,
    secret_string: Option<String>,
    version_stages: Option<Vec<String>>,
    expire_time: Option<i64>,
}

/// 1 to 12 distinct stage names.
pub fn check_stages(stages: &[String]) -> HwResult<()> {
    if stages.is_empty() {
        return Err(HuaweiError::invalid(
            "version_stages must name at least one stage when given.",
        ));
    }
    if stages.len() > HUAWEI.max_labels_per_version {
        return Err(HuaweiError::new(
            ErrorKind::StageLimit,
            format!(
                "A version can have at most {} stages.",
                HUAWEI.max_labels_per_version
            ),
        ));
    }
    for (i, s) in stages.iter().enumerate() {
        check_name("stage name", s)?;
        if stages[..i].contains(s) {
            return Err(HuaweiError::invalid(format!(
                "The stage {s} is named twice."
            )));
        }
    }
    Ok(())
}

pub fn check_expire_time(t: i64) -> HwResult<Timestamp> {
    if t < 0 {
        return Err(HuaweiError::invalid(
            "expire_time must be a non-negative epoch time in milliseconds.",
        ));
    }
    Ok(Timestamp::from_millis(t))
}

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    let b: Body = call.body()?;
    if let Some(stages) = &b.version_stages {
        check_stages(stages)?;
    }
    let expires = b.expire_time.map(check_expire_time).transpose()?;
    let value = value(b.secret_string, b.secret_binary)?;
    let w = call.svc.put_value(
        &call.scope,
        SecretRef::Name(name),
        NewVersion {
            id: None,
            value: Some(value),
            labels: b.version_stages,
            expires,
        },
    )?;
    let id = w.version_id.unwrap_or_default();
    let v = w
        .secret
        .version(&id)
        .ok_or_else(|| HuaweiError::new(ErrorKind::Internal, "the new version vanished"))?;
    Ok(render::ok(
        json!({ "version_metadata": render::version_metadata(&w.secret, v) }),
    ))
}
