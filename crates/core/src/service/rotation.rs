//! Rotation: built-in rotations in one transaction, and the steps of an outside rotation
//! (begin, reserve, step, end, discard), postponing and cancelling.

use super::lookup::{access_day, mark_accessed};
use super::types::*;
use super::Service;
use crate::dialect::VersionIds;
use crate::observe::Change;
use crate::{
    labels, rotation, CoreError, CoreResult, RotationStep, Scope, Secret, SecretValue, Timestamp,
    Version,
};

impl Service {
    /// A whole rotation with a built-in function, in one transaction: begin, create the
    /// pending version with the generated value, then finish. A retry with an existing
    /// version id is answered as done without counting against the rate limit.
    pub fn rotate(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        req: RotateRequest<'_>,
    ) -> CoreResult<Written> {
        let now = self.now();
        let d = scope.cloud.dialect();
        let ids: Vec<&str> = req.version_id.as_deref().into_iter().collect();
        self.write(|tx| {
            let mut secret = self.load_to_change(tx, scope, r, Access::Live, &ids, now)?;
            if let Some(id) = req
                .version_id
                .as_deref()
                .filter(|id| rotation::was_rotated(&secret, id))
            {
                return Ok(Written {
                    version_id: Some(id.to_owned()),
                    secret,
                    replayed: true,
                });
            }
            if !req.configure.is_empty() {
                req.configure.apply(&mut secret.rotation);
                secret.rotation.next_rotation =
                    rotation::next_due(&secret, secret.rotation.last_rotated, now);
            }
            if req.require_function && secret.rotation.function.is_none() {
                return Err(CoreError::RotationFunctionMissing { name: secret.name });
            }
            if !req.immediately {
                secret.updated = now;
                self.store(tx, scope, &secret)?;
                self.announce(tx, scope, Change::Updated { secret: &secret }, now)?;
                return Ok(Written {
                    secret,
                    version_id: None,
                    replayed: false,
                });
            }
            let id = self.assign_version_id(scope, &mut secret, req.version_id.clone())?;
            rotation::begin(&mut secret, d, now, &id)?;
            // The built-in function reads the current value, as a rotation function would.
            if let Some(current) = secret.holder_id(d.current).map(str::to_owned) {
                mark_accessed(&mut secret, &current, access_day(now));
            }
            let value = (req.generate)(&secret, &self.random)?;
            let version = Version::new(id.clone(), value, now, Vec::new());
            labels::add_version(&mut secret, d, version, &[d.pending.to_owned()])?;
            for step in RotationStep::ALL {
                rotation::step(&mut secret, &id, step)?;
            }
            rotation::finish(&mut secret, d, now, &id)?;
            secret.updated = now;
            self.store(tx, scope, &secret)?;
            let change = Change::Rotated {
                secret: &secret,
                version_id: &id,
            };
            self.announce(tx, scope, change, now)?;
            Ok(Written {
                secret,
                version_id: Some(id),
                replayed: false,
            })
        })
    }

    /// Starts a rotation run by an outside function: records it in progress and returns the
    /// version id it must build. The function then works through the API; no lock is held.
    pub fn rotation_begin(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        version_id: Option<String>,
    ) -> CoreResult<(Secret, String)> {
        self.modify(scope, r, Access::Live, |s, ctx| {
            // Where the service numbers versions, the function's own write takes the next
            // number: the rotation builds that version without using the number up.
            let id = match (scope.cloud.dialect().version_ids, version_id) {
                (VersionIds::Sequential, None) => format!("v{}", s.version_seq + 1),
                (_, given) => self.assign_version_id(scope, s, given)?,
            };
            rotation::begin(s, scope.cloud.dialect(), ctx.now, &id)?;
            Ok(id)
        })
    }

    /// `rotation_begin`, and reserves the version: an empty one labelled pending, as AWS
    /// creates it before it calls the function (whose first check is that its token names a
    /// pending version). The function supplies the value with a write under that id.
    pub fn rotation_reserve(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        version_id: Option<String>,
    ) -> CoreResult<(Secret, String)> {
        let d = scope.cloud.dialect();
        self.modify(scope, r, Access::Live, |s, ctx| {
            let id = self.assign_version_id(scope, s, version_id)?;
            rotation::begin(s, d, ctx.now, &id)?;
            if s.version(&id).is_none() {
                let placeholder = Version::new(
                    id.clone(),
                    SecretValue::Text(String::new()),
                    ctx.now,
                    Vec::new(),
                );
                labels::add_version(s, d, placeholder, &[d.pending.to_owned()])?;
                s.rotation.reserved = Some(id.clone());
            }
            Ok(id)
        })
    }

    pub fn rotation_step(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        version_id: &str,
        step: RotationStep,
    ) -> CoreResult<()> {
        self.modify(scope, r, Access::AnyState, |s, _| {
            rotation::step(s, version_id, step)
        })
        .map(|_| ())
    }

    /// Ends an outside rotation: success records it (the function moved the labels itself);
    /// failure leaves versions and labels where they are.
    pub fn rotation_end(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        version_id: &str,
        outcome: Result<(), (RotationStep, String)>,
    ) -> CoreResult<Secret> {
        self.modify_then(
            scope,
            r,
            Access::AnyState,
            &[version_id],
            |s, ctx| {
                match &outcome {
                    Ok(()) => {
                        // The service takes the pending label off a version that became
                        // current, as AWS does once finishSecret succeeded.
                        let d = scope.cloud.dialect();
                        if s.holder_id(d.current) == Some(version_id) {
                            if let Some(v) = s.version_mut(version_id) {
                                v.labels.retain(|l| l != d.pending);
                            }
                        }
                        s.rotation.state = Default::default();
                        s.rotation.last_rotated = Some(ctx.now);
                        s.rotation.next_rotation = rotation::next_after(s, ctx.now);
                    }
                    Err((step, error)) => rotation::fail(s, ctx.now, version_id, *step, error),
                }
                Ok(())
            },
            |tx, secret, (), now| {
                let change = match &outcome {
                    Ok(()) => Change::Rotated { secret, version_id },
                    Err((_, error)) => Change::RotationFailed {
                        secret,
                        version_id,
                        error,
                    },
                };
                self.announce(tx, scope, change, now)
            },
        )
        .map(|(s, ())| s)
    }

    /// Ends a trial of a rotation function (AWS RotateSecret with RotateImmediately false runs
    /// only testSecret on a version it reserved, then removes it): the trial's version goes
    /// whatever the function wrote to it, unless it became current. A failure is recorded
    /// like a failed rotation; versions and labels are otherwise as before the trial.
    pub fn rotation_discard(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        version_id: &str,
        outcome: Result<(), (RotationStep, String)>,
    ) -> CoreResult<Secret> {
        let d = scope.cloud.dialect();
        self.modify(scope, r, Access::AnyState, |s, ctx| {
            if s.holder_id(d.current) != Some(version_id) {
                s.versions.retain(|v| v.id != version_id);
            }
            if s.rotation.reserved.as_deref() == Some(version_id) {
                s.rotation.reserved = None;
            }
            match &outcome {
                Ok(()) => s.rotation.state = Default::default(),
                Err((step, error)) => rotation::fail(s, ctx.now, version_id, *step, error),
            }
            Ok(())
        })
        .map(|(s, ())| s)
    }

    /// Moves a rotation that is due (its time at or before now) on to the window after now:
    /// what the scheduler does when a due rotation could not run or failed, so it is tried
    /// again at the next window instead of at once. Returns the new due time.
    pub fn postpone_rotation(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
    ) -> CoreResult<Option<Timestamp>> {
        self.modify(scope, r, Access::AnyState, |s, ctx| {
            if s.rotation.next_rotation.is_some_and(|t| t <= ctx.now) {
                s.rotation.next_rotation = rotation::next_after(s, ctx.now);
            }
            Ok(s.rotation.next_rotation)
        })
        .map(|(_, t)| t)
    }

    /// Turns rotation off; labels stay.
    pub fn cancel_rotation(&self, scope: &Scope, r: SecretRef<'_>) -> CoreResult<Secret> {
        self.modify(scope, r, Access::Live, |s, _| {
            rotation::cancel(s);
            Ok(())
        })
        .map(|(s, ())| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testkit::*;

    use crate::{
        rotation, CoreError, CoreResult, Random, Rotation, RotationStep, Scope, Secret,
        SecretValue, Timestamp,
    };
    use serde_json::Value;
    use std::sync::Arc;

    use crate::{Cloud, RotationState, Schedule};

    fn gen(s: &Secret, rnd: &Random) -> CoreResult<SecretValue> {
        let current = s.holder("AWSCURRENT").map(|v| &v.value);
        Ok(rotation::replace_password(
            current,
            "password",
            rnd.alphanumeric(8),
        ))
    }

    #[test]
    fn builtin_rotation_is_one_transaction() {
        let svc = service();
        create(
            &svc,
            &aws(),
            "db",
            Some("t1"),
            r#"{"username":"u","password":"p"}"#,
        );
        let r = SecretRef::Name("db");
        let configure = RotationChange {
            enabled: Some(true),
            function: Some(Some(
                "arn:aws:lambda:us-east-1:000000000000:function:f".into(),
            )),
            schedule: Some(Some(Schedule::Every { seconds: 86_400 })),
            window_secs: None,
        };
        // Without a function the request is refused and nothing changes.
        let refused = svc.rotate(
            &aws(),
            r,
            RotateRequest {
                version_id: Some("t2".into()),
                configure: RotationChange::default(),
                require_function: true,
                immediately: true,
                generate: &gen,
            },
        );
        assert_eq!(
            refused,
            Err(CoreError::RotationFunctionMissing { name: "db".into() })
        );
        let w = svc
            .rotate(
                &aws(),
                r,
                RotateRequest {
                    version_id: Some("t2".into()),
                    configure: configure.clone(),
                    require_function: true,
                    immediately: true,
                    generate: &gen,
                },
            )
            .unwrap();
        assert_eq!(w.version_id.as_deref(), Some("t2"));
        let s = &w.secret;
        assert_eq!(s.holder_id("AWSCURRENT"), Some("t2"));
        assert_eq!(s.holder_id("AWSPREVIOUS"), Some("t1"));
        assert_eq!(s.holder_id("AWSPENDING"), None);
        assert_eq!(s.rotation.state, RotationState::Idle);
        assert!(s.rotation.last_rotated.is_some());
        // The built-in function read the old value, not the new one.
        assert!(s.last_accessed.is_some());
        assert!(s.version("t1").unwrap().last_accessed.is_some());
        assert!(s.version("t2").unwrap().last_accessed.is_none());
        let v: Value =
            serde_json::from_str(s.version("t2").unwrap().value.as_text().unwrap()).unwrap();
        assert_eq!(v["username"], "u");
        assert_ne!(v["password"], "p");
        // A retry with the same token is a replay.
        let again = svc
            .rotate(
                &aws(),
                r,
                RotateRequest {
                    version_id: Some("t2".into()),
                    configure: RotationChange::default(),
                    require_function: true,
                    immediately: true,
                    generate: &gen,
                },
            )
            .unwrap();
        assert!(again.replayed);
    }

    #[test]
    fn outside_rotation_failure_keeps_pending_and_blocks() {
        let svc = service();
        create(&svc, &aws(), "db", Some("t1"), "one");
        let r = SecretRef::Name("db");
        let (_, id) = svc.rotation_begin(&aws(), r, Some("t2".into())).unwrap();
        svc.put_value(
            &aws(),
            r,
            NewVersion {
                id: Some(id.clone()),
                value: text("two"),
                labels: Some(vec!["AWSPENDING".into()]),
                ..Default::default()
            },
        )
        .unwrap();
        svc.rotation_step(&aws(), r, &id, RotationStep::TestSecret)
            .unwrap();
        let s = svc
            .rotation_end(&aws(), r, &id, Err((RotationStep::TestSecret, "no".into())))
            .unwrap();
        assert!(matches!(s.rotation.state, RotationState::Failed { .. }));
        assert_eq!(s.holder_id("AWSCURRENT"), Some("t1"));
        assert_eq!(s.holder_id("AWSPENDING"), Some("t2"));
        assert!(matches!(
            svc.rotation_begin(&aws(), r, Some("t3".into())),
            Err(CoreError::RotationInProgress { .. })
        ));
        let s = svc.cancel_rotation(&aws(), r).unwrap();
        assert!(!s.rotation.enabled);
    }

    /// An Alibaba `Rds` secret named `rds`, which the service rotates itself.
    fn create_rds(svc: &Service, scope: &Scope) {
        svc.create_secret(
            scope,
            NewSecret {
                name: "rds".into(),
                secret_type: Some("Rds".into()),
                version: NewVersion {
                    id: Some("v0".into()),
                    value: text("{}"),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap();
    }

    #[test]
    fn rotation_limit_is_exact_under_concurrency() {
        let svc = Arc::new(service());
        let scope = Scope::new(Cloud::Alibaba, "1234567890123456", "cn-hangzhou");
        create_rds(&svc, &scope);
        let handles: Vec<_> = (0..60)
            .map(|i| {
                let svc = svc.clone();
                let scope = scope.clone();
                std::thread::spawn(move || {
                    svc.rotate(
                        &scope,
                        SecretRef::Name("rds"),
                        RotateRequest {
                            version_id: Some(format!("r{i}")),
                            configure: RotationChange::default(),
                            require_function: false,
                            immediately: true,
                            generate: &|_, r| Ok(SecretValue::Text(r.alphanumeric(8))),
                        },
                    )
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let ok = results.iter().filter(|r| r.is_ok()).count();
        let throttled = results
            .iter()
            .filter(|r| matches!(r, Err(CoreError::Throttled { .. })))
            .count();
        assert_eq!((ok, throttled), (50, 10));
        // Replays of admitted ids still succeed and do not count.
        let replay = svc
            .rotate(
                &scope,
                SecretRef::Name("rds"),
                RotateRequest {
                    version_id: Some(
                        svc.describe(&scope, SecretRef::Name("rds"), Access::Live)
                            .unwrap()
                            .holder_id("ACSCurrent")
                            .unwrap()
                            .to_owned(),
                    ),
                    configure: RotationChange::default(),
                    require_function: false,
                    immediately: true,
                    generate: &|_, r| Ok(SecretValue::Text(r.alphanumeric(8))),
                },
            )
            .unwrap();
        assert!(replay.replayed);
        svc.clock().advance_secs(3600).unwrap();
        assert!(svc
            .rotate(
                &scope,
                SecretRef::Name("rds"),
                RotateRequest {
                    version_id: Some("later".into()),
                    configure: RotationChange::default(),
                    require_function: false,
                    immediately: true,
                    generate: &|_, r| Ok(SecretValue::Text(r.alphanumeric(8))),
                },
            )
            .is_ok());
    }

    /// Alibaba: "If a version number already exists, Secrets Manager ignores the request for
    /// rotation and returns a success message", also once the hourly limit is reached.
    #[test]
    fn at_the_rotation_limit_a_retry_of_an_existing_version_succeeds_and_does_not_count() {
        let svc = service();
        let scope = Scope::new(Cloud::Alibaba, "1234567890123456", "cn-hangzhou");
        let r = SecretRef::Name("rds");
        create_rds(&svc, &scope);
        let rotate = |id: &str| {
            svc.rotate(
                &scope,
                r,
                RotateRequest {
                    version_id: Some(id.into()),
                    ..RotateRequest::now(&|_, r| Ok(SecretValue::Text(r.alphanumeric(8))))
                },
            )
        };
        for i in 0..50 {
            assert!(!rotate(&format!("r{i}")).unwrap().replayed);
        }
        let before = svc.describe(&scope, r, Access::Live).unwrap();
        // The version cap evicted r0 long ago, but its rotation still counts: retrying it is
        // a retry too. Then an unlabelled earlier version, the previous one and the current one.
        assert!(before.version("r0").is_none());
        for id in ["r0", "r45", "r48", "r49"] {
            let w = rotate(id).unwrap();
            assert!(w.replayed, "{id}");
            assert_eq!(w.version_id.as_deref(), Some(id));
        }
        let after = svc.describe(&scope, r, Access::Live).unwrap();
        assert_eq!(after, before, "a retry changed the secret");
        assert_eq!(after.rotation.history.events().len(), 50);
        assert_eq!(
            rotate("r50"),
            Err(CoreError::Throttled {
                max: 50,
                window_secs: 3600
            })
        );
    }

    #[test]
    fn an_outside_rotation_that_made_its_version_current_drops_the_pending_label() {
        let svc = service();
        create(&svc, &aws(), "db", Some("t1"), "one");
        let r = SecretRef::Name("db");
        let (_, id) = svc.rotation_begin(&aws(), r, Some("t2".into())).unwrap();
        svc.put_value(
            &aws(),
            r,
            NewVersion {
                id: Some(id.clone()),
                value: text("two"),
                labels: Some(vec!["AWSPENDING".into()]),
                ..Default::default()
            },
        )
        .unwrap();
        svc.update_stage(&aws(), r, "AWSCURRENT", Some(&id), Some("t1"))
            .unwrap();
        let s = svc.rotation_end(&aws(), r, &id, Ok(())).unwrap();
        let t2 = s.version("t2").unwrap();
        assert_eq!(t2.labels, ["AWSCURRENT"]);
        assert_eq!(s.holder_id("AWSPREVIOUS"), Some("t1"));
    }

    #[test]
    fn a_schedule_given_at_creation_counts_from_the_creation() {
        let svc = service();
        let w = svc
            .create_secret(
                &aws(),
                NewSecret {
                    name: "db".into(),
                    rotation: Rotation {
                        enabled: true,
                        schedule: Some(Schedule::Every { seconds: 86_400 }),
                        // Computed by a caller a moment earlier: replaced.
                        next_rotation: Some(Timestamp::from_secs(5)),
                        ..Default::default()
                    },
                    version: NewVersion {
                        value: text("v"),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(
            w.secret.rotation.next_rotation,
            Some(w.secret.created.plus_secs(86_400))
        );
    }

    #[test]
    fn a_discarded_trial_leaves_the_versions_as_they_were() {
        let svc = service();
        create(&svc, &aws(), "db", Some("t1"), "one");
        let r = SecretRef::Name("db");
        let before = svc.describe(&aws(), r, Access::Live).unwrap();
        let (_, id) = svc.rotation_reserve(&aws(), r, None).unwrap();
        let after = svc.rotation_discard(&aws(), r, &id, Ok(())).unwrap();
        assert_eq!(after.versions, before.versions);
        assert_eq!(after.rotation.reserved, None);
        assert_eq!(after.rotation.state, RotationState::Idle);
        // A failed trial is recorded, and the next rotation is not held up by it.
        let (_, id) = svc.rotation_reserve(&aws(), r, Some("t2".into())).unwrap();
        let failed = svc
            .rotation_discard(
                &aws(),
                r,
                &id,
                Err((RotationStep::TestSecret, "cannot log in".into())),
            )
            .unwrap();
        assert_eq!(failed.versions, before.versions);
        assert!(matches!(
            failed.rotation.state,
            RotationState::Failed {
                step: RotationStep::TestSecret,
                ..
            }
        ));
        assert!(svc.rotation_reserve(&aws(), r, Some("t3".into())).is_ok());
    }

    #[test]
    fn a_reserved_version_has_no_value_until_its_id_writes_one() {
        let svc = service();
        create(&svc, &aws(), "db", Some("t1"), "one");
        let r = SecretRef::Name("db");
        let (s, id) = svc.rotation_reserve(&aws(), r, Some("t2".into())).unwrap();
        assert_eq!(id, "t2");
        assert_eq!(s.holder_id("AWSPENDING"), Some("t2"));
        assert_eq!(s.holder_id("AWSCURRENT"), Some("t1"));
        for (sel, want) in [
            (
                Selector::IdWithLabel("t2".into(), "AWSPENDING".into()),
                CoreError::VersionNotFound {
                    version_id: "t2".into(),
                },
            ),
            (
                Selector::Label("AWSPENDING".into()),
                CoreError::LabelNotFound {
                    label: "AWSPENDING".into(),
                },
            ),
        ] {
            assert_eq!(svc.get_value(&aws(), r, &sel), Err(want));
        }
        // Another rotation is refused while the reserved version is pending.
        assert!(matches!(
            svc.rotation_reserve(&aws(), r, Some("t3".into())),
            Err(CoreError::RotationInProgress { .. })
        ));
        // The function's write with the reserved id fills it, with the labels it asks for.
        let w = svc
            .put_value(
                &aws(),
                r,
                NewVersion {
                    id: Some("t2".into()),
                    value: text("two"),
                    labels: Some(vec!["AWSPENDING".into()]),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(!w.replayed);
        assert_eq!(w.secret.rotation.reserved, None);
        assert_eq!(w.secret.versions.len(), 2);
        let (_, v) = svc
            .get_value(
                &aws(),
                r,
                &Selector::IdWithLabel("t2".into(), "AWSPENDING".into()),
            )
            .unwrap();
        assert_eq!(v.value, SecretValue::Text("two".into()));
        // From now on the same id is an ordinary idempotent write.
        assert!(matches!(
            svc.put_value(
                &aws(),
                r,
                NewVersion {
                    id: Some("t2".into()),
                    value: text("other"),
                    ..Default::default()
                },
            ),
            Err(CoreError::IdempotencyConflict { .. })
        ));
    }

    #[test]
    fn postponing_moves_a_due_rotation_past_now_only() {
        let svc = service();
        create(&svc, &aws(), "db", None, "v");
        let r = SecretRef::Name("db");
        let (s, ()) = svc
            .modify(&aws(), r, Access::Live, |s, ctx| {
                s.rotation.enabled = true;
                s.rotation.schedule = Some(Schedule::Every { seconds: 86_400 });
                s.rotation.next_rotation = Some(ctx.now.plus_secs(10));
                Ok(())
            })
            .unwrap();
        let ahead = s.rotation.next_rotation;
        // Not due yet: left alone.
        assert_eq!(svc.postpone_rotation(&aws(), r).unwrap(), ahead);
        svc.clock().advance_secs(20).unwrap();
        let next = svc.postpone_rotation(&aws(), r).unwrap().unwrap();
        let now = svc.now();
        assert!(
            next > now && next <= now.plus_secs(86_400),
            "{next} vs {now}"
        );
    }
}
