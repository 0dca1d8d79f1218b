//! The vocabulary of the service's operations: how a secret is named, which version a read
//! wants, what a write creates and what it answers.

use crate::{CoreResult, Random, Rotation, Scope, Secret, SecretValue, Tag, Timestamp};
use serde_json::Value;

/// How a caller names a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretRef<'a> {
    Name(&'a str),
    /// The service-assigned id.
    Id(&'a str),
    /// A name, or a name followed by `-` and the secret's 6-character ARN suffix (the tail of
    /// an AWS ARN, where the suffix cannot be told apart from the name by its shape).
    NameOrSuffixed(&'a str),
    /// A name and the ARN suffix it must carry (a complete AWS ARN): both must match.
    NameWithSuffix(&'a str, &'a str),
}

/// Whether an operation also reaches secrets in their deletion window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Live,
    AnyState,
}

/// Which version a read wants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    Label(String),
    Id(String),
    /// Both given: the version must carry the label.
    IdWithLabel(String, String),
    /// The newest version.
    Latest,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewVersion {
    /// The caller's id (AWS ClientRequestToken, Alibaba VersionId); ignored where the
    /// dialect assigns ids itself.
    pub id: Option<String>,
    pub value: Option<SecretValue>,
    /// Labels to move onto the new version; `None` means the dialect's current label.
    pub labels: Option<Vec<String>>,
    pub expires: Option<Timestamp>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewSecret {
    pub name: String,
    pub secret_type: Option<String>,
    pub description: Option<String>,
    pub kms_key_id: Option<String>,
    pub tags: Option<Vec<Tag>>,
    pub policy: Option<String>,
    pub rotation: Rotation,
    pub extra: serde_json::Map<String, Value>,
    /// The first version; its `value` may be absent (AWS allows a secret with no version).
    pub version: NewVersion,
}

/// The answer of a write that may be a retry: `replayed` when an identical earlier request
/// already did it and nothing was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    pub secret: Secret,
    pub version_id: Option<String>,
    pub replayed: bool,
}

/// What a built-in rotation does.
pub struct RotateRequest<'a> {
    /// The new version's id (AWS ClientRequestToken, Alibaba VersionId).
    pub version_id: Option<String>,
    /// Applied to the rotation configuration before anything else.
    pub configure: Option<&'a dyn Fn(&mut Rotation)>,
    /// Refuse when the secret (after `configure`) names no rotation function.
    pub require_function: bool,
    /// Rotate now; when false only the configuration is stored.
    pub immediately: bool,
    /// Makes the new value from the current one.
    pub generate: &'a dyn Fn(&Secret, &Random) -> CoreResult<SecretValue>,
}

/// Everything an operation closure may need besides the secret.
pub struct Ctx<'a> {
    pub now: Timestamp,
    pub random: &'a Random,
}

/// One item of [`Service::import_all`].
#[derive(Clone, Debug, PartialEq)]
pub enum Import {
    Secret {
        scope: Scope,
        secret: Box<Secret>,
    },
    /// An auxiliary record (a frontend's own kind), stored as given.
    Record {
        scope: Scope,
        kind: String,
        key: String,
        value: Value,
    },
}
