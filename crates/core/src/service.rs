//! The one service every frontend calls. Each operation is one storage transaction that
//! loads the secret, applies the model's rules and writes it back, so a rotation's new
//! version, its label moves and its rate-limit entry commit together or not at all.

use crate::dialect::VersionIds;
use crate::observe::{Change, Observer};
use crate::storage::{Due, DueKind, ReadTx, ResetFilter, Storage, WriteTx};
use crate::{
    labels, rotation, Clock, CoreError, CoreResult, Deletion, Random, Rotation, RotationStep,
    Scope, Secret, SecretValue, Tag, Timestamp, Version,
};
use parking_lot::RwLock;
use serde_json::Value;
use std::sync::Arc;

/// How a caller names a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretRef<'a> {
    Name(&'a str),
    /// The service-assigned id.
    Id(&'a str),
    /// A name, or a name followed by `-` and the secret's 6-character ARN suffix (the tail of
    /// an AWS ARN, where the suffix cannot be told apart from the name by its shape).
    NameOrSuffixed(&'a str),
    /// A name and the ARN suffix it must carry (a complete AWS ARN): both must match.
    NameWithSuffix(&'a str, &'a str),
}

/// Whether an operation also reaches secrets in their deletion window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Live,
    AnyState,
}

/// Which version a read wants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    Label(String),
    Id(String),
    /// Both given: the version must carry the label.
    IdWithLabel(String, String),
    /// The newest version.
    Latest,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewVersion {
    /// The caller's id (AWS ClientRequestToken, Alibaba VersionId); ignored where the
    /// dialect assigns ids itself.
    pub id: Option<String>,
    pub value: Option<SecretValue>,
    /// Labels to move onto the new version; `None` means the dialect's current label.
    pub labels: Option<Vec<String>>,
    pub expires: Option<Timestamp>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewSecret {
    pub name: String,
    pub secret_type: Option<String>,
    pub description: Option<String>,
    pub kms_key_id: Option<String>,
    pub tags: Option<Vec<Tag>>,
    pub policy: Option<String>,
    pub rotation: Rotation,
    pub extra: serde_json::Map<String, Value>,
    /// The first version; its `value` may be absent (AWS allows a secret with no version).
    pub version: NewVersion,
}

/// The answer of a write that may be a retry: `replayed` when an identical earlier request
/// already did it and nothing was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    pub secret: Secret,
    pub version_id: Option<String>,
    pub replayed: bool,
}

/// What a built-in rotation does.
pub struct RotateRequest<'a> {
    /// The new version's id (AWS ClientRequestToken, Alibaba VersionId).
    pub version_id: Option<String>,
    /// Applied to the rotation configuration before anything else.
    pub configure: Option<&'a dyn Fn(&mut Rotation)>,
    /// Refuse when the secret (after `configure`) names no rotation function.
    pub require_function: bool,
    /// Rotate now; when false only the configuration is stored.
    pub immediately: bool,
    /// Makes the new value from the current one.
    pub generate: &'a dyn Fn(&Secret, &Random) -> CoreResult<SecretValue>,
}

/// Everything an operation closure may need besides the secret.
pub struct Ctx<'a> {
    pub now: Timestamp,
    pub random: &'a Random,
}

/// One item of [`Service::import_all`].
#[derive(Clone, Debug, PartialEq)]
pub enum Import {
    Secret {
        scope: Scope,
        secret: Box<Secret>,
    },
    /// An auxiliary record (a frontend's own kind), stored as given.
    Record {
        scope: Scope,
        kind: String,
        key: String,
        value: Value,
    },
}

/// The model's rules for a secret that did not come through the operations: the label
/// invariants ([`labels::validate`]), a current version whenever there are versions (the
/// current label can only be moved, never removed), service-assigned ids in creation order,
/// and a deletion window that ends after it starts.
pub fn check_imported(secret: &Secret, d: &crate::Dialect) -> CoreResult<()> {
    labels::validate(secret, d)?;
    if !secret.versions.is_empty() && secret.holder(d.current).is_none() {
        return Err(CoreError::InvalidParameter(format!(
            "no version has the label {}: a secret with versions always has a current one",
            d.current
        )));
    }
    if d.version_ids == VersionIds::Sequential {
        let mut last = 0u64;
        for v in &secret.versions {
            let n =
                v.id.strip_prefix('v')
                    .and_then(|n| n.parse::<u64>().ok())
                    .filter(|n| *n > last && v.id == format!("v{n}"))
                    .ok_or_else(|| {
                        CoreError::InvalidParameter(format!(
                        "version id {} is not one the service assigns: ids are v1, v2, … in the \
                         order the versions were created (oldest first)",
                        v.id
                    ))
                    })?;
            last = n;
        }
        if secret.version_seq < last {
            return Err(CoreError::InvalidParameter(format!(
                "version_seq {} is lower than the newest version id v{last}",
                secret.version_seq
            )));
        }
    }
    if let Some(del) = secret.deletion {
        if del.purge_at <= del.deleted_at {
            return Err(CoreError::InvalidParameter(
                "the deletion window must end after it starts".into(),
            ));
        }
    }
    Ok(())
}

pub struct Service {
    storage: Arc<dyn Storage>,
    clock: Arc<Clock>,
    random: Arc<Random>,
    /// Keyed, so registering the same observer twice replaces it.
    observers: RwLock<Vec<(String, Arc<dyn Observer>)>>,
}

fn not_found(r: SecretRef<'_>) -> CoreError {
    CoreError::SecretNotFound {
        name: match r {
            SecretRef::Name(n)
            | SecretRef::Id(n)
            | SecretRef::NameOrSuffixed(n)
            | SecretRef::NameWithSuffix(n, _) => n.to_owned(),
        },
    }
}

/// Access times are kept per UTC day.
fn access_day(now: Timestamp) -> Timestamp {
    Timestamp::from_secs(now.secs() - now.secs().rem_euclid(86_400))
}

fn mark_accessed(secret: &mut Secret, version_id: &str, day: Timestamp) {
    secret.last_accessed = Some(day);
    if let Some(v) = secret.version_mut(version_id) {
        v.last_accessed = Some(day);
    }
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

    /// Runs `f` in a read transaction.
    pub fn read<R>(&self, f: impl FnOnce(&dyn ReadTx) -> CoreResult<R>) -> CoreResult<R> {
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
    pub fn write<R>(&self, f: impl FnOnce(&mut dyn WriteTx) -> CoreResult<R>) -> CoreResult<R> {
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

    /// Looks a secret up; one whose deletion window has passed counts as gone.
    fn find(
        &self,
        tx: &dyn ReadTx,
        scope: &Scope,
        r: SecretRef<'_>,
        now: Timestamp,
    ) -> CoreResult<Option<Secret>> {
        let found = match r {
            SecretRef::Name(n) => tx.secret(scope, n)?,
            SecretRef::Id(id) => tx.secret_by_id(scope, id)?,
            SecretRef::NameOrSuffixed(n) => match tx.secret(scope, n)? {
                Some(s) => Some(s),
                None => match n.rsplit_once('-') {
                    Some((name, suffix)) if suffix.len() == 6 => {
                        tx.secret(scope, name)?.filter(|s| s.arn_suffix == suffix)
                    }
                    _ => None,
                },
            },
            SecretRef::NameWithSuffix(name, suffix) => {
                tx.secret(scope, name)?.filter(|s| s.arn_suffix == suffix)
            }
        };
        Ok(found.filter(|s| s.deletion.is_none_or(|d| d.purge_at > now)))
    }

    fn load(
        &self,
        tx: &dyn ReadTx,
        scope: &Scope,
        r: SecretRef<'_>,
        access: Access,
        now: Timestamp,
    ) -> CoreResult<Secret> {
        let s = self.find(tx, scope, r, now)?.ok_or_else(|| not_found(r))?;
        if access == Access::Live && s.is_pending_deletion() {
            return Err(CoreError::ScheduledForDeletion { name: s.name });
        }
        Ok(s)
    }

    fn assign_version_id(
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
    fn add_value(
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
                    Err(CoreError::IdempotencyConflict {
                        version_id: existing.id.clone(),
                    })
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

    pub fn create_secret(&self, scope: &Scope, new: NewSecret) -> CoreResult<Written> {
        let now = self.now();
        self.write(|tx| {
            if let Some(existing) = self.find(tx, scope, SecretRef::Name(&new.name), now)? {
                let replay = new.version.value.as_ref().zip(new.version.id.as_deref());
                if let (None, Some((value, id))) = (existing.deletion, replay) {
                    if existing.version(id).is_some_and(|v| &v.value == value) {
                        return Ok(Written {
                            version_id: Some(id.to_owned()),
                            secret: existing,
                            replayed: true,
                        });
                    }
                }
                return Err(CoreError::AlreadyExists {
                    name: new.name,
                    pending_deletion: existing.deletion.is_some(),
                });
            }
            // A secret whose window has passed is purged before its name is reused.
            tx.delete_secret(scope, &new.name)?;
            let d = scope.cloud.dialect();
            let mut secret = Secret {
                secret_type: new
                    .secret_type
                    .unwrap_or_else(|| d.default_secret_type.to_owned()),
                description: new.description,
                kms_key_id: new.kms_key_id,
                tags: new.tags,
                policy: new.policy,
                rotation: new.rotation,
                extra: new.extra,
                ..Secret::new(
                    new.name,
                    self.random.uuid(),
                    self.random.alphanumeric(6),
                    now,
                )
            };
            // A schedule given at creation counts from the creation itself.
            if secret.rotation.enabled && secret.rotation.schedule.is_some() {
                secret.rotation.next_rotation =
                    rotation::next_due(&secret, secret.rotation.last_rotated, now);
            }
            let version_id = if new.version.value.is_some() {
                Some(self.add_value(scope, &mut secret, new.version, now)?.0)
            } else {
                None
            };
            tx.put_secret(scope, &secret)?;
            self.announce(tx, scope, Change::Created { secret: &secret }, now)?;
            Ok(Written {
                secret,
                version_id,
                replayed: false,
            })
        })
    }

    /// Adds a whole secret built elsewhere (a restored backup, a fixture) with its versions and
    /// labels as they are, after checking the dialect's label invariants. Refused when the name
    /// is taken.
    pub fn import_secret(&self, scope: &Scope, secret: Secret) -> CoreResult<Secret> {
        let now = self.now();
        labels::validate(&secret, scope.cloud.dialect())?;
        self.write(|tx| {
            if let Some(existing) = self.find(tx, scope, SecretRef::Name(&secret.name), now)? {
                return Err(CoreError::AlreadyExists {
                    name: secret.name.clone(),
                    pending_deletion: existing.deletion.is_some(),
                });
            }
            tx.delete_secret(scope, &secret.name)?;
            tx.put_secret(scope, &secret)?;
            self.announce(tx, scope, Change::Created { secret: &secret }, now)?;
            Ok(secret.clone())
        })
    }

    /// Adds secrets and records built elsewhere (a fixture file, an export) in one
    /// transaction: all of them or, when any item is refused, none. Each secret must satisfy
    /// [`check_imported`]; a taken name is refused unless `replace`, and a name may appear
    /// only once per scope. The error names the index of the item refused.
    pub fn import_all(&self, items: &[Import], replace: bool) -> Result<(), (usize, CoreError)> {
        let now = self.now();
        for (i, item) in items.iter().enumerate() {
            if let Import::Secret { scope, secret } = item {
                check_imported(secret, scope.cloud.dialect()).map_err(|e| (i, e))?;
            }
        }
        let mut failed = None;
        let result = self.write(|tx| {
            let mut seen = std::collections::HashSet::new();
            for (i, item) in items.iter().enumerate() {
                failed = Some(i);
                match item {
                    Import::Secret { scope, secret } => {
                        self.import_one(tx, scope, secret, replace, &mut seen, now)?
                    }
                    Import::Record {
                        scope,
                        kind,
                        key,
                        value,
                    } => tx.put_record(scope, kind, key, value)?,
                }
            }
            failed = None;
            Ok(())
        });
        result.map_err(|e| (failed.unwrap_or(0), e))
    }

    fn import_one(
        &self,
        tx: &mut dyn WriteTx,
        scope: &Scope,
        secret: &Secret,
        replace: bool,
        seen: &mut std::collections::HashSet<(Scope, String)>,
        now: Timestamp,
    ) -> CoreResult<()> {
        if !seen.insert((scope.clone(), secret.name.clone())) {
            return Err(CoreError::InvalidParameter(format!(
                "secret {} appears twice in {scope}",
                secret.name
            )));
        }
        if let Some(existing) = self.find(tx, scope, SecretRef::Name(&secret.name), now)? {
            if !replace {
                return Err(CoreError::AlreadyExists {
                    name: secret.name.clone(),
                    pending_deletion: existing.deletion.is_some(),
                });
            }
        }
        if let Some(other) = tx.secret_by_id(scope, &secret.id)? {
            if other.name != secret.name {
                return Err(CoreError::InvalidParameter(format!(
                    "secret id {} is already used by secret {} in {scope}",
                    secret.id, other.name
                )));
            }
        }
        tx.delete_secret(scope, &secret.name)?;
        tx.put_secret(scope, secret)?;
        self.announce(tx, scope, Change::Created { secret }, now)
    }

    /// The secret's metadata; `Access::AnyState` also shows one in its deletion window.
    pub fn describe(&self, scope: &Scope, r: SecretRef<'_>, access: Access) -> CoreResult<Secret> {
        let now = self.now();
        self.read(|tx| self.load(tx, scope, r, access, now))
    }

    /// Every secret of the scope, those in their deletion window included.
    pub fn list(&self, scope: &Scope) -> CoreResult<Vec<Secret>> {
        let now = self.now();
        let mut all = self.read(|tx| tx.secrets(scope))?;
        all.retain(|s| s.deletion.is_none_or(|d| d.purge_at > now));
        Ok(all)
    }

    /// Reads one version. The access time (of the secret and of the version) is kept per day,
    /// as AWS reports it, so most reads write nothing.
    pub fn get_value(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        selector: &Selector,
    ) -> CoreResult<(Secret, Version)> {
        let now = self.now();
        let d = scope.cloud.dialect();
        let secret = self.read(|tx| self.load(tx, scope, r, Access::Live, now))?;
        let version = match selector {
            Selector::Label(l) => secret
                .holder(l)
                .ok_or_else(|| CoreError::LabelNotFound { label: l.clone() })?,
            Selector::Id(id) => secret
                .version(id)
                .ok_or_else(|| CoreError::VersionNotFound {
                    version_id: id.clone(),
                })?,
            Selector::IdWithLabel(id, l) => {
                let v = secret
                    .version(id)
                    .ok_or_else(|| CoreError::VersionNotFound {
                        version_id: id.clone(),
                    })?;
                if !v.has_label(l) {
                    return Err(CoreError::VersionLabelMismatch {
                        version_id: id.clone(),
                        label: l.clone(),
                    });
                }
                v
            }
            Selector::Latest => secret
                .versions
                .iter()
                .max_by_key(|v| v.created)
                .ok_or_else(|| CoreError::LabelNotFound {
                    label: d.current.to_owned(),
                })?,
        }
        .clone();
        if secret.rotation.reserved.as_deref() == Some(version.id.as_str()) {
            return Err(match selector {
                Selector::Label(l) => CoreError::LabelNotFound { label: l.clone() },
                _ => CoreError::VersionNotFound {
                    version_id: version.id,
                },
            });
        }
        let day = access_day(now);
        if secret.last_accessed != Some(day) || version.last_accessed != Some(day) {
            let (name, id) = (secret.name.clone(), version.id.clone());
            self.write(|tx| {
                if let Some(mut s) = tx.secret(scope, &name)? {
                    mark_accessed(&mut s, &id, day);
                    tx.put_secret(scope, &s)?;
                }
                Ok(())
            })?;
        }
        Ok((secret, version))
    }

    /// Adds a version (PutSecretValue / create version). Idempotent on the caller's id.
    pub fn put_value(&self, scope: &Scope, r: SecretRef<'_>, v: NewVersion) -> CoreResult<Written> {
        let now = self.now();
        self.write(|tx| {
            let mut secret = self.load(tx, scope, r, Access::Live, now)?;
            let (id, replayed) = self.add_value(scope, &mut secret, v, now)?;
            if !replayed {
                tx.put_secret(scope, &secret)?;
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

    /// Changes metadata with `f` and, when `value` is given, adds a version, all in one
    /// transaction (AWS UpdateSecret). A value that replays an earlier version adds nothing.
    pub fn update(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        value: Option<NewVersion>,
        f: impl FnOnce(&mut Secret, &Ctx<'_>) -> CoreResult<()>,
    ) -> CoreResult<Written> {
        let now = self.now();
        self.write(|tx| {
            let mut secret = self.load(tx, scope, r, Access::Live, now)?;
            let ctx = Ctx {
                now,
                random: &self.random,
            };
            f(&mut secret, &ctx)?;
            secret.updated = now;
            let (version_id, replayed) = match value {
                Some(v) => {
                    let (id, replayed) = self.add_value(scope, &mut secret, v, now)?;
                    (Some(id), replayed)
                }
                None => (None, false),
            };
            labels::validate(&secret, scope.cloud.dialect())?;
            tx.put_secret(scope, &secret)?;
            if let (Some(id), false) = (&version_id, replayed) {
                let change = Change::VersionAdded {
                    secret: &secret,
                    version_id: id,
                };
                self.announce(tx, scope, change, now)?;
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
        self.modify(scope, r, Access::Live, |s, _| {
            labels::update_stage(s, scope.cloud.dialect(), label, move_to, remove_from)
        })
        .map(|(s, ())| s)
    }

    /// Changes a secret's metadata with `f` in one transaction; the change is kept only when
    /// `f` succeeds. Refuses secrets in their deletion window unless `access` allows them.
    pub fn modify<R>(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        access: Access,
        f: impl FnOnce(&mut Secret, &Ctx<'_>) -> CoreResult<R>,
    ) -> CoreResult<(Secret, R)> {
        self.modify_then(scope, r, access, f, |_, _, _, _| Ok(()))
    }

    /// `modify`, then `then` with the changed secret inside the same transaction (to announce
    /// what happened).
    fn modify_then<R>(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        access: Access,
        f: impl FnOnce(&mut Secret, &Ctx<'_>) -> CoreResult<R>,
        then: impl FnOnce(&mut dyn WriteTx, &Secret, &R, Timestamp) -> CoreResult<()>,
    ) -> CoreResult<(Secret, R)> {
        let now = self.now();
        self.write(|tx| {
            let mut secret = self.load(tx, scope, r, access, now)?;
            let ctx = Ctx {
                now,
                random: &self.random,
            };
            let out = f(&mut secret, &ctx)?;
            secret.updated = now;
            labels::validate(&secret, scope.cloud.dialect())?;
            tx.put_secret(scope, &secret)?;
            then(tx, &secret, &out, now)?;
            Ok((secret, out))
        })
    }

    /// Changes several secrets with `f` in one transaction (multi-resource tagging): every
    /// change is kept or, when any secret is missing or `f` fails, none. A secret named twice
    /// is changed twice.
    pub fn modify_each<R>(
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
                let mut secret = self.load(tx, scope, *r, access, now)?;
                let res = f(&mut secret, &ctx)?;
                secret.updated = now;
                labels::validate(&secret, scope.cloud.dialect())?;
                tx.put_secret(scope, &secret)?;
                out.push((secret, res));
            }
            Ok(out)
        })
    }

    /// Schedules deletion after a recovery window (in days, within the dialect's range).
    pub fn schedule_deletion(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        window_days: Option<u32>,
    ) -> CoreResult<Secret> {
        let d = scope.cloud.dialect();
        let days = window_days.unwrap_or(d.default_recovery_window_days);
        let (lo, hi) = d.recovery_window_days;
        if !(lo..=hi).contains(&days) {
            return Err(CoreError::InvalidParameter(format!(
                "the recovery window must be between {lo} and {hi} days"
            )));
        }
        self.modify_then(
            scope,
            r,
            Access::Live,
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
            let mut s = self.load(tx, scope, r, Access::AnyState, now)?;
            tx.delete_secret(scope, &s.name)?;
            s.deletion.get_or_insert(Deletion {
                deleted_at: now,
                purge_at: now,
            });
            self.announce(tx, scope, Change::Deleted { secret: &s }, now)?;
            Ok(s)
        })
    }

    /// Cancels a scheduled deletion; a secret not scheduled is returned unchanged.
    pub fn restore(&self, scope: &Scope, r: SecretRef<'_>) -> CoreResult<Secret> {
        self.modify(scope, r, Access::AnyState, |s, _| {
            s.deletion = None;
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
        self.write(|tx| {
            let mut secret = self.load(tx, scope, r, Access::Live, now)?;
            if let Some(existing) = req.version_id.as_deref().and_then(|id| secret.version(id)) {
                return Ok(Written {
                    version_id: Some(existing.id.clone()),
                    secret,
                    replayed: true,
                });
            }
            if let Some(configure) = req.configure {
                configure(&mut secret.rotation);
                secret.rotation.next_rotation =
                    rotation::next_due(&secret, secret.rotation.last_rotated, now);
            }
            if req.require_function && secret.rotation.function.is_none() {
                return Err(CoreError::RotationFunctionMissing { name: secret.name });
            }
            if !req.immediately {
                secret.updated = now;
                tx.put_secret(scope, &secret)?;
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
            tx.put_secret(scope, &secret)?;
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
            let id = self.assign_version_id(scope, s, version_id)?;
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

    pub fn reset(&self, filter: &ResetFilter) -> CoreResult<()> {
        self.write(|tx| tx.reset(filter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStorage;
    use crate::{Cloud, RotationState, Schedule};

    fn service() -> Service {
        Service::new(
            Arc::new(MemoryStorage::new()),
            Arc::new(Clock::new()),
            Arc::new(Random::seeded(42)),
        )
    }

    fn aws() -> Scope {
        Scope::new(Cloud::Aws, "000000000000", "us-east-1")
    }

    fn text(s: &str) -> Option<SecretValue> {
        Some(SecretValue::Text(s.into()))
    }

    fn create(
        svc: &Service,
        scope: &Scope,
        name: &str,
        token: Option<&str>,
        value: &str,
    ) -> Written {
        svc.create_secret(
            scope,
            NewSecret {
                name: name.into(),
                version: NewVersion {
                    id: token.map(str::to_owned),
                    value: text(value),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn scopes_are_isolated() {
        let svc = service();
        create(&svc, &aws(), "db", None, "v");
        for other in [
            Scope::new(Cloud::Aws, "111111111111", "us-east-1"),
            Scope::new(Cloud::Aws, "000000000000", "eu-west-1"),
            Scope::new(Cloud::Alibaba, "000000000000", "us-east-1"),
        ] {
            assert!(matches!(
                svc.describe(&other, SecretRef::Name("db"), Access::AnyState),
                Err(CoreError::SecretNotFound { .. })
            ));
            assert!(svc.list(&other).unwrap().is_empty());
        }
        assert_eq!(svc.list(&aws()).unwrap().len(), 1);
    }

    #[test]
    fn create_is_idempotent_on_token_and_value() {
        let svc = service();
        let first = create(&svc, &aws(), "db", Some("t1"), "v");
        assert!(!first.replayed);
        assert_eq!(first.version_id.as_deref(), Some("t1"));
        let again = svc
            .create_secret(
                &aws(),
                NewSecret {
                    name: "db".into(),
                    version: NewVersion {
                        id: Some("t1".into()),
                        value: text("v"),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(again.replayed);
        assert_eq!(again.secret.arn_suffix, first.secret.arn_suffix);
        let other = svc.create_secret(
            &aws(),
            NewSecret {
                name: "db".into(),
                version: NewVersion {
                    id: Some("t1".into()),
                    value: text("different"),
                    ..Default::default()
                },
                ..Default::default()
            },
        );
        assert_eq!(
            other,
            Err(CoreError::AlreadyExists {
                name: "db".into(),
                pending_deletion: false
            })
        );
    }

    #[test]
    fn put_value_idempotency_table() {
        let svc = service();
        create(&svc, &aws(), "db", Some("t1"), "one");
        type Want = Result<(bool, &'static str), CoreError>;
        let cases: Vec<(&str, &str, Want)> = vec![
            ("t2", "two", Ok((false, "t2"))),
            ("t2", "two", Ok((true, "t2"))),
            (
                "t2",
                "other",
                Err(CoreError::IdempotencyConflict {
                    version_id: "t2".into(),
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
    fn get_value_selectors() {
        let svc = service();
        create(&svc, &aws(), "db", Some("t1"), "one");
        let r = SecretRef::Name("db");
        let cases: Vec<(Selector, Result<&str, CoreError>)> = vec![
            (Selector::Label("AWSCURRENT".into()), Ok("t1")),
            (Selector::Id("t1".into()), Ok("t1")),
            (Selector::Latest, Ok("t1")),
            (
                Selector::IdWithLabel("t1".into(), "AWSCURRENT".into()),
                Ok("t1"),
            ),
            (
                Selector::IdWithLabel("t1".into(), "AWSPENDING".into()),
                Err(CoreError::VersionLabelMismatch {
                    version_id: "t1".into(),
                    label: "AWSPENDING".into(),
                }),
            ),
            (
                Selector::Id("nope".into()),
                Err(CoreError::VersionNotFound {
                    version_id: "nope".into(),
                }),
            ),
            (
                Selector::Label("AWSPREVIOUS".into()),
                Err(CoreError::LabelNotFound {
                    label: "AWSPREVIOUS".into(),
                }),
            ),
        ];
        for (sel, want) in cases {
            let got = svc.get_value(&aws(), r, &sel).map(|(_, v)| v.id);
            assert_eq!(got, want.map(str::to_owned), "{sel:?}");
        }
        let s = svc.describe(&aws(), r, Access::Live).unwrap();
        assert!(s.last_accessed.is_some());
    }

    #[test]
    fn arn_tails_resolve_by_suffix() {
        let svc = service();
        let w = create(&svc, &aws(), "app-db", None, "v");
        let tail = format!("app-db-{}", w.secret.arn_suffix);
        for r in [
            SecretRef::NameOrSuffixed("app-db"),
            SecretRef::NameOrSuffixed(&tail),
            SecretRef::Id(&w.secret.id),
        ] {
            assert_eq!(
                svc.describe(&aws(), r, Access::Live).unwrap().name,
                "app-db"
            );
        }
        assert!(svc
            .describe(
                &aws(),
                SecretRef::NameOrSuffixed("app-db-XXXXXX"),
                Access::Live
            )
            .is_err());
    }

    #[test]
    fn complete_arn_tails_need_name_and_suffix() {
        let svc = service();
        // A name that itself ends like a suffix is only found with its own suffix.
        let w = create(&svc, &aws(), "app-a1b2c3", None, "v");
        let suffix = w.secret.arn_suffix.clone();
        let found = svc.describe(
            &aws(),
            SecretRef::NameWithSuffix("app-a1b2c3", &suffix),
            Access::Live,
        );
        assert_eq!(found.unwrap().name, "app-a1b2c3");
        for r in [
            SecretRef::NameWithSuffix("app", "a1b2c3"),
            SecretRef::NameWithSuffix("app-a1b2c3", "zzzzzz"),
        ] {
            assert_eq!(
                svc.describe(&aws(), r, Access::Live).map(|s| s.name),
                Err(not_found(r))
            );
        }
    }

    #[test]
    fn reads_mark_the_secret_and_the_version_accessed() {
        let svc = service();
        create(&svc, &aws(), "db", Some("t1"), "one");
        let r = SecretRef::Name("db");
        svc.put_value(
            &aws(),
            r,
            NewVersion {
                id: Some("t2".into()),
                value: text("two"),
                ..Default::default()
            },
        )
        .unwrap();
        svc.get_value(&aws(), r, &Selector::Id("t1".into()))
            .unwrap();
        let s = svc.describe(&aws(), r, Access::Live).unwrap();
        let day = s.last_accessed.expect("secret accessed");
        assert_eq!(day.millis() % 86_400_000, 0);
        assert_eq!(s.version("t1").unwrap().last_accessed, Some(day));
        assert_eq!(s.version("t2").unwrap().last_accessed, None);
        // A read of the other version on the same day marks it too.
        svc.get_value(&aws(), r, &Selector::Label("AWSCURRENT".into()))
            .unwrap();
        let s = svc.describe(&aws(), r, Access::Live).unwrap();
        assert_eq!(s.version("t2").unwrap().last_accessed, Some(day));
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
            .update(
                &aws(),
                r,
                Some(NewVersion {
                    id: Some("t2".into()),
                    value: text("two"),
                    ..Default::default()
                }),
                |s, _| {
                    s.description = Some("d".into());
                    Ok(())
                },
            )
            .unwrap();
        assert_eq!(w.version_id.as_deref(), Some("t2"));
        assert_eq!(w.secret.description.as_deref(), Some("d"));
        assert_eq!(w.secret.holder_id("AWSCURRENT"), Some("t2"));
        // A conflicting value rolls the metadata change back.
        let err = svc.update(
            &aws(),
            r,
            Some(NewVersion {
                id: Some("t2".into()),
                value: text("other"),
                ..Default::default()
            }),
            |s, _| {
                s.description = Some("lost".into());
                Ok(())
            },
        );
        assert_eq!(
            err.map(|w| w.version_id),
            Err(CoreError::IdempotencyConflict {
                version_id: "t2".into()
            })
        );
        let s = svc.describe(&aws(), r, Access::Live).unwrap();
        assert_eq!(s.description.as_deref(), Some("d"));
        // Metadata alone adds no version; a replayed value is reported as such.
        let w = svc.update(&aws(), r, None, |_, _| Ok(())).unwrap();
        assert_eq!((w.version_id, w.replayed), (None, false));
        let w = svc
            .update(
                &aws(),
                r,
                Some(NewVersion {
                    id: Some("t2".into()),
                    value: text("two"),
                    ..Default::default()
                }),
                |_, _| Ok(()),
            )
            .unwrap();
        assert!(w.replayed);
        assert_eq!(w.secret.versions.len(), 2);
    }

    #[test]
    fn deletion_lifecycle() {
        let svc = service();
        create(&svc, &aws(), "db", None, "v");
        let r = SecretRef::Name("db");
        assert!(matches!(
            svc.schedule_deletion(&aws(), r, Some(6)),
            Err(CoreError::InvalidParameter(_))
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
        let configure = |rot: &mut Rotation| {
            rot.enabled = true;
            rot.function = Some("arn:aws:lambda:us-east-1:000000000000:function:f".into());
            rot.schedule = Some(Schedule::Every { seconds: 86_400 });
        };
        // Without a function the request is refused and nothing changes.
        let refused = svc.rotate(
            &aws(),
            r,
            RotateRequest {
                version_id: Some("t2".into()),
                configure: None,
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
                    configure: Some(&configure),
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
                    configure: None,
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

    #[test]
    fn rotation_limit_is_exact_under_concurrency() {
        let svc = Arc::new(service());
        let scope = Scope::new(Cloud::Alibaba, "1234567890123456", "cn-hangzhou");
        svc.create_secret(
            &scope,
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
                            configure: None,
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
                    configure: None,
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
                    configure: None,
                    require_function: false,
                    immediately: true,
                    generate: &|_, r| Ok(SecretValue::Text(r.alphanumeric(8))),
                },
            )
            .is_ok());
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

    /// Records every change it is told of as a storage record, and refuses on demand.
    struct Recorder {
        refuse: bool,
    }

    impl Observer for Recorder {
        fn changed(
            &self,
            tx: &mut dyn WriteTx,
            scope: &Scope,
            change: &Change<'_>,
            ctx: &Ctx<'_>,
        ) -> CoreResult<()> {
            if self.refuse {
                return Err(CoreError::InvalidParameter("observer refused".into()));
            }
            let what = match change {
                Change::Created { .. } => "created".to_owned(),
                Change::VersionAdded { version_id, .. } => format!("added {version_id}"),
                Change::Rotated { version_id, .. } => format!("rotated {version_id}"),
                Change::RotationFailed {
                    version_id, error, ..
                } => format!("failed {version_id}: {error}"),
                Change::VersionExpired { version_id, .. } => format!("expired {version_id}"),
                Change::DeletionScheduled { .. } => "scheduled".to_owned(),
                Change::Deleted { .. } => "deleted".to_owned(),
            };
            let n = tx.records(scope, "change")?.len();
            let entry = serde_json::json!({
                "secret": change.secret().name,
                "what": what,
                "at": ctx.now.millis(),
            });
            tx.put_record(scope, "change", &format!("{n:04}"), &entry)
        }
    }

    fn changes(svc: &Service, scope: &Scope) -> Vec<String> {
        svc.read(|tx| tx.records(scope, "change"))
            .unwrap()
            .into_iter()
            .map(|(_, v)| {
                format!(
                    "{} {}",
                    v["secret"].as_str().unwrap(),
                    v["what"].as_str().unwrap()
                )
            })
            .collect()
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
                configure: None,
                require_function: false,
                immediately: true,
                generate: &|_, rnd| Ok(SecretValue::Text(rnd.alphanumeric(8))),
            },
        )
        .unwrap();
        let (_, id) = svc.rotation_begin(&hw, r, None).unwrap();
        svc.rotation_end(
            &hw,
            r,
            &id,
            Err((RotationStep::SetSecret, "db down".into())),
        )
        .unwrap();
        svc.update(
            &hw,
            r,
            Some(NewVersion {
                value: text("five"),
                ..Default::default()
            }),
            |s, _| {
                s.description = Some("d".into());
                Ok(())
            },
        )
        .unwrap();
        svc.update(&hw, r, None, |_, _| Ok(())).unwrap();
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
                "db added v5",
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
    fn import_keeps_versions_and_refuses_taken_names() {
        let svc = service();
        let hw = Scope::new(Cloud::Huawei, "0123456789abcdef0123456789abcdef", "r");
        let mut w = create(&svc, &hw, "db", None, "one").secret;
        svc.put_value(
            &hw,
            SecretRef::Name("db"),
            NewVersion {
                value: text("two"),
                ..Default::default()
            },
        )
        .unwrap();
        let full = svc
            .describe(&hw, SecretRef::Name("db"), Access::Live)
            .unwrap();
        assert!(matches!(
            svc.import_secret(&hw, full.clone()),
            Err(CoreError::AlreadyExists { .. })
        ));
        svc.force_delete(&hw, SecretRef::Name("db")).unwrap();
        let back = svc.import_secret(&hw, full.clone()).unwrap();
        assert_eq!(back, full);
        assert_eq!(
            svc.describe(&hw, SecretRef::Name("db"), Access::Live)
                .unwrap()
                .holder_id("SYSPREVIOUS"),
            Some("v1")
        );
        // A secret that breaks the label invariants is refused.
        w.name = "broken".into();
        w.versions[0].labels = vec!["SYSCURRENT".into()];
        let mut twin = w.versions[0].clone();
        twin.id = "v9".into();
        w.versions.push(twin);
        assert!(matches!(
            svc.import_secret(&hw, w),
            Err(CoreError::InvalidParameter(_))
        ));
    }

    fn imported(scope: &Scope, name: &str, versions: &[(&str, &[&str])]) -> Import {
        Import::Secret {
            scope: scope.clone(),
            secret: Box::new(Secret {
                version_seq: versions.len() as u64,
                versions: versions
                    .iter()
                    .map(|(id, labels)| {
                        Version::new(
                            *id,
                            SecretValue::Text(format!("value-{id}")),
                            Timestamp::from_secs(0),
                            labels.iter().map(|l| (*l).to_owned()).collect(),
                        )
                    })
                    .collect(),
                ..Secret::new(
                    name,
                    format!("id-{name}"),
                    "AbC123",
                    Timestamp::from_secs(0),
                )
            }),
        }
    }

    #[test]
    fn import_all_is_one_transaction() {
        let svc = service();
        let hw = Scope::new(Cloud::Huawei, "p", "r");
        let good = imported(&aws(), "a", &[("t1", &["AWSCURRENT"])]);
        let record = Import::Record {
            scope: hw.clone(),
            kind: "k".into(),
            key: "x".into(),
            value: serde_json::json!({"n": 1}),
        };
        // The third item breaks a rule: nothing of the batch is kept.
        let twice = imported(&aws(), "b", &[("t1", &["AWSCURRENT", "AWSCURRENT"])]);
        let batch = vec![good.clone(), record.clone(), twice];
        assert!(matches!(
            svc.import_all(&batch, false),
            Err((2, CoreError::InvalidParameter(_)))
        ));
        // A rule only the transaction sees (a name taken in the batch itself) rolls back too.
        let batch = vec![good.clone(), record.clone(), good.clone()];
        let (at, e) = svc.import_all(&batch, false).unwrap_err();
        assert_eq!(at, 2);
        assert!(e.to_string().contains("appears twice"), "{e}");
        assert!(svc.list(&aws()).unwrap().is_empty());
        assert!(svc.read(|tx| tx.records(&hw, "k")).unwrap().is_empty());

        svc.import_all(&[good.clone(), record], false).unwrap();
        assert_eq!(svc.list(&aws()).unwrap().len(), 1);
        assert_eq!(svc.read(|tx| tx.records(&hw, "k")).unwrap().len(), 1);
        assert!(matches!(
            svc.import_all(std::slice::from_ref(&good), false),
            Err((0, CoreError::AlreadyExists { .. }))
        ));
        let newer = imported(&aws(), "a", &[("t2", &["AWSCURRENT"])]);
        svc.import_all(&[newer], true).unwrap();
        let s = svc
            .describe(&aws(), SecretRef::Name("a"), Access::Live)
            .unwrap();
        assert_eq!(s.holder_id("AWSCURRENT"), Some("t2"));
        // Another secret may not take an id that is in use.
        let Import::Secret { mut secret, scope } = imported(&aws(), "c", &[]) else {
            unreachable!()
        };
        secret.id = "id-a".into();
        let (_, e) = svc
            .import_all(&[Import::Secret { scope, secret }], false)
            .unwrap_err();
        assert!(e.to_string().contains("already used by secret a"), "{e}");
    }

    #[test]
    fn imported_secrets_follow_the_model_rules() {
        let hw = Scope::new(Cloud::Huawei, "p", "r");
        let check = |item: Import| match item {
            Import::Secret { scope, secret } => {
                check_imported(&secret, scope.cloud.dialect()).map_err(|e| e.to_string())
            }
            Import::Record { .. } => unreachable!(),
        };
        assert!(check(imported(&aws(), "empty", &[])).is_ok());
        let Import::Secret { mut secret, .. } =
            imported(&hw, "s", &[("v1", &[]), ("v3", &["SYSCURRENT"])])
        else {
            unreachable!()
        };
        secret.version_seq = 3;
        assert_eq!(check_imported(&secret, &crate::dialect::HUAWEI), Ok(()));
        let cases: Vec<(Import, &str)> = vec![
            (
                imported(&aws(), "s", &[("t1", &["AWSPREVIOUS"])]),
                "no version has the label AWSCURRENT",
            ),
            (
                imported(&hw, "s", &[("v2", &[]), ("v1", &["SYSCURRENT"])]),
                "version id v1 is not one the service assigns",
            ),
            (
                imported(&hw, "s", &[("x1", &["SYSCURRENT"])]),
                "version id x1",
            ),
            (
                imported(&hw, "s", &[("v01", &["SYSCURRENT"])]),
                "version id v01",
            ),
        ];
        for (item, want) in cases {
            let got = check(item).unwrap_err();
            assert!(got.contains(want), "{got} / {want}");
        }
        let Import::Secret { mut secret, .. } = imported(&hw, "s", &[("v2", &["SYSCURRENT"])])
        else {
            unreachable!()
        };
        secret.version_seq = 1;
        assert!(check_imported(&secret, &crate::dialect::HUAWEI).is_err());
        secret.version_seq = 2;
        secret.deletion = Some(Deletion {
            deleted_at: Timestamp::from_secs(10),
            purge_at: Timestamp::from_secs(10),
        });
        assert!(check_imported(&secret, &crate::dialect::HUAWEI).is_err());
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
