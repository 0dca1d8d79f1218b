//! A `Storage` in a mutex-guarded map: the reference the SQLite store is checked against
//! and the store of the model's own tests, and [`Service::in_memory`], the service on it.

use crate::listing::{page_of, ListPage, ListQuery};
use crate::storage::{Due, DueKind, ReadTx, ResetFilter, Storage, WriteTx};
use crate::{Clock, Cloud, CoreResult, Random, Scope, Secret, Service, Timestamp};
use parking_lot::Mutex;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
struct State {
    secrets: BTreeMap<(Scope, String), Secret>,
    records: BTreeMap<(Scope, String, String), Value>,
    settings: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
pub struct MemoryStorage {
    state: Mutex<State>,
}

impl MemoryStorage {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Service {
    /// The one way tests build a service: fresh memory storage, the clock at wall time with no
    /// offset, and `Random::seeded(seed)`, so their ids and values repeat from run to run.
    pub fn in_memory(seed: u64) -> Service {
        Service::new(
            Arc::new(MemoryStorage::new()),
            Arc::new(Clock::new()),
            Arc::new(Random::seeded(seed)),
        )
    }
}

impl ReadTx for State {
    fn secret(&self, scope: &Scope, name: &str) -> CoreResult<Option<Secret>> {
        Ok(self.secrets.get(&(scope.clone(), name.to_owned())).cloned())
    }

    fn secret_by_id(&self, scope: &Scope, id: &str) -> CoreResult<Option<Secret>> {
        Ok(self
            .secrets
            .iter()
            .find(|((s, _), v)| s == scope && v.id == id)
            .map(|(_, v)| v.clone()))
    }

    fn secrets(&self, scope: &Scope) -> CoreResult<Vec<Secret>> {
        Ok(self
            .secrets
            .iter()
            .filter(|((s, _), _)| s == scope)
            .map(|(_, v)| v.clone())
            .collect())
    }

    fn page(&self, scope: &Scope, query: &ListQuery<'_>, now: Timestamp) -> CoreResult<ListPage> {
        Ok(page_of(self.secrets(scope)?, query, now))
    }

    fn count(&self) -> CoreResult<usize> {
        Ok(self.secrets.len())
    }

    fn scopes(&self, cloud: Option<Cloud>) -> CoreResult<Vec<Scope>> {
        let mut out: Vec<Scope> = self
            .secrets
            .keys()
            .map(|(s, _)| s.clone())
            .chain(self.records.keys().map(|(s, _, _)| s.clone()))
            .filter(|s| cloud.is_none_or(|c| c == s.cloud))
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    fn due(&self, until: Timestamp) -> CoreResult<Vec<Due>> {
        let mut out: Vec<Due> = self
            .secrets
            .iter()
            .flat_map(|((scope, name), s)| due_items(scope, name, s))
            .filter(|d| d.at <= until)
            .collect();
        out.sort_by_key(|d| d.at);
        Ok(out)
    }

    fn next_due(&self) -> CoreResult<Option<Timestamp>> {
        Ok(self
            .secrets
            .iter()
            .flat_map(|((scope, name), s)| due_items(scope, name, s))
            .map(|d| d.at)
            .min())
    }

    fn records(&self, scope: &Scope, kind: &str) -> CoreResult<Vec<(String, Value)>> {
        Ok(self
            .records
            .iter()
            .filter(|((s, k, _), _)| s == scope && k == kind)
            .map(|((_, _, key), v)| (key.clone(), v.clone()))
            .collect())
    }

    fn record(&self, scope: &Scope, kind: &str, key: &str) -> CoreResult<Option<Value>> {
        Ok(self
            .records
            .get(&(scope.clone(), kind.to_owned(), key.to_owned()))
            .cloned())
    }

    fn setting(&self, key: &str) -> CoreResult<Option<String>> {
        Ok(self.settings.get(key).cloned())
    }
}

/// The purge, rotation and expiry times a secret contributes to the schedule: a secret in its
/// deletion window only its purge.
pub fn due_items(scope: &Scope, name: &str, s: &Secret) -> Vec<Due> {
    let item = |at, kind| Due {
        scope: scope.clone(),
        name: name.to_owned(),
        at,
        kind,
    };
    if let Some(d) = s.deletion {
        return vec![item(d.purge_at, DueKind::Purge)];
    }
    let mut out = Vec::new();
    if let (true, Some(at)) = (s.rotation.enabled, s.rotation.next_rotation) {
        out.push(item(at, DueKind::Rotation));
    }
    if let Some(at) = s.next_expiry() {
        out.push(item(at, DueKind::Expiry));
    }
    out
}

impl WriteTx for State {
    fn put_secret(&mut self, scope: &Scope, secret: &Secret) -> CoreResult<()> {
        let key = (scope.clone(), secret.name.clone());
        let mut stored = secret.clone();
        if let Some(loaded) = stored.loaded.take() {
            // Those it was not loaded with stay as they are; new ones come after all.
            let mut given = std::mem::take(&mut stored.versions);
            let old = self.secrets.get(&key).map_or(&[][..], |o| &o.versions[..]);
            let mut versions = Vec::with_capacity(old.len() + 1);
            for v in old {
                if !loaded.contains(&v.id) {
                    versions.push(v.clone());
                } else if let Some(at) = given.iter().position(|g| g.id == v.id) {
                    versions.push(given.remove(at));
                }
            }
            versions.extend(given);
            stored.versions = versions;
        }
        self.secrets.insert(key, stored);
        Ok(())
    }

    fn trim_unlabelled(&mut self, scope: &Scope, name: &str, keep: usize) -> CoreResult<()> {
        if let Some(s) = self.secrets.get_mut(&(scope.clone(), name.to_owned())) {
            crate::labels::trim_unlabelled(s, keep);
        }
        Ok(())
    }

    fn delete_secret(&mut self, scope: &Scope, name: &str) -> CoreResult<()> {
        self.secrets.remove(&(scope.clone(), name.to_owned()));
        Ok(())
    }

    fn put_record(
        &mut self,
        scope: &Scope,
        kind: &str,
        key: &str,
        value: &Value,
    ) -> CoreResult<()> {
        self.records.insert(
            (scope.clone(), kind.to_owned(), key.to_owned()),
            value.clone(),
        );
        Ok(())
    }

    fn delete_record(&mut self, scope: &Scope, kind: &str, key: &str) -> CoreResult<()> {
        self.records
            .remove(&(scope.clone(), kind.to_owned(), key.to_owned()));
        Ok(())
    }

    fn reset(&mut self, filter: &ResetFilter) -> CoreResult<()> {
        self.secrets.retain(|(s, _), _| !filter.matches(s));
        self.records.retain(|(s, _, _), _| !filter.matches(s));
        Ok(())
    }

    fn set_setting(&mut self, key: &str, value: &str) -> CoreResult<()> {
        self.settings.insert(key.to_owned(), value.to_owned());
        Ok(())
    }
}

impl Storage for MemoryStorage {
    fn read(&self, f: &mut dyn FnMut(&dyn ReadTx) -> CoreResult<()>) -> CoreResult<()> {
        let state = self.state.lock();
        f(&*state)
    }

    fn write(&self, f: &mut dyn FnMut(&mut dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        let mut state = self.state.lock();
        // Work on a copy so a failed closure leaves nothing behind.
        let mut draft = state.clone();
        f(&mut draft)?;
        *state = draft;
        Ok(())
    }

    fn persistence(&self) -> &'static str {
        "memory"
    }
}
