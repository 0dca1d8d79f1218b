//! The vocabulary of the service's operations: how a secret is named, which version a read
//! wants, what a write creates and what it answers.

use crate::{CoreResult, Random, Rotation, Schedule, Scope, Secret, SecretValue, Tag, Timestamp};
use serde_json::Value;

/// How a caller names a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretRef<'a> {
    Name(&'a str),
    /// The service-assigned id.
    Id(&'a str),
    /// A name, or a name followed by `-` and the secret's 6-character ARN suffix (the tail of
    /// an AWS ARN, where the suffix cannot be told apart from the name by its shape).
    NameOrSuffixed(&'a str),
    /// A name and the ARN suffix it must carry (a complete AWS ARN): both must match.
    NameWithSuffix(&'a str, &'a str),
}

/// Whether an operation also reaches secrets in their deletion window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Live,
    AnyState,
}

/// Which version a read wants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    Label(String),
    Id(String),
    /// Both given: the version must carry the label.
    IdWithLabel(String, String),
    /// The newest version.
    Latest,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewVersion {
    /// The caller's id (AWS ClientRequestToken, Alibaba VersionId); ignored where the
    /// dialect assigns ids itself.
    pub id: Option<String>,
    pub value: Option<SecretValue>,
    /// Labels to move onto the new version; `None` means the dialect's current label.
    pub labels: Option<Vec<String>>,
    pub expires: Option<Timestamp>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewSecret {
    pub name: String,
    pub secret_type: Option<String>,
    pub description: Option<String>,
    pub kms_key_id: Option<String>,
    pub tags: Option<Vec<Tag>>,
    pub policy: Option<String>,
    pub rotation: Rotation,
    pub extra: serde_json::Map<String, Value>,
    /// The first version; its `value` may be absent (AWS allows a secret with no version).
    pub version: NewVersion,
}

/// The answer of a write that may be a retry: `replayed` when an identical earlier request
/// already did it and nothing was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    pub secret: Secret,
    pub version_id: Option<String>,
    pub replayed: bool,
}

/// A change to how a secret rotates; `None` fields stay as they are. The next rotation time
/// follows from the result ([`crate::rotation::next_due`]), never from the caller.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RotationChange {
    pub enabled: Option<bool>,
    /// `Some(None)` removes the function.
    pub function: Option<Option<String>>,
    pub schedule: Option<Option<Schedule>>,
    pub window_secs: Option<Option<i64>>,
}

impl RotationChange {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The configuration of a secret being created.
    pub fn into_rotation(self) -> Rotation {
        let mut r = Rotation::default();
        self.apply(&mut r);
        r
    }

    pub(crate) fn apply(&self, r: &mut Rotation) {
        if let Some(e) = self.enabled {
            r.enabled = e;
        }
        if let Some(f) = &self.function {
            r.function.clone_from(f);
        }
        if let Some(s) = &self.schedule {
            r.schedule.clone_from(s);
        }
        if let Some(w) = self.window_secs {
            r.window_secs = w;
        }
    }
}

/// A change to a frontend's own fields in [`Secret::extra`].
#[derive(Clone, Debug, PartialEq)]
pub enum ExtraChange {
    /// Sets the key; `Value::Null` removes it.
    Set(String, Value),
    /// Merges the members into the key's object (a `null` member removes that member), so
    /// concurrent changes of different members both land.
    Merge(String, serde_json::Map<String, Value>),
}

impl ExtraChange {
    /// Sets `key` to `value`, or removes it when there is none.
    pub fn set(key: &str, value: Option<Value>) -> Self {
        Self::Set(key.to_owned(), value.unwrap_or(Value::Null))
    }

    /// Applies the change to an `extra` map (also one of a secret not created yet).
    pub fn apply_to(&self, extra: &mut serde_json::Map<String, Value>) {
        match self {
            Self::Set(k, Value::Null) => {
                extra.remove(k);
            }
            Self::Set(k, v) => {
                extra.insert(k.clone(), v.clone());
            }
            Self::Merge(k, members) => {
                let slot = extra
                    .entry(k.clone())
                    .or_insert_with(|| Value::Object(Default::default()));
                if !slot.is_object() {
                    *slot = Value::Object(Default::default());
                }
                let obj = slot.as_object_mut().expect("made an object above");
                for (m, v) in members {
                    if v.is_null() {
                        obj.remove(m);
                    } else {
                        obj.insert(m.clone(), v.clone());
                    }
                }
                if obj.is_empty() {
                    extra.remove(k);
                }
            }
        }
    }
}

/// A change of what describes a secret; fields left `None` stay as they are.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Update {
    /// `Some(None)` removes it.
    pub description: Option<Option<String>>,
    /// `Some(None)` removes the key.
    pub kms_key_id: Option<Option<String>>,
    pub secret_type: Option<String>,
    pub rotation: RotationChange,
    pub extra: Vec<ExtraChange>,
}

impl Update {
    pub(crate) fn apply(&self, s: &mut Secret, scope: &Scope, now: Timestamp) -> CoreResult<()> {
        if let Some(d) = &self.description {
            s.description.clone_from(d);
        }
        if let Some(k) = &self.kms_key_id {
            s.kms_key_id.clone_from(k);
        }
        if let Some(t) = &self.secret_type {
            s.secret_type.clone_from(t);
        }
        for c in &self.extra {
            c.apply_to(&mut s.extra);
        }
        if !self.rotation.is_empty() {
            self.rotation.apply(&mut s.rotation);
            scope.cloud.dialect().check_rotation(&s.rotation)?;
            s.rotation.next_rotation = crate::rotation::next_due(s, s.rotation.last_rotated, now);
        }
        Ok(())
    }
}

/// What a built-in rotation does.
pub struct RotateRequest<'a> {
    /// The new version's id (AWS ClientRequestToken, Alibaba VersionId).
    pub version_id: Option<String>,
    /// Applied to the rotation configuration before anything else.
    pub configure: RotationChange,
    /// Refuse when the secret (after `configure`) names no rotation function.
    pub require_function: bool,
    /// Rotate now; when false only the configuration is stored.
    pub immediately: bool,
    /// Makes the new value from the current one.
    pub generate: &'a dyn Fn(&Secret, &Random) -> CoreResult<SecretValue>,
}

impl<'a> RotateRequest<'a> {
    /// Rotate now with `generate`, leaving the configuration as it is.
    pub fn now(generate: &'a dyn Fn(&Secret, &Random) -> CoreResult<SecretValue>) -> Self {
        Self {
            version_id: None,
            configure: RotationChange::default(),
            require_function: false,
            immediately: true,
            generate,
        }
    }
}

/// Everything an operation closure may need besides the secret.
pub struct Ctx<'a> {
    pub now: Timestamp,
    pub random: &'a Random,
}

/// One item of [`Service::import_all`].
#[derive(Clone, Debug, PartialEq)]
pub enum Import {
    Secret {
        scope: Scope,
        secret: Box<Secret>,
    },
    /// An auxiliary record (a frontend's own kind), stored as given.
    Record {
        scope: Scope,
        kind: String,
        key: String,
        value: Value,
    },
}
