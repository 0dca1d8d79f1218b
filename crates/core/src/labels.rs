//! Staging-label rules, the same for every cloud with the dialect supplying names and limits:
//! a label sits on at most one version; moving *current* hands *previous* to the old holder;
//! a version left with no label is deprecated and the first to be evicted.

use crate::dialect::VersionCap;
use crate::{CoreError, CoreResult, Dialect, Secret, Version};

fn detach(secret: &mut Secret, label: &str) -> Option<String> {
    let holder = secret.versions.iter_mut().find(|v| v.has_label(label))?;
    holder.labels.retain(|l| l != label);
    Some(holder.id.clone())
}

fn attach(secret: &mut Secret, label: &str, to: &str) {
    if let Some(v) = secret.version_mut(to) {
        if !v.has_label(label) {
            v.labels.push(label.to_owned());
        }
    }
}

fn check_label_count(secret: &Secret, d: &Dialect, id: &str) -> CoreResult<()> {
    match secret.version(id) {
        Some(v) if v.labels.len() > d.max_labels_per_version => {
            Err(CoreError::LimitExceeded(format!(
                "a version can have at most {} staging labels",
                d.max_labels_per_version
            )))
        }
        _ => check_secret_labels(secret, d).map_err(CoreError::from),
    }
}

/// Every label sits on one version, so the secret's labels are the sum of its versions'.
/// Writes load every labelled version, so the count is whole there too.
fn check_secret_labels(secret: &Secret, d: &Dialect) -> Result<(), Violation> {
    let Some(max) = d.max_labels_per_secret else {
        return Ok(());
    };
    let labels: usize = secret.versions.iter().map(|v| v.labels.len()).sum();
    if labels > max {
        return Err(Violation::TooManySecretLabels { max });
    }
    Ok(())
}

/// Puts `label` on version `to`, taking it off its old holder. Moving the dialect's current
/// label gives the old holder the previous label (taken off its own old holder); any other
/// label on `to`, pending included, stays.
pub fn move_label(secret: &mut Secret, d: &Dialect, label: &str, to: &str) -> CoreResult<()> {
    if secret.version(to).is_none() {
        return Err(CoreError::VersionNotFound {
            version_id: to.to_owned(),
        });
    }
    let old = secret.holder_id(label).map(str::to_owned);
    if old.as_deref() == Some(to) {
        return Ok(());
    }
    detach(secret, label);
    attach(secret, label, to);
    check_label_count(secret, d, to)?;
    if label == d.current {
        if let Some(old) = old {
            detach(secret, d.previous);
            attach(secret, d.previous, &old);
            check_label_count(secret, d, &old)?;
        }
    }
    Ok(())
}

/// Takes `label` off version `from`, which must hold it. Labels the dialect only lets move
/// are refused.
pub fn remove_label(secret: &mut Secret, d: &Dialect, label: &str, from: &str) -> CoreResult<()> {
    if secret.version(from).is_none() {
        return Err(CoreError::VersionNotFound {
            version_id: from.to_owned(),
        });
    }
    match secret.holder_id(label) {
        Some(h) if h == from => {}
        Some(h) => {
            return Err(CoreError::LabelOnOtherVersion {
                label: label.to_owned(),
                holder: h.to_owned(),
            })
        }
        None => {
            return Err(CoreError::VersionLabelMismatch {
                version_id: from.to_owned(),
                label: label.to_owned(),
            })
        }
    }
    if d.move_only_labels.contains(&label) {
        return Err(CoreError::ProtectedLabel {
            label: label.to_owned(),
        });
    }
    detach(secret, label);
    Ok(())
}

/// The one "update version stage" rule for all clouds: move to `move_to`, remove from
/// `remove_from`, or both. Where the dialect requires it, moving a label that another
/// version holds needs that version named in `remove_from`.
pub fn update_stage(
    secret: &mut Secret,
    d: &Dialect,
    label: &str,
    move_to: Option<&str>,
    remove_from: Option<&str>,
) -> CoreResult<()> {
    match (move_to, remove_from) {
        (None, None) => Err(CoreError::InvalidParameter(
            "name a version to move the label to or to remove it from".into(),
        )),
        (None, Some(from)) => remove_label(secret, d, label, from),
        (Some(to), from) => {
            if secret.version(to).is_none() {
                return Err(CoreError::VersionNotFound {
                    version_id: to.to_owned(),
                });
            }
            let holder = secret.holder_id(label).map(str::to_owned);
            match (holder.as_deref(), from) {
                (Some(h), Some(f)) if h != f => {
                    return Err(CoreError::LabelOnOtherVersion {
                        label: label.to_owned(),
                        holder: h.to_owned(),
                    })
                }
                (Some(h), None) if d.move_names_holder && h != to => {
                    return Err(CoreError::LabelOnOtherVersion {
                        label: label.to_owned(),
                        holder: h.to_owned(),
                    })
                }
                (None, Some(f)) => {
                    if secret.version(f).is_none() {
                        return Err(CoreError::VersionNotFound {
                            version_id: f.to_owned(),
                        });
                    }
                    return Err(CoreError::VersionLabelMismatch {
                        version_id: f.to_owned(),
                        label: label.to_owned(),
                    });
                }
                _ => {}
            }
            move_label(secret, d, label, to)
        }
    }
}

/// Appends `version` and gives it `labels`, then evicts what the dialect's cap allows no
/// more of.
pub fn add_version(
    secret: &mut Secret,
    d: &Dialect,
    mut version: Version,
    labels: &[String],
) -> CoreResult<()> {
    if secret.version(&version.id).is_some() {
        return Err(CoreError::idempotency_conflict(secret, version.id));
    }
    let id = version.id.clone();
    version.labels.clear();
    secret.versions.push(version);
    for label in labels {
        move_label(secret, d, label, &id)?;
    }
    evict(secret, d)
}

/// Removes the oldest deprecated versions beyond the dialect's cap.
pub fn evict(secret: &mut Secret, d: &Dialect) -> CoreResult<()> {
    match d.version_cap {
        VersionCap::Deprecated(n) => trim_unlabelled(secret, n),
        VersionCap::Total(n) => {
            while secret.versions.len() > n {
                let Some(pos) = secret.versions.iter().position(Version::is_deprecated) else {
                    return Err(CoreError::LimitExceeded(format!(
                        "a secret can have at most {n} versions and every one has a label"
                    )));
                };
                secret.versions.remove(pos);
            }
        }
    }
    Ok(())
}

/// Removes the oldest versions without a label beyond the `keep` newest of them.
pub fn trim_unlabelled(secret: &mut Secret, keep: usize) {
    let unlabelled = secret.versions.iter().filter(|v| v.is_deprecated()).count();
    let mut over = unlabelled.saturating_sub(keep);
    secret.versions.retain(|v| {
        let evict = over > 0 && v.is_deprecated();
        over -= usize::from(evict);
        !evict
    });
}

/// A broken model rule, and where: `index` is the position in `Secret::versions` (oldest
/// first) of the version that breaks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    DuplicateVersionId {
        index: usize,
        first: usize,
        id: String,
    },
    /// An imported secret lists its versions oldest first (operations append in commit
    /// order, and concurrent writers may commit creation times slightly out of order).
    OutOfOrder {
        index: usize,
    },
    TooManyLabels {
        index: usize,
        max: usize,
        cloud: crate::Cloud,
    },
    TooManySecretLabels {
        max: usize,
    },
    RepeatedLabel {
        index: usize,
        label: String,
    },
    LabelOnTwoVersions {
        index: usize,
        first: usize,
        label: String,
    },
    NoCurrent {
        label: &'static str,
    },
    TooManyVersions {
        cap: VersionCap,
        cloud: crate::Cloud,
    },
    /// A version id the service would not have assigned (sequential ids: v1, v2, …).
    UnassignedVersionId {
        index: usize,
        id: String,
    },
    SequenceBehind {
        seq: u64,
        newest: u64,
    },
    DeletionEndsBeforeStart,
}

impl Violation {
    /// The version it is about, if one.
    pub fn index(&self) -> Option<usize> {
        match self {
            Self::DuplicateVersionId { index, .. }
            | Self::OutOfOrder { index }
            | Self::TooManyLabels { index, .. }
            | Self::RepeatedLabel { index, .. }
            | Self::LabelOnTwoVersions { index, .. }
            | Self::UnassignedVersionId { index, .. } => Some(*index),
            _ => None,
        }
    }

    /// The field that breaks it: of the version when [`Violation::index`] names one, else of
    /// the secret.
    pub fn field(&self) -> &'static str {
        match self {
            Self::DuplicateVersionId { .. } | Self::UnassignedVersionId { .. } => "id",
            Self::OutOfOrder { .. } => "created",
            Self::TooManyLabels { .. }
            | Self::RepeatedLabel { .. }
            | Self::LabelOnTwoVersions { .. } => "labels",
            Self::NoCurrent { .. }
            | Self::TooManyVersions { .. }
            | Self::TooManySecretLabels { .. } => "versions",
            Self::SequenceBehind { .. } => "version_seq",
            Self::DeletionEndsBeforeStart => "deletion",
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::DuplicateVersionId { first, id, .. } => {
                write!(f, "version id {id} is also used by versions[{first}]")
            }
            Self::OutOfOrder { .. } => {
                write!(
                    f,
                    "earlier than the version before it: list versions oldest first"
                )
            }
            Self::TooManyLabels { max, cloud, .. } => {
                write!(f, "a {cloud} version can have at most {max} labels")
            }
            Self::TooManySecretLabels { max } => write!(
                f,
                "at most {max} staging labels can be attached across all versions of a secret"
            ),
            Self::RepeatedLabel { label, .. } => write!(f, "label {label} appears twice"),
            Self::LabelOnTwoVersions { first, label, .. } => write!(
                f,
                "label {label} is on more than one version (also versions[{first}])"
            ),
            Self::NoCurrent { label } => write!(
                f,
                "no version has the label {label}: a secret with versions always has a current one"
            ),
            Self::TooManyVersions { cap, cloud } => {
                let what = match cap {
                    VersionCap::Deprecated(n) => format!("at most {n} versions without a label"),
                    VersionCap::Total(n) => format!("at most {n} versions"),
                };
                write!(f, "{cloud} keeps {what}; older ones are evicted")
            }
            Self::UnassignedVersionId { id, .. } => write!(
                f,
                "version id {id} is not one the service assigns: ids are v1, v2, … in the \
                 order the versions were created (oldest first)"
            ),
            Self::SequenceBehind { seq, newest } => {
                write!(
                    f,
                    "version_seq {seq} is lower than the newest version id v{newest}"
                )
            }
            Self::DeletionEndsBeforeStart => {
                write!(f, "the deletion window must end after it starts")
            }
        }
    }
}

impl From<Violation> for CoreError {
    fn from(v: Violation) -> Self {
        match v {
            Violation::TooManyLabels { .. }
            | Violation::TooManySecretLabels { .. }
            | Violation::TooManyVersions { .. } => CoreError::LimitExceeded(v.to_string()),
            _ => CoreError::InvalidParameter(v.to_string()),
        }
    }
}

/// The label and version rules every state keeps: unique ids, a dialect's labels per
/// version, a label on one version at most, no more versions than it keeps.
pub fn check(secret: &Secret, d: &Dialect) -> Result<(), Violation> {
    let mut ids: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut holders: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (index, v) in secret.versions.iter().enumerate() {
        if let Some(first) = ids.insert(&v.id, index) {
            return Err(Violation::DuplicateVersionId {
                index,
                first,
                id: v.id.clone(),
            });
        }
        if v.labels.len() > d.max_labels_per_version {
            return Err(Violation::TooManyLabels {
                index,
                max: d.max_labels_per_version,
                cloud: d.cloud,
            });
        }
        for (k, l) in v.labels.iter().enumerate() {
            if v.labels[..k].contains(l) {
                return Err(Violation::RepeatedLabel {
                    index,
                    label: l.clone(),
                });
            }
            if let Some(first) = holders.insert(l, index) {
                return Err(Violation::LabelOnTwoVersions {
                    index,
                    first,
                    label: l.clone(),
                });
            }
        }
    }
    check_secret_labels(secret, d)?;
    let kept = match d.version_cap {
        VersionCap::Deprecated(n) => {
            secret.versions.iter().filter(|v| v.is_deprecated()).count() <= n
        }
        VersionCap::Total(n) => secret.versions.len() <= n,
    };
    if !kept {
        return Err(Violation::TooManyVersions {
            cap: d.version_cap,
            cloud: d.cloud,
        });
    }
    Ok(())
}

/// Checks every invariant after a change; the operations keep them, so a failure here means
/// the change is refused.
pub fn validate(secret: &Secret, d: &Dialect) -> CoreResult<()> {
    check(secret, d).map_err(CoreError::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::{ALIBABA, AWS, HUAWEI};
    use crate::{SecretValue, Timestamp};

    fn secret(versions: &[(&str, &[&str])]) -> Secret {
        Secret {
            versions: versions
                .iter()
                .enumerate()
                .map(|(i, (id, labels))| {
                    Version::new(
                        *id,
                        SecretValue::Text(format!("value-{i}")),
                        Timestamp::from_secs(i as i64),
                        labels.iter().map(|l| (*l).to_owned()).collect(),
                    )
                })
                .collect(),
            ..Secret::new("s", "id", "abcdef", Timestamp::from_secs(0))
        }
    }

    fn labels(s: &Secret) -> Vec<(String, Vec<String>)> {
        s.versions
            .iter()
            .map(|v| {
                let mut l = v.labels.clone();
                l.sort();
                (v.id.clone(), l)
            })
            .collect()
    }

    fn expect(pairs: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        pairs
            .iter()
            .map(|(id, l)| {
                let mut l: Vec<String> = l.iter().map(|x| (*x).to_owned()).collect();
                l.sort();
                ((*id).to_owned(), l)
            })
            .collect()
    }

    #[test]
    fn moving_labels_follows_the_invariants_in_every_dialect() {
        for d in [&AWS, &ALIBABA, &HUAWEI] {
            let (c, p, n) = (d.current, d.previous, d.pending);
            type Case<'a> = (
                &'static str,
                Vec<(&'a str, Vec<&'a str>)>,
                &'a str,
                &'a str,
                Vec<(&'a str, Vec<&'a str>)>,
            );
            let cases: Vec<Case> = vec![
                (
                    "current to a fresh version: old holder becomes previous",
                    vec![("a", vec![c]), ("b", vec![])],
                    c,
                    "b",
                    vec![("a", vec![p]), ("b", vec![c])],
                ),
                (
                    "previous leaves its old holder, which becomes deprecated",
                    vec![("a", vec![p]), ("b", vec![c]), ("c", vec![])],
                    c,
                    "c",
                    vec![("a", vec![]), ("b", vec![p]), ("c", vec![c])],
                ),
                (
                    "moving current keeps pending on the new holder",
                    vec![("a", vec![c]), ("b", vec![n])],
                    c,
                    "b",
                    vec![("a", vec![p]), ("b", vec![c, n])],
                ),
                (
                    "current onto the previous holder swaps them",
                    vec![("a", vec![p]), ("b", vec![c])],
                    c,
                    "a",
                    vec![("a", vec![c]), ("b", vec![p])],
                ),
                (
                    "moving current onto its holder changes nothing",
                    vec![("a", vec![p]), ("b", vec![c])],
                    c,
                    "b",
                    vec![("a", vec![p]), ("b", vec![c])],
                ),
                (
                    "a custom label moves alone",
                    vec![("a", vec![c, "blue"]), ("b", vec![])],
                    "blue",
                    "b",
                    vec![("a", vec![c]), ("b", vec!["blue"])],
                ),
                (
                    "a label nobody holds is attached",
                    vec![("a", vec![c])],
                    "green",
                    "a",
                    vec![("a", vec![c, "green"])],
                ),
            ];
            for (what, before, label, to, after) in cases {
                let before: Vec<(&str, &[&str])> =
                    before.iter().map(|(i, l)| (*i, l.as_slice())).collect();
                let after: Vec<(&str, &[&str])> =
                    after.iter().map(|(i, l)| (*i, l.as_slice())).collect();
                let mut s = secret(&before);
                move_label(&mut s, d, label, to).unwrap();
                assert_eq!(labels(&s), expect(&after), "{:?}: {what}", d.cloud);
                validate(&s, d).unwrap();
            }
        }
    }

    #[test]
    fn moving_to_a_missing_version_fails() {
        let mut s = secret(&[("a", &["AWSCURRENT"])]);
        assert_eq!(
            move_label(&mut s, &AWS, "AWSCURRENT", "zzz"),
            Err(CoreError::VersionNotFound {
                version_id: "zzz".into()
            })
        );
    }

    #[test]
    fn update_stage_rules() {
        let start: &[(&str, &[&str])] = &[
            ("a", &["AWSPREVIOUS"]),
            ("b", &["AWSCURRENT"]),
            ("c", &["AWSPENDING"]),
        ];
        type Case = (
            Option<&'static str>,
            Option<&'static str>,
            &'static str,
            Result<(), CoreError>,
        );
        let cases: Vec<Case> = vec![
            // AWS needs the current holder named when moving a held label.
            (
                Some("c"),
                None,
                "AWSCURRENT",
                Err(CoreError::LabelOnOtherVersion {
                    label: "AWSCURRENT".into(),
                    holder: "b".into(),
                }),
            ),
            (
                Some("c"),
                Some("a"),
                "AWSCURRENT",
                Err(CoreError::LabelOnOtherVersion {
                    label: "AWSCURRENT".into(),
                    holder: "b".into(),
                }),
            ),
            (Some("c"), Some("b"), "AWSCURRENT", Ok(())),
            // Removing current is refused; removing pending is fine.
            (
                None,
                Some("b"),
                "AWSCURRENT",
                Err(CoreError::ProtectedLabel {
                    label: "AWSCURRENT".into(),
                }),
            ),
            (None, Some("c"), "AWSPENDING", Ok(())),
            (
                None,
                Some("a"),
                "AWSPENDING",
                Err(CoreError::LabelOnOtherVersion {
                    label: "AWSPENDING".into(),
                    holder: "c".into(),
                }),
            ),
            (
                None,
                Some("a"),
                "nobody",
                Err(CoreError::VersionLabelMismatch {
                    version_id: "a".into(),
                    label: "nobody".into(),
                }),
            ),
            (
                None,
                None,
                "AWSPENDING",
                Err(CoreError::InvalidParameter(
                    "name a version to move the label to or to remove it from".into(),
                )),
            ),
            (Some("a"), None, "fresh", Ok(())),
        ];
        for (to, from, label, want) in cases {
            let mut s = secret(start);
            assert_eq!(
                update_stage(&mut s, &AWS, label, to, from),
                want,
                "{label} {to:?} {from:?}"
            );
        }
        // Alibaba moves without naming the holder.
        let mut s = secret(&[("a", &["ACSCurrent"]), ("b", &[])]);
        update_stage(&mut s, &ALIBABA, "ACSCurrent", Some("b"), None).unwrap();
        assert_eq!(
            labels(&s),
            expect(&[("a", &["ACSPrevious"]), ("b", &["ACSCurrent"])])
        );
        assert_eq!(
            update_stage(&mut s, &ALIBABA, "ACSPrevious", None, Some("a")),
            Err(CoreError::ProtectedLabel {
                label: "ACSPrevious".into()
            })
        );
    }

    fn new_version(id: &str) -> Version {
        Version::new(
            id,
            SecretValue::Text(id.into()),
            Timestamp::from_secs(100),
            vec![],
        )
    }

    #[test]
    fn version_caps_evict_oldest_unlabelled() {
        // Alibaba keeps 10 versions in all.
        let mut s = secret(&[("v0", &["ACSCurrent"])]);
        for i in 1..=12 {
            add_version(
                &mut s,
                &ALIBABA,
                new_version(&format!("v{i}")),
                &["ACSCurrent".into()],
            )
            .unwrap();
        }
        let ids: Vec<&str> = s.versions.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids.len(), 10);
        assert_eq!(ids.first(), Some(&"v3"));
        assert_eq!(s.holder_id("ACSCurrent"), Some("v12"));
        assert_eq!(s.holder_id("ACSPrevious"), Some("v11"));

        // AWS keeps 100 deprecated versions besides the labelled ones.
        let mut s = secret(&[("v0", &["AWSCURRENT"])]);
        for i in 1..=105 {
            add_version(
                &mut s,
                &AWS,
                new_version(&format!("v{i}")),
                &["AWSCURRENT".into()],
            )
            .unwrap();
        }
        assert_eq!(s.versions.iter().filter(|v| v.is_deprecated()).count(), 100);
        assert_eq!(s.versions.len(), 102);
        assert_eq!(s.versions[0].id, "v4");

        // Huawei: 20 in all; when all are labelled, a new one is refused.
        let mut s = secret(&[]);
        for i in 0..20 {
            add_version(
                &mut s,
                &HUAWEI,
                new_version(&format!("v{i}")),
                &[format!("l{i}")],
            )
            .unwrap();
        }
        let err = add_version(&mut s, &HUAWEI, new_version("v20"), &["x".into()]);
        assert!(matches!(err, Err(CoreError::LimitExceeded(_))));
    }

    #[test]
    fn a_secret_carries_at_most_the_dialects_labels_across_its_versions() {
        let mut s = secret(&[("a", &["AWSCURRENT"])]);
        for i in 1..20 {
            add_version(
                &mut s,
                &AWS,
                new_version(&format!("v{i}")),
                &[format!("L{i}")],
            )
            .unwrap();
        }
        assert_eq!(s.versions.iter().map(|v| v.labels.len()).sum::<usize>(), 20);
        let before = s.clone();
        let err = add_version(&mut s, &AWS, new_version("v20"), &["L20".to_owned()]);
        assert_eq!(
            err,
            Err(CoreError::LimitExceeded(
                "at most 20 staging labels can be attached across all versions of a secret".into()
            ))
        );
        // Moving a label the secret already has adds none.
        let mut moved = before.clone();
        move_label(&mut moved, &AWS, "L1", "v19").unwrap();
        move_label(&mut moved, &AWS, "AWSCURRENT", "v19").unwrap_err();
        // Alibaba and Huawei cap versions instead.
        assert!(ALIBABA.max_labels_per_secret.is_none() && HUAWEI.max_labels_per_secret.is_none());
        assert!(check(&before, &AWS).is_ok());
        let mut over = before;
        over.versions[0].labels.push("X".into());
        assert_eq!(
            check(&over, &AWS),
            Err(Violation::TooManySecretLabels { max: 20 })
        );
    }

    #[test]
    fn adding_an_existing_version_id_conflicts() {
        let mut s = secret(&[("a", &["AWSCURRENT"])]);
        assert_eq!(
            add_version(&mut s, &AWS, new_version("a"), &[]),
            Err(CoreError::idempotency_conflict(&s, "a".into()))
        );
    }

    #[test]
    fn label_count_is_capped() {
        let mut s = secret(&[("a", &[])]);
        for i in 0..12 {
            move_label(&mut s, &HUAWEI, &format!("l{i}"), "a").unwrap();
        }
        assert!(matches!(
            move_label(&mut s, &HUAWEI, "l12", "a"),
            Err(CoreError::LimitExceeded(_))
        ));
    }

    #[test]
    fn validate_catches_broken_states() {
        assert!(validate(&secret(&[("a", &["x"]), ("b", &["x"])]), &AWS).is_err());
        assert!(validate(&secret(&[("a", &[]), ("a", &[])]), &AWS).is_err());
        assert!(validate(&secret(&[("a", &["x"]), ("b", &["y"])]), &AWS).is_ok());
    }
}
