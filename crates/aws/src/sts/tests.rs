//! STS through the AWS frontend, as the SDKs send it: form bodies signed with an `sts`
//! credential scope, answers read as XML; temporary credentials then used with Secrets Manager.

use crate::{AwsConfig, AwsFrontend};
use localsecrets_api::{Frontend, Request, Response};
use localsecrets_core::{Service, Timestamp};
use std::sync::Arc;

fn frontend() -> (AwsFrontend, Arc<Service>) {
    let service = Arc::new(Service::in_memory(3));
    (
        AwsFrontend::new(service.clone(), AwsConfig::default()),
        service,
    )
}

fn auth(key: &str, service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential={key}/20240101/us-east-1/{service}/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=0"
    )
}

fn sts(key: &str, token: Option<&str>, body: &str) -> Request {
    let req = Request::new("POST", "/")
        .with_header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .with_header("authorization", &auth(key, "sts"))
        .with_body(format!("{body}&Version=2011-06-15"));
    match token {
        Some(t) => req.with_header("x-amz-security-token", t),
        None => req,
    }
}

fn text(r: &Response) -> &str {
    std::str::from_utf8(&r.body).unwrap()
}

/// The text of the first `<tag>` in an answer.
fn field(r: &Response, tag: &str) -> String {
    let body = text(r);
    let open = format!("<{tag}>");
    let start = body
        .find(&open)
        .unwrap_or_else(|| panic!("no {tag} in {body}"))
        + open.len();
    let end = body[start..].find(&format!("</{tag}>")).unwrap() + start;
    quick_xml::escape::unescape(&body[start..end])
        .unwrap()
        .into_owned()
}

fn ok(f: &AwsFrontend, req: &Request) -> Response {
    let r = f.handle(req);
    assert_eq!(r.status, 200, "{}", text(&r));
    assert_eq!(r.header_value("content-type"), Some("text/xml"));
    r
}

fn err(f: &AwsFrontend, req: &Request) -> (u16, String, String) {
    let r = f.handle(req);
    assert!(text(&r).starts_with(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender"
    ));
    assert_eq!(field(&r, "RequestId"), req.request_id);
    (r.status, field(&r, "Code"), field(&r, "Message"))
}

#[test]
fn get_caller_identity_follows_the_access_key() {
    let (f, _) = frontend();
    let r = ok(&f, &sts("111111111111", None, "Action=GetCallerIdentity"));
    assert!(text(&r).starts_with(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:root</Arn>\
         <UserId>111111111111</UserId><Account>111111111111</Account>\
         </GetCallerIdentityResult><ResponseMetadata><RequestId>"
    ));
    let r = ok(&f, &sts("test", None, "Action=GetCallerIdentity"));
    assert_eq!(field(&r, "Account"), "000000000000");
    // Presigned, as IAM-auth schemes (Vault, EKS tokens) send it.
    let presigned = Request::new(
        "GET",
        "/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256\
         &X-Amz-Credential=333333333333%2F20240101%2Fus-east-1%2Fsts%2Faws4_request",
    );
    assert_eq!(field(&ok(&f, &presigned), "Account"), "333333333333");
    // Unsigned, but in STS's version.
    let unsigned = Request::new("POST", "/")
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body("Action=GetCallerIdentity&Version=2011-06-15");
    assert!(f.claims(&unsigned));
    assert_eq!(field(&ok(&f, &unsigned), "Account"), "000000000000");
    let info = f.serve(&unsigned).1;
    assert_eq!(info.operation.as_deref(), Some("GetCallerIdentity"));
    assert_eq!(info.tenant.as_deref(), Some("000000000000"));
    assert!(f.only_reads(&unsigned));
}

#[test]
fn assumed_role_credentials_work_in_the_roles_account() {
    let (f, service) = frontend();
    service.clock().advance_secs(86_400 * 365).unwrap();
    let r = ok(
        &f,
        &sts(
            "111111111111",
            None,
            "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Fops%2FDeployer\
             &RoleSessionName=ci-run&DurationSeconds=900&SourceIdentity=alice",
        ),
    );
    let key = field(&r, "AccessKeyId");
    let token = field(&r, "SessionToken");
    assert!(
        key.starts_with("ASIA222222222222") && key.len() == 20,
        "{key}"
    );
    assert_eq!(field(&r, "SecretAccessKey").len(), 40);
    let expires = Timestamp::parse_rfc3339(&field(&r, "Expiration")).unwrap();
    assert_eq!(expires.secs(), service.now().plus_secs(900).secs());
    let arn = "arn:aws:sts::222222222222:assumed-role/Deployer/ci-run";
    assert_eq!(field(&r, "Arn"), arn);
    let role_id = field(&r, "AssumedRoleId");
    assert!(
        role_id.starts_with("AROA") && role_id.ends_with(":ci-run"),
        "{role_id}"
    );
    assert_eq!(field(&r, "SourceIdentity"), "alice");

    let me = ok(&f, &sts(&key, Some(&token), "Action=GetCallerIdentity"));
    assert_eq!(field(&me, "Account"), "222222222222");
    assert_eq!(field(&me, "Arn"), arn);
    assert_eq!(field(&me, "UserId"), role_id);
    // The same role again has the same role id.
    let again = ok(
        &f,
        &sts(
            "test",
            None,
            "Action=AssumeRole&RoleArn=arn:aws:iam::222222222222:role/ops/Deployer\
             &RoleSessionName=other",
        ),
    );
    assert_eq!(
        field(&again, "AssumedRoleId").split(':').next(),
        role_id.split(':').next()
    );

    // Secrets Manager with the temporary key works in the role's account.
    let sm = |key: &str, op: &str, body: &str| {
        f.handle(
            &Request::new("POST", "/")
                .with_header("x-amz-target", &format!("secretsmanager.{op}"))
                .with_header("content-type", "application/x-amz-json-1.1")
                .with_header("authorization", &auth(key, "secretsmanager"))
                .with_header("x-amz-security-token", &token)
                .with_body(body.to_owned()),
        )
    };
    let created = sm(
        &key,
        "CreateSecret",
        r#"{"Name":"shared","SecretString":"v","ClientRequestToken":"00000000-0000-4000-8000-000000000001"}"#,
    );
    assert_eq!(created.status, 200, "{}", text(&created));
    let arn = created.json_body().unwrap()["ARN"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(arn.contains(":222222222222:secret:shared-"), "{arn}");
    assert_eq!(
        sm("222222222222", "DescribeSecret", r#"{"SecretId":"shared"}"#).status,
        200
    );
    assert_eq!(
        sm("111111111111", "DescribeSecret", r#"{"SecretId":"shared"}"#).status,
        400
    );

    // Role chaining is limited to an hour, and session tokens are not for session credentials.
    let chained = |duration: u32| {
        sts(
            &key,
            Some(&token),
            &format!(
                "Action=AssumeRole&RoleArn=arn:aws:iam::333333333333:role/Next\
                 &RoleSessionName=hop&DurationSeconds={duration}"
            ),
        )
    };
    let (status, code, message) = err(&f, &chained(3601));
    assert_eq!((status, code.as_str()), (400, "ValidationError"));
    assert!(message.contains("role chaining"), "{message}");
    let hop = ok(&f, &chained(3600));
    assert!(field(&hop, "AccessKeyId").starts_with("ASIA333333333333"));
    let (status, code, _) = err(&f, &sts(&key, Some(&token), "Action=GetSessionToken"));
    assert_eq!((status, code.as_str()), (403, "AccessDenied"));
}

#[test]
fn assume_role_validates_as_sts_does() {
    let (f, _) = frontend();
    let call = |body: &str| err(&f, &sts("111111111111", None, body));
    let (status, code, message) = call("Action=AssumeRole");
    assert_eq!((status, code.as_str()), (400, "ValidationError"));
    assert_eq!(
        message,
        "2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: \
         Member must not be null; Value null at 'roleSessionName' failed to satisfy \
         constraint: Member must not be null"
    );
    let (_, _, message) = call(
        "Action=AssumeRole&RoleArn=arn:aws:iam::222222222222:role/r&RoleSessionName=a%20b\
         &DurationSeconds=899",
    );
    assert_eq!(
        message,
        "2 validation errors detected: Value 'a b' at 'roleSessionName' failed to satisfy \
         constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*; Value '899' \
         at 'durationSeconds' failed to satisfy constraint: Member must have value greater \
         than or equal to 900"
    );
    let (_, _, message) = call(
        "Action=AssumeRole&RoleArn=arn:aws:iam::222222222222:role/r&RoleSessionName=s\
         &DurationSeconds=43201",
    );
    assert!(
        message.starts_with("2 validation errors detected"),
        "{message}"
    );
    assert!(message.contains("less than or equal to 43200"), "{message}");
    let (_, code, message) =
        call("Action=AssumeRole&RoleArn=arn:aws:iam::222222222222:user/bob&RoleSessionName=s1");
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ValidationError", "Request ARN is invalid")
    );
}

#[test]
fn get_session_token_lasts_as_asked_on_the_servers_clock() {
    let (f, service) = frontend();
    service.clock().advance_secs(86_400 * 1000).unwrap();
    let r = ok(&f, &sts("444444444444", None, "Action=GetSessionToken"));
    let expires = Timestamp::parse_rfc3339(&field(&r, "Expiration")).unwrap();
    assert_eq!(expires.secs(), service.now().plus_secs(43_200).secs());
    let key = field(&r, "AccessKeyId");
    assert!(key.starts_with("ASIA444444444444"), "{key}");
    let token = field(&r, "SessionToken");
    let me = ok(&f, &sts(&key, Some(&token), "Action=GetCallerIdentity"));
    assert_eq!(field(&me, "Arn"), "arn:aws:iam::444444444444:root");
    let r = ok(
        &f,
        &sts(
            "444444444444",
            None,
            "Action=GetSessionToken&DurationSeconds=129600",
        ),
    );
    let expires = Timestamp::parse_rfc3339(&field(&r, "Expiration")).unwrap();
    assert_eq!(expires.secs(), service.now().plus_secs(129_600).secs());
    let (status, code, message) = err(
        &f,
        &sts(
            "444444444444",
            None,
            "Action=GetSessionToken&DurationSeconds=129601",
        ),
    );
    assert_eq!((status, code.as_str()), (400, "ValidationError"));
    assert_eq!(
        message,
        "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy \
         constraint: Member must have value less than or equal to 129600"
    );
}

#[test]
fn other_actions_and_versions_are_invalid_actions() {
    let (f, _) = frontend();
    for (body, message) in [
        (
            "Action=GetFederationToken&Name=x",
            "Could not find operation GetFederationToken for version 2011-06-15",
        ),
        (
            "Action=AssumeRoleWithWebIdentity",
            "Could not find operation AssumeRoleWithWebIdentity for version 2011-06-15",
        ),
    ] {
        let (status, code, m) = err(&f, &sts("test", None, body));
        assert_eq!(
            (status, code.as_str(), m.as_str()),
            (400, "InvalidAction", message)
        );
    }
    let old = Request::new("POST", "/")
        .with_header("authorization", &auth("test", "sts"))
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body("Action=GetCallerIdentity&Version=2010-01-01");
    let (_, code, m) = err(&f, &old);
    assert_eq!(code, "InvalidAction");
    assert_eq!(
        m,
        "Could not find operation GetCallerIdentity for version 2010-01-01"
    );
    let empty = Request::new("POST", "/").with_header("authorization", &auth("test", "sts"));
    assert_eq!(err(&f, &empty).1, "MissingAction");
}

#[test]
fn sigv4_requests_are_aws_and_others_are_left_alone() {
    let (f, _) = frontend();
    let iam = Request::new("POST", "/")
        .with_header("authorization", &auth("test", "iam"))
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body("Action=ListUsers&Version=2010-05-08");
    assert!(f.claims(&iam));
    let r = f.handle(&iam);
    assert_eq!(r.status, 400);
    assert!(
        text(&r).contains("<Code>InvalidAction</Code>"),
        "{}",
        text(&r)
    );
    assert!(text(&r).contains("service iam"), "{}", text(&r));
    // Alibaba's RPC and unsigned other targets are not AWS's.
    for other in [
        Request::new(
            "POST",
            "/?Action=ListSecrets&Version=2016-01-20&Format=JSON",
        ),
        Request::new("POST", "/")
            .with_header(
                "authorization",
                "ACS3-HMAC-SHA256 Credential=LTAI,Signature=x",
            )
            .with_header("x-acs-action", "ListSecrets"),
        Request::new("POST", "/").with_header("x-amz-target", "kms.ListKeys"),
    ] {
        assert!(!f.claims(&other), "{other:?}");
    }
}
