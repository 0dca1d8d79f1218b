//! One request on its way through an operation: the caller's identity, the scope it
//! addresses, the rotation functions, and the checks every operation shares.

use crate::arn;
use crate::error::{AliResult, AlibabaError, Code};
use crate::identity::Identity;
use crate::params::Params;
use localsecrets_core::{Access, Scope, Secret, SecretRef, Service, Timestamp};

/// What an operation sees of the request besides its parameters.
pub struct Call<'a> {
    pub service: &'a Service,
    pub identity: &'a Identity,
    pub scope: Scope,
    /// User rotation functions, found by secret name for Generic secrets.
    pub functions: &'a dyn localsecrets_api::RotationFunctions,
}

impl Call<'_> {
    pub fn now(&self) -> Timestamp {
        self.service.now()
    }

    pub fn arn(&self, name: &str) -> String {
        arn::secret_arn(&self.identity.region, &self.identity.account, name)
    }

    /// A secret named by name or ARN. An ARN of another account is refused: access through
    /// another account's secret policy is not emulated.
    pub fn name<'p>(&self, raw: &'p str) -> AliResult<&'p str> {
        if !arn::looks_like_arn(raw) {
            return Ok(raw);
        }
        let a = arn::parse(raw).ok_or_else(|| {
            AlibabaError::invalid(format!(
                "\"{raw}\" is not a secret ARN of the form acs:kms:<region>:<account>:secret/<name>."
            ))
        })?;
        if a.account != self.identity.account {
            return Err(AlibabaError::with(
                Code::NoPermission,
                format!(
                    "You are not authorized to access the secret {raw}: it belongs to account {}, not {}.",
                    a.account, self.identity.account
                ),
            ));
        }
        if a.region != self.identity.region {
            return Err(AlibabaError::not_found(format!(
                "The resource is not found: {raw} is in region {}, this endpoint serves {}.",
                a.region, self.identity.region
            )));
        }
        Ok(a.name)
    }

    /// The required `SecretName` parameter, resolved.
    pub fn secret_name<'p>(&self, p: &'p Params) -> AliResult<&'p str> {
        self.name(p.required("SecretName")?)
    }

    pub fn describe(&self, name: &str, access: Access) -> AliResult<Secret> {
        Ok(self
            .service
            .describe(&self.scope, SecretRef::Name(name), access)?)
    }

    /// Refuses an operation only managed secrets support.
    /// Refuses Generic secrets, except one with a rotation function registered under its name
    /// (rotated as Alibaba rotates generic secrets with Function Compute).
    pub fn require_managed(&self, secret: &Secret, operation: &str, why: &str) -> AliResult<()> {
        if self
            .scope
            .cloud
            .dialect()
            .rotates_itself(&secret.secret_type)
            || crate::rotation::function_for(self.functions, secret).is_some()
        {
            Ok(())
        } else {
            Err(AlibabaError::unsupported(format!(
                "{operation} is not supported for Generic secrets: {why}"
            )))
        }
    }
}
