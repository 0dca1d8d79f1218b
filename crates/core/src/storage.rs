//! What the model needs from persistence. The store crate implements it on SQLite; every
//! service operation runs inside one `write` (or `read`) call, which is one transaction.

use crate::listing::{ListPage, ListQuery};
use crate::{Cloud, CoreResult, Scope, Secret, Timestamp};
use serde_json::Value;

/// What falls due at a time: the scheduler's work list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DueKind {
    Purge,
    Rotation,
    /// A version's expiry time (Huawei `expire_time`) passed: announced once.
    Expiry,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub scope: Scope,
    pub name: String,
    pub at: Timestamp,
    pub kind: DueKind,
}

/// Which state a reset clears.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResetFilter {
    pub cloud: Option<Cloud>,
    pub tenant: Option<String>,
}

impl ResetFilter {
    pub fn matches(&self, scope: &Scope) -> bool {
        self.cloud.is_none_or(|c| c == scope.cloud)
            && self.tenant.as_deref().is_none_or(|t| t == scope.tenant)
    }
}

/// Which of a secret's versions a read loads: reading one value need not decode the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versions<'a> {
    All,
    /// Only the version holding this label, if any.
    Labelled(&'a str),
    /// Only the version with this id, if any.
    Id(&'a str),
    /// The versions holding a label, as their ids and labels only (a stage map, as listings
    /// show it): values are left empty and times unset.
    Stages,
    /// What a write changes: the versions holding a label and those with these ids, whole;
    /// the secret records which it holds ([`Secret::loaded`]).
    Changing(&'a [&'a str]),
}

impl Versions<'_> {
    /// `s` with only the versions this asks for.
    pub fn keep(self, mut s: Secret) -> Secret {
        match self {
            Self::All => {}
            Self::Labelled(l) => s.versions.retain(|v| v.has_label(l)),
            Self::Id(id) => s.versions.retain(|v| v.id == id),
            Self::Changing(ids) => {
                s.versions
                    .retain(|v| !v.labels.is_empty() || ids.contains(&v.id.as_str()));
                s.loaded = Some(s.versions.iter().map(|v| v.id.clone()).collect());
            }
            Self::Stages => {
                s.versions.retain(|v| !v.labels.is_empty());
                for v in &mut s.versions {
                    *v = stage(std::mem::take(&mut v.id), std::mem::take(&mut v.labels));
                }
            }
        }
        s
    }
}

/// A version as [`Versions::Stages`] loads it.
pub fn stage(id: String, labels: Vec<String>) -> crate::Version {
    crate::Version::new(
        id,
        crate::SecretValue::Text(String::new()),
        crate::Timestamp::from_millis(0),
        labels,
    )
}

pub trait ReadTx {
    fn secret(&self, scope: &Scope, name: &str) -> CoreResult<Option<Secret>>;
    fn secret_by_id(&self, scope: &Scope, id: &str) -> CoreResult<Option<Secret>>;
    /// [`ReadTx::secret`] with only some of its versions.
    fn secret_with(
        &self,
        scope: &Scope,
        name: &str,
        versions: Versions<'_>,
    ) -> CoreResult<Option<Secret>> {
        Ok(self.secret(scope, name)?.map(|s| versions.keep(s)))
    }
    /// [`ReadTx::secret_by_id`] with only some of its versions.
    fn secret_by_id_with(
        &self,
        scope: &Scope,
        id: &str,
        versions: Versions<'_>,
    ) -> CoreResult<Option<Secret>> {
        Ok(self.secret_by_id(scope, id)?.map(|s| versions.keep(s)))
    }
    /// Every secret of the scope, by name.
    fn secrets(&self, scope: &Scope) -> CoreResult<Vec<Secret>>;
    /// One page of the scope's secrets as of `now`, as [`crate::listing::page_of`] answers it.
    fn page(&self, scope: &Scope, query: &ListQuery<'_>, now: Timestamp) -> CoreResult<ListPage>;
    /// How many secrets the store holds, in every scope and state.
    fn count(&self) -> CoreResult<usize>;
    /// Every scope that holds a secret or a record, optionally of one cloud.
    fn scopes(&self, cloud: Option<Cloud>) -> CoreResult<Vec<Scope>>;
    /// Purges, rotations and version expiries due at or before `until`, earliest first.
    fn due(&self, until: Timestamp) -> CoreResult<Vec<Due>>;
    /// The earliest purge, rotation or expiry time, for the scheduler's sleep.
    fn next_due(&self) -> CoreResult<Option<Timestamp>>;
    /// Auxiliary records of a kind (rotation tasks, event subscriptions…), by key.
    fn records(&self, scope: &Scope, kind: &str) -> CoreResult<Vec<(String, Value)>>;
    fn record(&self, scope: &Scope, kind: &str, key: &str) -> CoreResult<Option<Value>>;
    /// Server-wide settings that must survive a restart (the clock offset).
    fn setting(&self, key: &str) -> CoreResult<Option<String>>;
}

pub trait WriteTx: ReadTx {
    /// Inserts or replaces the secret (versions included; only those it was loaded with and
    /// new ones when [`Secret::loaded`] says so).
    fn put_secret(&mut self, scope: &Scope, secret: &Secret) -> CoreResult<()>;
    /// Removes the oldest versions without a label beyond the `keep` newest of them: a cap the
    /// core enforces on a secret it changed without loading every version.
    fn trim_unlabelled(&mut self, scope: &Scope, name: &str, keep: usize) -> CoreResult<()>;
    fn delete_secret(&mut self, scope: &Scope, name: &str) -> CoreResult<()>;
    fn put_record(&mut self, scope: &Scope, kind: &str, key: &str, value: &Value)
        -> CoreResult<()>;
    fn delete_record(&mut self, scope: &Scope, kind: &str, key: &str) -> CoreResult<()>;
    fn reset(&mut self, filter: &ResetFilter) -> CoreResult<()>;
    fn set_setting(&mut self, key: &str, value: &str) -> CoreResult<()>;
}

/// A transactional store. `write` commits when the closure returns `Ok` and rolls back
/// otherwise; writes are serialised.
pub trait Storage: Send + Sync {
    fn read(&self, f: &mut dyn FnMut(&dyn ReadTx) -> CoreResult<()>) -> CoreResult<()>;
    fn write(&self, f: &mut dyn FnMut(&mut dyn WriteTx) -> CoreResult<()>) -> CoreResult<()>;
    /// `"memory"` or `"file"`.
    fn persistence(&self) -> &'static str;
    /// Whether reads run on connections of their own, never waiting for a write.
    fn reads_beside_writes(&self) -> bool {
        false
    }
}
