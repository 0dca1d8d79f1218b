//! `POST /v1/{project_id}/secrets`: a secret and its first version `v1`, marked SYSCURRENT.

use crate::call::{check_secret_name, Call};
use crate::error::{HuaweiError, HwResult};
use crate::meta::{self, HuaweiMeta, DEFAULT_ENTERPRISE_PROJECT};
use crate::records::{self, Event};
use crate::render;
use base64::Engine;
use localsecrets_api::Response;
use localsecrets_core::{NewSecret, NewVersion, RotationChange, Schedule, Secret, SecretValue};
use serde::Deserialize;
use serde_json::json;

/// Values are at most 32 KiB.
pub const MAX_VALUE_BYTES: usize = 32 * 1024;
pub const SECRET_TYPES: [&str; 4] = ["COMMON", "RDS", "RDS-FG", "GaussDB-FG"];

#[derive(Debug, Default, Deserialize)]
pub struct SecretBody {
    pub name: Option<String>,
    pub kms_key_id: Option<String>,
    pub description: Option<String>,
    pub secret_binary: Option<String>,
    pub secret_string: Option<String>,
    pub secret_type: Option<String>,
    pub auto_rotation: Option<bool>,
    pub rotation_period: Option<String>,
    pub rotation_config: Option<String>,
    pub event_subscriptions: Option<Vec<String>>,
    pub enterprise_project_id: Option<String>,
    pub rotation_func_urn: Option<String>,
}

/// Exactly one of `secret_string` and base64 `secret_binary`, at most 32 KiB.
pub fn value(string: Option<String>, binary: Option<String>) -> HwResult<SecretValue> {
    let v = match (string, binary) {
        (Some(s), None) => SecretValue::Text(s),
        (None, Some(b)) => SecretValue::Binary(
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .map_err(|_| HuaweiError::invalid("secret_binary must be base64."))?,
        ),
        (Some(_), Some(_)) => {
            return Err(HuaweiError::invalid(
                "Give either secret_string or secret_binary, not both.",
            ))
        }
        (None, None) => {
            return Err(HuaweiError::invalid(
                "A value is required: give secret_string or secret_binary.",
            ))
        }
    };
    if v.len() > MAX_VALUE_BYTES {
        return Err(HuaweiError::invalid(format!(
            "The secret value is {} bytes; at most {MAX_VALUE_BYTES} are allowed.",
            v.len()
        )));
    }
    Ok(v)
}

/// KMS key ids are UUIDs in lower case.
pub fn check_kms_key(id: &str) -> HwResult<()> {
    let parts: Vec<&str> = id.split('-').collect();
    let shape = [8, 4, 4, 4, 12];
    let ok = parts.len() == 5
        && parts.iter().zip(shape).all(|(p, n)| {
            p.len() == n
                && p.bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        });
    if ok {
        Ok(())
    } else {
        Err(HuaweiError::invalid(format!(
            "The kms_key_id {id} is invalid: it must be a key id like 0d0466b0-e727-4d9c-b35d-f84bb474a37f."
        )))
    }
}

pub fn check_description(d: &str) -> HwResult<()> {
    if d.len() > 2048 {
        return Err(HuaweiError::invalid(
            "The description must be at most 2048 bytes.",
        ));
    }
    Ok(())
}

/// At most one subscription, to an event that exists in the project.
pub fn check_subscriptions(call: &Call<'_>, names: &[String]) -> HwResult<()> {
    if names.len() > 1 {
        return Err(HuaweiError::invalid(
            "A secret can subscribe to at most one event.",
        ));
    }
    for n in names {
        let found = records::get::<Event>(call.svc, &call.scope, records::EVENT, n)?;
        if found.is_none() {
            return Err(HuaweiError::not_found(format!(
                "The event {n} does not exist: create it with CreateSecretEvent first."
            )));
        }
    }
    Ok(())
}

/// The rotation change `auto_rotation`, `rotation_period` and `rotation_func_urn` ask for;
/// the core checks that automatic rotation has a period and computes the next rotation.
pub fn rotation_change(
    auto: Option<bool>,
    period: Option<&str>,
    func: Option<String>,
) -> HwResult<RotationChange> {
    Ok(RotationChange {
        enabled: auto,
        function: func.map(|f| (!f.is_empty()).then_some(f)),
        schedule: period
            .map(|p| meta::parse_period(p).map(|seconds| Some(Schedule::Every { seconds })))
            .transpose()?,
        window_secs: None,
    })
}

/// Validates a create body and creates the secret (also used by batch import).
pub fn create(call: &Call<'_>, b: SecretBody) -> HwResult<Secret> {
    let name = b
        .name
        .ok_or_else(|| HuaweiError::invalid("The secret name is required."))?;
    check_secret_name(&name)?;
    let secret_type = b.secret_type.unwrap_or_else(|| "COMMON".to_owned());
    if !SECRET_TYPES.contains(&secret_type.as_str()) {
        return Err(HuaweiError::invalid(format!(
            "The secret_type {secret_type} is invalid: use one of {}.",
            SECRET_TYPES.join(", ")
        )));
    }
    if let Some(d) = &b.description {
        check_description(d)?;
    }
    if let Some(k) = &b.kms_key_id {
        check_kms_key(k)?;
    }
    meta::check_rotation_config(&secret_type, b.rotation_config.as_deref())?;
    let enterprise = b
        .enterprise_project_id
        .unwrap_or_else(|| DEFAULT_ENTERPRISE_PROJECT.to_owned());
    if enterprise.is_empty() || enterprise.len() > 36 {
        return Err(HuaweiError::invalid(
            "enterprise_project_id must be 1 to 36 characters.",
        ));
    }
    let subscriptions = b.event_subscriptions.unwrap_or_default();
    check_subscriptions(call, &subscriptions)?;
    let value = value(b.secret_string, b.secret_binary)?;
    let m = HuaweiMeta {
        rotation_period: b.rotation_period,
        rotation_config: b.rotation_config,
        event_subscriptions: subscriptions,
        enterprise_project_id: enterprise,
    };
    let rotation = rotation_change(
        b.auto_rotation,
        m.rotation_period.as_deref(),
        b.rotation_func_urn,
    )?
    .into_rotation();
    let mut extra = serde_json::Map::new();
    m.store_in(&mut extra);
    let new = NewSecret {
        name,
        secret_type: Some(secret_type),
        description: b.description,
        kms_key_id: Some(
            b.kms_key_id
                .unwrap_or_else(|| meta::default_kms_key(call.project())),
        ),
        rotation,
        extra,
        version: NewVersion {
            value: Some(value),
            ..Default::default()
        },
        ..Default::default()
    };
    Ok(call.svc.create_secret(&call.scope, new)?.secret)
}

pub fn handle(call: &Call<'_>) -> HwResult<Response> {
    let s = create(call, call.body()?)?;
    Ok(render::ok(json!({ "secret": render::secret(&s) })))
}
