//! What a secret carries besides its versions: tags (capped by the dialect) and its resource
//! policy. Each command changes every named secret in one transaction or none.

use super::types::*;
use super::Service;
use crate::{CoreError, CoreResult, Scope, Secret, Tag};

/// Which tags an untag removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagKeys<'a> {
    /// These keys, whatever their values; keys a secret lacks are ignored.
    Named(&'a [String]),
    /// Keys carrying the given value (`None` or empty: any value); the rest are ignored.
    Matching(&'a [(String, Option<String>)]),
    /// One key every named secret must carry, else [`CoreError::TagNotFound`].
    Present(&'a str),
    All,
}

impl Service {
    /// Adds `tags` to every named secret (a key it has takes the new value); refused whole
    /// when a secret would carry more than the dialect's tags.
    pub fn tag(
        &self,
        scope: &Scope,
        refs: &[SecretRef<'_>],
        tags: &[Tag],
    ) -> CoreResult<Vec<Secret>> {
        let max = scope.cloud.dialect().max_tags;
        self.modify_each(scope, refs, Access::Live, |s, _| {
            let all = s.tags.get_or_insert_with(Vec::new);
            for t in tags {
                match all.iter_mut().find(|o| o.key == t.key) {
                    Some(o) => o.value.clone_from(&t.value),
                    None => all.push(t.clone()),
                }
            }
            if all.len() > max {
                return Err(CoreError::LimitExceeded(format!(
                    "a secret can have at most {max} tags"
                )));
            }
            Ok(())
        })
        .map(|v| v.into_iter().map(|(s, ())| s).collect())
    }

    /// Removes tags from every named secret; keys a secret does not carry are ignored.
    pub fn untag(
        &self,
        scope: &Scope,
        refs: &[SecretRef<'_>],
        keys: TagKeys<'_>,
    ) -> CoreResult<Vec<Secret>> {
        self.modify_each(scope, refs, Access::Live, |s, _| {
            let tags = s.tags.get_or_insert_with(Vec::new);
            match keys {
                TagKeys::All => tags.clear(),
                TagKeys::Named(keys) => tags.retain(|t| !keys.contains(&t.key)),
                TagKeys::Matching(pairs) => tags.retain(|t| {
                    !pairs.iter().any(|(k, v)| {
                        *k == t.key && v.as_deref().is_none_or(|v| v.is_empty() || v == t.value)
                    })
                }),
                TagKeys::Present(key) => {
                    let before = tags.len();
                    tags.retain(|t| t.key != key);
                    if tags.len() == before {
                        return Err(CoreError::TagNotFound {
                            key: key.to_owned(),
                        });
                    }
                }
            }
            Ok(())
        })
        .map(|v| v.into_iter().map(|(s, ())| s).collect())
    }

    /// Sets (or, with `None`, removes) the secret's resource policy.
    pub fn set_policy(
        &self,
        scope: &Scope,
        r: SecretRef<'_>,
        policy: Option<String>,
    ) -> CoreResult<Secret> {
        self.modify(scope, r, Access::Live, |s, _| {
            s.policy = policy;
            Ok(())
        })
        .map(|(s, ())| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testkit::*;
    use crate::Cloud;

    fn tag(k: &str, v: &str) -> Tag {
        Tag {
            key: k.into(),
            value: v.into(),
        }
    }

    #[test]
    fn tags_merge_and_are_capped_by_the_dialect() {
        let svc = service();
        let scope = aws();
        create(&svc, &scope, "a", None, "v");
        create(&svc, &scope, "b", None, "v");
        let both = [SecretRef::Name("a"), SecretRef::Name("b")];
        svc.tag(&scope, &both, &[tag("env", "dev"), tag("team", "x")])
            .unwrap();
        let out = svc.tag(&scope, &both[..1], &[tag("env", "prod")]).unwrap();
        assert_eq!(
            out[0].tags.as_deref().unwrap(),
            [tag("env", "prod"), tag("team", "x")]
        );

        // 50 on AWS: 48 more fit on "a", 49 do not, and a refusal changes neither secret.
        let many: Vec<Tag> = (0..49).map(|i| tag(&format!("k{i}"), "v")).collect();
        let err = svc.tag(&scope, &both, &many).unwrap_err();
        assert!(
            matches!(err, CoreError::LimitExceeded(ref m) if m.contains("50")),
            "{err:?}"
        );
        let b = svc
            .describe(&scope, SecretRef::Name("b"), Access::Live)
            .unwrap();
        assert_eq!(b.tags.unwrap().len(), 2);
        svc.tag(&scope, &both, &many[..48]).unwrap();

        let hw = Scope::new(Cloud::Huawei, "p1", "cn-north-4");
        create(&svc, &hw, "h", None, "v");
        let err = svc
            .tag(&hw, &[SecretRef::Name("h")], &many[..21])
            .unwrap_err();
        assert!(matches!(err, CoreError::LimitExceeded(ref m) if m.contains("20")));
    }

    #[test]
    fn untag_removes_named_keys_or_all() {
        let svc = service();
        let scope = aws();
        create(&svc, &scope, "a", None, "v");
        let a = [SecretRef::Name("a")];
        svc.tag(&scope, &a, &[tag("x", "1"), tag("y", "2")])
            .unwrap();
        let out = svc
            .untag(&scope, &a, TagKeys::Named(&["x".into(), "nope".into()]))
            .unwrap();
        assert_eq!(out[0].tags.as_deref().unwrap(), [tag("y", "2")]);
        svc.tag(&scope, &a, &[tag("x", "1"), tag("z", "3")])
            .unwrap();
        let pairs = [
            ("x".to_owned(), Some("other".to_owned())),
            ("z".to_owned(), None),
        ];
        let out = svc.untag(&scope, &a, TagKeys::Matching(&pairs)).unwrap();
        assert_eq!(
            out[0].tags.as_deref().unwrap(),
            [tag("y", "2"), tag("x", "1")]
        );
        let err = svc.untag(&scope, &a, TagKeys::Present("z")).unwrap_err();
        assert_eq!(err, CoreError::TagNotFound { key: "z".into() });
        let out = svc.untag(&scope, &a, TagKeys::Present("x")).unwrap();
        assert_eq!(out[0].tags.as_deref().unwrap(), [tag("y", "2")]);
        let out = svc.untag(&scope, &a, TagKeys::All).unwrap();
        assert_eq!(out[0].tags, Some(vec![]));
        let err = svc
            .untag(&scope, &[SecretRef::Name("missing")], TagKeys::All)
            .unwrap_err();
        assert!(matches!(err, CoreError::SecretNotFound { .. }));
    }

    #[test]
    fn policies_are_set_and_removed() {
        let svc = service();
        let scope = aws();
        create(&svc, &scope, "a", None, "v");
        let s = svc
            .set_policy(&scope, SecretRef::Name("a"), Some("{}".into()))
            .unwrap();
        assert_eq!(s.policy.as_deref(), Some("{}"));
        let s = svc.set_policy(&scope, SecretRef::Name("a"), None).unwrap();
        assert_eq!(s.policy, None);
    }
}
