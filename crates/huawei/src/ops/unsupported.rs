//! Operations localsecrets does not implement: rotation function templates, CSMS users and
//! grants (an organisation directory the emulator does not have), and the secret checker's
//! check. Each answers a clear CSMS error naming the operation.

use crate::error::{HuaweiError, HwResult};
use crate::router::Op;
use localsecrets_api::Response;

pub fn handle(op: &Op) -> HwResult<Response> {
    Err(HuaweiError::not_supported(op.name()))
}
