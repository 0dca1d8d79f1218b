//! Every error this frontend answers, in one table: kind → HTTP status, CSMS (or API gateway)
//! code and the cloud's own text. The body is `{"error_code", "error_msg"}`; the request id
//! travels in the `X-Request-Id` header, where the SDK reads it.

use localsecrets_api::{Response, WireError};
use localsecrets_core::CoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// No such route (answered by the API gateway in the real cloud).
    RouteNotFound,
    /// An `Authorization` header that cannot be parsed.
    BadAuthorization,
    /// A caller the gateway does not let through.
    Forbidden,
    InvalidParameter,
    InvalidRequest,
    /// The path carries the SDK's `{project_id}` placeholder: no project id was configured.
    MissingProjectId,
    MalformedBody,
    ResourceNotFound,
    PendingDeletion,
    SystemStage,
    SecretNotFound,
    AlreadyScheduled,
    NotScheduled,
    AlreadyExists,
    StageLimit,
    /// Rotation asked of a secret that cannot rotate (a shared secret without a function).
    RotationNotSupported,
    /// An operation the emulator does not implement.
    NotSupported,
    Internal,
}

pub struct Row {
    pub kind: ErrorKind,
    pub status: u16,
    pub code: &'static str,
    /// The cloud's published message, used when no detail is given.
    pub text: &'static str,
}

/// Statuses and codes from Huawei's DEW "Error Code" page (CSMS answers most business errors,
/// not-found included, with 400) and its API gateway's list. Codes the public page does not
/// show (already exists, not supported) are marked; correct them here and nowhere else.
pub const TABLE: &[Row] = &[
    Row {
        kind: ErrorKind::RouteNotFound,
        status: 404,
        code: "APIGW.0101",
        text: "The API does not exist or has not been published in the environment.",
    },
    Row {
        kind: ErrorKind::BadAuthorization,
        status: 401,
        code: "APIGW.0301",
        text: "Incorrect IAM authentication information.",
    },
    Row {
        kind: ErrorKind::Forbidden,
        status: 403,
        code: "APIGW.0302",
        text: "The IAM user is not authorized to access the API.",
    },
    Row {
        kind: ErrorKind::InvalidParameter,
        status: 400,
        code: "CSMS.0002",
        text: "The value of parameter is invalid.",
    },
    Row {
        kind: ErrorKind::InvalidRequest,
        status: 400,
        code: "CSMS.0003",
        text: "The request is invalid.",
    },
    Row {
        kind: ErrorKind::MissingProjectId,
        status: 400,
        code: "CSMS.0003",
        text: "The request is invalid.",
    },
    Row {
        kind: ErrorKind::MalformedBody,
        status: 400,
        code: "CSMS.0004",
        text: "The requested body format is wrong.",
    },
    Row {
        kind: ErrorKind::ResourceNotFound,
        status: 400,
        code: "CSMS.0005",
        text: "The resource does not exist.",
    },
    Row {
        kind: ErrorKind::PendingDeletion,
        status: 400,
        code: "CSMS.0103",
        text: "The secret is in the scheduled deletion state.",
    },
    Row {
        kind: ErrorKind::SystemStage,
        status: 400,
        code: "CSMS.0105",
        text: "Can not delete the system internal stage.",
    },
    Row {
        kind: ErrorKind::SecretNotFound,
        status: 400,
        code: "CSMS.0106",
        text: "The secret name not found int the db.",
    },
    Row {
        kind: ErrorKind::AlreadyScheduled,
        status: 400,
        code: "CSMS.0107",
        text: "The secret is in schedule delete state.",
    },
    Row {
        kind: ErrorKind::NotScheduled,
        status: 400,
        code: "CSMS.0108",
        text: "The secret is not in schedule delete state.",
    },
    // Not on the public page.
    Row {
        kind: ErrorKind::AlreadyExists,
        status: 400,
        code: "CSMS.0201",
        text: "The resource already exists.",
    },
    Row {
        kind: ErrorKind::StageLimit,
        status: 400,
        code: "CSMS.0203",
        text: "The number of stage has reached the upper limit.",
    },
    // Not on the public page: answered as an invalid request.
    Row {
        kind: ErrorKind::RotationNotSupported,
        status: 400,
        code: "CSMS.0003",
        text: "The request is invalid.",
    },
    // Not on the public page: answered as an invalid request.
    Row {
        kind: ErrorKind::NotSupported,
        status: 400,
        code: "CSMS.0003",
        text: "The request is invalid.",
    },
    Row {
        kind: ErrorKind::Internal,
        status: 500,
        code: "CSMS.0001",
        text: "Internal error.",
    },
];

pub fn row(kind: ErrorKind) -> &'static Row {
    TABLE
        .iter()
        .find(|r| r.kind == kind)
        .unwrap_or(&TABLE[TABLE.len() - 1])
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HuaweiError {
    pub kind: ErrorKind,
    /// What went wrong in this request; the table's text when empty.
    pub message: String,
}

pub type HwResult<T> = Result<T, HuaweiError>;

impl HuaweiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }

    pub fn body(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::MalformedBody, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ResourceNotFound, message)
    }

    pub fn secret_not_found(name: &str) -> Self {
        Self::new(
            ErrorKind::SecretNotFound,
            format!("The secret {name} does not exist."),
        )
    }

    pub fn not_supported(operation: &str) -> Self {
        Self::new(
            ErrorKind::NotSupported,
            format!("{operation} is not supported by localsecrets."),
        )
    }

    pub fn row(&self) -> &'static Row {
        row(self.kind)
    }

    pub fn text(&self) -> &str {
        if self.message.is_empty() {
            self.row().text
        } else {
            &self.message
        }
    }
}

impl WireError for HuaweiError {
    fn status(&self) -> u16 {
        self.row().status
    }

    fn code(&self) -> &str {
        self.row().code
    }

    fn render(&self, request_id: &str) -> Response {
        let body = serde_json::json!({
            "error_code": self.code(),
            "error_msg": self.text(),
        });
        crate::render::json(self.status(), &body).header("X-Request-Id", request_id)
    }
}

/// The general translation of model errors; operations that mean something more specific by
/// one (scheduling an already scheduled deletion) map it themselves first.
impl From<CoreError> for HuaweiError {
    fn from(e: CoreError) -> Self {
        use ErrorKind as K;
        let kind = match &e {
            CoreError::SecretNotFound { name } => return Self::secret_not_found(name),
            CoreError::VersionNotFound { .. }
            | CoreError::LabelNotFound { .. }
            | CoreError::TagNotFound { .. } => K::ResourceNotFound,
            CoreError::AlreadyExists { name, .. } => {
                return Self::new(
                    K::AlreadyExists,
                    format!("The secret {name} already exists."),
                )
            }
            CoreError::ScheduleRequired => {
                return Self::invalid("rotation_period is required when auto_rotation is true.")
            }
            CoreError::NotScheduledForDeletion { name } => {
                return Self::new(
                    K::NotScheduled,
                    format!("The secret {name} is not scheduled for deletion."),
                )
            }
            CoreError::ScheduledForDeletion { name } => {
                return Self::new(
                    K::PendingDeletion,
                    format!("The secret {name} is in the scheduled deletion state."),
                )
            }
            CoreError::RotationFunctionMissing { name } => {
                return Self::new(
                    K::RotationNotSupported,
                    format!(
                        "The secret {name} is a shared (COMMON) secret without a \
                         rotation_func_urn, and RotateSecret does not rotate shared secrets. \
                         Set rotation_func_urn with UpdateSecret, or use an RDS-FG or \
                         GaussDB-FG secret."
                    ),
                )
            }
            CoreError::ProtectedLabel { label } => {
                return Self::new(
                    K::SystemStage,
                    format!("The stage {label} is a system stage and cannot be deleted."),
                )
            }
            CoreError::LimitExceeded(_) => K::StageLimit,
            CoreError::VersionLabelMismatch { .. }
            | CoreError::LabelOnOtherVersion { .. }
            | CoreError::IdempotencyConflict { .. }
            | CoreError::RecoveryWindow { .. }
            | CoreError::InvalidParameter(_) => K::InvalidParameter,
            CoreError::RotationInProgress { .. }
            | CoreError::UnsupportedSecretType { .. }
            | CoreError::Refused(_)
            | CoreError::Throttled { .. } => K::InvalidRequest,
            CoreError::Storage(_) => K::Internal,
        };
        Self::new(kind, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_exactly_one_row() {
        let kinds = [
            ErrorKind::RouteNotFound,
            ErrorKind::BadAuthorization,
            ErrorKind::Forbidden,
            ErrorKind::InvalidParameter,
            ErrorKind::InvalidRequest,
            ErrorKind::MissingProjectId,
            ErrorKind::MalformedBody,
            ErrorKind::ResourceNotFound,
            ErrorKind::PendingDeletion,
            ErrorKind::SystemStage,
            ErrorKind::SecretNotFound,
            ErrorKind::AlreadyScheduled,
            ErrorKind::NotScheduled,
            ErrorKind::AlreadyExists,
            ErrorKind::StageLimit,
            ErrorKind::RotationNotSupported,
            ErrorKind::NotSupported,
            ErrorKind::Internal,
        ];
        assert_eq!(kinds.len(), TABLE.len());
        for k in kinds {
            assert_eq!(TABLE.iter().filter(|r| r.kind == k).count(), 1, "{k:?}");
        }
    }

    #[test]
    fn golden_error_body() {
        let e = HuaweiError::secret_not_found("db");
        let r = e.render("req-1");
        assert_eq!(r.status, 400);
        assert_eq!(r.header_value("X-Request-Id"), Some("req-1"));
        assert_eq!(
            std::str::from_utf8(&r.body).unwrap(),
            r#"{"error_code":"CSMS.0106","error_msg":"The secret db does not exist."}"#
        );
        let plain = HuaweiError::new(ErrorKind::MalformedBody, "");
        assert_eq!(
            plain.render("r").json_body().unwrap()["error_msg"],
            "The requested body format is wrong."
        );
    }

    #[test]
    fn core_errors_map_to_the_table() {
        let cases = [
            (
                CoreError::SecretNotFound { name: "x".into() },
                400,
                "CSMS.0106",
            ),
            (
                CoreError::VersionNotFound {
                    version_id: "v9".into(),
                },
                400,
                "CSMS.0005",
            ),
            (
                CoreError::ScheduledForDeletion { name: "x".into() },
                400,
                "CSMS.0103",
            ),
            (
                CoreError::ProtectedLabel {
                    label: "SYSCURRENT".into(),
                },
                400,
                "CSMS.0105",
            ),
            (CoreError::LimitExceeded("l".into()), 400, "CSMS.0203"),
            (CoreError::InvalidParameter("p".into()), 400, "CSMS.0002"),
            (CoreError::Storage("disk".into()), 500, "CSMS.0001"),
        ];
        for (core, status, code) in cases {
            let e = HuaweiError::from(core.clone());
            assert_eq!((e.status(), e.code()), (status, code), "{core:?}");
        }
    }
}
