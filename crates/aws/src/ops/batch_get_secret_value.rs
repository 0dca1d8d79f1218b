//! BatchGetSecretValue: the current values of up to 20 secrets named in SecretIdList, or of
//! the secrets a filter selects (paged by MaxResults). A secret that cannot be read is
//! reported in Errors instead of failing the whole call.

use crate::arn;
use crate::call::{Call, SECRET_ID};
use crate::error::{AwsError, AwsResult};
use crate::filters;
use crate::json::Len;
use crate::paging;
use crate::render::{self, Obj};
use localsecrets_api::WireError;
use localsecrets_core::{ListOrder, ListQuery, Secret, SecretRef, Selector};
use serde_json::{json, Value};

fn current() -> Selector {
    Selector::Label("AWSCURRENT".into())
}

fn by_ids(call: &Call<'_>, ids: Vec<String>) -> (Vec<Value>, Vec<Value>) {
    let mut values = vec![];
    let mut errors = vec![];
    for id in ids {
        let got = arn::target(&id, &call.scope).and_then(|t| {
            call.service
                .get_value(&call.scope, t.as_ref(), &current())
                .map_err(AwsError::from)
        });
        match got {
            Ok((s, v)) => values.push(render::secret_value(&call.scope, &s, &v)),
            Err(e) => errors.push(json!({
                "SecretId": id, "ErrorCode": e.code(), "Message": e.message()
            })),
        }
    }
    (values, errors)
}

pub fn handle(call: &Call<'_>) -> AwsResult<Value> {
    let i = &call.input;
    let ids = i.str_list("SecretIdList", Len(1, 20), SECRET_ID)?;
    let filters = filters::parse(i)?;
    let max = i.int("MaxResults", Some(1), Some(20))?;
    let token = i.str("NextToken", Len(1, 4096))?;
    match (ids, filters) {
        (Some(_), Some(_)) | (None, None) => Err(AwsError::InvalidParameter(
            "You must include Filters or SecretIdList, but not both.".into(),
        )),
        (Some(ids), None) => {
            if max.is_some() {
                return Err(AwsError::InvalidParameter(
                    "MaxResults can only be used together with Filters.".into(),
                ));
            }
            let (values, errors) = by_ids(call, ids);
            Ok(json!({ "SecretValues": values, "Errors": errors }))
        }
        (None, Some(filters)) => {
            let context = format!("BatchGetSecretValue|{}|{filters:?}", call.scope);
            let keep = |s: &Secret| filters::matches(&filters, &call.scope, s);
            let prefix = filters::name_prefix(&filters);
            let page = call.service.page(
                &call.scope,
                &ListQuery {
                    after: token
                        .as_deref()
                        .map(|t| paging::position(t, &context))
                        .transpose()?,
                    keep: Some(&keep),
                    name_prefix: prefix.as_deref(),
                    ..ListQuery::new(ListOrder::Created, max.unwrap_or(20) as usize)
                },
            )?;
            let next = page.next.map(|p| paging::position_token(&p, &context));
            let mut values = vec![];
            let mut errors = vec![];
            for s in page.secrets {
                match call
                    .service
                    .get_value(&call.scope, SecretRef::Name(&s.name), &current())
                {
                    Ok((s, v)) => values.push(render::secret_value(&call.scope, &s, &v)),
                    Err(e) => {
                        let e = AwsError::from(e);
                        errors.push(json!({
                            "SecretId": s.name, "ErrorCode": e.code(), "Message": e.message()
                        }));
                    }
                }
            }
            Ok(Obj::new()
                .put("SecretValues", values)
                .put("Errors", errors)
                .opt("NextToken", next)
                .done())
        }
    }
}
