//! GetSecretValue: one version by VersionId and/or VersionStage (ACSCurrent by default).
//! Managed secrets are read by stage only (ACSCurrent or ACSPrevious). `DryRun=true` checks
//! the request and answers `DryRunOperationError` when it would have succeeded.

use crate::call::Call;
use crate::error::{AliResult, AlibabaError, Code};
use crate::managed::SecretType;
use crate::params::Params;
use crate::render::Obj;
use crate::view;
use localsecrets_core::{SecretRef, Selector};

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let dry_run = p.bool("DryRun")?.unwrap_or(false);
    let outcome = read_params(call, p);
    if !dry_run {
        return outcome;
    }
    match outcome {
        Ok(_) => Err(AlibabaError::new(Code::DryRunOperation)),
        Err(e) if matches!(e.code, Code::InvalidParameter | Code::MissingParameter) => {
            Err(AlibabaError::with(Code::ValidationError, e.message))
        }
        Err(e) => Err(e),
    }
}

fn read_params(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    if p.optional("Recipient").is_some() {
        return Err(AlibabaError::unsupported(
            "Recipient is not supported: returning the secret encrypted for a trusted execution environment (CiphertextForRecipient) is not emulated.",
        ));
    }
    let fetch = p.bool("FetchExtendedConfig")?.unwrap_or(false);
    read(
        call,
        p.required("SecretName")?,
        p.optional("VersionId"),
        p.optional("VersionStage"),
        fetch,
    )
}

/// Reads one secret value; shared with BatchGetSecretValue.
pub fn read(
    call: &Call<'_>,
    raw_name: &str,
    version_id: Option<&str>,
    stage: Option<&str>,
    fetch_extended_config: bool,
) -> AliResult<Obj> {
    let name = call.name(raw_name)?;
    let r = SecretRef::Name(name);
    // The type never changes, so it can be read before the value.
    let managed =
        SecretType::of(&call.describe(name, localsecrets_core::Access::Live)?).is_managed();
    let selector = if managed {
        let stage = stage.unwrap_or("ACSCurrent");
        if stage != "ACSCurrent" && stage != "ACSPrevious" {
            return Err(AlibabaError::invalid(format!(
                "The parameter VersionStage \"{stage}\" is invalid: managed secrets are read as ACSCurrent or ACSPrevious."
            )));
        }
        Selector::Label(stage.to_owned())
    } else {
        match (version_id, stage) {
            (Some(id), Some(stage)) => Selector::IdWithLabel(id.to_owned(), stage.to_owned()),
            (Some(id), None) => Selector::Id(id.to_owned()),
            (None, stage) => Selector::Label(stage.unwrap_or("ACSCurrent").to_owned()),
        }
    };
    let (secret, version) = call.service.get_value(&call.scope, r, &selector)?;
    Ok(view::value(&secret, &version, fetch_extended_config))
}
