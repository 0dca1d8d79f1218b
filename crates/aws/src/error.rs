//! The AWS error answer: `{"__type": code, "Message": text}` with `x-amzn-ErrorType`, HTTP 400
//! for everything the caller can fix and 500 only for `InternalServiceError`. Core errors
//! map here with the messages AWS records.

use localsecrets_api::{Response, WireError};
use localsecrets_core::CoreError;
use serde_json::json;

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AwsError {
    ResourceNotFound(String),
    InvalidParameter(String),
    InvalidRequest(String),
    ResourceExists(String),
    LimitExceeded(String),
    MalformedPolicyDocument(String),
    PublicPolicy(String),
    InvalidNextToken(String),
    /// A request member breaks the service model's constraints.
    Validation(String),
    /// The body is not JSON, or a member has the wrong JSON type.
    Serialization(String),
    UnknownOperation(String),
    /// The caller may not make this request.
    AccessDenied(String),
    InternalServiceError(String),
}

pub type AwsResult<T> = Result<T, AwsError>;

pub const SECRET_NOT_FOUND: &str = "Secrets Manager can't find the specified secret.";
pub const MARKED_FOR_DELETION: &str =
    "You can't perform this operation on the secret because it was marked for deletion.";
pub const TOKEN_REQUIRED: &str =
    "You must provide a ClientRequestToken value. We recommend a UUID-type value.";

impl AwsError {
    pub fn not_found() -> Self {
        Self::ResourceNotFound(SECRET_NOT_FOUND.into())
    }

    /// A ClientRequestToken reused with other data; `secret` is its ARN where known.
    pub fn token_in_use(token: &str, secret: &str) -> Self {
        Self::ResourceExists(format!(
            "You can't use ClientRequestToken {token} because that value is already in use \
             for a version of secret {secret}."
        ))
    }

    pub fn message(&self) -> &str {
        match self {
            Self::ResourceNotFound(m)
            | Self::InvalidParameter(m)
            | Self::InvalidRequest(m)
            | Self::ResourceExists(m)
            | Self::LimitExceeded(m)
            | Self::MalformedPolicyDocument(m)
            | Self::PublicPolicy(m)
            | Self::InvalidNextToken(m)
            | Self::Validation(m)
            | Self::Serialization(m)
            | Self::UnknownOperation(m)
            | Self::AccessDenied(m)
            | Self::InternalServiceError(m) => m,
        }
    }
}

impl WireError for AwsError {
    fn status(&self) -> u16 {
        match self {
            Self::InternalServiceError(_) => 500,
            _ => 400,
        }
    }

    fn code(&self) -> &str {
        match self {
            Self::ResourceNotFound(_) => "ResourceNotFoundException",
            Self::InvalidParameter(_) => "InvalidParameterException",
            Self::InvalidRequest(_) => "InvalidRequestException",
            Self::ResourceExists(_) => "ResourceExistsException",
            Self::LimitExceeded(_) => "LimitExceededException",
            Self::MalformedPolicyDocument(_) => "MalformedPolicyDocumentException",
            Self::PublicPolicy(_) => "PublicPolicyException",
            Self::InvalidNextToken(_) => "InvalidNextTokenException",
            Self::Validation(_) => "ValidationException",
            Self::Serialization(_) => "SerializationException",
            Self::UnknownOperation(_) => "UnknownOperationException",
            Self::AccessDenied(_) => "AccessDeniedException",
            Self::InternalServiceError(_) => "InternalServiceError",
        }
    }

    fn render(&self, request_id: &str) -> Response {
        let body = json!({ "__type": self.code(), "Message": self.message() });
        Response::new(self.status())
            .header("content-type", CONTENT_TYPE)
            .header("x-amzn-RequestId", request_id)
            .header("x-amzn-ErrorType", self.code())
            .body(localsecrets_api::http::json_bytes(&body))
    }
}

impl From<CoreError> for AwsError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::SecretNotFound { .. } => Self::not_found(),
            CoreError::VersionNotFound { version_id } => Self::ResourceNotFound(format!(
                "Secrets Manager can't find the specified secret value for VersionId: {version_id}"
            )),
            CoreError::LabelNotFound { label } => Self::ResourceNotFound(format!(
                "Secrets Manager can't find the specified secret value for staging label: {label}"
            )),
            CoreError::RecoveryWindow { min, max, .. } => Self::InvalidParameter(format!(
                "The RecoveryWindowInDays value must be between {min} and {max} days (inclusive)."
            )),
            CoreError::ScheduleRequired => Self::InvalidParameter(
                "RotationRules must give a schedule to turn automatic rotation on.".into(),
            ),
            CoreError::NotScheduledForDeletion { name } => {
                Self::InvalidRequest(format!("The secret {name} is not scheduled for deletion."))
            }
            CoreError::TagNotFound { key } => {
                Self::ResourceNotFound(format!("The secret has no tag {key}."))
            }
            CoreError::VersionLabelMismatch { .. } => Self::InvalidRequest(
                "You provided a VersionStage that is not associated to the provided VersionId."
                    .into(),
            ),
            CoreError::AlreadyExists {
                name,
                pending_deletion: false,
            } => Self::ResourceExists(format!(
                "The operation failed because the secret {name} already exists."
            )),
            CoreError::AlreadyExists {
                pending_deletion: true,
                ..
            } => Self::InvalidRequest(
                "You can't create this secret because a secret with this name is already \
                 scheduled for deletion."
                    .into(),
            ),
            CoreError::ScheduledForDeletion { .. } => {
                Self::InvalidRequest(MARKED_FOR_DELETION.into())
            }
            CoreError::RotationInProgress { .. } => Self::InvalidRequest(
                "A previous rotation isn't complete. That rotation will be reattempted.".into(),
            ),
            CoreError::RotationFunctionMissing { .. } => Self::InvalidRequest(
                "No Lambda rotation function ARN is associated with this secret.".into(),
            ),
            // Operations answer this through `Call::error`, which quotes the secret's ARN.
            CoreError::IdempotencyConflict {
                version_id, name, ..
            } => Self::token_in_use(&version_id, &name),
            CoreError::LabelOnOtherVersion { label, holder } => Self::InvalidParameter(format!(
                "The parameter RemoveFromVersionId can't be empty. Staging label {label} is \
                 currently attached to version {holder}, so you must explicitly reference that \
                 version in RemoveFromVersionId."
            )),
            CoreError::ProtectedLabel { label } => Self::InvalidParameter(format!(
                "You can only move staging label {label} to a different secret version. It \
                 can't be completely removed."
            )),
            CoreError::UnsupportedSecretType { .. } => Self::InvalidRequest(e.to_string()),
            CoreError::LimitExceeded(what) => Self::LimitExceeded(format!(
                "The request failed because it would exceed one of the Secrets Manager quotas: \
                 {what}."
            )),
            CoreError::Throttled { .. } => Self::LimitExceeded(e.to_string()),
            CoreError::InvalidParameter(what) => Self::InvalidParameter(what),
            // Only replicas refuse changes, and AWS calls that a bad parameter.
            CoreError::Refused(why) => Self::InvalidParameter(why),
            // Store failures are never the caller's fault and their text stays in the server.
            CoreError::Storage(_) => {
                Self::InternalServiceError("An error occurred on the server side.".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_aws_error_shape() {
        let r = AwsError::not_found().render("req-1");
        assert_eq!(r.status, 400);
        assert_eq!(r.header_value("content-type"), Some(CONTENT_TYPE));
        assert_eq!(r.header_value("x-amzn-RequestId"), Some("req-1"));
        assert_eq!(
            r.header_value("x-amzn-ErrorType"),
            Some("ResourceNotFoundException")
        );
        assert_eq!(
            r.json_body().unwrap(),
            json!({"__type": "ResourceNotFoundException",
                   "Message": "Secrets Manager can't find the specified secret."})
        );
        let r = AwsError::InternalServiceError("x".into()).render("r");
        assert_eq!(r.status, 500);
    }

    #[test]
    fn storage_details_never_reach_the_caller() {
        let e = AwsError::from(CoreError::Storage("disk I/O error at /var/x".into()));
        assert_eq!(e.code(), "InternalServiceError");
        assert!(!e.message().contains("/var/x"));
    }
}
