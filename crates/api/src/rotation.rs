//! Rotation run on a frontend's behalf: the registry of user rotation functions the server
//! keeps ([`RotationFunctions`]: an HTTP hook or a local command, called with a cloud's own
//! rotation event), the four-step run that drives one ([`run_steps`]) and the one path every
//! frontend rotates through ([`rotate`]): the registered function, else the built-in one.
//!
//! No lock or transaction is held while a function runs: it calls the emulator's API back
//! (PutSecretValue with the pending label, UpdateSecretVersionStage…) exactly as a rotation
//! Lambda calls AWS.

use localsecrets_core::{
    rotation, Access, CoreResult, RotateRequest, RotationStep, Scope, Secret, SecretRef, Service,
};
use serde_json::Value;
use std::sync::Arc;

/// The user rotation functions the server knows.
pub trait RotationFunctions: Send + Sync {
    /// The first of `candidates` that is registered as a function id.
    fn resolve(&self, candidates: &[&str]) -> Option<String>;

    /// Calls function `id` with `event` for a secret of `scope` and waits until it answers,
    /// fails or times out. `Err` says what went wrong (status and body, exit code and stderr,
    /// or the timeout).
    fn invoke(&self, id: &str, scope: &Scope, event: &Value) -> Result<(), String>;
}

/// A registry with nothing in it: frontends built without the server (unit tests).
pub struct NoFunctions;

impl RotationFunctions for NoFunctions {
    fn resolve(&self, _candidates: &[&str]) -> Option<String> {
        None
    }

    fn invoke(&self, id: &str, _scope: &Scope, _event: &Value) -> Result<(), String> {
        Err(format!("no rotation function is registered as {id}"))
    }
}

pub fn no_functions() -> Arc<dyn RotationFunctions> {
    Arc::new(NoFunctions)
}

/// What a [`ScriptedFunctions`] function does with a call: works through the service as a
/// real function would, and answers `Err` to fail.
pub type Script = Box<dyn Fn(&Scope, &Value) -> Result<(), String> + Send + Sync>;

/// A registry for tests: functions are closures, and every call is kept, so frontends test
/// their rotation paths without the server.
#[derive(Default)]
pub struct ScriptedFunctions {
    functions: Vec<(String, Script)>,
    calls: std::sync::Mutex<Vec<(String, Value)>>,
}

impl ScriptedFunctions {
    /// Registers `script` as function `id`.
    pub fn with(
        mut self,
        id: &str,
        script: impl Fn(&Scope, &Value) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.functions.push((id.to_owned(), Box::new(script)));
        self
    }

    /// Every call so far: the function's id and the event it got.
    pub fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl RotationFunctions for ScriptedFunctions {
    fn resolve(&self, candidates: &[&str]) -> Option<String> {
        candidates
            .iter()
            .find(|c| self.functions.iter().any(|(id, _)| id == *c))
            .map(|c| (*c).to_owned())
    }

    fn invoke(&self, id: &str, scope: &Scope, event: &Value) -> Result<(), String> {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push((id.to_owned(), event.clone()));
        }
        match self.functions.iter().find(|(f, _)| f == id) {
            Some((_, script)) => script(scope, event),
            None => Err(format!("no rotation function is registered as {id}")),
        }
    }
}

/// How a rotation run by an outside function ended.
#[derive(Clone, Debug, PartialEq)]
pub struct StepsRun {
    /// The secret after the run.
    pub secret: Secret,
    /// The version the rotation built (AWS ClientRequestToken, Alibaba VersionId).
    pub version_id: String,
    /// The step that failed and why, if one did.
    pub outcome: Result<(), (RotationStep, String)>,
}

/// Runs a rotation with an outside function in four steps (createSecret, setSecret,
/// testSecret, finishSecret): begins it in the core (refused while another rotation's
/// pending version is not current) — with `reserve`, also creating the empty pending version
/// the function fills, as AWS does — calls `call` for each step in order and stops at the
/// first failure, then records the outcome. A failure leaves versions and labels where the
/// function left them. `Err` only when the core refuses to begin or to record.
pub fn run_steps(
    service: &Service,
    scope: &Scope,
    r: SecretRef<'_>,
    version_id: Option<String>,
    reserve: bool,
    call: &mut dyn FnMut(&Secret, &str, RotationStep) -> Result<(), String>,
) -> CoreResult<StepsRun> {
    let (secret, id) = if reserve {
        service.rotation_reserve(scope, r, version_id)?
    } else {
        service.rotation_begin(scope, r, version_id)?
    };
    let name = secret.name.clone();
    let by_name = SecretRef::Name(&name);
    let mut outcome = Ok(());
    for step in RotationStep::ALL {
        service.rotation_step(scope, by_name, &id, step)?;
        if let Err(e) = call(&secret, &id, step) {
            outcome = Err((step, e));
            break;
        }
    }
    let secret = service.rotation_end(scope, by_name, &id, outcome.clone())?;
    Ok(StepsRun {
        secret,
        version_id: id,
        outcome,
    })
}

/// How a registered function is called.
pub enum Calls<'a> {
    /// Once per step with the event `event(version_id, step)` makes, building the version;
    /// `reserve` first creates the empty pending version the function fills (AWS).
    Steps {
        reserve: bool,
        event: &'a dyn Fn(&str, RotationStep) -> Value,
    },
    /// Once for the whole rotation (Huawei's FunctionGraph task); the function makes the new
    /// version current itself, and the outcome is recorded against whatever is current then.
    Once { event: Value },
}

/// A rotation a frontend asks for: by the user function `function` (a registered id) when
/// there is one, else by the built-in one `builtin` describes.
pub struct Rotate<'a> {
    pub function: Option<String>,
    pub calls: Calls<'a>,
    /// The version to build (AWS ClientRequestToken, Alibaba VersionId): a new one when
    /// `None`. One that names a finished version is answered as done without a call.
    pub version_id: Option<String>,
    pub builtin: RotateRequest<'a>,
}

/// What a rotation left: the secret after it, the version it built (none when only the
/// configuration was stored), and the step that failed, if one did.
#[derive(Clone, Debug, PartialEq)]
pub struct Rotated {
    pub secret: Secret,
    pub version_id: Option<String>,
    pub outcome: Result<(), (RotationStep, String)>,
}

/// The one rotation path of every frontend, from its API and from the scheduler.
pub fn rotate(
    service: &Service,
    functions: &dyn RotationFunctions,
    scope: &Scope,
    r: SecretRef<'_>,
    req: Rotate<'_>,
) -> CoreResult<Rotated> {
    let Some(id) = req.function else {
        let builtin = RotateRequest {
            version_id: req.version_id,
            ..req.builtin
        };
        let w = service.rotate(scope, r, builtin)?;
        return Ok(Rotated {
            secret: w.secret,
            version_id: w.version_id,
            outcome: Ok(()),
        });
    };
    // A retry is told apart before anything is begun: it neither calls the function nor
    // counts against the rate limit.
    if let Some(v) = &req.version_id {
        let secret = service.describe(scope, r, Access::Live)?;
        if rotation::is_retry(&secret, scope.cloud.dialect(), v) {
            return Ok(Rotated {
                version_id: Some(v.clone()),
                secret,
                outcome: Ok(()),
            });
        }
    }
    match req.calls {
        Calls::Steps { reserve, event } => {
            let run = run_steps(
                service,
                scope,
                r,
                req.version_id,
                reserve,
                &mut |_, v, step| functions.invoke(&id, scope, &event(v, step)),
            )?;
            Ok(Rotated {
                secret: run.secret,
                version_id: Some(run.version_id),
                outcome: run.outcome,
            })
        }
        Calls::Once { event } => {
            let (secret, _) = service.rotation_begin(scope, r, req.version_id)?;
            let by_name = SecretRef::Name(&secret.name);
            let outcome = functions
                .invoke(&id, scope, &event)
                .map_err(|e| (RotationStep::CreateSecret, e));
            let after = service.describe(scope, by_name, Access::AnyState)?;
            let current = after
                .holder_id(scope.cloud.dialect().current)
                .unwrap_or_default()
                .to_owned();
            let secret = service.rotation_end(scope, by_name, &current, outcome.clone())?;
            Ok(Rotated {
                secret,
                version_id: Some(current),
                outcome,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_core::{
        Access, Cloud, CoreError, NewSecret, NewVersion, RotationState, SecretValue,
    };

    fn scope() -> Scope {
        Scope::new(Cloud::Aws, "000000000000", "us-east-1")
    }

    fn create(svc: &Service) {
        svc.create_secret(
            &scope(),
            NewSecret {
                name: "db".into(),
                version: NewVersion {
                    id: Some("t1".into()),
                    value: Some(SecretValue::Text("one".into())),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap();
    }

    /// What a rotation function does through the API, step by step.
    fn function<'a>(
        svc: &'a Service,
        fail_at: Option<RotationStep>,
        seen: &'a mut Vec<RotationStep>,
    ) -> impl FnMut(&Secret, &str, RotationStep) -> Result<(), String> + 'a {
        move |_, token, step| {
            seen.push(step);
            if Some(step) == fail_at {
                return Err(format!("{} failed", step.as_str()));
            }
            let r = SecretRef::Name("db");
            match step {
                RotationStep::CreateSecret => svc
                    .put_value(
                        &scope(),
                        r,
                        NewVersion {
                            id: Some(token.into()),
                            value: Some(SecretValue::Text("two".into())),
                            labels: Some(vec!["AWSPENDING".into()]),
                            ..Default::default()
                        },
                    )
                    .map(drop)
                    .map_err(|e| e.to_string()),
                RotationStep::FinishSecret => svc
                    .update_stage(&scope(), r, "AWSCURRENT", Some(token), Some("t1"))
                    .map(drop)
                    .map_err(|e| e.to_string()),
                _ => Ok(()),
            }
        }
    }

    #[test]
    fn four_steps_in_order_then_done() {
        let svc = Service::in_memory(7);
        create(&svc);
        let mut seen = Vec::new();
        let run = run_steps(
            &svc,
            &scope(),
            SecretRef::Name("db"),
            Some("t2".into()),
            true,
            &mut function(&svc, None, &mut seen),
        )
        .unwrap();
        assert_eq!(seen, RotationStep::ALL);
        assert_eq!(run.outcome, Ok(()));
        assert_eq!(run.version_id, "t2");
        let s = svc
            .describe(&scope(), SecretRef::Name("db"), Access::Live)
            .unwrap();
        assert_eq!(s.holder_id("AWSCURRENT"), Some("t2"));
        assert_eq!(s.holder_id("AWSPREVIOUS"), Some("t1"));
        assert_eq!(s.holder_id("AWSPENDING"), None);
        assert!(s.rotation.last_rotated.is_some());
        assert_eq!(s.rotation.state, RotationState::Idle);
    }

    #[test]
    fn a_failed_step_stops_the_run_and_blocks_the_next_one() {
        let svc = Service::in_memory(7);
        create(&svc);
        let mut seen = Vec::new();
        let run = run_steps(
            &svc,
            &scope(),
            SecretRef::Name("db"),
            Some("t2".into()),
            false,
            &mut function(&svc, Some(RotationStep::TestSecret), &mut seen),
        )
        .unwrap();
        assert_eq!(
            seen,
            [
                RotationStep::CreateSecret,
                RotationStep::SetSecret,
                RotationStep::TestSecret
            ]
        );
        assert_eq!(
            run.outcome,
            Err((RotationStep::TestSecret, "testSecret failed".into()))
        );
        assert!(matches!(
            run.secret.rotation.state,
            RotationState::Failed {
                step: RotationStep::TestSecret,
                ..
            }
        ));
        assert_eq!(run.secret.holder_id("AWSCURRENT"), Some("t1"));
        assert_eq!(run.secret.holder_id("AWSPENDING"), Some("t2"));
        let mut again = Vec::new();
        let refused = run_steps(
            &svc,
            &scope(),
            SecretRef::Name("db"),
            Some("t3".into()),
            false,
            &mut function(&svc, None, &mut again),
        );
        assert_eq!(
            refused,
            Err(CoreError::RotationInProgress { name: "db".into() })
        );
        assert!(again.is_empty(), "the function is not called");
    }

    #[test]
    fn the_empty_registry_finds_nothing() {
        let f = no_functions();
        assert_eq!(f.resolve(&["a", "b"]), None);
        assert!(f
            .invoke("a", &scope(), &Value::Null)
            .unwrap_err()
            .contains("no rotation function"));
    }
}
