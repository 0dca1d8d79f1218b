//! `PUT /v1/{project_id}/secrets/{secret_name}`: key, description, automatic rotation, event
//! subscriptions and rotation function; fields left out stay as they are.

use super::create_secret::{
    check_description, check_kms_key, check_subscriptions, rotation_change,
};
use crate::call::{check_secret_name, Call};
use crate::error::HwResult;
use crate::meta::HuaweiMeta;
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::{SecretRef, Update};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Body {
    kms_key_id: Option<String>,
    description: Option<String>,
    auto_rotation: Option<bool>,
    rotation_period: Option<String>,
    event_subscriptions: Option<Vec<String>>,
    rotation_func_urn: Option<String>,
}

pub fn handle(call: &Call<'_>, name: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    let b: Body = call.body_or_default()?;
    if let Some(k) = &b.kms_key_id {
        check_kms_key(k)?;
    }
    if let Some(d) = &b.description {
        check_description(d)?;
    }
    if let Some(subs) = &b.event_subscriptions {
        check_subscriptions(call, subs)?;
    }
    let change = Update {
        description: b.description.map(Some),
        kms_key_id: b.kms_key_id.map(Some),
        rotation: rotation_change(
            b.auto_rotation,
            b.rotation_period.as_deref(),
            b.rotation_func_urn,
        )?,
        extra: [
            b.rotation_period
                .map(|p| HuaweiMeta::set_rotation_period(&p)),
            b.event_subscriptions
                .map(|subs| HuaweiMeta::set_event_subscriptions(&subs)),
        ]
        .into_iter()
        .flatten()
        .collect(),
        ..Update::default()
    };
    let w = call
        .svc
        .update_secret(&call.scope, SecretRef::Name(name), &change, None)?;
    Ok(render::ok(json!({ "secret": render::secret(&w.secret) })))
}
