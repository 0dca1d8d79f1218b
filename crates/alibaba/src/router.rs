//! Which operation an `Action` names: the table of every operation answered here, and the
//! actions KMS has that this emulator does not (answered with Alibaba's own "unsupported"
//! error rather than "unknown action").

use crate::call::Call;
use crate::error::{AliResult, AlibabaError, Code};
use crate::ops;
use crate::params::Params;
use crate::render::Obj;

pub type Handler = fn(&Call<'_>, &Params) -> AliResult<Obj>;

/// Every operation answered here.
pub const OPERATIONS: &[(&str, Handler)] = &[
    ("BatchGetSecretValue", ops::batch_get_secret_value::handle),
    ("CreateSecret", ops::create_secret::handle),
    ("DeleteSecret", ops::delete_secret::handle),
    ("DescribeSecret", ops::describe_secret::handle),
    ("GetRandomPassword", ops::get_random_password::handle),
    ("GetSecretPolicy", ops::get_secret_policy::handle),
    ("GetSecretValue", ops::get_secret_value::handle),
    ("ListResourceTags", ops::list_resource_tags::handle),
    ("ListSecretVersionIds", ops::list_secret_version_ids::handle),
    ("ListSecrets", ops::list_secrets::handle),
    ("ListTagResources", ops::list_tag_resources::handle),
    ("PutSecretValue", ops::put_secret_value::handle),
    ("RestoreSecret", ops::restore_secret::handle),
    ("RotateSecret", ops::rotate_secret::handle),
    ("SetSecretPolicy", ops::set_secret_policy::handle),
    ("TagResource", ops::tag_resource::handle),
    ("TagResources", ops::tag_resources::handle),
    ("UntagResource", ops::untag_resource::handle),
    ("UntagResources", ops::untag_resources::handle),
    ("UpdateSecret", ops::update_secret::handle),
    (
        "UpdateSecretRotationPolicy",
        ops::update_secret_rotation_policy::handle,
    ),
    (
        "UpdateSecretVersionStage",
        ops::update_secret_version_stage::handle,
    ),
];

/// The actions that change nothing (but a read's daily access mark).
pub const READS: &[&str] = &[
    "BatchGetSecretValue",
    "DescribeSecret",
    "GetRandomPassword",
    "GetSecretPolicy",
    "GetSecretValue",
    "ListResourceTags",
    "ListSecretVersionIds",
    "ListSecrets",
    "ListTagResources",
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

    /// Reads skip the blocking pool, so a write listed among them would wait on a commit
    /// where it stalls other requests.
    #[test]
    fn reads_are_operations_that_read() {
        for name in READS {
            assert!(OPERATIONS.iter().any(|(a, _)| a == name), "{name}");
            assert!(
                ["Get", "Describe", "List", "BatchGet"]
                    .iter()
                    .any(|p| name.starts_with(p)),
                "{name}"
            );
        }
    }

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
