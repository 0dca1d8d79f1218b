//! One module per STS action answered: check the parameters, answer the result members.

pub mod assume_role;
pub mod get_caller_identity;
pub mod get_session_token;
