//! One file per operation: each reads its parameters, calls the core service and returns the
//! answer's fields. [`crate::router`] routes an `Action` to its handler.

pub(crate) mod batch_get_secret_value;
pub(crate) mod create_secret;
pub(crate) mod delete_secret;
pub(crate) mod describe_secret;
pub(crate) mod get_random_password;
pub(crate) mod get_secret_policy;
pub(crate) mod get_secret_value;
pub(crate) mod list_resource_tags;
pub(crate) mod list_secret_version_ids;
pub(crate) mod list_secrets;
pub(crate) mod list_tag_resources;
pub(crate) mod put_secret_value;
pub(crate) mod restore_secret;
pub(crate) mod rotate_secret;
pub(crate) mod set_secret_policy;
pub(crate) mod tag_resource;
pub(crate) mod tag_resources;
pub(crate) mod untag_resource;
pub(crate) mod untag_resources;
pub(crate) mod update_secret;
pub(crate) mod update_secret_rotation_policy;
pub(crate) mod update_secret_version_stage;
