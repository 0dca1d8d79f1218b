//! `X-Amz-Target: secretsmanager.<Operation>` → the operation's handler. The operation list
//! is the botocore service model's (2017-10-17), all 26 of them.

use crate::call::Call;
use crate::error::{AwsError, AwsResult};
use crate::ops;
use localsecrets_api::Request;
use serde_json::Value;

/// The target prefix all Secrets Manager requests carry.
pub const PREFIX: &str = "secretsmanager";

/// The operation named by a request's `X-Amz-Target`, if it is a Secrets Manager target.
/// The operations that change nothing (but a read's daily access mark).
pub const READS: &[&str] = &[
    "GetSecretValue",
    "BatchGetSecretValue",
    "DescribeSecret",
    "ListSecrets",
    "ListSecretVersionIds",
    "GetResourcePolicy",
    "GetRandomPassword",
];

pub fn target(req: &Request) -> Option<&str> {
    let t = req.header("x-amz-target")?;
    let (prefix, op) = t.trim().split_once('.')?;
    prefix.eq_ignore_ascii_case(PREFIX).then_some(op)
}

macro_rules! operations {
    ($($name:ident => $module:ident),* $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Operation { $($name),* }

        impl Operation {
            pub const ALL: &'static [Operation] = &[$(Operation::$name),*];

            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $(stringify!($name) => Some(Operation::$name),)*
                    _ => None,
                }
            }

            pub fn name(self) -> &'static str {
                match self { $(Operation::$name => stringify!($name)),* }
            }

            pub fn run(self, call: &Call<'_>) -> AwsResult<Value> {
                match self { $(Operation::$name => ops::$module::handle(call)),* }
            }
        }
    };
}

operations! {
    AssociateCrossAccountReplica => associate_cross_account_replica,
    BatchGetSecretValue => batch_get_secret_value,
    CancelRotateSecret => cancel_rotate_secret,
    CreateSecret => create_secret,
    DeleteResourcePolicy => delete_resource_policy,
    DeleteSecret => delete_secret,
    DescribeSecret => describe_secret,
    DisassociateCrossAccountReplica => disassociate_cross_account_replica,
    GetRandomPassword => get_random_password,
    GetResourcePolicy => get_resource_policy,
    GetSecretValue => get_secret_value,
    ListResourcePolicies => list_resource_policies,
    ListSecretVersionIds => list_secret_version_ids,
    ListSecrets => list_secrets,
    PutResourcePolicy => put_resource_policy,
    PutSecretValue => put_secret_value,
    RemoveRegionsFromReplication => remove_regions_from_replication,
    ReplicateSecretToRegions => replicate_secret_to_regions,
    RestoreSecret => restore_secret,
    RotateSecret => rotate_secret,
    StopReplicationToReplica => stop_replication_to_replica,
    TagResource => tag_resource,
    UntagResource => untag_resource,
    UpdateSecret => update_secret,
    UpdateSecretVersionStage => update_secret_version_stage,
    ValidateResourcePolicy => validate_resource_policy,
}

/// The operation a request names, or the error AWS gives for a name it does not know.
pub fn route(req: &Request) -> AwsResult<Operation> {
    let name = target(req).unwrap_or_default();
    if !req.method.eq_ignore_ascii_case("POST") {
        return Err(AwsError::UnknownOperation(format!(
            "Secrets Manager only accepts POST requests, not {}.",
            req.method
        )));
    }
    Operation::parse(name).ok_or_else(|| {
        AwsError::UnknownOperation(format!(
            "Operation {name} is not supported by this endpoint."
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(target: &str) -> Request {
        Request::new("POST", "/").with_header("X-Amz-Target", target)
    }

    /// Reads skip the blocking pool, so a write listed among them would wait on a commit
    /// where it stalls other requests.
    #[test]
    fn reads_are_operations_that_read() {
        for name in READS {
            assert!(Operation::parse(name).is_some(), "{name}");
            assert!(
                ["Get", "Describe", "List", "BatchGet"]
                    .iter()
                    .any(|p| name.starts_with(p)),
                "{name}"
            );
        }
        let f = crate::AwsFrontend::new(
            std::sync::Arc::new(localsecrets_core::Service::in_memory(1)),
            crate::AwsConfig::default(),
        );
        use localsecrets_api::Frontend;
        assert!(f.only_reads(&req("secretsmanager.GetSecretValue")));
        assert!(!f.only_reads(&req("secretsmanager.PutSecretValue")));
        assert!(!f.only_reads(&req("secretsmanager.RotateSecret")));
    }

    #[test]
    fn every_model_operation_routes_and_nothing_else() {
        assert_eq!(Operation::ALL.len(), 26);
        for op in Operation::ALL {
            let r = req(&format!("secretsmanager.{}", op.name()));
            assert_eq!(route(&r), Ok(*op));
        }
        for bad in [
            "secretsmanager.GetSecret",
            "secretsmanager.getSecretValue",
            "secretsmanager.",
        ] {
            assert!(matches!(
                route(&req(bad)),
                Err(AwsError::UnknownOperation(_))
            ));
        }
        assert_eq!(
            target(&req("SecretsManager.ListSecrets")),
            Some("ListSecrets")
        );
        assert_eq!(target(&req("kms.ListKeys")), None);
        assert_eq!(target(&Request::new("POST", "/")), None);
        let get =
            Request::new("GET", "/").with_header("X-Amz-Target", "secretsmanager.ListSecrets");
        assert!(matches!(route(&get), Err(AwsError::UnknownOperation(_))));
    }
}
