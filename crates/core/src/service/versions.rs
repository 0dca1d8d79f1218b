//! Adding versions: ids by dialect, idempotent replays of a token and value, label moves,
//! metadata updates that add a value in the same transaction.

use super::types::*;
use super::Service;
use crate::dialect::VersionIds;
use crate::observe::Change;
use crate::{labels, CoreError, CoreResult, Scope, Secret, Timestamp, Version};

impl Service {
    pub(super) fn assign_version_id(
        &self,
        scope: &Scope,
        secret: &mut Secret,
        given: Option<String>,
    ) -> CoreResult<String> {
        match scope.cloud.dialect().version_ids {
            VersionIds::TokenOrUuid => Ok(given.unwrap_or_else(|| self.random.uuid())),
            VersionIds::Caller => {
                given.ok_or_else(|| CoreError::InvalidParameter("a version id is required".into()))
            }
            VersionIds::Sequential => {
                secret.version_seq += 1;
                Ok(format!("v{}", secret.version_seq))
            }
        }
    }

    /// Adds a version. An existing id with the same value is a replay; with another value a
    /// conflict. The first version of a secret always becomes current.
    pub(super) fn add_value(
        &self,
        scope: &Scope,
        secret: &mut Secret,
        v: NewVersion,
        now: Timestamp,
    ) -> CoreResult<(String, bool)> {
        let d = scope.cloud.dialect();
        let value = v
            .value
            .ok_or_else(|| CoreError::InvalidParameter("a secret value is required".into()))?;
        // The value of a version a rotation reserved: the placeholder makes way for it.
        if v.id.is_some() && v.id == secret.rotation.reserved {
            let id = secret.rotation.reserved.take().unwrap_or_default();
            secret.versions.retain(|old| old.id != id);
        }
        if d.version_ids != VersionIds::Sequential {
            if let Some(existing) = v.id.as_deref().and_then(|id| secret.version(id)) {
                return if existing.value == value {
                    Ok((existing.id.clone(), true))
                } else {
                    Err(CoreError::idempotency_conflict(secret, existing.id.clone()))
                };
            }
        }
        let id = self.assign_version_id(scope, secret, v.id)?;
        let mut labels = v.labels.unwrap_or_else(|| vec![d.current.to_owned()]);
        if secret.holder(d.current).is_none() && !labels.iter().any(|l| l == d.current) {
            labels.push(d.current.to_owned());
        }
        let old_current = secret.holder_id(d.current).map(str::to_owned);
        let version = Version {
            expires: v.expires,
            ..Version::new(id.clone(), value, now, Vec::new())
        };
        labels::add_version(secret, d, version, &labels)?;
        // A new value that becomes current ends a finished rotation: the pending label left on
        // the old current version goes (AWS records exactly this).
        if let Some(old) = old_current.filter(|old| secret.holder_id(d.current) != Some(old)) {
            if let Some(v) = secret.version_mut(&old) {
                v.labels.retain(|l| l != d.pending);
            }
        }
        secret.updated = now;
        Ok((id, false))
    }

    /// Adds a version (PutSecretValue / create version). Idempotent on the caller's id.
    pub fn put_value(&self, scope: &Scope, r: SecretRef<'_>, v: NewVersion) -> CoreResult<Written> {
        let now = self.now();
        let token = v.id.clone();
        let ids: Vec<&str> = token.as_deref().into_iter().collect();
        self.write(|tx| {
            let mut secret = self.load_to_change(tx, scope, r, Access::Live, &ids, now)?;
            let (id, replayed) = self.add_value(scope, &mut secret, v, now)?;
            if !replayed {
                self.store(tx, scope, &secret)?;
                let change = Change::VersionAdded {
                    secret: &secret,
                    version_id: &id,
                };
                self.announce(tx, scope, change, now)?;
            }
            Ok(Written {
                secret,
                version_id: Some(id),
                replayed,
            })
        })
    }

    /// Applies `change` and, when `value` is given, adds a version, all in one
    /// transaction (AWS UpdateSecret). A value that replays an earlier version adds nothing.
    pub fn update_secret(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        change: &Update,
        value: Option<NewVersion>,
    ) -> CoreResult<Written> {
        let now = self.now();
        let token = value.as_ref().and_then(|v| v.id.clone());
        let ids: Vec<&str> = token.as_deref().into_iter().collect();
        self.write(|tx| {
            let mut secret = self.load_to_change(tx, scope, r, Access::Live, &ids, now)?;
            change.apply(&mut secret, scope, now)?;
            secret.updated = now;
            let (version_id, replayed) = match value {
                Some(v) => {
                    let (id, replayed) = self.add_value(scope, &mut secret, v, now)?;
                    (Some(id), replayed)
                }
                None => (None, false),
            };
            labels::validate(&secret, scope.cloud.dialect())?;
            self.store(tx, scope, &secret)?;
            if let (Some(id), false) = (&version_id, replayed) {
                let change = Change::VersionAdded {
                    secret: &secret,
                    version_id: id,
                };
                self.announce(tx, scope, change, now)?;
            } else {
                self.announce(tx, scope, Change::Updated { secret: &secret }, now)?;
            }
            Ok(Written {
                secret,
                version_id,
                replayed,
            })
        })
    }

    /// Moves or removes a staging label.
    pub fn update_stage(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        label: &str,
        move_to: Option<&str>,
        remove_from: Option<&str>,
    ) -> CoreResult<Secret> {
        let d = scope.cloud.dialect();
        let ids: Vec<&str> = move_to.into_iter().chain(remove_from).collect();
        self.modify_with(scope, r, Access::Live, &ids, |s, ctx| {
            let before = s.label_holders();
            labels::update_stage(s, d, label, move_to, remove_from)?;
            if d.records_label_moves {
                s.record_label_moves(&before, ctx.now);
            }
            Ok(())
        })
        .map(|(s, ())| s)
    }

    /// Takes `label` off whichever version holds it ([`CoreError::LabelNotFound`] when none
    /// does); labels the dialect only lets move are refused.
    pub fn remove_stage(&self, scope: &Scope, r: SecretRef<'_>, label: &str) -> CoreResult<Secret> {
        self.modify(scope, r, Access::Live, |s, _| {
            let holder =
                s.holder_id(label)
                    .map(str::to_owned)
                    .ok_or_else(|| CoreError::LabelNotFound {
                        label: label.to_owned(),
                    })?;
            labels::remove_label(s, scope.cloud.dialect(), label, &holder)
        })
        .map(|(s, ())| s)
    }

    /// Sets (or clears) when a version expires; expiries are announced once as they pass.
    pub fn set_version_expiry(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        version_id: &str,
        expires: Option<Timestamp>,
    ) -> CoreResult<Secret> {
        self.modify(scope, r, Access::Live, |s, _| {
            let v = s
                .version_mut(version_id)
                .ok_or_else(|| CoreError::VersionNotFound {
                    version_id: version_id.to_owned(),
                })?;
            v.expires = expires;
            Ok(())
        })
        .map(|(s, ())| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testkit::*;
    use crate::{CoreError, Schedule, Scope};
    use serde_json::Value;

    use crate::Cloud;

    #[test]
    fn put_value_idempotency_table() {
        let svc = service();
        create(&svc, &aws(), "db", Some("t1"), "one");
        type Want = Result<(bool, &'static str), CoreError>;
        let suffix = svc
            .describe(&aws(), SecretRef::Name("db"), Access::Live)
            .unwrap()
            .arn_suffix;
        let cases: Vec<(&str, &str, Want)> = vec![
            ("t2", "two", Ok((false, "t2"))),
            ("t2", "two", Ok((true, "t2"))),
            (
                "t2",
                "other",
                Err(CoreError::IdempotencyConflict {
                    version_id: "t2".into(),
                    name: "db".into(),
                    arn_suffix: suffix.clone(),
                }),
            ),
            ("t1", "one", Ok((true, "t1"))),
        ];
        for (token, value, want) in cases {
            let got = svc
                .put_value(
                    &aws(),
                    SecretRef::Name("db"),
                    NewVersion {
                        id: Some(token.into()),
                        value: text(value),
                        ..Default::default()
                    },
                )
                .map(|w| (w.replayed, w.version_id.unwrap()));
            assert_eq!(
                got,
                want.map(|(r, id)| (r, id.to_owned())),
                "{token} {value}"
            );
        }
        let s = svc
            .describe(&aws(), SecretRef::Name("db"), Access::Live)
            .unwrap();
        assert_eq!(s.versions.len(), 2);
        assert_eq!(s.holder_id("AWSCURRENT"), Some("t2"));
        assert_eq!(s.holder_id("AWSPREVIOUS"), Some("t1"));
    }

    #[test]
    fn put_with_explicit_labels_leaves_current() {
        let svc = service();
        create(&svc, &aws(), "db", Some("t1"), "one");
        svc.put_value(
            &aws(),
            SecretRef::Name("db"),
            NewVersion {
                id: Some("t2".into()),
                value: text("two"),
                labels: Some(vec!["AWSPENDING".into()]),
                ..Default::default()
            },
        )
        .unwrap();
        let (_, v) = svc
            .get_value(
                &aws(),
                SecretRef::Name("db"),
                &Selector::Label("AWSCURRENT".into()),
            )
            .unwrap();
        assert_eq!(v.id, "t1");
        let (_, v) = svc
            .get_value(
                &aws(),
                SecretRef::Name("db"),
                &Selector::Label("AWSPENDING".into()),
            )
            .unwrap();
        assert_eq!(v.id, "t2");
    }

    #[test]
    fn first_version_of_an_empty_secret_becomes_current() {
        let svc = service();
        svc.create_secret(
            &aws(),
            NewSecret {
                name: "empty".into(),
                ..Default::default()
            },
        )
        .unwrap();
        svc.put_value(
            &aws(),
            SecretRef::Name("empty"),
            NewVersion {
                value: text("x"),
                labels: Some(vec!["custom".into()]),
                ..Default::default()
            },
        )
        .unwrap();
        let (_, v) = svc
            .get_value(
                &aws(),
                SecretRef::Name("empty"),
                &Selector::Label("AWSCURRENT".into()),
            )
            .unwrap();
        assert!(v.has_label("custom"));
    }

    #[test]
    fn a_new_current_value_clears_pending_from_the_old_current() {
        let svc = service();
        create(&svc, &aws(), "db", Some("t1"), "one");
        let r = SecretRef::Name("db");
        let put = |id: &str, labels: Option<Vec<String>>| {
            svc.put_value(
                &aws(),
                r,
                NewVersion {
                    id: Some(id.into()),
                    value: text(id),
                    labels,
                    ..Default::default()
                },
            )
            .unwrap()
        };
        put("t2", Some(vec!["AWSPENDING".into()]));
        svc.update_stage(&aws(), r, "AWSCURRENT", Some("t2"), Some("t1"))
            .unwrap();
        let s = svc.describe(&aws(), r, Access::Live).unwrap();
        assert_eq!(
            s.version("t2").unwrap().labels,
            vec!["AWSPENDING", "AWSCURRENT"]
        );
        // A pending-only value leaves the current version's labels alone...
        let w = put("t3", Some(vec!["AWSPENDING".into()]));
        assert_eq!(w.secret.version("t2").unwrap().labels, vec!["AWSCURRENT"]);
        svc.update_stage(&aws(), r, "AWSCURRENT", Some("t3"), Some("t2"))
            .unwrap();
        // ...a new current value takes pending off the version it replaces.
        let w = put("t4", None);
        let s = &w.secret;
        assert_eq!(s.version("t3").unwrap().labels, vec!["AWSPREVIOUS"]);
        assert_eq!(s.version("t4").unwrap().labels, vec!["AWSCURRENT"]);
        assert_eq!(s.holder_id("AWSPENDING"), None);
    }

    #[test]
    fn update_changes_metadata_and_value_together() {
        let svc = service();
        create(&svc, &aws(), "db", Some("t1"), "one");
        let r = SecretRef::Name("db");
        let w = svc
            .update_secret(
                &aws(),
                r,
                &Update {
                    description: Some(Some("d".into())),
                    ..Default::default()
                },
                Some(NewVersion {
                    id: Some("t2".into()),
                    value: text("two"),
                    ..Default::default()
                }),
            )
            .unwrap();
        assert_eq!(w.version_id.as_deref(), Some("t2"));
        assert_eq!(w.secret.description.as_deref(), Some("d"));
        assert_eq!(w.secret.holder_id("AWSCURRENT"), Some("t2"));
        // A conflicting value rolls the metadata change back.
        let err = svc.update_secret(
            &aws(),
            r,
            &Update {
                description: Some(Some("lost".into())),
                ..Default::default()
            },
            Some(NewVersion {
                id: Some("t2".into()),
                value: text("other"),
                ..Default::default()
            }),
        );
        assert!(
            matches!(&err, Err(CoreError::IdempotencyConflict { version_id, name, .. })
                if version_id == "t2" && name == "db"),
            "{err:?}"
        );
        let s = svc.describe(&aws(), r, Access::Live).unwrap();
        assert_eq!(s.description.as_deref(), Some("d"));
        // Metadata alone adds no version; a replayed value is reported as such.
        let w = svc
            .update_secret(&aws(), r, &Update::default(), None)
            .unwrap();
        assert_eq!((w.version_id, w.replayed), (None, false));
        let w = svc
            .update_secret(
                &aws(),
                r,
                &Update::default(),
                Some(NewVersion {
                    id: Some("t2".into()),
                    value: text("two"),
                    ..Default::default()
                }),
            )
            .unwrap();
        assert!(w.replayed);
        assert_eq!(w.secret.versions.len(), 2);
    }

    #[test]
    fn update_applies_rotation_and_extras_under_the_dialect_rules() {
        let svc = service();
        let hw = Scope::new(Cloud::Huawei, "p1", "cn-north-4");
        create(&svc, &hw, "db", None, "v");
        let r = SecretRef::Name("db");
        // Huawei needs a period to rotate automatically; nothing changes when refused.
        let on = Update {
            rotation: RotationChange {
                enabled: Some(true),
                ..RotationChange::default()
            },
            ..Update::default()
        };
        assert_eq!(
            svc.update_secret(&hw, r, &on, None),
            Err(CoreError::ScheduleRequired)
        );
        let with_period = Update {
            rotation: RotationChange {
                enabled: Some(true),
                schedule: Some(Some(Schedule::Every { seconds: 3600 })),
                ..RotationChange::default()
            },
            extra: vec![
                ExtraChange::Set("period".into(), Value::from("1h")),
                ExtraChange::Merge(
                    "obj".into(),
                    serde_json::from_str(r#"{"a": 1, "b": 2}"#).unwrap(),
                ),
            ],
            ..Update::default()
        };
        let s = svc
            .update_secret(&hw, r, &with_period, None)
            .unwrap()
            .secret;
        // Counted from the update itself (the secret's update time).
        let now = s.updated;
        assert_eq!(s.rotation.next_rotation, Some(now.plus_secs(3600)));
        assert_eq!(s.extra["period"], "1h");
        // A change without rotation fields leaves the next rotation; merges keep members.
        svc.clock().advance_secs(60).unwrap();
        let more = Update {
            description: Some(Some("d".into())),
            extra: vec![
                ExtraChange::Merge(
                    "obj".into(),
                    serde_json::from_str(r#"{"a": null, "c": 3}"#).unwrap(),
                ),
                ExtraChange::Set("period".into(), Value::Null),
            ],
            ..Update::default()
        };
        let s = svc.update_secret(&hw, r, &more, None).unwrap().secret;
        assert_eq!(s.rotation.next_rotation, Some(now.plus_secs(3600)));
        assert_eq!(s.extra["obj"], serde_json::json!({"b": 2, "c": 3}));
        assert!(!s.extra.contains_key("period"));
        let off = Update {
            rotation: RotationChange {
                enabled: Some(false),
                ..RotationChange::default()
            },
            description: Some(None),
            ..Update::default()
        };
        let s = svc.update_secret(&hw, r, &off, None).unwrap().secret;
        assert_eq!((s.rotation.next_rotation, s.description), (None, None));
        // AWS turns rotation on without a schedule.
        create(&svc, &aws(), "a", None, "v");
        assert!(svc
            .update_secret(&aws(), SecretRef::Name("a"), &on, None)
            .is_ok());
    }

    #[test]
    fn stage_commands_record_moves_where_the_dialect_keeps_them() {
        let svc = service();
        let hw = Scope::new(Cloud::Huawei, "p1", "cn-north-4");
        create(&svc, &hw, "db", None, "one");
        let r = SecretRef::Name("db");
        svc.put_value(
            &hw,
            r,
            NewVersion {
                value: text("two"),
                ..Default::default()
            },
        )
        .unwrap();
        svc.clock().advance_secs(10).unwrap();
        let s = svc
            .update_stage(&hw, r, "SYSCURRENT", Some("v1"), None)
            .unwrap();
        // The moves are timed with the change itself (the secret's update time).
        let at = s.updated;
        assert_eq!(s.label_moved_at("SYSCURRENT", "v1"), Some(at));
        assert_eq!(s.label_moved_at("SYSPREVIOUS", "v2"), Some(at));
        assert_eq!(s.label_moved_at("SYSCURRENT", "v2"), None);
        let s = svc.update_stage(&hw, r, "mine", Some("v2"), None).unwrap();
        assert_eq!(s.label_moved_at("mine", "v2"), Some(s.updated));
        assert_eq!(s.label_moved_at("SYSCURRENT", "v1"), Some(at));
        // AWS keeps no such times.
        create(&svc, &aws(), "a", Some("t1"), "x");
        let s = svc
            .update_stage(&aws(), SecretRef::Name("a"), "mine", Some("t1"), None)
            .unwrap();
        assert!(!s.extra.contains_key(crate::model::LABEL_MOVES));

        let s = svc.remove_stage(&hw, r, "mine").unwrap();
        assert!(s.holder("mine").is_none());
        assert_eq!(
            svc.remove_stage(&hw, r, "mine"),
            Err(CoreError::LabelNotFound {
                label: "mine".into()
            })
        );
        assert!(matches!(
            svc.remove_stage(&hw, r, "SYSCURRENT"),
            Err(CoreError::ProtectedLabel { .. })
        ));

        let s = svc
            .set_version_expiry(&hw, r, "v2", Some(at.plus_secs(60)))
            .unwrap();
        assert_eq!(s.version("v2").unwrap().expires, Some(at.plus_secs(60)));
        assert_eq!(
            svc.set_version_expiry(&hw, r, "v9", None),
            Err(CoreError::VersionNotFound {
                version_id: "v9".into()
            })
        );
    }

    #[test]
    fn huawei_versions_are_sequential() {
        let svc = service();
        let scope = Scope::new(
            Cloud::Huawei,
            "0123456789abcdef0123456789abcdef",
            "cn-north-4",
        );
        let w = create(&svc, &scope, "db", Some("ignored"), "one");
        assert_eq!(w.version_id.as_deref(), Some("v1"));
        let w = svc
            .put_value(
                &scope,
                SecretRef::Name("db"),
                NewVersion {
                    value: text("two"),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(w.version_id.as_deref(), Some("v2"));
        assert_eq!(w.secret.holder_id("SYSCURRENT"), Some("v2"));
        assert_eq!(w.secret.holder_id("SYSPREVIOUS"), Some("v1"));
        assert_eq!(w.secret.secret_type, "COMMON");
    }

    #[test]
    fn alibaba_requires_a_version_id() {
        let svc = service();
        let scope = Scope::new(Cloud::Alibaba, "1", "cn-hangzhou");
        assert!(matches!(
            svc.create_secret(
                &scope,
                NewSecret {
                    name: "x".into(),
                    version: NewVersion {
                        value: text("v"),
                        ..Default::default()
                    },
                    ..Default::default()
                }
            ),
            Err(CoreError::InvalidParameter(_))
        ));
    }
}
