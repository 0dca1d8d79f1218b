//! Measures how long the server takes from process spawn to its first 200 on
//! `/_localsecrets/health`, over many runs, in memory and on a file:
//!
//! `cargo run --release -p localsecrets-tests --example startup [-- RUNS]`
//!
//! The port is picked up front so the probe can start connecting the instant the process is
//! spawned; each probe is a fresh connection and a full HTTP request.

use localsecrets_tests::{command, http};
use std::net::{SocketAddr, TcpListener};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn once(extra: &[&str]) -> Duration {
    let port = free_port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let started = Instant::now();
    let mut child = command()
        .args(["--port", &port.to_string()])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let ready = loop {
        if let Ok(r) = http::send(addr, "GET", "/_localsecrets/health", &[], b"") {
            if r.status == 200 {
                break started.elapsed();
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "server not ready after 10 s"
        );
        std::thread::sleep(Duration::from_micros(200));
    };
    let _ = child.kill();
    let _ = child.wait();
    ready
}

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!(
        "{label:<28} runs {:>3}  min {:>6.2} ms  median {:>6.2} ms  p90 {:>6.2} ms  max {:>6.2} ms",
        samples.len(),
        ms(samples[0]),
        ms(at(0.5)),
        ms(at(0.9)),
        ms(*samples.last().unwrap())
    );
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    println!("binary: {}", localsecrets_tests::binary().display());
    // One unmeasured start so the binary is in the page cache.
    once(&[]);

    report("memory", (0..runs).map(|_| once(&[])).collect());

    let dir = tempfile::tempdir().expect("temp dir");
    let fresh: Vec<Duration> = (0..runs)
        .map(|i| {
            let db = dir.path().join(format!("fresh-{i}.db"));
            once(&["--data", db.to_str().unwrap()])
        })
        .collect();
    report("file (new database)", fresh);

    let db = dir.path().join("existing.db");
    once(&["--data", db.to_str().unwrap()]);
    report(
        "file (existing database)",
        (0..runs)
            .map(|_| once(&["--data", db.to_str().unwrap()]))
            .collect(),
    );
}
