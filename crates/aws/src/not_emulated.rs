//! SigV4 requests for an AWS service not emulated here (IAM, SQS, KMS, S3…): an error in the
//! protocol the request speaks and naming the service (from the credential scope), so its SDK
//! reports "not emulated" instead of failing on another cloud's answer.
//!
//! The protocol is read off the request: an `X-Amz-Target` is JSON (`__type`), an `Action=`
//! is the query protocol (XML `InvalidAction`), anything else is REST, answered in JSON when
//! the request's body is JSON and in XML otherwise.

use crate::identity::{self, Identity};
use crate::query::{Params, QueryError};
use crate::AwsConfig;
use localsecrets_api::{Request, RequestInfo, Response, WireError};
use serde_json::json;

/// The protocol a request speaks, with what it asks for.
enum Wire {
    Json { target: String },
    Query { action: String },
    Rest { json: bool },
}

fn wire(req: &Request) -> Wire {
    if let Some(target) = req.header("x-amz-target") {
        return Wire::Json {
            target: target.trim().to_owned(),
        };
    }
    if let Some(action) = Params::from_request(req).action() {
        return Wire::Query {
            action: action.to_owned(),
        };
    }
    Wire::Rest {
        json: req.content_type().is_some_and(|ct| ct.contains("json")),
    }
}

/// What the journal calls the request: the target or action as sent.
pub fn operation(req: &Request) -> Option<String> {
    match wire(req) {
        Wire::Json { target } => Some(target),
        Wire::Query { action } => Some(action),
        Wire::Rest { .. } => None,
    }
}

pub fn describe(req: &Request, who: &Identity) -> RequestInfo {
    who.request_info(operation(req))
}

const SERVED: &str = "localsecrets answers AWS Secrets Manager (X-Amz-Target: \
                      secretsmanager.<Operation>) and STS (GetCallerIdentity, AssumeRole, \
                      GetSessionToken) only";

pub fn serve(config: &AwsConfig, req: &Request) -> (Response, RequestInfo) {
    let who = identity::identify(req, config);
    let service = match who.service.as_deref() {
        Some(s) => format!("service {s}"),
        None => "an AWS service (no credential scope names it)".to_owned(),
    };
    let response = match wire(req) {
        Wire::Json { target } => json_error(
            req,
            400,
            "UnknownOperationException",
            &format!("Operation {target} of {service} is not emulated: {SERVED}."),
        ),
        Wire::Query { action } => QueryError::sender(
            400,
            "InvalidAction",
            format!("Could not find operation {action} of {service}: {SERVED}."),
        )
        .respond(&req.request_id),
        Wire::Rest { json } => {
            let message = format!(
                "{} {} of {service} is not emulated: {SERVED}.",
                req.method, req.raw_path
            );
            if json {
                json_error(req, 400, "UnknownOperationException", &message)
            } else {
                QueryError::sender(400, "UnknownOperationException", message)
                    .respond(&req.request_id)
            }
        }
    };
    (response, describe(req, &who))
}

/// The server's refusal (see `Frontend::refuse`) in the request's protocol.
pub fn refuse(req: &Request, message: &str) -> Response {
    match wire(req) {
        Wire::Json { .. } | Wire::Rest { json: true } => {
            json_error(req, 403, "AccessDeniedException", message)
        }
        Wire::Query { .. } | Wire::Rest { json: false } => {
            QueryError::sender(403, "AccessDenied", message).respond(&req.request_id)
        }
    }
}

/// AWS's JSON error, in the JSON flavour the request was sent in.
fn json_error(req: &Request, status: u16, code: &str, message: &str) -> Response {
    let content_type = req
        .header("content-type")
        .filter(|ct| ct.contains("json"))
        .unwrap_or(crate::error::CONTENT_TYPE);
    let mut r = Response::new(status)
        .header("content-type", content_type)
        .header("x-amzn-RequestId", &req.request_id)
        .header("x-amzn-ErrorType", code)
        .body(localsecrets_api::http::json_bytes(
            &json!({"__type": code, "message": message}),
        ));
    r.error_code = Some(code.to_owned());
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(service: &str) -> Request {
        Request::new("POST", "/").with_header(
            "authorization",
            &format!(
                "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/{service}/aws4_request, \
                 SignedHeaders=host, Signature=0"
            ),
        )
    }

    fn text(r: &Response) -> &str {
        std::str::from_utf8(&r.body).unwrap()
    }

    #[test]
    fn query_requests_get_xml_naming_the_service() {
        let req = signed("iam")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body("Action=ListUsers&Version=2010-05-08");
        let (r, info) = serve(&AwsConfig::default(), &req);
        assert_eq!(r.status, 400);
        assert_eq!(r.header_value("content-type"), Some("text/xml"));
        assert_eq!(r.error_code.as_deref(), Some("InvalidAction"));
        assert!(text(&r).starts_with("<ErrorResponse><Error><Type>Sender</Type>"));
        assert!(text(&r).contains("Could not find operation ListUsers of service iam"));
        assert_eq!(info.operation.as_deref(), Some("ListUsers"));
        assert_eq!(info.tenant.as_deref(), Some("000000000000"));
    }

    #[test]
    fn json_requests_get_json_naming_the_service() {
        let req = signed("kms")
            .with_header("x-amz-target", "TrentService.ListKeys")
            .with_header("content-type", "application/x-amz-json-1.1")
            .with_body("{}");
        let (r, _) = serve(&AwsConfig::default(), &req);
        assert_eq!(r.status, 400);
        assert_eq!(
            r.header_value("x-amzn-ErrorType"),
            Some("UnknownOperationException")
        );
        let body = r.json_body().unwrap();
        assert_eq!(body["__type"], "UnknownOperationException");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("TrentService.ListKeys of service kms"),
            "{message}"
        );
    }

    #[test]
    fn rest_requests_follow_their_body() {
        let get = Request::new("GET", "/bucket").with_header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request",
        );
        let (r, _) = serve(&AwsConfig::default(), &get);
        assert!(
            text(&r).contains("GET /bucket of service s3"),
            "{}",
            text(&r)
        );
        assert_eq!(r.header_value("content-type"), Some("text/xml"));
        let post = signed("lambda").with_header("content-type", "application/json");
        let (r, _) = serve(&AwsConfig::default(), &post);
        assert_eq!(r.header_value("content-type"), Some("application/json"));
        assert_eq!(
            r.json_body().unwrap()["__type"],
            "UnknownOperationException"
        );
        assert_eq!(refuse(&post, "no").status, 403);
    }
}
