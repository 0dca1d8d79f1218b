//! Every SQLite or decoding failure becomes `CoreError::Storage`: the model treats them all as
//! "the store failed", never as something the request did.

use localsecrets_core::CoreError;

pub fn db_error(e: rusqlite::Error) -> CoreError {
    CoreError::Storage(format!("sqlite: {e}"))
}

pub trait DbResult<T> {
    fn db(self) -> Result<T, CoreError>;
}

impl<T> DbResult<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T, CoreError> {
        self.map_err(db_error)
    }
}

/// A stored row that does not decode. Names the row and where the JSON broke, never the
/// content: serde's messages can quote the offending value, and values are secret.
pub fn corrupt(what: &str, e: &serde_json::Error) -> CoreError {
    CoreError::Storage(format!(
        "corrupt {what}: {:?} error at line {} column {}",
        e.classify(),
        e.line(),
        e.column()
    ))
}
