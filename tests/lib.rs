//! Black-box test support: the real `localsecrets` binary, driven over loopback.
//!
//! - [`Server`]: spawns the release binary (`LOCALSECRETS_BIN`, else
//!   `<workspace>/target/release/localsecrets`) on a free port (`--port 0`), reads the bound address from
//!   its startup log line, waits for `/_localsecrets/health`, and kills it on drop.
//! - [`http`]: a minimal HTTP/1.1 client on `std::net::TcpStream` (one request per
//!   connection), so tests see exactly the bytes the server sends.
//!
//! Data flow: a test starts a [`Server`] → sends requests with [`Server::call`] or
//! [`http::send_raw`] → asserts on the [`http::HttpResponse`] and, if needed, the server's
//! log ([`Server::logs`]) or exit status ([`Server::terminate`]).

pub mod http;

use http::HttpResponse;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a server may take to come up or go down before a test gives up (a hang guard,
/// not a performance assertion).
pub const PATIENCE: Duration = Duration::from_secs(30);

/// The binary under test.
pub fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("LOCALSECRETS_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("tests/ sits inside the workspace")
                .join("target")
        });
    target.join("release").join("localsecrets")
}

/// A command for the binary with no `LOCALSECRETS_*` variable inherited from the caller.
pub fn command() -> Command {
    let bin = binary();
    assert!(
        bin.exists(),
        "{} does not exist: build it with `cargo build --release -p localsecrets` or set LOCALSECRETS_BIN",
        bin.display()
    );
    let mut cmd = Command::new(bin);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("LOCALSECRETS_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// A running server process.
pub struct Server {
    child: Option<Child>,
    pub addr: SocketAddr,
    pub url: String,
    log: Arc<Mutex<String>>,
}

#[derive(Default)]
pub struct ServerBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl ServerBuilder {
    pub fn arg(mut self, a: impl Into<String>) -> Self {
        self.args.push(a.into());
        self
    }

    pub fn env(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    /// Starts the server and waits until its health endpoint answers 200.
    pub fn start(self) -> Server {
        let mut cmd = command();
        // A free port chosen by the kernel, unless the test picks one itself.
        let port_given = self
            .args
            .iter()
            .any(|a| a == "--port" || a.starts_with("--port="))
            || self.env.iter().any(|(k, _)| k == "LOCALSECRETS_PORT");
        if !port_given {
            cmd.arg("--port").arg("0");
        }
        cmd.args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn localsecrets");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = log.clone();
        // Keeps draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                {
                    let mut log = sink.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
                if let Some(addr) = listening_addr(&line) {
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = match rx.recv_timeout(PATIENCE) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().ok();
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "server did not log its address (exit: {status:?}); log:\n{}",
                    log.lock().unwrap()
                );
            }
        };
        let server = Server {
            child: Some(child),
            addr,
            url: format!("http://{addr}"),
            log,
        };
        server.wait_healthy();
        server
    }
}

/// The address in `localsecrets listening on http://ADDR`.
pub fn listening_addr(line: &str) -> Option<SocketAddr> {
    let rest = line.split("localsecrets listening on http://").nth(1)?;
    rest.split_whitespace().next()?.parse().ok()
}

impl Server {
    pub fn builder() -> ServerBuilder {
        ServerBuilder::default()
    }

    /// A server with default settings (memory state).
    pub fn start() -> Server {
        Self::builder().start()
    }

    fn wait_healthy(&self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(r) = http::send(self.addr, "GET", "/_localsecrets/health", &[], b"") {
                if r.status == 200 {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "server never became healthy; log:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Sends one request; panics on a transport error.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> HttpResponse {
        http::send(self.addr, method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}; log:\n{}", self.logs()))
    }

    pub fn get(&self, path: &str) -> HttpResponse {
        self.call("GET", path, &[], b"")
    }

    pub fn post(&self, path: &str, body: &str) -> HttpResponse {
        self.call(
            "POST",
            path,
            &[("content-type", "application/json")],
            body.as_bytes(),
        )
    }

    pub fn post_json(&self, path: &str, body: &Value) -> HttpResponse {
        self.post(path, &body.to_string())
    }

    /// Everything the server has logged so far.
    pub fn logs(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the log contains `needle` (log lines arrive asynchronously) and returns
    /// the whole log; panics with it after [`PATIENCE`].
    pub fn wait_for_log(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let logs = self.logs();
            if logs.contains(needle) {
                return logs;
            }
            assert!(
                Instant::now() < deadline,
                "{needle:?} never appeared in the log:\n{logs}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Sends `signal` (e.g. `TERM`, `INT`) and waits for the process to exit.
    pub fn stop_with(mut self, signal: &str) -> ExitStatus {
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{signal} failed");
        let mut child = self.child.take().expect("running");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("server ignored SIG{signal}; log:\n{}", self.logs());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// SIGTERM and wait.
    pub fn terminate(self) -> ExitStatus {
        self.stop_with("TERM")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
