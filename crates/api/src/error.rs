//! Each frontend's error enum knows its wire form; the server only ever sees a `Response`.

use crate::http::Response;

pub trait WireError {
    fn status(&self) -> u16;
    /// The cloud's error code (`ResourceNotFoundException`, `Forbidden.ResourceNotFound`,
    /// `CSMS.0106`), also recorded in the request journal.
    fn code(&self) -> &str;
    fn render(&self, request_id: &str) -> Response;
}
