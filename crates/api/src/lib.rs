//! What every frontend shares: the plain request and response the server hands over
//! ([`http`]), the [`Frontend`] trait dispatch calls, the wire-error trait each cloud's error
//! enum implements ([`error`]), request context ([`context`]) and signing primitives
//! ([`signing`]).
//!
//! Data flow: server builds a [`Request`] → asks each frontend [`Frontend::claims`] in
//! dispatch order → [`Frontend::handle`] parses, calls the core service, renders a
//! [`Response`].

pub mod context;
pub mod error;
pub mod http;
pub mod signing;

pub use context::{Credentials, StaticCredentials, VerifyMode};
pub use error::WireError;
pub use http::{Request, Response};

use localsecrets_core::Cloud;

/// One cloud's wire protocol.
pub trait Frontend: Send + Sync {
    fn cloud(&self) -> Cloud;
    /// Whether this request is in this frontend's protocol (checked in dispatch order).
    fn claims(&self, req: &Request) -> bool;
    /// Answers the request; never panics on bad input, answers a 4xx in the cloud's format.
    fn handle(&self, req: &Request) -> Response;
    /// The operation a request names, for the request journal (`None` when unknown).
    fn operation(&self, req: &Request) -> Option<String>;
}
