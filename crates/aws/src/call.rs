//! Everything an operation needs: the service, the caller's scope and the parsed body, plus
//! the lookups most operations share.

use crate::arn::{self, Target};
use crate::error::{AwsError, AwsResult, TOKEN_REQUIRED};
use crate::json::{Input, Len};
use crate::state::AwsState;
use localsecrets_api::RotationFunctions;
use localsecrets_core::{Access, CoreError, Scope, Secret, Service};

pub const SECRET_ID: Len = Len(1, 2048);
pub const TOKEN: Len = Len(32, 64);
pub const VERSION_ID: Len = Len(32, 64);

pub struct Call<'a> {
    pub service: &'a Service,
    pub scope: Scope,
    pub input: Input,
    /// User rotation functions, found by `RotationLambdaARN`.
    pub functions: &'a dyn RotationFunctions,
}

impl Call<'_> {
    /// The secret named by the required `SecretId` member.
    pub fn target(&self) -> AwsResult<Target> {
        let id = self.input.req_str("SecretId", SECRET_ID)?;
        arn::target(&id, &self.scope)
    }

    pub fn arn(&self, s: &Secret) -> String {
        crate::render::arn(&self.scope, s)
    }

    pub fn describe(&self, t: &Target, access: Access) -> AwsResult<Secret> {
        Ok(self.service.describe(&self.scope, t.as_ref(), access)?)
    }

    /// The secret with its versions as a stage map only, for answers that show no value.
    pub fn describe_stages(&self, t: &Target, access: Access) -> AwsResult<Secret> {
        Ok(self
            .service
            .describe_stages(&self.scope, t.as_ref(), access)?)
    }

    /// Refuses writes to replicas before anything is changed; a missing secret is left for
    /// the write itself to report.
    pub fn ensure_writable(&self, t: &Target) -> AwsResult<()> {
        match self
            .service
            .describe(&self.scope, t.as_ref(), Access::AnyState)
        {
            Ok(s) => AwsState::of(&s).ensure_writable(),
            Err(_) => Ok(()),
        }
    }

    /// The `ClientRequestToken`, required where AWS requires it (SDKs always fill it in).
    /// A core error as AWS words it here: a reused ClientRequestToken quotes the ARN of the
    /// secret whose version holds it, which needs the caller's account and region.
    pub fn error(&self, e: CoreError) -> AwsError {
        match e {
            CoreError::IdempotencyConflict {
                version_id,
                name,
                arn_suffix,
            } => AwsError::token_in_use(
                &version_id,
                &arn::secret_arn(&self.scope.region, &self.scope.tenant, &name, &arn_suffix),
            ),
            e => e.into(),
        }
    }

    pub fn token(&self, required: Option<AwsError>) -> AwsResult<Option<String>> {
        let token = self.input.str("ClientRequestToken", TOKEN)?;
        match (token, required) {
            (None, Some(e)) => Err(e),
            (t, _) => Ok(t),
        }
    }
}

/// The error AWS gives when a value arrives without a token.
pub fn token_required() -> AwsError {
    AwsError::InvalidRequest(TOKEN_REQUIRED.into())
}
