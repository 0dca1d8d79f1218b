//! `POST /_localsecrets/reset[?cloud=aws|alibaba|huawei][&tenant=ID]` (and
//! `POST /moto-api/reset`): drops secrets and records, everywhere or in one cloud/tenant.
//! The clock is left alone: it only moves forward.

use super::{error, internal, ok};
use crate::app::App;
use localsecrets_api::{Request, Response};
use localsecrets_core::storage::ResetFilter;
use localsecrets_core::Cloud;
use serde_json::json;

pub fn post(app: &App, req: &Request) -> Response {
    let filter = match parse(req) {
        Ok(f) => f,
        Err(message) => return error(400, "bad_request", &message),
    };
    if let Err(e) = app.service.reset(&filter) {
        return internal(&e);
    }
    tracing::info!(
        cloud = filter.cloud.map_or("all", Cloud::as_str),
        tenant = filter.tenant.as_deref().unwrap_or("all"),
        "state reset"
    );
    ok(&json!({
        "status": "ok",
        "reset": {
            "cloud": filter.cloud.map(Cloud::as_str),
            "tenant": filter.tenant,
        },
    }))
}

fn parse(req: &Request) -> Result<ResetFilter, String> {
    let mut filter = ResetFilter::default();
    for (key, value) in req.query_pairs() {
        match key.as_str() {
            "cloud" => {
                filter.cloud = Some(Cloud::parse(&value).ok_or_else(|| {
                    format!("unknown cloud {value:?}: expected aws, alibaba or huawei")
                })?);
            }
            "tenant" if !value.is_empty() => filter.tenant = Some(value),
            "tenant" => return Err("tenant must not be empty".into()),
            _ => {
                return Err(format!(
                    "unknown parameter {key:?}: reset takes cloud=aws|alibaba|huawei and tenant=<account or project id>"
                ))
            }
        }
    }
    Ok(filter)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{app, call};
    use localsecrets_core::storage::ResetFilter;
    use localsecrets_core::{Cloud, Scope};
    use serde_json::json;

    fn put_record(app: &crate::app::App, scope: &Scope) {
        app.service
            .put_record(scope, "marker", "k", &json!(1))
            .unwrap();
    }

    fn count(app: &crate::app::App, scope: &Scope) -> usize {
        app.service.records(scope, "marker").unwrap().len()
    }

    #[test]
    fn resets_all_one_cloud_or_one_tenant() {
        let app = app();
        let aws = Scope::new(Cloud::Aws, "000000000000", "us-east-1");
        let aws2 = Scope::new(Cloud::Aws, "111111111111", "us-east-1");
        let hw = Scope::new(Cloud::Huawei, "p", "cn-north-4");
        let fill = || {
            for s in [&aws, &aws2, &hw] {
                put_record(&app, s);
            }
        };

        fill();
        let (status, body) = call(&app, "POST", "/_localsecrets/reset?cloud=aws", "");
        assert_eq!(status, 200);
        assert_eq!(body["reset"], json!({"cloud": "aws", "tenant": null}));
        assert_eq!(
            (count(&app, &aws), count(&app, &aws2), count(&app, &hw)),
            (0, 0, 1)
        );

        fill();
        let (status, _) = call(
            &app,
            "POST",
            "/_localsecrets/reset?cloud=aws&tenant=111111111111",
            "",
        );
        assert_eq!(status, 200);
        assert_eq!(
            (count(&app, &aws), count(&app, &aws2), count(&app, &hw)),
            (1, 0, 1)
        );

        let (status, body) = call(&app, "POST", "/moto-api/reset", "");
        assert_eq!(status, 200);
        assert_eq!(body["status"], "ok");
        assert_eq!(
            (count(&app, &aws), count(&app, &aws2), count(&app, &hw)),
            (0, 0, 0)
        );
        assert!(ResetFilter::default().matches(&hw));
    }

    #[test]
    fn refuses_unknown_cloud_or_parameter_and_keeps_state() {
        let app = app();
        let hw = Scope::new(Cloud::Huawei, "p", "cn-north-4");
        put_record(&app, &hw);
        for target in [
            "/_localsecrets/reset?cloud=gcp",
            "/_localsecrets/reset?clouds=aws",
            "/_localsecrets/reset?tenant=",
        ] {
            let (status, body) = call(&app, "POST", target, "");
            assert_eq!(status, 400, "{target}");
            assert_eq!(body["error"], "bad_request");
            assert!(!body["message"].as_str().unwrap().is_empty());
        }
        assert_eq!(count(&app, &hw), 1);
    }
}
