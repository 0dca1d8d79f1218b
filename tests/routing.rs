//! Dispatch over the wire: admin → AWS (`X-Amz-Target`, SigV4, STS's version) → Huawei
//! (`/v1/…`) → Alibaba (`Action`) → a neutral JSON 404; every answer carries a request id.

use localsecrets_tests::Server;
use std::collections::HashSet;

#[test]
fn unknown_route_gets_a_json_404_naming_the_protocols() {
    let s = Server::start();
    for (method, path, headers) in [
        ("GET", "/", vec![]),
        ("POST", "/some/where?x=1", vec![]),
        // Another AWS service's target is not ours.
        ("POST", "/", vec![("x-amz-target", "kms.ListKeys")]),
    ] {
        let r = s.call(method, path, &headers, b"{}");
        assert_eq!(r.status, 404, "{method} {path}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        let b = r.json();
        assert_eq!(b["error"], "not_found");
        assert!(b["message"]
            .as_str()
            .unwrap()
            .contains(path.split('?').next().unwrap()));
        let protocols: Vec<&str> = b["protocols"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(protocols.len(), 3);
        assert!(protocols[0].starts_with("aws: ") && protocols[0].contains("X-Amz-Target"));
        assert!(protocols[1].starts_with("alibaba: ") && protocols[1].contains("Action"));
        assert!(protocols[2].starts_with("huawei: ") && protocols[2].contains("/v1/"));
    }
}

#[test]
fn aws_target_wins_over_huawei_path_and_alibaba_action() {
    let s = Server::start();
    let r = s.call(
        "POST",
        "/v1/proj/secrets?Action=ListSecrets&Format=JSON",
        &[
            ("x-amz-target", "secretsmanager.NoSuchOperation"),
            ("content-type", "application/x-amz-json-1.1"),
        ],
        b"{}",
    );
    assert_eq!(r.status, 400, "{}", r.text());
    // AWS JSON 1.1 errors carry `__type` and the AWS request id header.
    assert!(r.json()["__type"].as_str().is_some(), "{}", r.text());
    assert!(r.header("x-amzn-requestid").is_some());
}

#[test]
fn huawei_path_wins_over_alibaba_action() {
    let s = Server::start();
    let r = s.call(
        "GET",
        "/v1/proj/no-such-resource?Action=ListSecrets&Format=JSON",
        &[],
        b"",
    );
    assert!((400..500).contains(&r.status), "{}", r.status);
    let b = r.json();
    // Huawei errors are `{"error_code", "error_msg"}`.
    assert!(b["error_code"].as_str().is_some(), "{b}");
    assert!(b.get("Code").is_none() && b.get("error").is_none(), "{b}");
}

#[test]
fn alibaba_action_is_claimed_from_query_header_or_form() {
    let s = Server::start();
    let answers = [
        s.call("POST", "/?Action=NoSuchAction&Format=JSON", &[], b""),
        s.call(
            "POST",
            "/?Format=JSON",
            &[("x-acs-action", "NoSuchAction")],
            b"",
        ),
        s.call(
            "POST",
            "/",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"Action=NoSuchAction&Format=JSON",
        ),
    ];
    for r in answers {
        assert!((400..500).contains(&r.status), "{}", r.status);
        // Alibaba errors carry `Code` and `RequestId`.
        let b = r.json();
        assert!(b["Code"].as_str().is_some(), "{b}");
        assert!(b["RequestId"].as_str().is_some(), "{b}");
    }
}

fn sigv4(service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20240101/us-east-1/{service}/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=0"
    )
}

const FORM: (&str, &str) = (
    "content-type",
    "application/x-www-form-urlencoded; charset=utf-8",
);

#[test]
fn sigv4_action_requests_are_aws_not_alibaba() {
    let s = Server::start();
    // STS GetCallerIdentity, which Alibaba used to answer `InvalidVersion`.
    let sts = sigv4("sts");
    let r = s.call(
        "POST",
        "/",
        &[("authorization", &sts), FORM],
        b"Action=GetCallerIdentity&Version=2011-06-15",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/xml"));
    assert!(
        r.text().contains("<Account>000000000000</Account>"),
        "{}",
        r.text()
    );

    // A query-protocol service not emulated: XML naming the service.
    let iam = sigv4("iam");
    let r = s.call(
        "POST",
        "/",
        &[("authorization", &iam), FORM],
        b"Action=ListUsers&Version=2010-05-08",
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/xml"));
    let body = r.text();
    assert!(
        body.starts_with("<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>"),
        "{body}"
    );
    assert!(body.contains("service iam"), "{body}");
    assert!(r.header("x-amzn-requestid").is_some());

    // A JSON-protocol service not emulated: AWS's JSON error naming the service.
    let kms = sigv4("kms");
    let r = s.call(
        "POST",
        "/",
        &[
            ("authorization", &kms),
            ("x-amz-target", "TrentService.ListKeys"),
            ("content-type", "application/x-amz-json-1.1"),
        ],
        b"{}",
    );
    assert_eq!(r.status, 400, "{}", r.text());
    let b = r.json();
    assert_eq!(b["__type"], "UnknownOperationException", "{b}");
    assert!(
        b["message"].as_str().unwrap().contains("service kms"),
        "{b}"
    );

    // Presigned in the query: still AWS's.
    let r = s.call(
        "GET",
        "/?Action=SendMessage&X-Amz-Algorithm=AWS4-HMAC-SHA256\
         &X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fsqs%2Faws4_request",
        &[],
        b"",
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("service sqs"), "{}", r.text());
}

#[test]
fn every_answer_has_its_own_request_id() {
    let s = Server::start();
    let mut seen = HashSet::new();
    for (method, path) in [
        ("GET", "/_localsecrets/health"),
        ("GET", "/_localsecrets/health"),
        ("GET", "/nowhere"),
        ("POST", "/_localsecrets/reset?cloud=nope"),
    ] {
        let r = s.call(method, path, &[], b"");
        let id = r.header("x-request-id").expect("x-request-id").to_owned();
        // A hyphenated UUID.
        assert_eq!(id.len(), 36, "{id}");
        assert_eq!(id.matches('-').count(), 4, "{id}");
        assert!(seen.insert(id), "request id repeated");
    }
}

#[test]
fn keep_alive_connections_serve_several_requests() {
    use std::io::{Read, Write};
    let s = Server::start();
    let mut stream = std::net::TcpStream::connect(s.addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let req = b"GET /_localsecrets/health HTTP/1.1\r\nhost: localhost\r\n\r\n";
    stream.write_all(req).unwrap();
    stream.write_all(req).unwrap();
    stream
        .write_all(
            b"GET /_localsecrets/clock HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n",
        )
        .unwrap();
    let mut all = String::new();
    stream.read_to_string(&mut all).unwrap();
    assert_eq!(all.matches("HTTP/1.1 200 OK").count(), 3, "{all}");
}
