//! The business rules that differ between the clouds, kept as data so the one model can
//! consult them instead of branching on the cloud.

use crate::Cloud;

/// How a new version gets its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionIds {
    /// The caller's token (AWS ClientRequestToken), else a generated UUID.
    TokenOrUuid,
    /// The caller must name it (Alibaba VersionId).
    Caller,
    /// `v1`, `v2`, … assigned by the service (Huawei).
    Sequential,
}

/// Which versions count against the per-secret cap, and so which get evicted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionCap {
    /// At most N versions without labels are kept (AWS); labelled ones never count.
    Deprecated(usize),
    /// At most N versions in all (Alibaba, Huawei); the oldest unlabelled go first.
    Total(usize),
}

/// A sliding-window quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub max: usize,
    pub window_secs: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Dialect {
    pub cloud: Cloud,
    pub current: &'static str,
    pub previous: &'static str,
    /// The label a rotation puts on its new version until it finishes.
    pub pending: &'static str,
    pub version_ids: VersionIds,
    pub version_cap: VersionCap,
    pub max_labels_per_version: usize,
    /// Labels one secret may carry across all its versions (AWS's quota of 20). With a cap
    /// on labelled versions too, this bounds how many versions a secret keeps; a cloud whose
    /// cap counts every version needs none.
    pub max_labels_per_secret: Option<usize>,
    /// Labels that can only be moved onto another version, never just removed.
    pub move_only_labels: &'static [&'static str],
    /// Whether moving a label that sits on another version needs the caller to name that
    /// version (AWS `RemoveFromVersionId`).
    pub move_names_holder: bool,
    pub default_secret_type: &'static str,
    pub rotation_limit: Option<RateLimit>,
    pub recovery_window_days: (u32, u32),
    pub default_recovery_window_days: u32,
    /// Tags one secret may carry.
    pub max_tags: usize,
    /// Restoring a secret that is not scheduled for deletion is an error (else a no-op).
    pub restore_needs_deletion: bool,
    /// Automatic rotation needs a schedule (AWS rotates once and waits without one).
    pub rotation_needs_schedule: bool,
    /// Stage updates record when each label moved ([`crate::model::LABEL_MOVES`]).
    pub records_label_moves: bool,
    /// Secret types the service rotates with its own function; others need the user's.
    pub self_rotating_types: &'static [&'static str],
}

pub static AWS: Dialect = Dialect {
    cloud: Cloud::Aws,
    current: "AWSCURRENT",
    previous: "AWSPREVIOUS",
    pending: "AWSPENDING",
    version_ids: VersionIds::TokenOrUuid,
    version_cap: VersionCap::Deprecated(100),
    max_labels_per_version: 20,
    max_labels_per_secret: Some(20),
    move_only_labels: &["AWSCURRENT"],
    move_names_holder: true,
    default_secret_type: "",
    rotation_limit: None,
    recovery_window_days: (7, 30),
    default_recovery_window_days: 30,
    max_tags: 50,
    restore_needs_deletion: false,
    rotation_needs_schedule: false,
    records_label_moves: false,
    self_rotating_types: &[],
};

/// Alibaba RotateSecret: 50 per secret per hour.
pub const ALIBABA_ROTATION_LIMIT: RateLimit = RateLimit {
    max: 50,
    window_secs: 3600,
};

pub static ALIBABA: Dialect = Dialect {
    cloud: Cloud::Alibaba,
    current: "ACSCurrent",
    previous: "ACSPrevious",
    pending: "ACSPending",
    version_ids: VersionIds::Caller,
    version_cap: VersionCap::Total(10),
    max_labels_per_version: 10,
    max_labels_per_secret: None,
    move_only_labels: &["ACSCurrent", "ACSPrevious"],
    move_names_holder: false,
    default_secret_type: "Generic",
    rotation_limit: Some(ALIBABA_ROTATION_LIMIT),
    recovery_window_days: (7, 30),
    default_recovery_window_days: 30,
    max_tags: 20,
    restore_needs_deletion: false,
    rotation_needs_schedule: true,
    records_label_moves: false,
    self_rotating_types: &["Rds", "Redis", "PolarDB", "RAMCredentials", "ECS"],
};

pub static HUAWEI: Dialect = Dialect {
    cloud: Cloud::Huawei,
    current: "SYSCURRENT",
    previous: "SYSPREVIOUS",
    pending: "SYSPENDING",
    version_ids: VersionIds::Sequential,
    version_cap: VersionCap::Total(20),
    max_labels_per_version: 12,
    max_labels_per_secret: None,
    move_only_labels: &["SYSCURRENT", "SYSPREVIOUS"],
    move_names_holder: false,
    default_secret_type: "COMMON",
    rotation_limit: None,
    recovery_window_days: (7, 30),
    default_recovery_window_days: 30,
    max_tags: 20,
    restore_needs_deletion: true,
    rotation_needs_schedule: true,
    records_label_moves: true,
    self_rotating_types: &["RDS", "RDS-FG", "GaussDB-FG"],
};

impl Cloud {
    pub fn dialect(self) -> &'static Dialect {
        match self {
            Cloud::Aws => &AWS,
            Cloud::Alibaba => &ALIBABA,
            Cloud::Huawei => &HUAWEI,
        }
    }
}

impl Dialect {
    /// The recovery window a deletion gets: the default when none is asked for, refused
    /// outside the dialect's range.
    pub fn recovery_days(&self, requested: Option<i64>) -> crate::CoreResult<u32> {
        let (min, max) = self.recovery_window_days;
        match requested {
            None => Ok(self.default_recovery_window_days),
            Some(days) => u32::try_from(days)
                .ok()
                .filter(|d| (min..=max).contains(d))
                .ok_or(crate::CoreError::RecoveryWindow { days, min, max }),
        }
    }

    /// Refuses automatic rotation without a schedule where the dialect needs one.
    pub fn check_rotation(&self, r: &crate::Rotation) -> crate::CoreResult<()> {
        if self.rotation_needs_schedule && r.enabled && r.schedule.is_none() {
            return Err(crate::CoreError::ScheduleRequired);
        }
        Ok(())
    }

    /// Whether the service rotates secrets of this type without a user function.
    pub fn rotates_itself(&self, secret_type: &str) -> bool {
        self.self_rotating_types.contains(&secret_type)
    }

    pub fn is_system_label(&self, label: &str) -> bool {
        label == self.current || label == self.previous || label == self.pending
    }
}
