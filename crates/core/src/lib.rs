//! The domain model of localsecrets, shared by all three clouds: no HTTP, no SQL.
//!
//! - [`scope`]: cloud, tenant, region — the walls between secrets.
//! - [`dialect`]: each cloud's rules as data (label names, id scheme, caps, quotas).
//! - [`model`]: secrets, versions, rotation configuration.
//! - [`labels`] and [`rotation`]: the rules, as pure functions over a secret.
//! - [`schedule`]: schedule expressions (`rate(...)`, AWS `cron(...)`) and their next time.
//! - [`listing`]: a page of a scope's secrets (order, resume position, filters).
//! - [`storage`]: what persistence must provide; [`memory`] is the in-process reference.
//! - [`service`]: the commands every caller uses, each one storage transaction (its own
//!   module map lists them by concern); [`limiter`]: the sliding window behind rate limits.
//! - [`error`]: [`CoreError`], the one error type every frontend maps to its wire form.
//! - [`observe`]: changes announced inside their transaction, for records derived from them.
//! - [`clock`], [`random`], [`time`]: the injected sources of time and chance.
//!
//! A request flows frontend → [`Service`] → [`labels`]/[`rotation`] on a loaded [`Secret`] →
//! [`storage::WriteTx::put_secret`] → [`Observer`]s, all inside one transaction.

pub mod clock;
pub mod dialect;
pub mod error;
pub mod labels;
pub mod limiter;
pub mod listing;
pub mod memory;
pub mod model;
pub mod observe;
pub mod random;
pub mod rotation;
pub mod schedule;
pub mod scope;
pub mod service;
pub mod storage;
pub mod time;

pub use clock::Clock;
pub use dialect::Dialect;
pub use error::{CoreError, CoreResult};
pub use listing::{ListOrder, ListPage, ListQuery, Position};
pub use model::{
    Deletion, Rotation, RotationState, RotationStep, Schedule, Secret, SecretValue, Tag, Version,
};
pub use observe::{Change, Observer};
pub use random::{PasswordPolicy, Random};
pub use scope::{Cloud, Scope};
pub use service::{
    check_imported, imported_violation, Access, Ctx, ExtraChange, Import, LinkedReader,
    LinkedWrite, NewSecret, NewVersion, RotateRequest, RotationChange, SecretRef, Selector,
    Service, SnapshotItem, TagKeys, Update, Written,
};
pub use time::Timestamp;
