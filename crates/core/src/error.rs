//! The model's one error type. Each variant is a distinct answer a frontend maps to its
//! cloud's own code; the texts here are neutral and frontends may replace them.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CoreError {
    SecretNotFound {
        name: String,
    },
    VersionNotFound {
        version_id: String,
    },
    LabelNotFound {
        label: String,
    },
    /// A version id and a label were both given but the label is not on that version.
    VersionLabelMismatch {
        version_id: String,
        label: String,
    },
    /// The secret exists; `pending_deletion` when it sits in its deletion window.
    AlreadyExists {
        name: String,
        pending_deletion: bool,
    },
    /// The secret is in its deletion window and refuses this operation.
    ScheduledForDeletion {
        name: String,
    },
    RotationInProgress {
        name: String,
    },
    /// Rotation was asked for but the secret names no rotation function.
    RotationFunctionMissing {
        name: String,
    },
    /// A version id was reused with a different value. The secret is named so a cloud can say
    /// whose version it is (AWS quotes the secret's ARN).
    IdempotencyConflict {
        version_id: String,
        name: String,
        arn_suffix: String,
    },
    /// The label is on another version than the one the caller named.
    LabelOnOtherVersion {
        label: String,
        holder: String,
    },
    /// The label can only be moved onto another version, not removed.
    ProtectedLabel {
        label: String,
    },
    UnsupportedSecretType {
        secret_type: String,
        operation: String,
    },
    /// A restore of a secret that is not scheduled for deletion, where the dialect refuses it.
    NotScheduledForDeletion {
        name: String,
    },
    /// Automatic rotation was turned on without a schedule, where the dialect needs one.
    ScheduleRequired,
    /// A deletion's recovery window outside the dialect's range.
    RecoveryWindow {
        days: i64,
        min: u32,
        max: u32,
    },
    /// An untag named a key the secret must carry and does not.
    TagNotFound {
        key: String,
    },
    /// A count limit (versions, labels, tags…) would be exceeded.
    LimitExceeded(String),
    /// A rate quota (rotations per hour) is used up.
    Throttled {
        max: usize,
        window_secs: i64,
    },
    InvalidParameter(String),
    /// A cloud's own rule refuses to change this secret (an AWS replica); the text says why.
    Refused(String),
    /// The store failed; never caused by the request.
    Storage(String),
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SecretNotFound { name } => write!(f, "secret {name} not found"),
            Self::VersionNotFound { version_id } => write!(f, "version {version_id} not found"),
            Self::LabelNotFound { label } => write!(f, "no version has the label {label}"),
            Self::VersionLabelMismatch { version_id, label } => {
                write!(f, "version {version_id} does not have the label {label}")
            }
            Self::AlreadyExists {
                name,
                pending_deletion: false,
            } => write!(f, "secret {name} already exists"),
            Self::AlreadyExists {
                name,
                pending_deletion: true,
            } => write!(f, "secret {name} is already scheduled for deletion"),
            Self::ScheduledForDeletion { name } => {
                write!(f, "secret {name} is scheduled for deletion")
            }
            Self::RotationInProgress { name } => {
                write!(f, "a rotation of secret {name} is already in progress")
            }
            Self::RotationFunctionMissing { name } => {
                write!(f, "secret {name} has no rotation function")
            }
            Self::IdempotencyConflict { version_id, .. } => write!(
                f,
                "version {version_id} already exists with a different value"
            ),
            Self::LabelOnOtherVersion { label, holder } => {
                write!(f, "the label {label} is on version {holder}")
            }
            Self::ProtectedLabel { label } => {
                write!(f, "the label {label} can only be moved, not removed")
            }
            Self::UnsupportedSecretType {
                secret_type,
                operation,
            } => write!(f, "{operation} is not supported for {secret_type} secrets"),
            Self::NotScheduledForDeletion { name } => {
                write!(f, "secret {name} is not scheduled for deletion")
            }
            Self::ScheduleRequired => write!(f, "automatic rotation needs a rotation schedule"),
            Self::RecoveryWindow { days, min, max } => write!(
                f,
                "the recovery window must be between {min} and {max} days, not {days}"
            ),
            Self::TagNotFound { key } => write!(f, "the secret has no tag {key}"),
            Self::LimitExceeded(what) => write!(f, "limit exceeded: {what}"),
            Self::Throttled { max, window_secs } => write!(
                f,
                "rate limit exceeded: at most {max} per {window_secs} seconds"
            ),
            Self::InvalidParameter(what) | Self::Refused(what) => f.write_str(what),
            Self::Storage(what) => write!(f, "storage failure: {what}"),
        }
    }
}

impl std::error::Error for CoreError {}

pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    /// `version_id` is taken on `secret` by a version with other data.
    pub fn idempotency_conflict(secret: &crate::Secret, version_id: String) -> Self {
        Self::IdempotencyConflict {
            version_id,
            name: secret.name.clone(),
            arn_suffix: secret.arn_suffix.clone(),
        }
    }
}
