//! GetCallerIdentity: the account, ARN and user id the request's credentials stand for.
//! It takes no parameters and, as in AWS, never fails for lack of permission.

use crate::query::{leaf, QueryError};
use crate::sts::Call;

pub fn handle(call: &Call<'_>) -> Result<Vec<String>, QueryError> {
    let caller = &call.caller;
    Ok(vec![
        leaf("Arn", &caller.arn()),
        leaf("UserId", &caller.user_id()),
        leaf("Account", &caller.account),
    ])
}
