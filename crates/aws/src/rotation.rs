//! Rotation with a user function: when a secret's `RotationLambdaARN` (full ARN or function
//! name) is registered with the server, RotateSecret and scheduled rotations call it with the
//! event a rotation Lambda receives — `{"SecretId", "ClientRequestToken", "Step"}` for
//! createSecret, setSecret, testSecret and finishSecret, in order, stopping at the first
//! failure. The function works through this API (PutSecretValue with AWSPENDING,
//! UpdateSecretVersionStage…); once finishSecret succeeded the service takes AWSPENDING off
//! the new current version. A failure leaves AWSPENDING where the function left it, so the
//! next RotateSecret is refused while that version is not current. Without a registered
//! function the built-in one of [`crate::ops::rotate_secret`] runs.

use crate::error::AwsResult;
use crate::ops::rotate_secret::generate;
use crate::render;
use localsecrets_api::rotation::{self as api_rotation, Calls, Rotate, Rotated};
use localsecrets_api::RotationFunctions;
use localsecrets_core::{
    Access, CoreResult, RotateRequest, RotationStep, Scope, Secret, SecretRef, Service,
};
use serde_json::{json, Value};

/// The ids a Lambda may be registered under: as the secret names it, by function name, and by
/// full ARN in the secret's own account and region.
pub fn function_ids(lambda: &str, scope: &Scope) -> Vec<String> {
    let name = match lambda.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => lambda,
    };
    let mut ids = vec![lambda.to_owned(), name.to_owned()];
    ids.push(format!(
        "arn:{}:lambda:{}:{}:function:{name}",
        crate::arn::partition(&scope.region),
        scope.region,
        scope.tenant
    ));
    ids.dedup();
    ids
}

/// The registered function for a Lambda ARN, if any.
pub fn registered(
    functions: &dyn RotationFunctions,
    lambda: &str,
    scope: &Scope,
) -> Option<String> {
    let ids = function_ids(lambda, scope);
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    functions.resolve(&refs)
}

pub fn event(secret_arn: &str, token: &str, step: RotationStep) -> Value {
    json!({
        "SecretId": secret_arn,
        "ClientRequestToken": token,
        "Step": step.as_str(),
    })
}

/// Runs function `id` in four steps, building version `token` (a new one when `None`). A
/// token that names a finished version is answered as done without calling the function.
pub fn run_function(
    service: &Service,
    functions: &dyn RotationFunctions,
    scope: &Scope,
    r: SecretRef<'_>,
    id: &str,
    token: Option<String>,
) -> AwsResult<(Secret, String)> {
    let secret = service.describe(scope, r, Access::Live)?;
    let done = rotate(
        service,
        functions,
        scope,
        r,
        &secret,
        Some(id.to_owned()),
        token,
    )?;
    Ok((done.secret, done.version_id.unwrap_or_default()))
}

/// One rotation through the shared path: the function `id` in four steps with AWS's event,
/// or the built-in function.
fn rotate(
    service: &Service,
    functions: &dyn RotationFunctions,
    scope: &Scope,
    r: SecretRef<'_>,
    secret: &Secret,
    id: Option<String>,
    token: Option<String>,
) -> CoreResult<Rotated> {
    let arn = render::arn(scope, secret);
    let event = |v: &str, step| event(&arn, v, step);
    api_rotation::rotate(
        service,
        functions,
        scope,
        r,
        Rotate {
            function: id,
            calls: Calls::Steps {
                reserve: true,
                event: &event,
            },
            version_id: token,
            builtin: RotateRequest::now(&generate),
        },
    )
}

/// Tests function `id` as AWS does for RotateSecret with RotateImmediately false: reserves an
/// AWSPENDING version, calls the function once with testSecret, then removes that version. A
/// failure is recorded on the secret and in the function's calls; nothing else changes.
pub fn test_function(
    service: &Service,
    functions: &dyn RotationFunctions,
    scope: &Scope,
    r: SecretRef<'_>,
    id: &str,
) -> AwsResult<Secret> {
    let (secret, token) = service.rotation_reserve(scope, r, None)?;
    let by_name = SecretRef::Name(&secret.name);
    let step = RotationStep::TestSecret;
    service.rotation_step(scope, by_name, &token, step)?;
    let arn = render::arn(scope, &secret);
    let outcome = functions
        .invoke(id, scope, &event(&arn, &token, step))
        .map_err(|e| (step, e));
    Ok(service.rotation_discard(scope, by_name, &token, outcome)?)
}

/// A rotation that fell due on the secret's schedule.
pub fn scheduled(
    service: &Service,
    functions: &dyn RotationFunctions,
    scope: &Scope,
    name: &str,
) -> Result<(), String> {
    let r = SecretRef::Name(name);
    let secret = service
        .describe(scope, r, Access::Live)
        .map_err(|e| e.to_string())?;
    let function = secret
        .rotation
        .function
        .as_deref()
        .and_then(|f| registered(functions, f, scope));
    let done = rotate(
        service,
        functions,
        scope,
        r,
        &secret,
        function.clone(),
        None,
    )
    .map_err(|e| e.to_string())?;
    match done.outcome {
        Err((step, error)) => Err(format!(
            "rotation function {} failed at {} of version {}: {error}",
            function.unwrap_or_default(),
            step.as_str(),
            done.version_id.unwrap_or_default()
        )),
        Ok(()) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_core::Cloud;

    #[test]
    fn a_lambda_is_found_by_arn_or_name() {
        let scope = Scope::new(Cloud::Aws, "123456789012", "eu-west-1");
        assert_eq!(
            function_ids(
                "arn:aws:lambda:eu-west-1:123456789012:function:rot:PROD",
                &scope
            ),
            [
                "arn:aws:lambda:eu-west-1:123456789012:function:rot:PROD",
                "rot",
                "arn:aws:lambda:eu-west-1:123456789012:function:rot",
            ]
        );
        assert_eq!(
            function_ids("rot", &scope),
            ["rot", "arn:aws:lambda:eu-west-1:123456789012:function:rot"]
        );
    }
}
