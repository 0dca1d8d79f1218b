//! CreateSecret: a secret of one of the six types with its first version `VersionId`
//! (ACSCurrent). A name already taken answers `Rejected.ResourceExist`, or
//! `Rejected.ResourceInDeleteWindow` while that secret waits for deletion.

use crate::call::Call;
use crate::error::{AliResult, AlibabaError, Code};
use crate::managed::{self, DataType, SecretType};
use crate::meta::AlibabaMeta;
use crate::params::Params;
use crate::policy;
use crate::render::Obj;
use crate::{tags, view};
use localsecrets_core::{NewSecret, NewVersion, Rotation, Schedule};
use serde_json::{Map, Value};

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let raw_name = p.required("SecretName")?;
    let version_id = super::put_secret_value::check_version_id(p.required("VersionId")?)?;
    let data = p.required("SecretData")?;
    let ty = match p.optional("SecretType") {
        None => SecretType::Generic,
        Some(t) => SecretType::parse(t).ok_or_else(|| {
            AlibabaError::invalid(format!(
                "The parameter SecretType \"{t}\" is invalid: use Generic, Rds, Redis, PolarDB, RAMCredentials or ECS."
            ))
        })?,
    };
    let data_type = DataType::parse(p.optional("SecretDataType"))?;
    let config_text = p.optional("ExtendedConfig");
    if config_text.is_some_and(|c| c.chars().count() > 1024) {
        return Err(AlibabaError::invalid(
            "The parameter ExtendedConfig is too long: at most 1024 characters.",
        ));
    }
    let config = managed::check_extended_config(
        ty,
        p.json::<Value>("ExtendedConfig", r#"{"SecretSubType":"..",..}"#)?,
    )?;
    let name = managed::check_name(ty, raw_name, config.as_ref())?;
    let now = call.now();
    let (value, accounts) = match &config {
        Some(c) => managed::initial_value(ty, data, data_type, c, call.service.random(), now)?,
        None => (managed::value_from(data, data_type)?, None),
    };
    let tags = tags::from_json(p, "Tags")?;
    let policy = p.optional("Policy").map(policy::check).transpose()?;
    let description = p.optional("Description").map(str::to_owned);
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 256)
    {
        return Err(AlibabaError::invalid(
            "The parameter Description is too long: at most 256 characters.",
        ));
    }

    let mut rot = Rotation::default();
    if ty.is_managed() {
        let enabled = p.bool("EnableAutomaticRotation")?.unwrap_or(false);
        let interval = p
            .optional("RotationInterval")
            .map(managed::parse_interval)
            .transpose()?;
        if enabled && interval.is_none() {
            return Err(AlibabaError::missing("RotationInterval"));
        }
        rot.enabled = enabled;
        // The core makes the first rotation fall due one interval after creation.
        rot.schedule = interval.map(|seconds| Schedule::Every { seconds });
    }

    let mut extra = Map::new();
    AlibabaMeta {
        extended_config: config,
        accounts,
        dkms_instance_id: p.optional("DKMSInstanceId").map(str::to_owned),
        creator: Some(call.identity.account.clone()),
    }
    .store_in(&mut extra);

    let written = call.service.create_secret(
        &call.scope,
        NewSecret {
            name: name.clone(),
            secret_type: Some(ty.as_str().to_owned()),
            description,
            kms_key_id: p.optional("EncryptionKeyId").map(str::to_owned),
            tags,
            policy,
            rotation: rot,
            extra,
            version: NewVersion {
                id: Some(version_id.to_owned()),
                value: Some(value),
                labels: None,
                expires: None,
            },
        },
    )?;
    // The API has no retry semantics for CreateSecret: an existing name is always a conflict.
    if written.replayed {
        return Err(AlibabaError::with(
            Code::ResourceExist,
            format!("The resource already exists: a secret named {name} exists."),
        ));
    }
    let secret = written.secret;
    let obj = Obj::new()
        .str("Arn", call.arn(&secret.name))
        .str("SecretName", &secret.name)
        .str("SecretType", &secret.secret_type)
        .str("VersionId", version_id);
    let obj = view::rotation(obj, &secret);
    Ok(obj
        .opt_str("ExtendedConfig", view::extended_config(&secret))
        .opt_str("DKMSInstanceId", view::dkms_instance(&secret)))
}
