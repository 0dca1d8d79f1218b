//! BatchGetSecretValue: up to 20 reads in one call. Each secret that cannot be read is
//! reported in `Errors` with its code and HTTP status; the call itself succeeds.

use super::get_secret_value::read;
use crate::call::Call;
use crate::error::{AliResult, AlibabaError};
use crate::params::{parse_bool, Params};
use crate::render::{Node, Obj};
use serde_json::{Map, Value};

pub const MAX_ITEMS: usize = 20;

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let shape =
        r#"[{"SecretName":"..","VersionId":"..","VersionStage":"..","FetchExtendedConfig":true}]"#;
    let items = p
        .json::<Vec<Map<String, Value>>>("SecretsList", shape)?
        .ok_or_else(|| AlibabaError::missing("SecretsList"))?;
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(AlibabaError::invalid(format!(
            "The parameter SecretsList must name from 1 to {MAX_ITEMS} secrets."
        )));
    }
    let text = |m: &Map<String, Value>, k: &str| -> AliResult<Option<String>> {
        match m.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(AlibabaError::invalid(format!(
                "SecretsList: {k} must be a string."
            ))),
        }
    };
    let mut values = Vec::new();
    let mut errors = Vec::new();
    for item in &items {
        let name = text(item, "SecretName")?.ok_or_else(|| {
            AlibabaError::invalid(format!(
                "Every SecretsList item needs a SecretName: {shape}."
            ))
        })?;
        let fetch = match item.get("FetchExtendedConfig") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => parse_bool(s).ok_or_else(|| {
                AlibabaError::invalid("SecretsList: FetchExtendedConfig must be true or false.")
            })?,
            Some(_) => {
                return Err(AlibabaError::invalid(
                    "SecretsList: FetchExtendedConfig must be true or false.",
                ))
            }
        };
        let version_id = text(item, "VersionId")?;
        let stage = text(item, "VersionStage")?;
        match read(call, &name, version_id.as_deref(), stage.as_deref(), fetch) {
            Ok(v) => values.push(Node::from(v)),
            Err(e) => errors.push(Node::from(
                Obj::new()
                    .str("SecretName", name)
                    .str("Code", e.code.as_str())
                    .str("Message", e.message)
                    .int("HttpStatus", i64::from(e.code.status())),
            )),
        }
    }
    Ok(Obj::new()
        .list("SecretValues", values)
        .list("Errors", errors))
}
