//! A frontend's own records (Huawei events, tasks, agencies, settings): JSON values by kind
//! and key in a tenant, beside the secrets. The model gives them no meaning; these commands
//! only make each read or conditional write one transaction.

use super::Service;
use crate::{CoreResult, Scope};
use serde_json::Value;

impl Service {
    pub fn record(&self, scope: &Scope, kind: &str, key: &str) -> CoreResult<Option<Value>> {
        self.read(|tx| tx.record(scope, kind, key))
    }

    /// Every record of a kind, in key order.
    pub fn records(&self, scope: &Scope, kind: &str) -> CoreResult<Vec<(String, Value)>> {
        let mut all = self.read(|tx| tx.records(scope, kind))?;
        all.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(all)
    }

    pub fn put_record(
        &self,
        scope: &Scope,
        kind: &str,
        key: &str,
        value: &Value,
    ) -> CoreResult<()> {
        self.write(|tx| tx.put_record(scope, kind, key, value))
    }

    /// Stores `value` unless the key is taken; answers the record that was there, if any.
    pub fn insert_record(
        &self,
        scope: &Scope,
        kind: &str,
        key: &str,
        value: &Value,
    ) -> CoreResult<Option<Value>> {
        self.write(|tx| match tx.record(scope, kind, key)? {
            Some(existing) => Ok(Some(existing)),
            None => tx.put_record(scope, kind, key, value).map(|()| None),
        })
    }

    /// Replaces the record only if it still is `expected` (so a read-change-write by the
    /// caller loses no concurrent change); `false` when it was changed or removed meanwhile.
    pub fn replace_record(
        &self,
        scope: &Scope,
        kind: &str,
        key: &str,
        expected: &Value,
        value: &Value,
    ) -> CoreResult<bool> {
        self.write(|tx| {
            if tx.record(scope, kind, key)?.as_ref() != Some(expected) {
                return Ok(false);
            }
            tx.put_record(scope, kind, key, value).map(|()| true)
        })
    }

    /// Removes a record; `false` when there was none.
    pub fn delete_record(&self, scope: &Scope, kind: &str, key: &str) -> CoreResult<bool> {
        self.write(|tx| {
            if tx.record(scope, kind, key)?.is_none() {
                return Ok(false);
            }
            tx.delete_record(scope, kind, key).map(|()| true)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::service::testkit::*;
    use serde_json::json;

    #[test]
    fn records_insert_replace_and_delete_conditionally() {
        let svc = service();
        let s = aws();
        assert_eq!(svc.record(&s, "event", "a").unwrap(), None);
        assert_eq!(
            svc.insert_record(&s, "event", "a", &json!(1)).unwrap(),
            None
        );
        assert_eq!(
            svc.insert_record(&s, "event", "a", &json!(2)).unwrap(),
            Some(json!(1))
        );
        assert!(!svc
            .replace_record(&s, "event", "a", &json!(2), &json!(3))
            .unwrap());
        assert!(svc
            .replace_record(&s, "event", "a", &json!(1), &json!(3))
            .unwrap());
        svc.put_record(&s, "event", "b", &json!(4)).unwrap();
        assert_eq!(
            svc.records(&s, "event").unwrap(),
            [("a".to_owned(), json!(3)), ("b".to_owned(), json!(4))]
        );
        assert!(svc.delete_record(&s, "event", "a").unwrap());
        assert!(!svc.delete_record(&s, "event", "a").unwrap());
        assert!(!svc
            .replace_record(&s, "event", "a", &json!(3), &json!(5))
            .unwrap());
        assert_eq!(svc.records(&s, "other").unwrap(), []);
    }
}
