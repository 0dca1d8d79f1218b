//! `PUT /v1/{project_id}/secrets/{secret_name}`: key, description, automatic rotation, event
//! subscriptions and rotation function; fields left out stay as they are.

use super::create_secret::{apply_rotation, check_description, check_kms_key, check_subscriptions};
use crate::call::{check_secret_name, Call};
use crate::error::HwResult;
use crate::meta::HuaweiMeta;
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::{Access, SecretRef};
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
    let (s, ()) = call.modify(SecretRef::Name(name), Access::Live, |s, ctx| {
        let mut m = HuaweiMeta::read(s);
        if let Some(p) = b.rotation_period {
            m.rotation_period = Some(p);
        }
        if let Some(subs) = b.event_subscriptions {
            m.event_subscriptions = subs;
        }
        apply_rotation(
            &mut s.rotation,
            &m,
            b.auto_rotation,
            b.rotation_func_urn,
            ctx.now,
        )?;
        m.write(&mut s.extra);
        if let Some(k) = b.kms_key_id {
            s.kms_key_id = Some(k);
        }
        if let Some(d) = b.description {
            s.description = Some(d);
        }
        Ok(())
    })?;
    Ok(render::ok(json!({ "secret": render::secret(&s) })))
}
