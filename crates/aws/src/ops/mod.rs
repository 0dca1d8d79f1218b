//! One module per operation of the service model: parse the input, call the core, render.

pub mod associate_cross_account_replica;
pub mod batch_get_secret_value;
pub mod cancel_rotate_secret;
pub mod create_secret;
pub mod delete_resource_policy;
pub mod delete_secret;
pub mod describe_secret;
pub mod disassociate_cross_account_replica;
pub mod get_random_password;
pub mod get_resource_policy;
pub mod get_secret_value;
pub mod list_resource_policies;
pub mod list_secret_version_ids;
pub mod list_secrets;
pub mod put_resource_policy;
pub mod put_secret_value;
pub mod remove_regions_from_replication;
pub mod replicate_secret_to_regions;
pub mod restore_secret;
pub mod rotate_secret;
pub mod stop_replication_to_replica;
pub mod tag_resource;
pub mod untag_resource;
pub mod update_secret;
pub mod update_secret_version_stage;
pub mod validate_resource_policy;

use crate::error::{AwsError, AwsResult};
use crate::json::{Input, Len};
use localsecrets_core::SecretValue;

pub const SECRET_VALUE: Len = Len(1, 65_536);

/// `SecretString` or `SecretBinary`, never both.
pub fn value(input: &Input) -> AwsResult<Option<SecretValue>> {
    let text = input.secret_str("SecretString", SECRET_VALUE)?;
    let binary = input.blob("SecretBinary", SECRET_VALUE)?;
    match (text, binary) {
        (Some(_), Some(_)) => Err(AwsError::InvalidParameter(
            "You can't specify both a binary secret value and a string secret value in the \
             same secret."
                .into(),
        )),
        (Some(t), None) => Ok(Some(SecretValue::Text(t))),
        (None, Some(b)) => Ok(Some(SecretValue::Binary(b))),
        (None, None) => Ok(None),
    }
}
