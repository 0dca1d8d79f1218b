//! What the service's tests share: an in-memory service and a few builders.

use super::types::*;
use super::Service;
use crate::observe::{Change, Observer};
use crate::storage::WriteTx;
use crate::Cloud;
use crate::{CoreError, CoreResult, Scope, SecretValue};

pub fn service() -> Service {
    Service::in_memory(42)
}

pub fn aws() -> Scope {
    Scope::new(Cloud::Aws, "000000000000", "us-east-1")
}

pub fn text(s: &str) -> Option<SecretValue> {
    Some(SecretValue::Text(s.into()))
}

pub fn create(
    svc: &Service,
    scope: &Scope,
    name: &str,
    token: Option<&str>,
    value: &str,
) -> Written {
    svc.create_secret(
        scope,
        NewSecret {
            name: name.into(),
            version: NewVersion {
                id: token.map(str::to_owned),
                value: text(value),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap()
}

/// Records every change it is told of as a storage record, and refuses on demand.
pub struct Recorder {
    pub refuse: bool,
}

impl Observer for Recorder {
    fn changed(
        &self,
        tx: &mut dyn WriteTx,
        scope: &Scope,
        change: &Change<'_>,
        ctx: &Ctx<'_>,
    ) -> CoreResult<()> {
        if self.refuse {
            return Err(CoreError::InvalidParameter("observer refused".into()));
        }
        let what = match change {
            // Every change of metadata says so; the tests follow the named events.
            Change::Updated { .. } => return Ok(()),
            Change::Created { .. } => "created".to_owned(),
            Change::VersionAdded { version_id, .. } => format!("added {version_id}"),
            Change::Rotated { version_id, .. } => format!("rotated {version_id}"),
            Change::RotationFailed {
                version_id, error, ..
            } => format!("failed {version_id}: {error}"),
            Change::VersionExpired { version_id, .. } => format!("expired {version_id}"),
            Change::DeletionScheduled { .. } => "scheduled".to_owned(),
            Change::Deleted { .. } => "deleted".to_owned(),
        };
        let n = tx.records(scope, "change")?.len();
        let entry = serde_json::json!({
            "secret": change.secret().name,
            "what": what,
            "at": ctx.now.millis(),
        });
        tx.put_record(scope, "change", &format!("{n:04}"), &entry)
    }
}

pub fn changes(svc: &Service, scope: &Scope) -> Vec<String> {
    svc.read(|tx| tx.records(scope, "change"))
        .unwrap()
        .into_iter()
        .map(|(_, v)| {
            format!(
                "{} {}",
                v["secret"].as_str().unwrap(),
                v["what"].as_str().unwrap()
            )
        })
        .collect()
}
