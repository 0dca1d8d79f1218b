//! The process: `--help`, configuration by flags and environment, the startup log line,
//! persistence with `--data`, startup failures and graceful shutdown.

use localsecrets_tests::{command, listening_addr, Server};
use serde_json::json;
use std::io::{Read, Write};
use std::process::Stdio;

/// Every option with its environment variable.
const OPTIONS: [(&str, &str); 8] = [
    ("--host", "LOCALSECRETS_HOST"),
    ("--port", "LOCALSECRETS_PORT"),
    ("--data", "LOCALSECRETS_DATA"),
    ("--aws-account-id", "LOCALSECRETS_AWS_ACCOUNT_ID"),
    ("--alibaba-account-id", "LOCALSECRETS_ALIBABA_ACCOUNT_ID"),
    ("--seed", "LOCALSECRETS_SEED"),
    ("--log-level", "LOCALSECRETS_LOG"),
    ("--help", ""),
];

#[test]
fn help_lists_every_option_and_variable() {
    let out = command().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for (flag, env) in OPTIONS {
        assert!(help.contains(flag), "{flag} missing from --help:\n{help}");
        assert!(help.contains(env), "{env} missing from --help:\n{help}");
    }
    for default in ["127.0.0.1", "4566", "000000000000"] {
        assert!(help.contains(default), "default {default} missing:\n{help}");
    }
}

#[test]
fn version_flag_prints_the_version() {
    let out = command().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("localsecrets {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn logs_one_listening_line_with_the_address() {
    let s = Server::start();
    let logs = s.logs();
    let lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("listening on"))
        .collect();
    assert_eq!(lines.len(), 1, "{logs}");
    assert_eq!(listening_addr(lines[0]), Some(s.addr));
    assert!(s.addr.ip().is_loopback());
}

#[test]
fn configuration_comes_from_environment_variables_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("env.db");
    let s = Server::builder()
        .env("LOCALSECRETS_HOST", "127.0.0.1")
        .env("LOCALSECRETS_PORT", "0")
        .env("LOCALSECRETS_DATA", db.to_str().unwrap())
        .env("LOCALSECRETS_LOG", "debug")
        .start();
    assert_eq!(s.get("/_localsecrets/health").json()["persistence"], "file");
    assert!(db.exists());
    // Debug logging shows request lines.
    let logs = s.wait_for_log("path=/_localsecrets/health");
    assert!(logs.contains("DEBUG"), "{logs}");
}

#[test]
fn flags_override_environment_variables() {
    let s = Server::builder()
        .env("LOCALSECRETS_LOG", "debug")
        .arg("--log-level")
        .arg("info")
        .start();
    s.get("/_localsecrets/health");
    // A reset is logged at info; once it shows, a debug line for the request before it
    // would have shown too.
    s.post("/_localsecrets/reset", "");
    let logs = s.wait_for_log("state reset");
    assert!(!logs.contains("DEBUG"), "{logs}");
}

#[test]
fn data_file_persists_and_keeps_the_clock_offset_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let path = db.to_str().unwrap().to_owned();

    let first = Server::builder().arg("--data").arg(&path).start();
    let h = first.get("/_localsecrets/health").json();
    assert_eq!(h["persistence"], "file");
    assert!(first.logs().contains(&path), "{}", first.logs());
    let r = first.post_json("/_localsecrets/clock", &json!({"advance_seconds": 7200}));
    assert_eq!(r.status, 200);
    assert!(first.terminate().success());

    let second = Server::builder().arg("--data").arg(&path).start();
    let c = second.get("/_localsecrets/clock").json();
    assert_eq!(c["offset_seconds"], 7200);
    let r = second.post_json("/_localsecrets/clock", &json!({"advance_seconds": 60}));
    assert_eq!(r.json()["offset_seconds"], 7260);
    drop(second);

    // A memory server starts from a plain clock whatever a file holds.
    let memory = Server::start();
    assert_eq!(
        memory.get("/_localsecrets/clock").json()["offset_seconds"],
        0
    );
    assert_eq!(
        memory.get("/_localsecrets/health").json()["persistence"],
        "memory"
    );
}

#[test]
fn sigterm_and_sigint_stop_gracefully_with_exit_code_zero() {
    for signal in ["TERM", "INT"] {
        let s = Server::start();
        assert_eq!(s.get("/_localsecrets/health").status, 200);
        let status = s.stop_with(signal);
        assert_eq!(status.code(), Some(0), "SIG{signal}");
    }
}

#[test]
fn sigterm_closes_idle_keep_alive_connections() {
    let s = Server::start();
    let mut conn = std::net::TcpStream::connect(s.addr).unwrap();
    conn.set_read_timeout(Some(localsecrets_tests::PATIENCE))
        .unwrap();
    conn.write_all(b"GET /_localsecrets/health HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 4096];
    let n = conn.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // The connection stays open (keep-alive) while the server stops.
    let status = s.terminate();
    assert_eq!(status.code(), Some(0));
    let mut rest = Vec::new();
    let _ = conn.read_to_end(&mut rest);
}

#[test]
fn invalid_configuration_exits_with_a_clear_message() {
    for (args, needle) in [
        (&["--aws-account-id", "123"][..], "12 digits"),
        (&["--alibaba-account-id", "abc"], "16 digits"),
        (&["--port", "99999"], "--port"),
        (&["--log-level", "info,=[["], "--log-level"),
        (&["--no-such-flag"], "--no-such-flag"),
    ] {
        let out = command().args(args).stdin(Stdio::null()).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn startup_failures_exit_non_zero_with_the_reason() {
    let taken = Server::start();
    let out = command()
        .args(["--port", &taken.addr.port().to_string()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no").join("such").join("dir").join("x.db");
    let out = command()
        .args(["--port", "0", "--data", missing.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot open state"), "{err}");
}
