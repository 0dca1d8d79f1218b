//! The 1 MiB request body limit: enforced while reading, answered with a JSON 413, and the
//! server keeps serving afterwards.

use localsecrets_tests::http::{chunked, send_raw};
use localsecrets_tests::Server;

const MIB: usize = 1024 * 1024;

/// A valid clock request padded with spaces to exactly `len` bytes.
fn padded_clock_body(len: usize) -> Vec<u8> {
    let json = br#"{"advance_seconds": 0}"#;
    let mut body = vec![b' '; len - json.len()];
    body.extend_from_slice(json);
    body
}

fn assert_413(r: &localsecrets_tests::http::HttpResponse) {
    assert_eq!(r.status, 413, "{}", r.text());
    let b = r.json();
    assert_eq!(b["error"], "payload_too_large");
    let message = b["message"].as_str().unwrap();
    assert!(
        message.contains("1 MiB") && message.contains("1048576"),
        "{message}"
    );
    assert!(r.header("x-request-id").is_some());
}

#[test]
fn a_body_of_exactly_one_mib_is_accepted() {
    let s = Server::start();
    let r = s.call(
        "POST",
        "/_localsecrets/clock",
        &[("content-type", "application/json")],
        &padded_clock_body(MIB),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["offset_seconds"], 0);
}

#[test]
fn one_byte_over_is_413_and_nothing_happens() {
    let s = Server::start();
    let mut body = padded_clock_body(MIB);
    // Still valid JSON, one byte longer, and it would move the clock.
    let tail = br#"{"advance_seconds": 7}"#;
    body.truncate(MIB + 1 - tail.len());
    body.extend_from_slice(tail);
    assert_eq!(body.len(), MIB + 1);
    let r = s.call("POST", "/_localsecrets/clock", &[], &body);
    assert_413(&r);
    assert_eq!(s.get("/_localsecrets/clock").json()["offset_seconds"], 0);
}

#[test]
fn oversized_cloud_requests_get_413_too() {
    let s = Server::start();
    let body = vec![b'a'; 2 * MIB];
    let r = s.call(
        "POST",
        "/",
        &[("x-amz-target", "secretsmanager.CreateSecret")],
        &body,
    );
    assert_413(&r);
    assert_eq!(s.get("/_localsecrets/health").status, 200);
}

#[test]
fn chunked_bodies_are_cut_off_while_reading() {
    let s = Server::start();
    let mut raw = b"POST /_localsecrets/clock HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    raw.extend_from_slice(&chunked(&vec![b' '; 3 * MIB], 64 * 1024));
    let r = send_raw(s.addr, &raw, false).unwrap();
    assert_413(&r);
    assert_eq!(s.get("/_localsecrets/health").status, 200);
}

#[test]
fn a_declared_oversized_body_is_refused_before_it_is_sent() {
    let s = Server::start();
    // The client waits for `100 Continue`; the server must answer without reading a byte.
    let raw = format!(
        "POST /_localsecrets/clock HTTP/1.1\r\nhost: localhost\r\ncontent-length: {}\r\nexpect: 100-continue\r\n\r\n",
        64 * MIB
    );
    let r = send_raw(s.addr, raw.as_bytes(), false).unwrap();
    assert_413(&r);
    assert_eq!(s.get("/_localsecrets/health").status, 200);
}
