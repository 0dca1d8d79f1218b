//! One file per operation: each reads its parameters, calls the core service and returns the
//! answer's fields. [`find`] routes an `Action` to its handler.

use crate::call::Call;
use crate::error::{AliResult, AlibabaError, Code};
use crate::params::Params;
use crate::render::Obj;

mod batch_get_secret_value;
mod create_secret;
mod delete_secret;
mod describe_secret;
mod get_random_password;
mod get_secret_policy;
pub(crate) mod get_secret_value;
mod list_resource_tags;
mod list_secret_version_ids;
mod list_secrets;
mod list_tag_resources;
pub(crate) mod put_secret_value;
mod restore_secret;
mod rotate_secret;
mod set_secret_policy;
mod tag_resource;
mod tag_resources;
mod untag_resource;
mod untag_resources;
mod update_secret;
mod update_secret_rotation_policy;
mod update_secret_version_stage;

pub type Handler = fn(&Call<'_>, &Params) -> AliResult<Obj>;

/// Every operation answered here.
pub const OPERATIONS: &[(&str, Handler)] = &[
    ("BatchGetSecretValue", batch_get_secret_value::handle),
    ("CreateSecret", create_secret::handle),
    ("DeleteSecret", delete_secret::handle),
    ("DescribeSecret", describe_secret::handle),
    ("GetRandomPassword", get_random_password::handle),
    ("GetSecretPolicy", get_secret_policy::handle),
    ("GetSecretValue", get_secret_value::handle),
    ("ListResourceTags", list_resource_tags::handle),
    ("ListSecretVersionIds", list_secret_version_ids::handle),
    ("ListSecrets", list_secrets::handle),
    ("ListTagResources", list_tag_resources::handle),
    ("PutSecretValue", put_secret_value::handle),
    ("RestoreSecret", restore_secret::handle),
    ("RotateSecret", rotate_secret::handle),
    ("SetSecretPolicy", set_secret_policy::handle),
    ("TagResource", tag_resource::handle),
    ("TagResources", tag_resources::handle),
    ("UntagResource", untag_resource::handle),
    ("UntagResources", untag_resources::handle),
    ("UpdateSecret", update_secret::handle),
    (
        "UpdateSecretRotationPolicy",
        update_secret_rotation_policy::handle,
    ),
    (
        "UpdateSecretVersionStage",
        update_secret_version_stage::handle,
    ),
];

/// KMS operations on keys, certificates, instances and policies: real actions of the API
/// version that this emulator does not implement, answered `UnsupportedOperation`.
pub const UNSUPPORTED_ACTIONS: &[&str] = &[
    "AdvanceEncrypt",
    "AsymmetricDecrypt",
    "AsymmetricEncrypt",
    "AsymmetricSign",
    "AsymmetricVerify",
    "CancelKeyDeletion",
    "CertificatePrivateKeyDecrypt",
    "CertificatePrivateKeySign",
    "CertificatePublicKeyEncrypt",
    "CertificatePublicKeyVerify",
    "ConnectKmsInstance",
    "CreateAlias",
    "CreateApplicationAccessPoint",
    "CreateCertificate",
    "CreateClientKey",
    "CreateKey",
    "CreateKeyVersion",
    "CreateNetworkRule",
    "CreatePolicy",
    "Decrypt",
    "DeleteAlias",
    "DeleteApplicationAccessPoint",
    "DeleteCertificate",
    "DeleteClientKey",
    "DeleteKeyMaterial",
    "DeleteNetworkRule",
    "DeletePolicy",
    "DescribeAccountKmsStatus",
    "DescribeApplicationAccessPoint",
    "DescribeCertificate",
    "DescribeKey",
    "DescribeKeyVersion",
    "DescribeNetworkRule",
    "DescribePolicy",
    "DescribeRegions",
    "DisableKey",
    "EnableKey",
    "Encrypt",
    "ExportDataKey",
    "GenerateAndExportDataKey",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateMac",
    "GetCertificate",
    "GetChallenge",
    "GetClientKey",
    "GetDefaultKmsInstance",
    "GetKeyPolicy",
    "GetKmsInstance",
    "GetKmsInstanceQuotaInfos",
    "GetManagedDataKey",
    "GetParametersForImport",
    "GetPublicKey",
    "ImportKeyMaterial",
    "ListAliases",
    "ListAliasesByKeyId",
    "ListApplicationAccessPoints",
    "ListClientKeys",
    "ListKeyVersions",
    "ListKeys",
    "ListKmsInstances",
    "ListManagedDataKeyVersions",
    "ListNetworkRules",
    "ListPolicies",
    "OpenKmsService",
    "ReEncrypt",
    "ReleaseKmsInstance",
    "ScheduleKeyDeletion",
    "SetDeletionProtection",
    "SetKeyPolicy",
    "UpdateAlias",
    "UpdateApplicationAccessPoint",
    "UpdateCertificateStatus",
    "UpdateKeyDescription",
    "UpdateKmsInstanceBindVpc",
    "UpdateNetworkRule",
    "UpdatePolicy",
    "UpdateRotationPolicy",
    "UploadCertificate",
    "VerifyMac",
];

pub fn find(action: &str) -> AliResult<Handler> {
    if let Some((_, h)) = OPERATIONS.iter().find(|(a, _)| *a == action) {
        return Ok(*h);
    }
    if UNSUPPORTED_ACTIONS.contains(&action) {
        return Err(AlibabaError::unsupported(format!(
            "This action is not supported: {action} is a KMS key, certificate or instance operation, and this emulator serves the secrets operations only."
        )));
    }
    Err(AlibabaError::with(
        Code::InvalidAction,
        format!("Specified api is not found, please check your url and method: {action} is not an action of KMS 2016-01-20."),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing() {
        assert_eq!(OPERATIONS.len(), 22);
        for (a, _) in OPERATIONS {
            assert!(find(a).is_ok(), "{a}");
            assert!(!UNSUPPORTED_ACTIONS.contains(a), "{a}");
        }
        assert_eq!(
            find("Encrypt").err().map(|e| e.code),
            Some(Code::UnsupportedOperation)
        );
        assert_eq!(
            find("NoSuchThing").err().map(|e| e.code),
            Some(Code::InvalidAction)
        );
        assert_eq!(
            find("createsecret").err().map(|e| e.code),
            Some(Code::InvalidAction)
        );
    }
}
