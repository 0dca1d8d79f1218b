//! Changes that span scopes (AWS replicas in other regions or accounts): the caller reads what
//! it needs and says what to write; the core writes it in one transaction, checking every
//! secret against the model's rules and telling the observers, as for any other change.

use super::Service;
use crate::observe::Change;
use crate::storage::ReadTx;
use crate::{labels, CoreResult, Scope, Secret};

/// One write of a linked change.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkedWrite {
    /// Stores the secret as given (created when its name is new in the scope).
    Put { scope: Scope, secret: Box<Secret> },
    /// Removes the secret of that name, if there is one.
    Delete { scope: Scope, name: String },
}

/// What a linked change may read: secrets, in any scope, as the transaction sees them.
pub trait LinkedReader {
    fn secret(&self, scope: &Scope, name: &str) -> CoreResult<Option<Secret>>;
}

struct Reader<'a>(&'a dyn ReadTx);

impl LinkedReader for Reader<'_> {
    fn secret(&self, scope: &Scope, name: &str) -> CoreResult<Option<Secret>> {
        self.0.secret(scope, name)
    }
}

impl Service {
    /// Runs `plan` on a consistent view and applies the writes it answers, all in one
    /// transaction: each put secret must keep the model's rules, and each write is announced
    /// (created, updated or deleted). `plan` also answers what the caller wants back.
    pub fn write_linked<R>(
        &self,
        plan: impl FnOnce(&dyn LinkedReader) -> CoreResult<(Vec<LinkedWrite>, R)>,
    ) -> CoreResult<R> {
        let now = self.now();
        self.write(|tx| {
            let (writes, out) = plan(&Reader(&*tx))?;
            for w in writes {
                match w {
                    LinkedWrite::Put { scope, mut secret } => {
                        let secret = &mut *secret;
                        labels::validate(secret, scope.cloud.dialect())?;
                        let existed = tx.secret(&scope, &secret.name)?.is_some();
                        secret.updated = secret.updated.max(now);
                        tx.put_secret(&scope, secret)?;
                        let change = if existed {
                            Change::Updated { secret }
                        } else {
                            Change::Created { secret }
                        };
                        self.announce(tx, &scope, change, now)?;
                    }
                    LinkedWrite::Delete { scope, name } => {
                        if let Some(gone) = tx.secret(&scope, &name)? {
                            tx.delete_secret(&scope, &name)?;
                            self.announce(tx, &scope, Change::Deleted { secret: &gone }, now)?;
                        }
                    }
                }
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testkit::*;
    use crate::{Cloud, CoreError, SecretRef};

    #[test]
    fn linked_writes_are_checked_announced_and_all_or_nothing() {
        let svc = service();
        svc.observe("rec", std::sync::Arc::new(Recorder { refuse: false }));
        let a = aws();
        let b = Scope::new(Cloud::Aws, "000000000000", "eu-west-1");
        create(&svc, &a, "db", Some("t1"), "one");
        let copies = svc
            .write_linked(|r| {
                let primary = r.secret(&a, "db")?.expect("created above");
                let copy = LinkedWrite::Put {
                    scope: b.clone(),
                    secret: Box::new(primary.clone()),
                };
                Ok((vec![copy], 1))
            })
            .unwrap();
        assert_eq!(copies, 1);
        assert!(svc
            .describe(&b, SecretRef::Name("db"), crate::Access::Live)
            .is_ok());
        assert_eq!(changes(&svc, &b), ["db created"]);

        // A copy that breaks the label rules is refused, and so is the whole change.
        let err = svc
            .write_linked(|r| {
                let mut bad = r.secret(&a, "db")?.expect("created above");
                bad.versions[0].labels.push("AWSCURRENT".into());
                Ok((
                    vec![
                        LinkedWrite::Delete {
                            scope: b.clone(),
                            name: "db".into(),
                        },
                        LinkedWrite::Put {
                            scope: a.clone(),
                            secret: Box::new(bad),
                        },
                    ],
                    (),
                ))
            })
            .unwrap_err();
        assert!(matches!(err, CoreError::InvalidParameter(_)), "{err:?}");
        assert!(svc
            .describe(&b, SecretRef::Name("db"), crate::Access::Live)
            .is_ok());

        svc.write_linked(|_| {
            Ok((
                vec![LinkedWrite::Delete {
                    scope: b.clone(),
                    name: "db".into(),
                }],
                (),
            ))
        })
        .unwrap();
        assert_eq!(changes(&svc, &b), ["db created", "db deleted"]);
    }
}
