//! Secrets read recently with one version or their stage map, kept decoded so a repeated
//! GetSecretValue or DescribeSecret skips SQLite and JSON. Every commit empties it; a read may
//! store what it read only if no commit ended since it began, so the cache never holds what
//! a committed write changed.

use localsecrets_core::storage::Versions;
use localsecrets_core::{Scope, Secret};
use parking_lot::Mutex;

/// Past this many bytes of values and metadata the cache starts over: it holds a working
/// set, not the database.
const MAX_BYTES: usize = 4 << 20;

/// Keyed by the lookup as asked (scope, by name or id, which version).
#[derive(Default)]
pub struct Hot {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Commits ended so far; a read remembers it at its start.
    epoch: u64,
    bytes: usize,
    entries: std::collections::HashMap<String, Secret>,
}

/// How a secret was looked up: its name or its id.
#[derive(Clone, Copy)]
pub enum By {
    Name,
    Id,
}

impl Hot {
    /// What a read beginning now remembers, before its first statement.
    pub fn epoch(&self) -> u64 {
        self.state.lock().epoch
    }

    /// The key of a lookup worth keeping: a read's partial loads only (a whole secret is a
    /// write's or a listing's business, and large; a write's own loads are never kept).
    pub fn key(scope: &Scope, by: By, key: &str, versions: Versions<'_>) -> Option<String> {
        let (kind, which) = match versions {
            Versions::Labelled(l) => ("l", l),
            Versions::Id(id) => ("v", id),
            Versions::Stages => ("s", ""),
            Versions::All | Versions::Changing(_) => return None,
        };
        let by = match by {
            By::Name => "n",
            By::Id => "i",
        };
        let parts = [
            scope.cloud.as_str(),
            &scope.tenant,
            &scope.region,
            by,
            key,
            kind,
            which,
        ];
        let mut k = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
        for p in parts {
            k.push_str(p);
            k.push('\0');
        }
        Some(k)
    }

    pub fn get(&self, key: &str) -> Option<Secret> {
        self.state.lock().entries.get(key).cloned()
    }

    /// Keeps `secret` (whose metadata is `meta` bytes as stored) unless a commit ended since
    /// `epoch`: it may be older than that commit.
    pub fn put(&self, epoch: u64, key: String, secret: &Secret, meta: usize) {
        let bytes = meta + secret.versions.iter().map(|v| v.value.len()).sum::<usize>();
        let mut s = self.state.lock();
        if s.epoch != epoch || bytes > MAX_BYTES / 16 {
            return;
        }
        if s.bytes + bytes > MAX_BYTES {
            s.entries.clear();
            s.bytes = 0;
        }
        s.bytes += bytes;
        s.entries.insert(key, secret.clone());
    }

    /// After a commit, before its writers hear of it.
    pub fn committed(&self) {
        let mut s = self.state.lock();
        s.epoch += 1;
        s.bytes = 0;
        s.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_core::Cloud;

    fn scope() -> Scope {
        Scope::new(Cloud::Aws, "000000000000", "us-east-1")
    }

    fn secret(name: &str) -> Secret {
        serde_json::from_value(serde_json::json!({
            "name": name, "id": name, "arn_suffix": "abcdef", "secret_type": "",
            "created": 0, "updated": 0
        }))
        .unwrap()
    }

    #[test]
    fn a_read_older_than_a_commit_is_not_kept() {
        let hot = Hot::default();
        let key = Hot::key(&scope(), By::Name, "db", Versions::Labelled("AWSCURRENT")).unwrap();
        let before = hot.epoch();
        hot.committed();
        hot.put(before, key.clone(), &secret("db"), 10);
        assert!(hot.get(&key).is_none());
        hot.put(hot.epoch(), key.clone(), &secret("db"), 10);
        assert_eq!(hot.get(&key).map(|s| s.name), Some("db".to_owned()));
        hot.committed();
        assert!(hot.get(&key).is_none());
    }

    #[test]
    fn only_partial_loads_are_kept_and_lookups_do_not_collide() {
        let s = scope();
        assert!(Hot::key(&s, By::Name, "db", Versions::All).is_none());
        let by_name = Hot::key(&s, By::Name, "x", Versions::Id("1")).unwrap();
        let by_id = Hot::key(&s, By::Id, "x", Versions::Id("1")).unwrap();
        let label = Hot::key(&s, By::Name, "x", Versions::Labelled("1")).unwrap();
        let stages = Hot::key(&s, By::Name, "x", Versions::Stages).unwrap();
        assert_ne!(by_name, by_id);
        assert_ne!(by_name, label);
        assert_ne!(label, stages);
        assert!(Hot::key(&s, By::Name, "x", Versions::Changing(&["1"])).is_none());
    }

    #[test]
    fn the_cache_starts_over_past_its_size() {
        let hot = Hot::default();
        let e = hot.epoch();
        let n = MAX_BYTES / (MAX_BYTES / 16);
        let keys: Vec<String> = (0..=n)
            .map(|i| Hot::key(&scope(), By::Name, &format!("s{i}"), Versions::Id("v")).unwrap())
            .collect();
        for k in &keys {
            hot.put(e, k.clone(), &secret("s"), MAX_BYTES / 16);
        }
        assert!(hot.get(&keys[0]).is_none());
        assert!(hot.get(&keys[n]).is_some());
        hot.put(e, keys[0].clone(), &secret("s"), MAX_BYTES);
        assert!(
            hot.get(&keys[0]).is_none(),
            "one entry never fills the cache"
        );
    }
}
