//! Fields several operations show the same way: times, stages, tags, the rotation fields of
//! managed secrets and their `ExtendedConfig`.

use crate::managed::{self, SecretType};
use crate::meta::AlibabaMeta;
use crate::render::{Node, Obj};
use localsecrets_core::{Schedule, Secret, Timestamp, Version};

/// `YYYY-MM-DDThh:mm:ssZ`.
pub fn time(t: Timestamp) -> String {
    t.to_iso_seconds()
}

/// `VersionStages: {VersionStage: [..]}`.
pub fn stages(obj: Obj, version: &Version) -> Obj {
    obj.wrapped(
        "VersionStages",
        "VersionStage",
        version
            .labels
            .iter()
            .map(|l| Node::from(l.as_str()))
            .collect(),
    )
}

/// `Tags: {Tag: [{TagKey, TagValue}]}`.
pub fn tags(obj: Obj, secret: &Secret) -> Obj {
    let items = secret
        .tags
        .iter()
        .flatten()
        .map(|t| {
            Obj::new()
                .str("TagKey", &t.key)
                .str("TagValue", &t.value)
                .into()
        })
        .collect();
    obj.wrapped("Tags", "Tag", items)
}

pub fn interval_secs(secret: &Secret) -> Option<i64> {
    match secret.rotation.schedule {
        Some(Schedule::Every { seconds }) => Some(seconds),
        _ => None,
    }
}

/// AutomaticRotation, RotationInterval, LastRotationDate and NextRotationDate: shown for
/// managed secrets (and Generic ones given a schedule through their rotation function), the
/// interval and next date only while rotation is enabled.
pub fn rotation(obj: Obj, secret: &Secret) -> Obj {
    if !SecretType::of(secret).is_managed() && secret.rotation.schedule.is_none() {
        return obj;
    }
    let r = &secret.rotation;
    let enabled = r.enabled;
    obj.str(
        "AutomaticRotation",
        if enabled { "Enabled" } else { "Disabled" },
    )
    .opt_str(
        "RotationInterval",
        interval_secs(secret)
            .filter(|_| enabled)
            .map(|s| format!("{s}s")),
    )
    .opt_str("LastRotationDate", r.last_rotated.map(time))
    .opt_str(
        "NextRotationDate",
        r.next_rotation.filter(|_| enabled).map(time),
    )
}

/// The stored `ExtendedConfig` as JSON text; managed secrets only.
pub fn extended_config(secret: &Secret) -> Option<String> {
    if !SecretType::of(secret).is_managed() {
        return None;
    }
    AlibabaMeta::read(secret).extended_config_text()
}

pub fn dkms_instance(secret: &Secret) -> Option<String> {
    AlibabaMeta::read(secret).dkms_instance_id
}

/// The fields of a secret value read (GetSecretValue and each BatchGetSecretValue item).
pub fn value(secret: &Secret, version: &Version, fetch_extended_config: bool) -> Obj {
    let (data, data_type) = managed::data_of(&version.value);
    let obj = Obj::new()
        .str("SecretName", &secret.name)
        .str("SecretType", &secret.secret_type)
        .str("SecretData", data)
        .str("SecretDataType", data_type)
        .str("VersionId", &version.id);
    let obj = stages(obj, version).str("CreateTime", time(version.created));
    let obj = rotation(obj, secret);
    obj.opt_str(
        "ExtendedConfig",
        extended_config(secret).filter(|_| fetch_extended_config),
    )
}
