//! How a secret rotates, from RotateSecret or from the scheduler: a managed secret (Rds,
//! Redis, PolarDB, RAMCredentials, ECS) with its built-in generator ([`rotated_value`]); a
//! Generic secret with the user function registered under its name, as Alibaba rotates
//! generic secrets with Function Compute: the function is called once per step with
//! `{"SecretName", "VersionId", "Step", "RegionId"}`, Step `new`, `set`, `test`, `finish`
//! in order, and works through the API (PutSecretValue with `ACSPending`, then
//! UpdateSecretVersionStage to make it `ACSCurrent`). A failed step leaves the versions where
//! the function left them, and the next rotation is refused while `ACSPending` sits on
//! another version than `ACSCurrent`.
//!
//! [`rotated_value`]: crate::managed::rotated_value

use crate::error::AliResult;
use crate::managed::{self, SecretType};
use localsecrets_api::rotation::{self, Calls, Rotate};
use localsecrets_api::RotationFunctions;
use localsecrets_core::{Access, RotateRequest, RotationStep, Scope, Secret, SecretRef, Service};
use serde_json::{json, Value};

/// The function registered for a Generic secret, if any.
pub fn function_for(functions: &dyn RotationFunctions, secret: &Secret) -> Option<String> {
    (SecretType::of(secret) == SecretType::Generic)
        .then(|| functions.resolve(&[secret.name.as_str()]))
        .flatten()
}

/// The step names of Alibaba's generic-secret rotation flow.
pub fn step_name(step: RotationStep) -> &'static str {
    match step {
        RotationStep::CreateSecret => "new",
        RotationStep::SetSecret => "set",
        RotationStep::TestSecret => "test",
        RotationStep::FinishSecret => "finish",
    }
}

pub fn function_event(scope: &Scope, name: &str, version_id: &str, step: RotationStep) -> Value {
    json!({
        "SecretName": name,
        "VersionId": version_id,
        "Step": step_name(step),
        "RegionId": scope.region,
    })
}

/// Rotates `name` into version `version_id` (a new id when `None`); returns the secret after
/// it and the version the rotation built.
pub fn rotate(
    service: &Service,
    functions: &dyn RotationFunctions,
    scope: &Scope,
    name: &str,
    version_id: Option<String>,
) -> AliResult<(Secret, String)> {
    let r = SecretRef::Name(name);
    let secret = service.describe(scope, r, Access::Live)?;
    let version_id = version_id.unwrap_or_else(|| service.random().uuid());
    let event = |v: &str, step| function_event(scope, name, v, step);
    let generate =
        |s: &Secret, rnd: &localsecrets_core::Random| managed::rotated_value(s, rnd, service.now());
    let done = rotation::rotate(
        service,
        functions,
        scope,
        r,
        Rotate {
            function: function_for(functions, &secret),
            calls: Calls::Steps {
                reserve: false,
                event: &event,
            },
            version_id: Some(version_id.clone()),
            builtin: RotateRequest::now(&generate),
        },
    )?;
    Ok((done.secret, version_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_api::rotation::ScriptedFunctions;
    use localsecrets_core::{Cloud, NewSecret, NewVersion, SecretValue};
    use std::sync::Arc;

    /// One function, registered as "app/token": writes the pending version at `new` and
    /// promotes it at `finish`, or fails at `fail_at`.
    fn function(svc: Arc<Service>, fail_at: Option<&'static str>) -> ScriptedFunctions {
        ScriptedFunctions::default().with("app/token", move |scope, e| {
            let step = e["Step"].as_str().unwrap_or_default();
            if fail_at == Some(step) {
                return Err("token service refused".into());
            }
            let r = SecretRef::Name("app/token");
            let v = e["VersionId"].as_str().unwrap_or_default();
            let fail = |e: localsecrets_core::CoreError| e.to_string();
            match step {
                "new" => svc
                    .put_value(
                        scope,
                        r,
                        NewVersion {
                            id: Some(v.into()),
                            value: Some(SecretValue::Text("fresh".into())),
                            labels: Some(vec!["ACSPending".into()]),
                            ..Default::default()
                        },
                    )
                    .map(drop)
                    .map_err(fail),
                "finish" => {
                    let current = svc.describe(scope, r, Access::Live).map_err(fail)?;
                    let current = current.holder_id("ACSCurrent");
                    svc.update_stage(scope, r, "ACSCurrent", Some(v), current)
                        .map(drop)
                        .map_err(fail)
                }
                _ => Ok(()),
            }
        })
    }

    fn steps(fake: &ScriptedFunctions) -> Vec<String> {
        fake.calls()
            .iter()
            .map(|(_, e)| e["Step"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    fn setup(fail_at: Option<&'static str>) -> (Arc<Service>, ScriptedFunctions, Scope) {
        let svc = Arc::new(Service::in_memory(4));
        let scope = Scope::new(Cloud::Alibaba, "1000000000000000", "cn-hangzhou");
        for name in ["app/token", "plain"] {
            svc.create_secret(
                &scope,
                NewSecret {
                    name: name.into(),
                    version: NewVersion {
                        id: Some("v1".into()),
                        value: Some(SecretValue::Text("old".into())),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            )
            .unwrap();
        }
        let fake = function(svc.clone(), fail_at);
        (svc, fake, scope)
    }

    #[test]
    fn a_generic_secret_rotates_through_its_function_in_four_steps() {
        let (svc, fake, scope) = setup(None);
        let (s, v) = rotate(&svc, &fake, &scope, "app/token", Some("v2".into())).unwrap();
        assert_eq!(v, "v2");
        assert_eq!(steps(&fake), ["new", "set", "test", "finish"]);
        assert_eq!(s.holder_id("ACSCurrent"), Some("v2"));
        assert_eq!(s.holder_id("ACSPrevious"), Some("v1"));
        assert_eq!(s.holder_id("ACSPending"), None);
        // The same VersionId again is answered as done, without calling the function.
        rotate(&svc, &fake, &scope, "app/token", Some("v2".into())).unwrap();
        assert_eq!(fake.calls().len(), 4);
    }

    #[test]
    fn at_the_rotation_limit_a_retry_through_a_function_succeeds_without_a_call() {
        let (svc, fake, scope) = setup(None);
        for i in 0..50 {
            rotate(&svc, &fake, &scope, "app/token", Some(format!("r{i}"))).unwrap();
        }
        let calls = fake.calls().len();
        let (s, v) = rotate(&svc, &fake, &scope, "app/token", Some("r45".into())).unwrap();
        assert_eq!(v, "r45");
        assert_eq!(s.holder_id("ACSCurrent"), Some("r49"));
        assert_eq!(fake.calls().len(), calls);
        let e = rotate(&svc, &fake, &scope, "app/token", Some("r50".into())).unwrap_err();
        assert_eq!(e.code, crate::Code::Throttling, "{e:?}");
    }

    #[test]
    fn a_failed_step_leaves_the_pending_version_and_blocks_the_next_rotation() {
        let (svc, fake, scope) = setup(Some("test"));
        let (s, _) = rotate(&svc, &fake, &scope, "app/token", Some("v2".into())).unwrap();
        assert_eq!(steps(&fake), ["new", "set", "test"]);
        assert_eq!(s.holder_id("ACSCurrent"), Some("v1"));
        assert_eq!(s.holder_id("ACSPending"), Some("v2"));
        let e = rotate(&svc, &fake, &scope, "app/token", Some("v3".into())).unwrap_err();
        assert_eq!(e.code, crate::Code::Unavailable, "{e:?}");
    }

    #[test]
    fn a_generic_secret_without_a_function_has_none() {
        let (svc, fake, scope) = setup(None);
        let plain = svc
            .describe(&scope, SecretRef::Name("plain"), Access::Live)
            .unwrap();
        assert_eq!(function_for(&fake, &plain), None);
        assert!(rotate(&svc, &fake, &scope, "plain", None).is_err());
    }
}
