//! The load benchmark: `cargo run --release -p localsecrets-bench [-- --seconds N --rounds N
//! --connections N --only TEXT]`. It starts the release server (`target/release/localsecrets`, built
//! first) and the reference servers of [`reference`], drives each with the same closed-loop
//! HTTP/1.1 load (keep-alive connections, one request in flight on each), server and
//! reference interleaved round by round, and prints every figure as a ratio to its reference,
//! with startup time and memory. When `taskset` exists the load runs on one core and the
//! server on the other. Nothing here is a pass/fail test.

mod load;
mod reference;

use load::{Load, Outcome};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Options {
    seconds: u64,
    rounds: usize,
    connections: usize,
    /// Only the figures whose name contains this (and no memory report).
    only: Option<String>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("reference") {
        let kind = args.get(1).map(String::as_str).unwrap_or("fixed");
        let port = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(0);
        if let Err(e) = reference::run(kind, port, args.get(3).map(String::as_str)) {
            eprintln!("reference: {e}");
            std::process::exit(1);
        }
        return;
    }
    let mut o = Options {
        seconds: 5,
        rounds: 2,
        connections: 16,
        only: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().and_then(|v| v.parse::<u64>().ok());
        match a.as_str() {
            "--seconds" => o.seconds = value().unwrap_or(o.seconds),
            "--rounds" => o.rounds = value().unwrap_or(2) as usize,
            "--connections" => o.connections = value().unwrap_or(16) as usize,
            "--only" => o.only = it.next().cloned(),
            other => {
                eprintln!(
                    "unknown argument {other}; use --seconds N --rounds N --connections N --only TEXT"
                );
                std::process::exit(2);
            }
        }
    }
    if let Err(e) = run(&o) {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ sits in the workspace")
        .to_path_buf()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A process pinned to the server core when `taskset` is there.
fn spawn(program: &Path, args: &[String]) -> Result<Child, String> {
    let pinned = Command::new("taskset").arg("-V").output().is_ok();
    let mut cmd = if pinned {
        let mut c = Command::new("taskset");
        c.arg("-c").arg("1").arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))
}

struct Running {
    child: Child,
    addr: SocketAddr,
    started: Duration,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn start(program: &Path, args: Vec<String>, port: u16) -> Result<Self, String> {
        let t = Instant::now();
        let child = spawn(program, &args)?;
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut probe = Load::new(addr);
        while probe.get_health().is_err() {
            if t.elapsed() > Duration::from_secs(60) {
                return Err(format!("{} did not come up", program.display()));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        Ok(Self {
            child,
            addr,
            started: t.elapsed(),
        })
    }

    /// Resident memory of the process (or of `taskset`'s child, which it becomes).
    fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }
}

fn server(bin: &Path, data: Option<&Path>, fixtures: Option<&Path>) -> Result<Running, String> {
    let port = free_port();
    let mut args = vec![
        "--port".into(),
        port.to_string(),
        "--log-level".into(),
        "error".into(),
    ];
    if let Some(d) = data {
        args.extend(["--data".into(), d.display().to_string()]);
    }
    if let Some(f) = fixtures {
        args.extend(["--fixtures".into(), f.display().to_string()]);
    }
    Running::start(bin, args, port)
}

fn reference(kind: &str, db: Option<&Path>) -> Result<Running, String> {
    let port = free_port();
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut args = vec!["reference".into(), kind.into(), port.to_string()];
    if let Some(d) = db {
        args.push(d.display().to_string());
    }
    Running::start(&me, args, port)
}

/// A fixture of `n` AWS secrets named `bench/NNNNNN`.
fn fixture(dir: &Path, n: usize) -> Result<PathBuf, String> {
    let secrets: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({"cloud": "aws", "name": format!("bench/{i:06}"),
                "versions": [{"value": format!("value-{i}")}]})
        })
        .collect();
    let path = dir.join(format!("secrets-{n}.json"));
    std::fs::write(&path, serde_json::json!({ "secrets": secrets }).to_string())
        .map_err(|e| e.to_string())?;
    Ok(path)
}

struct Figure {
    name: &'static str,
    server: Outcome,
    reference: Outcome,
    reference_name: &'static str,
    goal: &'static str,
}

fn run(o: &Options) -> Result<(), String> {
    let root = root();
    eprintln!("building the release server…");
    let built = Command::new("cargo")
        .args(["build", "--release", "-p", "localsecrets"])
        .current_dir(&root)
        .status()
        .map_err(|e| e.to_string())?;
    if !built.success() {
        return Err("cargo build failed".into());
    }
    let bin = root.join("target/release/localsecrets");
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let thousand = fixture(dir.path(), 1000)?;
    let duration = Duration::from_secs(o.seconds);
    let c = o.connections;
    let mut figures = Vec::new();

    // Interleaved: reference, server, reference, server…; the median round of each counts.
    let mut measure = |name: &'static str,
                       goal: &'static str,
                       reference_name: &'static str,
                       start_ref: &dyn Fn(usize) -> Result<Running, String>,
                       start_server: &dyn Fn(usize) -> Result<Running, String>,
                       work: &(dyn Fn(&mut Load, usize) -> Result<(), String> + Sync)|
     -> Result<(), String> {
        if o.only
            .as_ref()
            .is_some_and(|only| !name.contains(only.as_str()))
        {
            return Ok(());
        }
        let (mut rs, mut ss) = (Vec::new(), Vec::new());
        for round in 0..o.rounds {
            let r = start_ref(round)?;
            rs.push(load::drive(r.addr, c, duration, work)?);
            drop(r);
            let s = start_server(round)?;
            ss.push(load::drive(s.addr, c, duration, work)?);
        }
        figures.push(Figure {
            name,
            server: Outcome::median(ss),
            reference: Outcome::median(rs),
            reference_name,
            goal,
        });
        Ok(())
    };
    let fixed = |_: usize| reference("fixed", None);
    let naive = |round: usize| {
        reference(
            "sqlite",
            Some(&dir.path().join(format!("naive-{round}.db"))),
        )
    };
    let seeded = |l: &mut Load, _: usize| l.aws("GetSecretValue", r#"{"SecretId":"bench/000042"}"#);
    measure(
        "GetSecretValue, memory",
        "≥ 0.6",
        "fixed",
        &fixed,
        &|_| server(&bin, None, Some(&thousand)),
        &seeded,
    )?;
    measure(
        "GetSecretValue, --data",
        "≥ 0.5",
        "fixed",
        &fixed,
        &|round| {
            server(
                &bin,
                Some(&dir.path().join(format!("get-{round}.db"))),
                Some(&thousand),
            )
        },
        &seeded,
    )?;
    let list = |l: &mut Load, _: usize| l.aws("ListSecrets", r#"{"MaxResults":100}"#);
    measure(
        "ListSecrets, 100 of 1,000",
        "≥ 0.08",
        "fixed",
        &fixed,
        &|_| server(&bin, None, Some(&thousand)),
        &list,
    )?;
    // A page must cost the same however many secrets the account holds.
    let hundred_k = fixture(dir.path(), 100_000)?;
    measure(
        "ListSecrets, 100 of 100,000",
        "≥ 0.8",
        "100 of 1,000",
        &|_| server(&bin, None, Some(&thousand)),
        &|_| server(&bin, None, Some(&hundred_k)),
        &list,
    )?;
    measure(
        "PutSecretValue, --data",
        "≥ 1.5",
        "naive SQLite",
        &naive,
        &|round| {
            server(
                &bin,
                Some(&dir.path().join(format!("put-{round}.db"))),
                Some(&thousand),
            )
        },
        &|l: &mut Load, n| {
            let body = format!(
                r#"{{"SecretId":"bench/{:06}","SecretString":"v{n}","ClientRequestToken":"{:032x}{:08x}"}}"#,
                n % 1000,
                n,
                l.id()
            );
            l.aws("PutSecretValue", &body)
        },
    )?;
    measure(
        "CreateSecret, --data",
        "≥ 1.5",
        "naive SQLite",
        &naive,
        &|round| {
            server(
                &bin,
                Some(&dir.path().join(format!("create-{round}.db"))),
                None,
            )
        },
        &|l: &mut Load, n| {
            let body = format!(
                r#"{{"Name":"new/{:08x}-{n}","SecretString":"v","ClientRequestToken":"{:032x}{:08x}"}}"#,
                l.id(),
                n,
                l.id()
            );
            l.aws("CreateSecret", &body)
        },
    )?;

    println!("\n| Figure (c = {c}, {}s × {} rounds, median) | localsecrets req/s | p50 ms | p99 ms | reference | reference req/s | ratio | goal |", o.seconds, o.rounds);
    println!("|---|---:|---:|---:|---|---:|---:|---|");
    for f in &figures {
        println!(
            "| {} | {:.0} | {:.2} | {:.2} | {} | {:.0} | {:.2} | {} |",
            f.name,
            f.server.rps,
            f.server.p50_ms,
            f.server.p99_ms,
            f.reference_name,
            f.reference.rps,
            f.server.rps / f.reference.rps.max(1.0),
            f.goal
        );
    }

    if o.only.is_some() {
        return Ok(());
    }
    let idle = server(&bin, None, None)?;
    let ten_k = fixture(dir.path(), 10_000)?;
    let loaded_started = Instant::now();
    let loaded = server(&bin, None, Some(&ten_k))?;
    let load_time = loaded_started.elapsed();
    println!(
        "\nStartup to first healthy answer: {:.1} ms (memory, empty). RSS: {} KiB idle, {} KiB with 10,000 secrets (loaded and healthy in {:.0} ms).",
        idle.started.as_secs_f64() * 1000.0,
        idle.rss_kib().map_or("?".into(), |k| k.to_string()),
        loaded.rss_kib().map_or("?".into(), |k| k.to_string()),
        load_time.as_secs_f64() * 1000.0
    );
    let big = server(&bin, None, Some(&hundred_k))?;
    let before = big.rss_kib();
    let listed = load::drive(big.addr, c, duration, &list)?;
    println!(
        "RSS with 100,000 secrets: {} KiB loaded, {} KiB after {}s of listing ({:.0} pages/s).",
        before.map_or("?".into(), |k| k.to_string()),
        big.rss_kib().map_or("?".into(), |k| k.to_string()),
        o.seconds,
        listed.rps
    );
    // Readers must not queue behind listings: two clients list while the rest read.
    let (gets, lists) = std::thread::scope(|scope| {
        let listing = scope.spawn(|| load::drive(big.addr, 2, duration, &list));
        let gets = load::drive(big.addr, c.saturating_sub(2).max(1), duration, &seeded);
        (
            gets,
            listing
                .join()
                .unwrap_or_else(|_| Err("listing panicked".into())),
        )
    });
    let (gets, lists) = (gets?, lists?);
    println!(
        "GetSecretValue at 100,000 secrets while 2 clients list: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms (goal p99 < 20 ms; listing {:.0} pages/s).",
        gets.rps, gets.p50_ms, gets.p99_ms, lists.rps
    );
    Ok(())
}
