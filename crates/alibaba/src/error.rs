//! Alibaba's error answers. [`Code`] is the one table of HTTP status, wire `Code` and documented
//! message; [`AlibabaError`] carries a code and a message and renders the body
//! `{RequestId, HostId, Code, Message, Recommend}` in JSON or as an `<Error>` XML document.

use crate::render::{self, Format, Obj};
use localsecrets_api::{Response, WireError};
use localsecrets_core::CoreError;

/// Every error this frontend answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    MissingParameter,
    InvalidParameter,
    InvalidAction,
    InvalidVersion,
    UnsupportedHttpMethod,
    IncompleteSignature,
    UnsupportedOperation,
    LimitExceeded,
    NoPermission,
    ResourceNotFound,
    KeyNotFound,
    ResourceExist,
    ResourceInDeleteWindow,
    Throttling,
    Unavailable,
    DryRunOperation,
    ValidationError,
    InternalFailure,
}

impl Code {
    /// HTTP status, wire code and the service's documented message.
    pub const fn wire(self) -> (u16, &'static str, &'static str) {
        match self {
            Code::MissingParameter => (
                400,
                "MissingParameter",
                "A required parameter is not supplied.",
            ),
            Code::InvalidParameter => (
                400,
                "InvalidParameter",
                "The specified parameter is invalid.",
            ),
            Code::InvalidAction => (
                404,
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method.",
            ),
            Code::InvalidVersion => (
                400,
                "InvalidVersion",
                "Specified parameter Version is not valid.",
            ),
            Code::UnsupportedHttpMethod => (
                400,
                "UnsupportedHTTPMethod",
                "This http method is not supported.",
            ),
            Code::IncompleteSignature => (
                400,
                "IncompleteSignature",
                "The request signature does not conform to Aliyun standards.",
            ),
            Code::UnsupportedOperation => {
                (400, "UnsupportedOperation", "This action is not supported.")
            }
            Code::LimitExceeded => (
                400,
                "Rejected.LimitExceeded",
                "The secret quota is exceeded.",
            ),
            Code::NoPermission => (
                403,
                "Forbidden.NoPermission",
                "You are not authorized to perform the operation.",
            ),
            Code::ResourceNotFound => (
                404,
                "Forbidden.ResourceNotFound",
                "The resource is not found.",
            ),
            Code::KeyNotFound => (
                404,
                "Forbidden.KeyNotFound",
                "The specified Key is not found.",
            ),
            Code::ResourceExist => (
                409,
                "Rejected.ResourceExist",
                "The resource already exists.",
            ),
            Code::ResourceInDeleteWindow => (
                409,
                "Rejected.ResourceInDeleteWindow",
                "The secret is planned to be deleted.",
            ),
            Code::Throttling => (
                429,
                "Rejected.Throttling",
                "The QPS upper limit is exceeded.",
            ),
            Code::Unavailable => (
                400,
                "Rejected.Unavailable",
                "The secret status is unavailable.",
            ),
            Code::DryRunOperation => (
                400,
                "DryRunOperationError",
                "The request would have succeeded, but the DryRun flag is set.",
            ),
            Code::ValidationError => (
                400,
                "ValidationError",
                "A parameter specified in the request is invalid.",
            ),
            Code::InternalFailure => (500, "InternalFailure", "An internal error occurred."),
        }
    }

    pub const fn status(self) -> u16 {
        self.wire().0
    }

    pub const fn as_str(self) -> &'static str {
        self.wire().1
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlibabaError {
    pub code: Code,
    pub message: String,
    /// How the answer is rendered; set by the frontend once the request's format is known.
    pub format: Format,
    pub host_id: String,
}

pub type AliResult<T> = Result<T, AlibabaError>;

impl AlibabaError {
    /// An error with the documented message.
    pub fn new(code: Code) -> Self {
        Self::with(code, code.wire().2)
    }

    pub fn with(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            format: Format::Json,
            host_id: "kms.cn-hangzhou.aliyuncs.com".into(),
        }
    }

    pub fn missing(param: &str) -> Self {
        Self::with(
            Code::MissingParameter,
            format!(
                "The input parameter \"{param}\" that is mandatory for processing this request is not supplied."
            ),
        )
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::with(Code::InvalidParameter, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::with(Code::ResourceNotFound, message)
    }

    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::with(Code::UnsupportedOperation, message)
    }

    pub fn rendered_as(mut self, format: Format, host_id: &str) -> Self {
        self.format = format;
        host_id.clone_into(&mut self.host_id);
        self
    }

    /// The body fields, without the root element.
    pub fn body(&self, request_id: &str) -> Obj {
        let code = self.code.as_str();
        Obj::new()
            .str("RequestId", request_id)
            .str("HostId", &self.host_id)
            .str("Code", code)
            .str("Message", &self.message)
            .str(
                "Recommend",
                format!("https://api.aliyun.com/troubleshoot?q={code}"),
            )
    }
}

impl WireError for AlibabaError {
    fn status(&self) -> u16 {
        self.code.status()
    }

    fn code(&self) -> &str {
        self.code.as_str()
    }

    fn render(&self, request_id: &str) -> Response {
        render::document(
            self.code.status(),
            self.format,
            "Error",
            &self.body(request_id),
        )
        .header("x-acs-request-id", request_id)
    }
}

impl From<CoreError> for AlibabaError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::SecretNotFound { name } => Self::not_found(format!(
                "The resource is not found: the secret {name} does not exist."
            )),
            CoreError::VersionNotFound { version_id } => Self::not_found(format!(
                "The resource is not found: the secret has no version {version_id}."
            )),
            CoreError::RecoveryWindow { days, min, max } => Self::invalid(format!(
                "The parameter RecoveryWindowInDays \"{days}\" is invalid: use {min} to {max} days."
            )),
            CoreError::ScheduleRequired => Self::missing("RotationInterval"),
            CoreError::NotScheduledForDeletion { name } => Self::invalid(format!(
                "The secret {name} is not scheduled for deletion."
            )),
            CoreError::TagNotFound { key } => {
                Self::not_found(format!("The resource is not found: the secret has no tag {key}."))
            }
            CoreError::LabelNotFound { label } => Self::not_found(format!(
                "The resource is not found: no version of the secret has the stage {label}."
            )),
            CoreError::VersionLabelMismatch { version_id, label } => Self::not_found(format!(
                "The resource is not found: version {version_id} does not have the stage {label}."
            )),
            CoreError::AlreadyExists {
                name,
                pending_deletion: false,
            } => Self::with(
                Code::ResourceExist,
                format!("The resource already exists: a secret named {name} exists."),
            ),
            CoreError::AlreadyExists {
                name,
                pending_deletion: true,
            }
            | CoreError::ScheduledForDeletion { name } => Self::with(
                Code::ResourceInDeleteWindow,
                format!(
                    "The secret {name} is planned to be deleted; call RestoreSecret to cancel the deletion."
                ),
            ),
            CoreError::RotationInProgress { name } => Self::with(
                Code::Unavailable,
                format!("The secret {name} is being rotated; its ACSPending version is not current yet."),
            ),
            CoreError::RotationFunctionMissing { name } => {
                Self::invalid(format!("The secret {name} cannot be rotated."))
            }
            CoreError::IdempotencyConflict { version_id, .. } => Self::with(
                Code::ResourceExist,
                format!(
                    "The resource already exists: version {version_id} exists with different secret data."
                ),
            ),
            CoreError::LabelOnOtherVersion { label, holder } => Self::invalid(format!(
                "The stage {label} is attached to version {holder}, not to the version given in RemoveFromVersion."
            )),
            CoreError::ProtectedLabel { label } => Self::invalid(format!(
                "The stage {label} is reserved by the system and cannot be removed; move it with MoveToVersion."
            )),
            CoreError::UnsupportedSecretType {
                secret_type,
                operation,
            } => Self::unsupported(format!(
                "{operation} is not supported for {secret_type} secrets."
            )),
            CoreError::LimitExceeded(what) => {
                Self::with(Code::LimitExceeded, format!("The quota is exceeded: {what}."))
            }
            CoreError::Throttled { max, window_secs } => Self::with(
                Code::Throttling,
                format!(
                    "The QPS upper limit is exceeded: a secret can be rotated at most {max} times per {} hour.",
                    window_secs / 3600
                ),
            ),
            CoreError::InvalidParameter(what) | CoreError::Refused(what) => Self::invalid(what),
            CoreError::Storage(_) => Self::new(Code::InternalFailure),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_map_to_the_documented_codes() {
        let cases: Vec<(CoreError, u16, &str)> = vec![
            (
                CoreError::SecretNotFound { name: "s".into() },
                404,
                "Forbidden.ResourceNotFound",
            ),
            (
                CoreError::VersionNotFound {
                    version_id: "v".into(),
                },
                404,
                "Forbidden.ResourceNotFound",
            ),
            (
                CoreError::LabelNotFound { label: "l".into() },
                404,
                "Forbidden.ResourceNotFound",
            ),
            (
                CoreError::AlreadyExists {
                    name: "s".into(),
                    pending_deletion: false,
                },
                409,
                "Rejected.ResourceExist",
            ),
            (
                CoreError::AlreadyExists {
                    name: "s".into(),
                    pending_deletion: true,
                },
                409,
                "Rejected.ResourceInDeleteWindow",
            ),
            (
                CoreError::ScheduledForDeletion { name: "s".into() },
                409,
                "Rejected.ResourceInDeleteWindow",
            ),
            (
                CoreError::IdempotencyConflict {
                    version_id: "v".into(),
                    name: "s".into(),
                    arn_suffix: String::new(),
                },
                409,
                "Rejected.ResourceExist",
            ),
            (
                CoreError::Throttled {
                    max: 50,
                    window_secs: 3600,
                },
                429,
                "Rejected.Throttling",
            ),
            (
                CoreError::LimitExceeded("x".into()),
                400,
                "Rejected.LimitExceeded",
            ),
            (
                CoreError::ProtectedLabel {
                    label: "ACSCurrent".into(),
                },
                400,
                "InvalidParameter",
            ),
            (
                CoreError::InvalidParameter("x".into()),
                400,
                "InvalidParameter",
            ),
            (CoreError::Storage("disk".into()), 500, "InternalFailure"),
        ];
        for (core, status, code) in cases {
            let e = AlibabaError::from(core.clone());
            assert_eq!((e.status(), e.code()), (status, code), "{core:?}");
        }
    }

    #[test]
    fn storage_details_never_reach_the_caller() {
        let e = AlibabaError::from(CoreError::Storage("/var/db locked".into()));
        assert!(!e.message.contains("/var/db"));
    }

    #[test]
    fn only_internal_failures_are_5xx() {
        use Code::*;
        for c in [
            MissingParameter,
            InvalidParameter,
            InvalidAction,
            InvalidVersion,
            UnsupportedHttpMethod,
            IncompleteSignature,
            UnsupportedOperation,
            LimitExceeded,
            NoPermission,
            ResourceNotFound,
            KeyNotFound,
            ResourceExist,
            ResourceInDeleteWindow,
            Throttling,
            Unavailable,
            DryRunOperation,
            ValidationError,
        ] {
            assert!((400..500).contains(&c.status()), "{c:?}");
        }
        assert_eq!(InternalFailure.status(), 500);
    }
}
