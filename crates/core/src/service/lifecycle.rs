//! The end of a secret: scheduled deletion within the dialect's window, immediate deletion,
//! restore, the purge of what fell due and version expiry announcements.

use super::types::*;
use super::Service;
use crate::observe::Change;
use crate::storage::{Due, DueKind};
use crate::{CoreError, CoreResult, Deletion, Scope, Secret};

impl Service {
    /// Schedules deletion after a recovery window (in days, within the dialect's range).
    pub fn schedule_deletion(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        window_days: Option<i64>,
    ) -> CoreResult<Secret> {
        let days = scope.cloud.dialect().recovery_days(window_days)?;
        self.modify_then(
            scope,
            r,
            Access::Live,
            &[],
            |s, ctx| {
                s.deletion = Some(Deletion {
                    deleted_at: ctx.now,
                    purge_at: ctx.now.plus_secs(i64::from(days) * 86_400),
                });
                Ok(())
            },
            |tx, secret, (), now| {
                self.announce(tx, scope, Change::DeletionScheduled { secret }, now)
            },
        )
        .map(|(s, ())| s)
    }

    /// Deletes at once, also a secret already in its deletion window. Returns what was deleted.
    pub fn force_delete(&self, scope: &Scope, r: SecretRef<'_>) -> CoreResult<Secret> {
        let now = self.now();
        self.write(|tx| {
            let mut s = self.load_to_change(tx, scope, r, Access::AnyState, &[], now)?;
            tx.delete_secret(scope, &s.name)?;
            s.deletion.get_or_insert(Deletion {
                deleted_at: now,
                purge_at: now,
            });
            self.announce(tx, scope, Change::Deleted { secret: &s }, now)?;
            Ok(s)
        })
    }

    /// Cancels a scheduled deletion. A secret not scheduled is returned unchanged, or refused
    /// where the dialect says so.
    pub fn restore(&self, scope: &Scope, r: SecretRef<'_>) -> CoreResult<Secret> {
        let strict = scope.cloud.dialect().restore_needs_deletion;
        self.modify(scope, r, Access::AnyState, |s, _| {
            if s.deletion.take().is_none() && strict {
                return Err(CoreError::NotScheduledForDeletion {
                    name: s.name.clone(),
                });
            }
            Ok(())
        })
        .map(|(s, ())| s)
    }

    /// Removes every secret whose deletion window has ended; returns what went.
    pub fn purge_due(&self) -> CoreResult<Vec<Due>> {
        let now = self.now();
        self.write(|tx| {
            let due: Vec<Due> = tx
                .due(now)?
                .into_iter()
                .filter(|d| d.kind == DueKind::Purge)
                .collect();
            for d in &due {
                let gone = tx.secret(&d.scope, &d.name)?;
                tx.delete_secret(&d.scope, &d.name)?;
                if let Some(secret) = &gone {
                    self.announce(tx, &d.scope, Change::Deleted { secret }, now)?;
                }
            }
            Ok(due)
        })
    }

    /// Announces every version whose expiry time has passed since it was last looked at (once
    /// each), in one transaction; returns the secrets that had one.
    pub fn announce_expired(&self) -> CoreResult<Vec<Due>> {
        let now = self.now();
        self.write(|tx| {
            let due: Vec<Due> = tx
                .due(now)?
                .into_iter()
                .filter(|d| d.kind == DueKind::Expiry)
                .collect();
            for d in &due {
                let Some(mut secret) = tx.secret(&d.scope, &d.name)? else {
                    continue;
                };
                let since = secret.expiries_announced_through();
                let expired: Vec<String> = secret
                    .versions
                    .iter()
                    .filter(|v| {
                        v.expires
                            .is_some_and(|t| t <= now && since.is_none_or(|s| t > s))
                    })
                    .map(|v| v.id.clone())
                    .collect();
                secret.set_expiries_announced_through(now);
                tx.put_secret(&d.scope, &secret)?;
                for version_id in &expired {
                    let change = Change::VersionExpired {
                        secret: &secret,
                        version_id,
                    };
                    self.announce(tx, &d.scope, change, now)?;
                }
            }
            Ok(due)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testkit::*;

    use crate::{CoreError, Scope};

    use std::sync::Arc;

    use crate::Cloud;

    #[test]
    fn deletion_lifecycle() {
        let svc = service();
        create(&svc, &aws(), "db", None, "v");
        let r = SecretRef::Name("db");
        assert!(matches!(
            svc.schedule_deletion(&aws(), r, Some(6)),
            Err(CoreError::RecoveryWindow { .. })
        ));
        let s = svc.schedule_deletion(&aws(), r, Some(7)).unwrap();
        let d = s.deletion.unwrap();
        assert_eq!(d.purge_at.millis() - d.deleted_at.millis(), 7 * 86_400_000);
        // Reads and writes are refused; describe still answers.
        assert_eq!(
            svc.get_value(&aws(), r, &Selector::Label("AWSCURRENT".into()))
                .map(|_| ()),
            Err(CoreError::ScheduledForDeletion { name: "db".into() })
        );
        assert!(matches!(
            svc.put_value(
                &aws(),
                r,
                NewVersion {
                    value: text("x"),
                    ..Default::default()
                }
            ),
            Err(CoreError::ScheduledForDeletion { .. })
        ));
        assert!(matches!(
            svc.schedule_deletion(&aws(), r, None),
            Err(CoreError::ScheduledForDeletion { .. })
        ));
        assert!(svc.describe(&aws(), r, Access::AnyState).is_ok());
        assert_eq!(
            svc.create_secret(
                &aws(),
                NewSecret {
                    name: "db".into(),
                    ..Default::default()
                }
            ),
            Err(CoreError::AlreadyExists {
                name: "db".into(),
                pending_deletion: true
            })
        );
        // Restore, delete again, and let the window pass.
        assert!(svc.restore(&aws(), r).unwrap().deletion.is_none());
        svc.schedule_deletion(&aws(), r, Some(7)).unwrap();
        svc.clock().advance_secs(7 * 86_400 - 10).unwrap();
        assert!(svc.purge_due().unwrap().is_empty());
        svc.clock().advance_secs(11).unwrap();
        assert!(matches!(
            svc.describe(&aws(), r, Access::AnyState),
            Err(CoreError::SecretNotFound { .. })
        ));
        assert_eq!(svc.purge_due().unwrap().len(), 1);
        create(&svc, &aws(), "db", None, "reused");
    }

    #[test]
    fn the_recovery_window_and_restore_follow_the_dialect() {
        let svc = service();
        let scope = aws();
        create(&svc, &scope, "a", None, "v");
        for bad in [6, 31, -1, i64::MAX] {
            let e = svc
                .schedule_deletion(&scope, SecretRef::Name("a"), Some(bad))
                .unwrap_err();
            assert_eq!(
                e,
                CoreError::RecoveryWindow {
                    days: bad,
                    min: 7,
                    max: 30
                }
            );
        }
        let s = svc
            .schedule_deletion(&scope, SecretRef::Name("a"), None)
            .unwrap();
        let d = s.deletion.unwrap();
        assert_eq!(d.purge_at.secs() - d.deleted_at.secs(), 30 * 86_400);
        // AWS restores a live secret as a no-op; Huawei refuses it.
        svc.restore(&scope, SecretRef::Name("a")).unwrap();
        svc.restore(&scope, SecretRef::Name("a")).unwrap();
        let hw = Scope::new(crate::Cloud::Huawei, "p1", "cn-north-4");
        create(&svc, &hw, "h", None, "v");
        let e = svc.restore(&hw, SecretRef::Name("h")).unwrap_err();
        assert_eq!(e, CoreError::NotScheduledForDeletion { name: "h".into() });
        svc.schedule_deletion(&hw, SecretRef::Name("h"), Some(7))
            .unwrap();
        assert!(svc
            .restore(&hw, SecretRef::Name("h"))
            .unwrap()
            .deletion
            .is_none());
    }

    #[test]
    fn force_delete_removes_at_once() {
        let svc = service();
        create(&svc, &aws(), "db", None, "v");
        let r = SecretRef::Name("db");
        svc.schedule_deletion(&aws(), r, None).unwrap();
        let gone = svc.force_delete(&aws(), r).unwrap();
        assert_eq!(gone.name, "db");
        assert!(svc.describe(&aws(), r, Access::AnyState).is_err());
        create(&svc, &aws(), "db", None, "again");
    }

    #[test]
    fn version_expiries_are_announced_once_each_in_time() {
        let svc = service();
        let hw = Scope::new(Cloud::Huawei, "0123456789abcdef0123456789abcdef", "r");
        svc.observe("rec", Arc::new(Recorder { refuse: false }));
        create(&svc, &hw, "db", None, "one");
        let r = SecretRef::Name("db");
        let now = svc.now();
        for (secs, value) in [(100, "two"), (200, "three")] {
            svc.put_value(
                &hw,
                r,
                NewVersion {
                    value: text(value),
                    expires: Some(now.plus_secs(secs)),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        let next = || svc.read(|tx| tx.next_due()).unwrap();
        assert_eq!(next(), Some(now.plus_secs(100)));
        assert!(svc.announce_expired().unwrap().is_empty());
        svc.clock().advance_secs(150).unwrap();
        assert_eq!(svc.announce_expired().unwrap().len(), 1);
        assert!(svc.announce_expired().unwrap().is_empty(), "announced once");
        assert_eq!(next(), Some(now.plus_secs(200)));
        svc.clock().advance_secs(100).unwrap();
        svc.announce_expired().unwrap();
        assert_eq!(next(), None);
        let expired: Vec<String> = changes(&svc, &hw)
            .into_iter()
            .filter(|c| c.contains("expired"))
            .collect();
        assert_eq!(expired, ["db expired v2", "db expired v3"]);
    }
}
