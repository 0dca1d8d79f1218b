//! Questions about the whole store rather than one secret: server settings, the scheduler's
//! due list, how many secrets exist and a consistent snapshot for export. Each is one
//! transaction, so no caller outside the core needs to hold one itself.

use super::Service;
use crate::listing::{ListOrder, ListQuery};
use crate::storage::Due;
use crate::{Cloud, CoreResult, Scope, Secret, Timestamp};
use serde_json::Value;

/// One item of a snapshot walk: a secret, or (after every secret) a record.
#[derive(Debug)]
pub enum SnapshotItem<'a> {
    Secret(&'a Scope, &'a Secret),
    Record {
        scope: &'a Scope,
        kind: &'a str,
        key: &'a str,
        value: &'a Value,
    },
}

/// Secrets a snapshot walk holds in memory at once.
const WALK_PAGE: usize = 128;

impl Service {
    /// The state [`Service::snapshot`] returns, handed to `visit` one item at a time inside
    /// the one read transaction: the secrets of each scope by name (those whose deletion
    /// window has ended left out), then the records. Only a page of secrets is in memory at
    /// once, so an export of any size costs little more than its largest secret. `visit`
    /// returns whether to go on; an `Err` from it ends the walk and is returned.
    pub fn walk_snapshot(
        &self,
        cloud: Option<Cloud>,
        record_kinds: &dyn Fn(Cloud) -> &'static [&'static str],
        visit: &mut dyn FnMut(SnapshotItem<'_>) -> CoreResult<bool>,
    ) -> CoreResult<()> {
        let now = self.now();
        self.read(|tx| {
            let mut scopes = tx.scopes(cloud)?;
            scopes.sort();
            for scope in &scopes {
                let mut query = ListQuery {
                    include_deleted: true,
                    ..ListQuery::new(ListOrder::Name, WALK_PAGE)
                };
                loop {
                    let page = tx.page(scope, &query, now)?;
                    for s in &page.secrets {
                        if !visit(SnapshotItem::Secret(scope, s))? {
                            return Ok(());
                        }
                    }
                    match page.next {
                        Some(p) => query.after = Some(p),
                        None => break,
                    }
                }
            }
            for scope in &scopes {
                for kind in record_kinds(scope.cloud) {
                    for (key, value) in tx.records(scope, kind)? {
                        let item = SnapshotItem::Record {
                            scope,
                            kind,
                            key: &key,
                            value: &value,
                        };
                        if !visit(item)? {
                            return Ok(());
                        }
                    }
                }
            }
            Ok(())
        })
    }

    /// Server-wide state (the clock offset, the rotation-function registry) must survive a
    /// restart, so it lives in the store beside the secrets.
    pub fn setting(&self, key: &str) -> CoreResult<Option<String>> {
        self.read(|tx| tx.setting(key))
    }

    /// The writing side of [`Service::setting`]: the server persists what it must find again
    /// after a restart.
    pub fn set_setting(&self, key: &str, value: &str) -> CoreResult<()> {
        self.write(|tx| tx.set_setting(key, value))
    }

    /// The scheduler sleeps until this time (and the admin API shows it), so it must not
    /// scan everything that is due to learn it.
    pub fn next_due(&self) -> CoreResult<Option<Timestamp>> {
        self.read(|tx| tx.next_due())
    }

    /// The scheduler's work list: purges, rotations and expiries it must run up to `until`,
    /// earliest first.
    pub fn due(&self, until: Timestamp) -> CoreResult<Vec<Due>> {
        self.read(|tx| tx.due(until))
    }

    /// Fixtures seed an empty state only, so start-up must know whether any secret (in any
    /// cloud, tenant or region, deletion window included) is already stored.
    pub fn secret_count(&self) -> CoreResult<usize> {
        self.read(|tx| tx.count())
    }
}

#[cfg(test)]
mod tests {
    use super::SnapshotItem;
    use crate::service::testkit::*;
    use crate::{CoreResult, Secret, Service};
    use serde_json::Value;

    /// One scope as a snapshot walk passed it: its secrets by name and the records of the
    /// kinds asked for, as `(kind, key, value)`.
    #[derive(Clone, Debug, PartialEq)]
    struct ScopeSnapshot {
        scope: Scope,
        secrets: Vec<Secret>,
        records: Vec<(String, String, Value)>,
    }

    /// The walk gathered by scope, in the order the walk first names each scope.
    fn snapshot(
        svc: &Service,
        cloud: Option<Cloud>,
        kinds: &dyn Fn(Cloud) -> &'static [&'static str],
    ) -> CoreResult<Vec<ScopeSnapshot>> {
        let mut out: Vec<ScopeSnapshot> = Vec::new();
        svc.walk_snapshot(cloud, kinds, &mut |item| {
            let scope = match &item {
                SnapshotItem::Secret(scope, _) | SnapshotItem::Record { scope, .. } => *scope,
            };
            let at = match out.iter().position(|s| &s.scope == scope) {
                Some(i) => i,
                None => {
                    out.push(ScopeSnapshot {
                        scope: scope.clone(),
                        secrets: Vec::new(),
                        records: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            match item {
                SnapshotItem::Secret(_, s) => out[at].secrets.push(s.clone()),
                SnapshotItem::Record {
                    kind, key, value, ..
                } => out[at]
                    .records
                    .push((kind.to_owned(), key.to_owned(), value.clone())),
            }
            Ok(true)
        })?;
        Ok(out)
    }
    use crate::service::SecretRef;
    use crate::storage::DueKind;
    use crate::{Cloud, Scope, Timestamp};
    use serde_json::json;

    fn huawei() -> Scope {
        Scope::new(
            Cloud::Huawei,
            "0123456789abcdef0123456789abcdef",
            "cn-north-4",
        )
    }

    #[test]
    fn settings_are_kept_and_replaced() {
        let svc = service();
        assert_eq!(svc.setting("clock_offset_ms").unwrap(), None);
        svc.set_setting("clock_offset_ms", "5").unwrap();
        svc.set_setting("other", "x").unwrap();
        svc.set_setting("clock_offset_ms", "7").unwrap();
        assert_eq!(
            svc.setting("clock_offset_ms").unwrap().as_deref(),
            Some("7")
        );
        assert_eq!(svc.setting("other").unwrap().as_deref(), Some("x"));
        assert_eq!(svc.setting("missing").unwrap(), None);
    }

    #[test]
    fn due_and_next_due_follow_scheduled_deletions() {
        let svc = service();
        assert_eq!(svc.next_due().unwrap(), None);
        assert_eq!(svc.due(Timestamp::from_millis(i64::MAX)).unwrap(), []);
        create(&svc, &aws(), "db", None, "v");
        let purge_at = svc
            .schedule_deletion(&aws(), SecretRef::Name("db"), Some(7))
            .unwrap()
            .deletion
            .unwrap()
            .purge_at;
        assert_eq!(svc.next_due().unwrap(), Some(purge_at));
        assert_eq!(svc.due(purge_at.plus_millis(-1)).unwrap(), []);
        let due = svc.due(purge_at).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(
            (&due[0].scope, due[0].name.as_str(), due[0].at, &due[0].kind),
            (&aws(), "db", purge_at, &DueKind::Purge)
        );
        svc.restore(&aws(), SecretRef::Name("db")).unwrap();
        assert_eq!(svc.next_due().unwrap(), None);
    }

    #[test]
    fn secret_count_spans_every_scope() {
        let svc = service();
        assert_eq!(svc.secret_count().unwrap(), 0);
        // A scope holding only records has no secrets to count.
        svc.put_record(&huawei(), "event", "e", &json!(1)).unwrap();
        assert_eq!(svc.secret_count().unwrap(), 0);
        create(&svc, &aws(), "a", None, "v");
        create(&svc, &aws(), "b", None, "v");
        create(&svc, &huawei(), "c", None, "v");
        let other = Scope::new(Cloud::Aws, "111111111111", "eu-west-1");
        create(&svc, &other, "a", None, "v");
        // A secret in its deletion window is still stored.
        svc.schedule_deletion(&aws(), SecretRef::Name("b"), None)
            .unwrap();
        assert_eq!(svc.secret_count().unwrap(), 4);
    }

    #[test]
    fn the_walk_reads_sorted_scopes_secrets_and_the_named_record_kinds() {
        let svc = service();
        let other = Scope::new(Cloud::Aws, "111111111111", "us-east-1");
        for name in ["z", "a", "m"] {
            create(&svc, &other, name, None, "v");
        }
        create(&svc, &huawei(), "hw", None, "v");
        create(&svc, &aws(), "only", None, "v");
        svc.put_record(&huawei(), "event", "e2", &json!(2)).unwrap();
        svc.put_record(&huawei(), "event", "e1", &json!(1)).unwrap();
        svc.put_record(&huawei(), "task", "t", &json!("t")).unwrap();
        svc.put_record(&huawei(), "ignored", "i", &json!(0))
            .unwrap();
        svc.put_record(&aws(), "event", "not-an-aws-kind", &json!(0))
            .unwrap();
        let kinds = |c: Cloud| match c {
            Cloud::Huawei => &["task", "event"][..],
            _ => &[][..],
        };

        let all = snapshot(&svc, None, &kinds).unwrap();
        let scopes: Vec<&Scope> = all.iter().map(|s| &s.scope).collect();
        let mut sorted = [aws(), other.clone(), huawei()];
        sorted.sort();
        assert_eq!(scopes, sorted.iter().collect::<Vec<_>>());
        let names = |s: &ScopeSnapshot| -> Vec<String> {
            s.secrets.iter().map(|s| s.name.clone()).collect()
        };
        let of = |scope: &Scope| all.iter().find(|s| &s.scope == scope).unwrap();
        assert_eq!(names(of(&other)), ["a", "m", "z"]);
        assert!(of(&other).records.is_empty());
        assert_eq!(names(of(&aws())), ["only"]);
        // Only the kinds the cloud names, in the order it names them, each kind by key.
        assert!(of(&aws()).records.is_empty());
        let hw = of(&huawei());
        assert_eq!(names(hw), ["hw"]);
        assert_eq!(
            hw.records,
            [
                ("task".to_owned(), "t".to_owned(), json!("t")),
                ("event".to_owned(), "e1".to_owned(), json!(1)),
                ("event".to_owned(), "e2".to_owned(), json!(2)),
            ]
        );
        // The secrets are the stored ones, whole.
        assert_eq!(hw.secrets, svc.list(&huawei()).unwrap());

        // One cloud only.
        let only_huawei = snapshot(&svc, Some(Cloud::Huawei), &kinds).unwrap();
        assert_eq!(only_huawei, std::slice::from_ref(hw));
        assert_eq!(snapshot(&svc, Some(Cloud::Alibaba), &kinds).unwrap(), []);
    }
}
