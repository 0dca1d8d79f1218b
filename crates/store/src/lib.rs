//! SQLite persistence for the localsecrets model; the only crate that speaks SQL.
//!
//! - [`sqlite`]: [`SqliteStorage`], the core's `Storage` on one writer connection and (on a
//!   file) a pool of readers; owns the transaction boundaries.
//! - [`tx`]: rows ↔ model behind `ReadTx`/`WriteTx`: a secret is a metadata row plus one row
//!   per version.
//! - [`hot`]: recently read secrets, decoded, emptied by every commit.
//! - [`schema`]: the ordered migrations, counted by `PRAGMA user_version`.
//! - [`error`]: every SQLite or decoding failure as `CoreError::Storage`.
//!
//! Data flow: `Service` → `Storage::write` → writer lock, `BEGIN IMMEDIATE` → the closure's
//! `WriteTx` calls → `COMMIT` when it returns `Ok`, rollback otherwise. `Storage::read` runs
//! the closure in a deferred transaction on a pooled reader (file) or the one connection
//! (memory), so it sees a single snapshot.

pub mod error;
pub mod hot;
pub mod schema;
pub mod sqlite;
pub mod tx;

pub use schema::SCHEMA_VERSION;
pub use sqlite::SqliteStorage;

use localsecrets_core::storage::Storage;
use localsecrets_core::CoreResult;
use std::path::Path;
use std::sync::Arc;

/// The store the server hands to `Service::new`: a file at `path`, or memory for `None`.
pub fn open_storage(path: Option<&Path>) -> CoreResult<Arc<dyn Storage>> {
    Ok(Arc::new(SqliteStorage::open(path)?))
}
