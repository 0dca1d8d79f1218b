//! UpdateSecret: the description, and for managed secrets `ExtendedConfig.CustomData` (sent
//! flattened, `ExtendedConfig.CustomData.<key>=<value>`, or as JSON text).

use super::Cx;
use crate::error::{AliResult, AlibabaError};
use crate::managed::{self, SecretType};
use crate::params::Params;
use crate::render::Obj;
use localsecrets_core::{Access, ExtraChange, SecretRef, Update};
use serde_json::{Map, Value};

pub fn handle(cx: &Cx<'_>, p: &Params) -> AliResult<Obj> {
    let name = cx.secret_name(p)?;
    let description = p.raw("Description").map(str::to_owned);
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 256)
    {
        return Err(AlibabaError::invalid(
            "The parameter Description is too long: at most 256 characters.",
        ));
    }
    let custom = p.object("ExtendedConfig.CustomData")?;
    if custom.is_some() {
        let secret = cx.describe(name, Access::Live)?;
        if !SecretType::of(&secret).is_managed() {
            return Err(AlibabaError::invalid(
                "The parameter ExtendedConfig.CustomData is not available for generic secrets.",
            ));
        }
    }
    let change = Update {
        description: description.map(|d| (!d.is_empty()).then_some(d)),
        extra: custom
            .map(|c| {
                let members = Map::from_iter([("CustomData".to_owned(), Value::Object(c))]);
                ExtraChange::Merge(managed::EXTRA_EXTENDED_CONFIG.into(), members)
            })
            .into_iter()
            .collect(),
        ..Update::default()
    };
    let w = cx
        .service
        .update_secret(&cx.scope, SecretRef::Name(name), &change, None)?;
    Ok(Obj::new().str("SecretName", w.secret.name))
}
