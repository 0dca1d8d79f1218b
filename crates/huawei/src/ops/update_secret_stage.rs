//! `PUT …/secrets/{secret_name}/stages/{stage_name}` `{"version_id"}`: moves the stage onto the
//! version. Moving SYSCURRENT makes its old holder SYSPREVIOUS. At most 12 stages per version.

use crate::call::{check_name, check_secret_name, Call};
use crate::error::{HuaweiError, HwResult};
use crate::meta;
use crate::render;
use localsecrets_api::Response;
use localsecrets_core::dialect::HUAWEI;
use localsecrets_core::{labels, Access, SecretRef};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Body {
    version_id: Option<String>,
}

pub fn handle(call: &Call<'_>, name: &str, stage: &str) -> HwResult<Response> {
    check_secret_name(name)?;
    check_name("stage name", stage)?;
    let b: Body = call.body()?;
    let to = b
        .version_id
        .filter(|v| !v.is_empty())
        .ok_or_else(|| HuaweiError::invalid("version_id is required."))?;
    let (s, ()) = call.modify(SecretRef::Name(name), Access::Live, |s, ctx| {
        if s.version(&to).is_none() {
            return Err(HuaweiError::not_found(format!(
                "The version {to} of secret {name} does not exist."
            )));
        }
        let holders = |s: &localsecrets_core::Secret| -> BTreeMap<String, String> {
            s.versions
                .iter()
                .flat_map(|v| v.labels.iter().map(|l| (l.clone(), v.id.clone())))
                .collect()
        };
        let before = holders(s);
        labels::move_label(s, &HUAWEI, stage, &to)?;
        for (label, holder) in holders(s) {
            if before.get(&label) != Some(&holder) {
                meta::record_stage_move(s, &label, &holder, ctx.now);
            }
        }
        Ok(())
    })?;
    let holder = s
        .holder(stage)
        .ok_or_else(|| HuaweiError::not_found(format!("The stage {stage} vanished.")))?;
    Ok(render::ok(
        json!({ "stage": render::stage(&s, stage, holder) }),
    ))
}
