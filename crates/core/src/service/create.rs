//! Creating secrets through the operations, and importing them (fixtures, exports) under the
//! same model rules.

use super::types::*;
use super::Service;
use crate::dialect::VersionIds;
use crate::labels::Violation;
use crate::observe::Change;
use crate::storage::WriteTx;
use crate::{labels, rotation, CoreError, CoreResult, Scope, Secret, Timestamp};

/// The model's rules for a secret that did not come through the operations: the label
/// invariants ([`labels::check`]), a current version whenever there are versions (the
/// current label can only be moved, never removed), service-assigned ids in creation order,
/// and a deletion window that ends after it starts.
pub fn check_imported(secret: &Secret, d: &crate::Dialect) -> CoreResult<()> {
    imported_violation(secret, d).map_err(CoreError::from)
}

/// [`check_imported`] saying which rule breaks and where, for a loader that names the place.
pub fn imported_violation(secret: &Secret, d: &crate::Dialect) -> Result<(), Violation> {
    labels::check(secret, d)?;
    if let Some(index) = (1..secret.versions.len())
        .find(|&i| secret.versions[i].created < secret.versions[i - 1].created)
    {
        return Err(Violation::OutOfOrder { index });
    }
    if !secret.versions.is_empty() && secret.holder(d.current).is_none() {
        return Err(Violation::NoCurrent { label: d.current });
    }
    if d.version_ids == VersionIds::Sequential {
        let mut last = 0u64;
        for (index, v) in secret.versions.iter().enumerate() {
            let n =
                v.id.strip_prefix('v')
                    .and_then(|n| n.parse::<u64>().ok())
                    .filter(|n| *n > last && v.id == format!("v{n}"))
                    .ok_or_else(|| Violation::UnassignedVersionId {
                        index,
                        id: v.id.clone(),
                    })?;
            last = n;
        }
        if secret.version_seq < last {
            return Err(Violation::SequenceBehind {
                seq: secret.version_seq,
                newest: last,
            });
        }
    }
    if let Some(del) = secret.deletion {
        if del.purge_at <= del.deleted_at {
            return Err(Violation::DeletionEndsBeforeStart);
        }
    }
    Ok(())
}

impl Service {
    pub fn create_secret(&self, scope: &Scope, new: NewSecret) -> CoreResult<Written> {
        let now = self.now();
        self.write(|tx| {
            if let Some(existing) = self.find(tx, scope, SecretRef::Name(&new.name), now)? {
                let replay = new.version.value.as_ref().zip(new.version.id.as_deref());
                // The token is checked before the name: a retry is answered as the first call
                // was, and a token reused with other data names the version that holds it.
                if let (None, Some((value, id))) = (existing.deletion, replay) {
                    match existing.version(id) {
                        Some(v) if &v.value == value => {
                            return Ok(Written {
                                version_id: Some(id.to_owned()),
                                secret: existing,
                                replayed: true,
                            })
                        }
                        Some(_) => {
                            return Err(CoreError::idempotency_conflict(&existing, id.to_owned()))
                        }
                        None => {}
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
            d.check_rotation(&secret.rotation)?;
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

    /// `seen` borrows the names already imported, so a large load copies none of them.
    fn import_one<'a>(
        &self,
        tx: &mut dyn WriteTx,
        scope: &'a Scope,
        secret: &'a Secret,
        replace: bool,
        seen: &mut std::collections::HashSet<(&'a Scope, &'a str)>,
        now: Timestamp,
    ) -> CoreResult<()> {
        if !seen.insert((scope, secret.name.as_str())) {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testkit::*;

    use crate::{CoreError, Deletion, Scope, Secret, SecretValue, Timestamp, Version};

    use crate::Cloud;

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
        // The token is checked before the name: it names the version holding it.
        assert_eq!(
            other,
            Err(CoreError::idempotency_conflict(&first.secret, "t1".into()))
        );
        let new_token = svc.create_secret(
            &aws(),
            NewSecret {
                name: "db".into(),
                version: NewVersion {
                    id: Some("t9".into()),
                    value: text("different"),
                    ..Default::default()
                },
                ..Default::default()
            },
        );
        assert_eq!(
            new_token.map(|w| w.replayed),
            Err(CoreError::AlreadyExists {
                name: "db".into(),
                pending_deletion: false
            })
        );
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
}
