//! Finding secrets and reading them: names, ids and ARN tails, deletion-window access,
//! version selectors and the per-day access marks a read leaves.

use super::types::*;
use super::Service;
use crate::listing::{ListPage, ListQuery};
use crate::storage::{ReadTx, Versions};
use crate::{CoreError, CoreResult, Scope, Secret, Timestamp, Version};

pub(super) fn not_found(r: SecretRef<'_>) -> CoreError {
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
pub(super) fn access_day(now: Timestamp) -> Timestamp {
    Timestamp::from_secs(now.secs() - now.secs().rem_euclid(86_400))
}

pub(super) fn mark_accessed(secret: &mut Secret, version_id: &str, day: Timestamp) {
    secret.last_accessed = Some(day);
    if let Some(v) = secret.version_mut(version_id) {
        v.last_accessed = Some(day);
    }
}

impl Service {
    /// Looks a secret up; one whose deletion window has passed counts as gone.
    pub(super) fn find(
        &self,
        tx: &dyn ReadTx,
        scope: &Scope,
        r: SecretRef<'_>,
        now: Timestamp,
    ) -> CoreResult<Option<Secret>> {
        self.find_with(tx, scope, r, Versions::All, now)
    }

    /// [`Service::find`], loading only the versions `v` asks for.
    fn find_with(
        &self,
        tx: &dyn ReadTx,
        scope: &Scope,
        r: SecretRef<'_>,
        v: Versions<'_>,
        now: Timestamp,
    ) -> CoreResult<Option<Secret>> {
        let found = match r {
            SecretRef::Name(n) => tx.secret_with(scope, n, v)?,
            SecretRef::Id(id) => tx.secret_by_id_with(scope, id, v)?,
            SecretRef::NameOrSuffixed(n) => match tx.secret_with(scope, n, v)? {
                Some(s) => Some(s),
                None => match n.rsplit_once('-') {
                    Some((name, suffix)) if suffix.len() == 6 => tx
                        .secret_with(scope, name, v)?
                        .filter(|s| s.arn_suffix == suffix),
                    _ => None,
                },
            },
            SecretRef::NameWithSuffix(name, suffix) => tx
                .secret_with(scope, name, v)?
                .filter(|s| s.arn_suffix == suffix),
        };
        Ok(found.filter(|s| s.deletion.is_none_or(|d| d.purge_at > now)))
    }

    pub(super) fn load(
        &self,
        tx: &dyn ReadTx,
        scope: &Scope,
        r: SecretRef<'_>,
        access: Access,
        now: Timestamp,
    ) -> CoreResult<Secret> {
        self.load_with(tx, scope, r, access, Versions::All, now)
    }

    /// [`Service::load`], loading only the versions `v` asks for.
    pub(super) fn load_with(
        &self,
        tx: &dyn ReadTx,
        scope: &Scope,
        r: SecretRef<'_>,
        access: Access,
        v: Versions<'_>,
        now: Timestamp,
    ) -> CoreResult<Secret> {
        let s = self
            .find_with(tx, scope, r, v, now)?
            .ok_or_else(|| not_found(r))?;
        if access == Access::Live && s.is_pending_deletion() {
            return Err(CoreError::ScheduledForDeletion { name: s.name });
        }
        Ok(s)
    }

    /// The secret's metadata; `Access::AnyState` also shows one in its deletion window.
    pub fn describe(&self, scope: &Scope, r: SecretRef<'_>, access: Access) -> CoreResult<Secret> {
        let now = self.now();
        self.read(|tx| self.load(tx, scope, r, access, now))
    }

    /// [`Service::describe`] with the versions as a stage map only ([`Versions::Stages`]): what
    /// a description shows, at a cost that does not grow with the number of versions.
    pub fn describe_stages(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        access: Access,
    ) -> CoreResult<Secret> {
        let now = self.now();
        self.read(|tx| self.load_with(tx, scope, r, access, Versions::Stages, now))
    }

    /// Every secret of the scope, those in their deletion window included.
    pub fn list(&self, scope: &Scope) -> CoreResult<Vec<Secret>> {
        let now = self.now();
        let mut all = self.read(|tx| tx.secrets(scope))?;
        all.retain(|s| s.deletion.is_none_or(|d| d.purge_at > now));
        Ok(all)
    }

    /// One page of the scope's secrets, as the store answers it on the order's index.
    pub fn page(&self, scope: &Scope, query: &ListQuery<'_>) -> CoreResult<ListPage> {
        let now = self.now();
        self.read(|tx| tx.page(scope, query, now))
    }

    /// Reads one version: the secret comes without its versions, and only the one asked for
    /// is loaded. The access time (of the secret and of the version) is kept per day, as AWS
    /// reports it, so most reads write nothing.
    pub fn get_value(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        selector: &Selector,
    ) -> CoreResult<(Secret, Version)> {
        let now = self.now();
        let d = scope.cloud.dialect();
        let wanted = match selector {
            Selector::Label(l) => Versions::Labelled(l),
            Selector::Id(id) | Selector::IdWithLabel(id, _) => Versions::Id(id),
            Selector::Latest => Versions::All,
        };
        let mut secret = self.read(|tx| self.load_with(tx, scope, r, Access::Live, wanted, now))?;
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
        secret.versions.clear();
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testkit::*;

    use crate::{CoreError, Scope};

    use crate::Cloud;

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
}
