//! Changes the service announces inside the transaction that makes them, so what a frontend
//! derives from a change (Huawei rotation tasks and notification records, say) commits or
//! rolls back together with it, whoever caused it: an API call, the scheduler or a purge.

use crate::service::Ctx;
use crate::storage::WriteTx;
use crate::{CoreResult, Scope, Secret};

/// One change to a secret, as it stands after the change.
#[derive(Clone, Copy, Debug)]
pub enum Change<'a> {
    /// A new secret (created or imported), with whatever versions it came with.
    Created { secret: &'a Secret },
    /// A caller added a version (not a rotation).
    VersionAdded {
        secret: &'a Secret,
        version_id: &'a str,
    },
    /// A rotation finished: `version_id` is now current.
    Rotated {
        secret: &'a Secret,
        version_id: &'a str,
    },
    /// A rotation run by an outside function reported failure.
    RotationFailed {
        secret: &'a Secret,
        version_id: &'a str,
        error: &'a str,
    },
    /// A version's expiry time passed.
    VersionExpired {
        secret: &'a Secret,
        version_id: &'a str,
    },
    /// Metadata, labels or rotation state changed without a new version.
    Updated { secret: &'a Secret },
    /// The secret entered its deletion window.
    DeletionScheduled { secret: &'a Secret },
    /// The secret is gone for good: deleted at once, or purged when its window ended.
    Deleted { secret: &'a Secret },
}

impl Change<'_> {
    pub fn secret(&self) -> &Secret {
        match self {
            Change::Created { secret }
            | Change::VersionAdded { secret, .. }
            | Change::Rotated { secret, .. }
            | Change::RotationFailed { secret, .. }
            | Change::VersionExpired { secret, .. }
            | Change::Updated { secret }
            | Change::DeletionScheduled { secret }
            | Change::Deleted { secret } => secret,
        }
    }
}

/// Told of every change inside its transaction. An error rolls the change back. The service's
/// transaction is open while it runs, so it must work through `tx` only, never call the
/// service.
pub trait Observer: Send + Sync {
    /// Asked, inside the write's transaction, before a change to `secret` is made: an error
    /// refuses it (AWS replicas refuse every write; the primary's changes reach them by
    /// replication). Checked where the change is made, so no write slips in between.
    fn may_change(&self, _scope: &Scope, _secret: &Secret) -> CoreResult<()> {
        Ok(())
    }

    fn changed(
        &self,
        tx: &mut dyn WriteTx,
        scope: &Scope,
        change: &Change<'_>,
        ctx: &Ctx<'_>,
    ) -> CoreResult<()>;
}
