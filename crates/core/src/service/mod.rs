//! The one service every frontend calls. Each operation is one storage transaction that
//! loads the secret, applies the model's rules and writes it back, so a rotation's new
//! version, its label moves and its rate-limit entry commit together or not at all.
//!
//! - [`types`]: the operations' vocabulary.
//! - [`lookup`]: finding and reading secrets.
//! - [`create`]: creating and importing.
//! - [`versions`]: adding versions and moving labels.
//! - [`lifecycle`]: deletion, restore, purge, version expiry.
//! - [`linked`]: changes that span scopes (replicas), checked and announced like any other.
//! - [`metadata`]: tags and resource policies.
//! - [`records`]: a frontend's own records beside the secrets.
//! - [`queries`]: settings, what falls due, counts and snapshots of the whole store.
//! - [`rotation`]: built-in and outside rotations.

mod create;
mod lifecycle;
mod linked;
mod lookup;
mod metadata;
mod queries;
mod records;
mod rotation;
#[cfg(test)]
mod testkit;
mod types;
mod versions;

pub use create::{check_imported, imported_violation};
pub use linked::{LinkedReader, LinkedWrite};
pub use metadata::TagKeys;
pub use queries::SnapshotItem;
pub use types::*;

use crate::dialect::VersionCap;
use crate::observe::{Change, Observer};
use crate::storage::{ReadTx, ResetFilter, Storage, Versions, WriteTx};
use crate::{labels, Clock, CoreError, CoreResult, Random, Scope, Secret, Timestamp};
use parking_lot::RwLock;
use std::sync::Arc;

pub struct Service {
    storage: Arc<dyn Storage>,
    clock: Arc<Clock>,
    random: Arc<Random>,
    /// Keyed, so registering the same observer twice replaces it.
    observers: RwLock<Vec<(String, Arc<dyn Observer>)>>,
}

impl Service {
    pub fn new(storage: Arc<dyn Storage>, clock: Arc<Clock>, random: Arc<Random>) -> Self {
        Self {
            storage,
            clock,
            random,
            observers: RwLock::new(Vec::new()),
        }
    }

    /// Registers `observer` under `key` (replacing one registered under the same key); it is
    /// told of every later change inside the change's transaction.
    pub fn observe(&self, key: &str, observer: Arc<dyn Observer>) {
        let mut all = self.observers.write();
        all.retain(|(k, _)| k != key);
        all.push((key.to_owned(), observer));
    }

    /// Tells every observer of `change`; the first error aborts the transaction.
    fn announce(
        &self,
        tx: &mut dyn WriteTx,
        scope: &Scope,
        change: Change<'_>,
        now: Timestamp,
    ) -> CoreResult<()> {
        let ctx = Ctx {
            now,
            random: &self.random,
        };
        for (_, o) in self.observers.read().iter() {
            o.changed(tx, scope, &change, &ctx)?;
        }
        Ok(())
    }

    /// [`Service::load`] for a change: every observer may refuse it
    /// ([`Observer::may_change`]).
    ///
    /// Where the dialect caps only unlabelled versions (AWS keeps up to 100 of them), the
    /// secret comes with its labelled versions and those with `ids` alone, so a write costs
    /// the same however many versions the secret has; [`Service::store`] then enforces the
    /// cap in the store.
    pub(super) fn load_to_change(
        &self,
        tx: &dyn ReadTx,
        scope: &Scope,
        r: SecretRef<'_>,
        access: Access,
        ids: &[&str],
        now: Timestamp,
    ) -> CoreResult<Secret> {
        let which = match scope.cloud.dialect().version_cap {
            VersionCap::Deprecated(_) => Versions::Changing(ids),
            VersionCap::Total(_) => Versions::All,
        };
        let secret = self.load_with(tx, scope, r, access, which, now)?;
        for (_, o) in self.observers.read().iter() {
            o.may_change(scope, &secret)?;
        }
        Ok(secret)
    }

    /// Writes a changed secret; one loaded in part ([`Secret::loaded`]) has the dialect's cap
    /// on unlabelled versions enforced by the store, which holds the rest.
    pub(super) fn store(
        &self,
        tx: &mut dyn WriteTx,
        scope: &Scope,
        secret: &Secret,
    ) -> CoreResult<()> {
        tx.put_secret(scope, secret)?;
        match (&secret.loaded, scope.cloud.dialect().version_cap) {
            (Some(_), VersionCap::Deprecated(keep)) => {
                tx.trim_unlabelled(scope, &secret.name, keep)
            }
            _ => Ok(()),
        }
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn random(&self) -> &Random {
        &self.random
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn persistence(&self) -> &'static str {
        self.storage.persistence()
    }

    /// Whether a read never waits for a write (so it may run where waiting would stall others).
    pub fn reads_beside_writes(&self) -> bool {
        self.storage.reads_beside_writes()
    }

    /// Runs `f` in a read transaction.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&dyn ReadTx) -> CoreResult<R>) -> CoreResult<R> {
        let mut f = Some(f);
        let mut out = None;
        self.storage.read(&mut |tx| {
            let f = f
                .take()
                .ok_or_else(|| CoreError::Storage("read retried".into()))?;
            out = Some(f(tx)?);
            Ok(())
        })?;
        out.ok_or_else(|| CoreError::Storage("read produced nothing".into()))
    }

    /// Runs `f` in a write transaction; nothing is kept unless it returns `Ok`.
    pub(crate) fn write<R>(
        &self,
        f: impl FnOnce(&mut dyn WriteTx) -> CoreResult<R>,
    ) -> CoreResult<R> {
        let mut f = Some(f);
        let mut out = None;
        self.storage.write(&mut |tx| {
            let f = f
                .take()
                .ok_or_else(|| CoreError::Storage("write retried".into()))?;
            out = Some(f(tx)?);
            Ok(())
        })?;
        out.ok_or_else(|| CoreError::Storage("write produced nothing".into()))
    }

    /// Changes a secret's metadata with `f` in one transaction; the change is kept only when
    /// `f` succeeds. Refuses secrets in their deletion window unless `access` allows them.
    pub(crate) fn modify<R>(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        access: Access,
        f: impl FnOnce(&mut Secret, &Ctx<'_>) -> CoreResult<R>,
    ) -> CoreResult<(Secret, R)> {
        self.modify_with(scope, r, access, &[], f)
    }

    /// [`Service::modify`] where `f` works on the versions with `ids` besides the labelled
    /// ones (see [`Service::load_to_change`]).
    pub(crate) fn modify_with<R>(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        access: Access,
        ids: &[&str],
        f: impl FnOnce(&mut Secret, &Ctx<'_>) -> CoreResult<R>,
    ) -> CoreResult<(Secret, R)> {
        self.modify_then(scope, r, access, ids, f, |tx, secret, _, now| {
            self.announce(tx, scope, Change::Updated { secret }, now)
        })
    }

    /// `modify`, then `then` with the changed secret inside the same transaction (to announce
    /// what happened).
    fn modify_then<R>(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        access: Access,
        ids: &[&str],
        f: impl FnOnce(&mut Secret, &Ctx<'_>) -> CoreResult<R>,
        then: impl FnOnce(&mut dyn WriteTx, &Secret, &R, Timestamp) -> CoreResult<()>,
    ) -> CoreResult<(Secret, R)> {
        let now = self.now();
        self.write(|tx| {
            let mut secret = self.load_to_change(tx, scope, r, access, ids, now)?;
            let ctx = Ctx {
                now,
                random: &self.random,
            };
            let out = f(&mut secret, &ctx)?;
            secret.updated = now;
            labels::validate(&secret, scope.cloud.dialect())?;
            self.store(tx, scope, &secret)?;
            then(tx, &secret, &out, now)?;
            Ok((secret, out))
        })
    }

    /// Changes several secrets with `f` in one transaction (multi-resource tagging): every
    /// change is kept or, when any secret is missing or `f` fails, none. A secret named twice
    /// is changed twice.
    pub(crate) fn modify_each<R>(
        &self,
        scope: &Scope,
        refs: &[SecretRef<'_>],
        access: Access,
        mut f: impl FnMut(&mut Secret, &Ctx<'_>) -> CoreResult<R>,
    ) -> CoreResult<Vec<(Secret, R)>> {
        let now = self.now();
        self.write(|tx| {
            let ctx = Ctx {
                now,
                random: &self.random,
            };
            let mut out = Vec::with_capacity(refs.len());
            for r in refs {
                let mut secret = self.load_to_change(tx, scope, *r, access, &[], now)?;
                let res = f(&mut secret, &ctx)?;
                secret.updated = now;
                labels::validate(&secret, scope.cloud.dialect())?;
                self.store(tx, scope, &secret)?;
                self.announce(tx, scope, Change::Updated { secret: &secret }, now)?;
                out.push((secret, res));
            }
            Ok(out)
        })
    }

    pub fn reset(&self, filter: &ResetFilter) -> CoreResult<()> {
        self.write(|tx| tx.reset(filter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testkit::*;

    use crate::storage::ResetFilter;
    use crate::{CoreError, CoreResult, RotationStep, Scope, Secret, SecretValue};

    use std::sync::Arc;

    use crate::Cloud;

    #[test]
    fn modify_rolls_back_on_error() {
        let svc = service();
        create(&svc, &aws(), "db", None, "v");
        let r = SecretRef::Name("db");
        let res: CoreResult<(Secret, ())> = svc.modify(&aws(), r, Access::Live, |s, _| {
            s.description = Some("changed".into());
            Err(CoreError::InvalidParameter("no".into()))
        });
        assert!(res.is_err());
        assert_eq!(
            svc.describe(&aws(), r, Access::Live).unwrap().description,
            None
        );
    }

    #[test]
    fn modify_each_is_all_or_nothing() {
        let svc = service();
        create(&svc, &aws(), "a", None, "v");
        create(&svc, &aws(), "b", None, "v");
        let mark = |s: &mut Secret, _: &Ctx<'_>| {
            s.description = Some(format!("{}+", s.description.clone().unwrap_or_default()));
            Ok(s.name.clone())
        };
        // A missing secret anywhere in the list leaves every secret unchanged.
        let refs = [
            SecretRef::Name("a"),
            SecretRef::Name("b"),
            SecretRef::Name("missing"),
        ];
        assert!(matches!(
            svc.modify_each(&aws(), &refs, Access::Live, mark),
            Err(CoreError::SecretNotFound { .. })
        ));
        for n in ["a", "b"] {
            let s = svc
                .describe(&aws(), SecretRef::Name(n), Access::Live)
                .unwrap();
            assert_eq!(s.description, None, "{n}");
        }
        // So does a failure of the change itself.
        let fail_on_b = |s: &mut Secret, _: &Ctx<'_>| {
            s.description = Some("x".into());
            if s.name == "b" {
                Err(CoreError::LimitExceeded("tags".into()))
            } else {
                Ok(())
            }
        };
        assert!(svc
            .modify_each(
                &aws(),
                &[SecretRef::Name("a"), SecretRef::Name("b")],
                Access::Live,
                fail_on_b
            )
            .is_err());
        assert_eq!(
            svc.describe(&aws(), SecretRef::Name("a"), Access::Live)
                .unwrap()
                .description,
            None
        );
        // All present: every secret changes, a repeated one twice, in one transaction.
        let out = svc
            .modify_each(
                &aws(),
                &[
                    SecretRef::Name("a"),
                    SecretRef::Name("b"),
                    SecretRef::Name("a"),
                ],
                Access::Live,
                mark,
            )
            .unwrap();
        let names: Vec<&str> = out.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, ["a", "b", "a"]);
        let desc = |n| {
            svc.describe(&aws(), SecretRef::Name(n), Access::Live)
                .unwrap()
                .description
        };
        assert_eq!(desc("a").as_deref(), Some("++"));
        assert_eq!(desc("b").as_deref(), Some("+"));
        // Secrets in their deletion window are refused unless the access allows them.
        svc.schedule_deletion(&aws(), SecretRef::Name("b"), None)
            .unwrap();
        assert!(matches!(
            svc.modify_each(&aws(), &[SecretRef::Name("b")], Access::Live, mark),
            Err(CoreError::ScheduledForDeletion { .. })
        ));
        assert!(svc
            .modify_each(&aws(), &[SecretRef::Name("b")], Access::AnyState, mark)
            .is_ok());
    }

    #[test]
    fn observers_see_each_change_in_its_transaction() {
        let svc = service();
        let hw = Scope::new(Cloud::Huawei, "0123456789abcdef0123456789abcdef", "r");
        svc.observe("rec", Arc::new(Recorder { refuse: false }));
        // Registering under the same key replaces, so nothing is recorded twice.
        svc.observe("rec", Arc::new(Recorder { refuse: false }));
        create(&svc, &hw, "db", None, r#"{"password":"p"}"#);
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
        svc.rotate(
            &hw,
            r,
            RotateRequest {
                version_id: None,
                configure: RotationChange::default(),
                require_function: false,
                immediately: true,
                generate: &|_, rnd| Ok(SecretValue::Text(rnd.alphanumeric(8))),
            },
        )
        .unwrap();
        // The failed rotation builds v4 without using the number up: the next write takes it.
        let (_, id) = svc.rotation_begin(&hw, r, None).unwrap();
        assert_eq!(id, "v4");
        svc.rotation_end(
            &hw,
            r,
            &id,
            Err((RotationStep::SetSecret, "db down".into())),
        )
        .unwrap();
        svc.update_secret(
            &hw,
            r,
            &Update {
                description: Some(Some("d".into())),
                ..Default::default()
            },
            Some(NewVersion {
                value: text("five"),
                ..Default::default()
            }),
        )
        .unwrap();
        svc.update_secret(&hw, r, &Update::default(), None).unwrap();
        svc.schedule_deletion(&hw, r, Some(7)).unwrap();
        svc.force_delete(&hw, r).unwrap();
        create(&svc, &hw, "later", None, "x");
        svc.schedule_deletion(&hw, SecretRef::Name("later"), Some(7))
            .unwrap();
        svc.clock().advance_secs(8 * 86_400).unwrap();
        assert_eq!(svc.purge_due().unwrap().len(), 1);
        assert_eq!(
            changes(&svc, &hw),
            vec![
                "db created",
                "db added v2",
                "db rotated v3",
                "db failed v4: db down",
                "db added v4",
                "db scheduled",
                "db deleted",
                "later created",
                "later scheduled",
                "later deleted",
            ]
        );
        // Other scopes are told too, under their own scope.
        create(&svc, &aws(), "a", None, "v");
        assert_eq!(changes(&svc, &aws()), vec!["a created"]);
    }

    #[test]
    fn an_observer_error_rolls_the_change_back() {
        let svc = service();
        create(&svc, &aws(), "db", None, "one");
        svc.observe("rec", Arc::new(Recorder { refuse: true }));
        let r = SecretRef::Name("db");
        assert!(svc
            .put_value(
                &aws(),
                r,
                NewVersion {
                    value: text("two"),
                    ..Default::default()
                }
            )
            .is_err());
        assert!(svc.force_delete(&aws(), r).is_err());
        let s = svc.describe(&aws(), r, Access::Live).unwrap();
        assert_eq!(s.versions.len(), 1);
    }

    #[test]
    fn reset_by_cloud() {
        let svc = service();
        create(&svc, &aws(), "a", None, "v");
        let ali = Scope::new(Cloud::Alibaba, "1", "cn-hangzhou");
        create(&svc, &ali, "b", Some("v1"), "v");
        svc.reset(&ResetFilter {
            cloud: Some(Cloud::Aws),
            tenant: None,
        })
        .unwrap();
        assert!(svc.list(&aws()).unwrap().is_empty());
        assert_eq!(svc.list(&ali).unwrap().len(), 1);
        svc.reset(&ResetFilter::default()).unwrap();
        assert!(svc.list(&ali).unwrap().is_empty());
    }
}
