//! User rotation functions: a registry of ids → an HTTP hook (`{"url": "http://…"}`, called
//! with `POST` and the event as its JSON body; 2xx is success) or a local command
//! (`{"command": ["python3", "rotate.py"]}`, the event as JSON on stdin; exit 0 is success,
//! stderr is kept as the error). A command runs with `AWS_ENDPOINT_URL` (and each cloud's
//! usual credential and region variables) pointing its SDK at this server, in the secret's own
//! account and region. A function that does not finish within its timeout is killed (with
//! every process it started) and counts as failed.
//!
//! The registry lives in the store's settings, so it survives a restart with `--data` and is
//! kept by a state reset (it is configuration, like `--rotation-functions`). Recent calls are
//! kept in memory for `GET /_localsecrets/rotation`.
//!
//! A command runs programs as the server's user, so it runs only when whoever started the
//! server said so: listed in the `--rotation-functions` file, or with
//! `--allow-command-functions`. Otherwise the admin API refuses to register one and a stored
//! one fails when called.

use localsecrets_api::RotationFunctions;
use localsecrets_core::{Clock, Cloud, CoreError, CoreResult, Scope, Service, Timestamp};
use parking_lot::{Mutex, RwLock};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, VecDeque};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// The store setting that holds the registry.
pub const SETTING: &str = "rotation_functions";

/// The secret key handed to functions; the emulator never checks it.
pub const FUNCTION_SECRET_KEY: &str = "localsecrets";

/// How many calls `GET /_localsecrets/rotation` shows.
const KEPT_CALLS: usize = 200;

/// How much of a function's output is kept for the error message.
const KEPT_OUTPUT: usize = 4096;

/// Where a function runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Url(String),
    Command(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    pub target: Target,
    /// Overrides the server's default timeout for this function.
    pub timeout_seconds: Option<u64>,
}

impl Function {
    /// Reads `{"url": "http://…"}` or `{"command": ["prog", "arg", …]}`, optionally with
    /// `"timeout_seconds"`. The message names what to fix.
    pub fn parse(v: &Value) -> Result<Self, String> {
        const SHAPE: &str = r#"expected {"url": "http://host:port/path"} or {"command": ["program", "arg", ...]}, optionally with "timeout_seconds": N"#;
        let Value::Object(m) = v else {
            return Err(SHAPE.into());
        };
        if let Some(k) = m
            .keys()
            .find(|k| !matches!(k.as_str(), "url" | "command" | "timeout_seconds"))
        {
            return Err(format!("unknown field {k:?}: {SHAPE}"));
        }
        let target = match (m.get("url"), m.get("command")) {
            (Some(Value::String(u)), None) => {
                parse_url(u)?;
                Target::Url(u.clone())
            }
            (Some(other), None) => return Err(format!("url must be a string, got {other}")),
            (None, Some(Value::Array(items))) => {
                let args: Option<Vec<String>> = items
                    .iter()
                    .map(|a| a.as_str().map(str::to_owned))
                    .collect();
                match args {
                    Some(a) if !a.is_empty() && !a[0].is_empty() => Target::Command(a),
                    _ => {
                        return Err(
                            "command must be a non-empty array of strings, the program first"
                                .into(),
                        )
                    }
                }
            }
            (None, Some(other)) => {
                return Err(format!("command must be an array of strings, got {other}"))
            }
            (Some(_), Some(_)) => return Err(format!("give url or command, not both: {SHAPE}")),
            (None, None) => return Err(SHAPE.into()),
        };
        let timeout_seconds = match m.get("timeout_seconds") {
            None => None,
            Some(t) => Some(
                t.as_u64()
                    .filter(|t| (1..=3600).contains(t))
                    .ok_or_else(|| format!("timeout_seconds must be 1 to 3600, got {t}"))?,
            ),
        };
        Ok(Self {
            target,
            timeout_seconds,
        })
    }

    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        match &self.target {
            Target::Url(u) => m.insert("url".into(), json!(u)),
            Target::Command(c) => m.insert("command".into(), json!(c)),
        };
        if let Some(t) = self.timeout_seconds {
            m.insert("timeout_seconds".into(), json!(t));
        }
        Value::Object(m)
    }
}

/// `http://host[:port][/path]` → (host, port, path-and-query).
fn parse_url(u: &str) -> Result<(String, u16, String), String> {
    let rest = u.strip_prefix("http://").ok_or_else(|| {
        format!("url {u:?} must start with http:// (the emulator calls functions over plain HTTP)")
    })?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse::<u16>()
                .map_err(|_| format!("url {u:?} has a bad port {p:?}"))?,
        ),
        None => (authority, 80),
    };
    if host.is_empty() {
        return Err(format!("url {u:?} names no host"));
    }
    Ok((host.to_owned(), port, path.to_owned()))
}

/// One call of a function, as `GET /_localsecrets/rotation` shows it.
#[derive(Clone, Debug)]
pub struct CallRecord {
    pub id: String,
    pub at: Timestamp,
    pub scope: Scope,
    pub event: Value,
    pub duration_ms: u64,
    pub error: Option<String>,
}

impl CallRecord {
    pub fn to_json(&self) -> Value {
        json!({
            "function": self.id,
            "at": self.at.to_rfc3339(),
            "cloud": self.scope.cloud.as_str(),
            "tenant": self.scope.tenant,
            "region": self.scope.region,
            "event": self.event,
            "duration_ms": self.duration_ms,
            "ok": self.error.is_none(),
            "error": self.error,
        })
    }
}

pub struct Registry {
    service: Arc<Service>,
    functions: RwLock<BTreeMap<String, Function>>,
    /// This server's own URL, handed to commands; set once the port is bound.
    endpoint: OnceLock<String>,
    default_timeout: Duration,
    calls: Mutex<VecDeque<CallRecord>>,
    /// `--allow-command-functions`: any command may be registered and run.
    commands_allowed: bool,
    /// The commands of the `--rotation-functions` file, which run without that flag.
    trusted: RwLock<BTreeMap<String, Function>>,
}

/// Why a command function was refused, naming the flag that allows it.
pub const COMMANDS_DISABLED: &str = "command functions are disabled: they run programs as the \
     server's user, so only the --rotation-functions file or a server started with \
     --allow-command-functions may register them; URL functions are always available";

impl Registry {
    /// The registry stored in `service`'s settings.
    pub fn load(service: Arc<Service>, default_timeout: Duration) -> CoreResult<Self> {
        let raw = service.setting(SETTING)?;
        let functions = match raw {
            None => BTreeMap::new(),
            Some(s) => {
                let v: Value = serde_json::from_str(&s).map_err(|e| {
                    CoreError::Storage(format!("stored setting {SETTING} is not JSON: {e}"))
                })?;
                parse_all(&v).map_err(|e| {
                    CoreError::Storage(format!("stored setting {SETTING} is unreadable: {e}"))
                })?
            }
        };
        Ok(Self {
            service,
            functions: RwLock::new(functions),
            endpoint: OnceLock::new(),
            default_timeout,
            calls: Mutex::new(VecDeque::new()),
            commands_allowed: false,
            trusted: RwLock::new(BTreeMap::new()),
        })
    }

    /// `--allow-command-functions`.
    pub fn allow_commands(mut self, allowed: bool) -> Self {
        self.commands_allowed = allowed;
        self
    }

    /// Whether the admin API may register `f`.
    pub fn admits(&self, f: &Function) -> bool {
        self.commands_allowed || !matches!(f.target, Target::Command(_))
    }

    /// Registers the `--rotation-functions` file's functions; its commands run without
    /// `--allow-command-functions`.
    pub fn put_trusted(&self, new: BTreeMap<String, Function>) -> CoreResult<()> {
        self.put_all(new.clone())?;
        self.trusted.write().extend(new);
        Ok(())
    }

    fn may_run(&self, id: &str, f: &Function) -> bool {
        self.admits(f) || self.trusted.read().get(id) == Some(f)
    }

    /// Tells the registry where this server listens (`http://127.0.0.1:4566`).
    pub fn set_endpoint(&self, url: String) {
        let _ = self.endpoint.set(url);
    }

    pub fn endpoint(&self) -> &str {
        self.endpoint
            .get()
            .map_or("http://127.0.0.1:4566", String::as_str)
    }

    pub fn default_timeout(&self) -> Duration {
        self.default_timeout
    }

    pub fn list(&self) -> Vec<(String, Function)> {
        self.functions
            .read()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    pub fn get(&self, id: &str) -> Option<Function> {
        self.functions.read().get(id).cloned()
    }

    /// Registers (or replaces) functions and stores the registry; all or nothing.
    pub fn put_all(&self, new: BTreeMap<String, Function>) -> CoreResult<()> {
        let mut all = self.functions.write();
        let mut next = all.clone();
        next.extend(new);
        self.store(&next)?;
        *all = next;
        Ok(())
    }

    pub fn put(&self, id: &str, f: Function) -> CoreResult<()> {
        self.put_all(BTreeMap::from([(id.to_owned(), f)]))
    }

    /// Removes a function; `false` when none was registered under `id`.
    pub fn delete(&self, id: &str) -> CoreResult<bool> {
        let mut all = self.functions.write();
        if !all.contains_key(id) {
            return Ok(false);
        }
        let mut next = all.clone();
        next.remove(id);
        self.store(&next)?;
        *all = next;
        Ok(true)
    }

    fn store(&self, all: &BTreeMap<String, Function>) -> CoreResult<()> {
        let v: Map<String, Value> = all.iter().map(|(k, f)| (k.clone(), f.to_json())).collect();
        let text = Value::Object(v).to_string();
        self.service.set_setting(SETTING, &text)
    }

    /// The most recent calls, oldest first.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.calls.lock().iter().cloned().collect()
    }

    fn record(&self, call: CallRecord) {
        let mut calls = self.calls.lock();
        if calls.len() == KEPT_CALLS {
            calls.pop_front();
        }
        calls.push_back(call);
    }

    /// The environment a command gets: this server as the endpoint, the secret's account or
    /// project as the credential, its region.
    fn environment(&self, scope: &Scope) -> Vec<(&'static str, String)> {
        let endpoint = self.endpoint().to_owned();
        let mut env = vec![
            ("LOCALSECRETS_ENDPOINT", endpoint.clone()),
            ("LOCALSECRETS_CLOUD", scope.cloud.as_str().to_owned()),
            ("LOCALSECRETS_TENANT", scope.tenant.clone()),
            ("LOCALSECRETS_REGION", scope.region.clone()),
        ];
        match scope.cloud {
            Cloud::Aws => env.extend([
                ("AWS_ENDPOINT_URL", endpoint.clone()),
                ("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint),
                ("AWS_ACCESS_KEY_ID", scope.tenant.clone()),
                ("AWS_SECRET_ACCESS_KEY", FUNCTION_SECRET_KEY.to_owned()),
                ("AWS_REGION", scope.region.clone()),
                ("AWS_DEFAULT_REGION", scope.region.clone()),
            ]),
            Cloud::Alibaba => env.extend([
                ("ALIBABA_CLOUD_ENDPOINT", endpoint),
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", scope.tenant.clone()),
                (
                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                    FUNCTION_SECRET_KEY.to_owned(),
                ),
                ("ALIBABA_CLOUD_REGION_ID", scope.region.clone()),
            ]),
            Cloud::Huawei => env.extend([
                ("HUAWEICLOUD_SDK_ENDPOINT", endpoint.clone()),
                ("CSMS_ENDPOINT", endpoint),
                ("HUAWEICLOUD_SDK_AK", "LOCALSECRETSAK".to_owned()),
                ("HUAWEICLOUD_SDK_SK", FUNCTION_SECRET_KEY.to_owned()),
                ("HUAWEICLOUD_SDK_PROJECT_ID", scope.tenant.clone()),
                ("HUAWEICLOUD_SDK_REGION", scope.region.clone()),
            ]),
        }
        env
    }
}

/// Reads a `{"id": {function}, …}` object (the stored form and the `--rotation-functions`
/// file).
pub fn parse_all(v: &Value) -> Result<BTreeMap<String, Function>, String> {
    let Value::Object(m) = v else {
        return Err(r#"expected a JSON object of function ids, e.g. {"my-rotator": {"command": ["python3", "rotate.py"]}}"#.into());
    };
    m.iter()
        .map(|(id, f)| {
            check_id(id)?;
            Function::parse(f)
                .map(|f| (id.clone(), f))
                .map_err(|e| format!("function {id:?}: {e}"))
        })
        .collect()
}

/// Ids are what secrets name (an ARN, a URN, a function or secret name).
pub fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > 2048 || id.chars().any(char::is_control) {
        return Err(format!(
            "function id {id:?} must be 1 to 2048 characters without control characters"
        ));
    }
    Ok(())
}

impl RotationFunctions for Registry {
    fn resolve(&self, candidates: &[&str]) -> Option<String> {
        let all = self.functions.read();
        candidates
            .iter()
            .find(|c| all.contains_key(**c))
            .map(|c| (*c).to_owned())
    }

    fn invoke(&self, id: &str, scope: &Scope, event: &Value) -> Result<(), String> {
        let f = self
            .get(id)
            .ok_or_else(|| format!("no rotation function is registered as {id}"))?;
        let timeout = f
            .timeout_seconds
            .map_or(self.default_timeout, Duration::from_secs);
        let started = Instant::now();
        let outcome = match &f.target {
            Target::Url(url) => call_url(url, event, timeout),
            Target::Command(_) if !self.may_run(id, &f) => Err(COMMANDS_DISABLED.to_owned()),
            Target::Command(argv) => call_command(argv, &self.environment(scope), event, timeout),
        };
        match &outcome {
            Ok(()) => tracing::info!(function = id, "rotation function succeeded"),
            Err(e) => tracing::warn!(function = id, "rotation function failed: {e}"),
        }
        self.record(CallRecord {
            id: id.to_owned(),
            at: Clock::wall(),
            scope: scope.clone(),
            event: event.clone(),
            duration_ms: started.elapsed().as_millis() as u64,
            error: outcome.clone().err(),
        });
        outcome
    }
}

fn tail(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s = s.trim();
    if s.len() <= KEPT_OUTPUT {
        return s.to_owned();
    }
    let mut start = s.len() - KEPT_OUTPUT;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    format!("…{}", &s[start..])
}

/// `POST` the event; any 2xx answer is success.
fn call_url(url: &str, event: &Value, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let timed_out = || format!("timed out after {}s calling {url}", timeout.as_secs());
    let (host, port, path) = parse_url(url)?;
    let addr = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host} resolves to no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("cannot connect to {url}: {e}"))?;
    let body = event.to_string();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let remaining = || deadline.saturating_duration_since(Instant::now());
    stream
        .set_write_timeout(Some(remaining().max(Duration::from_millis(1))))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .map_err(|e| format!("cannot send the event to {url}: {e}"))?;
    let mut answer = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let left = remaining();
        if left.is_zero() {
            return Err(timed_out());
        }
        stream
            .set_read_timeout(Some(left))
            .map_err(|e| e.to_string())?;
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if answer.len() < 1024 * 1024 {
                    answer.extend_from_slice(&buf[..n]);
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(timed_out())
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("reading the answer of {url} failed: {e}")),
        }
    }
    let text = String::from_utf8_lossy(&answer);
    let status: u16 = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{url} did not answer HTTP"))?;
    if (200..300).contains(&status) {
        return Ok(());
    }
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Err(format!(
        "{url} answered HTTP {status}: {}",
        tail(body.as_bytes())
    ))
}

/// Runs the command with the event on stdin; exit 0 is success.
fn call_command(
    argv: &[String],
    env: &[(&'static str, String)],
    event: &Value,
    timeout: Duration,
) -> Result<(), String> {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("ALIBABA_CLOUD_SECURITY_TOKEN")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so a timeout stops everything it started.
        .process_group(0);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", argv[0]))?;
    let mut stdin = child.stdin.take();
    let input = format!("{event}\n");
    let writer = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(input.as_bytes());
        }
    });
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(mut p) = pipe {
                let mut buf = [0u8; 8192];
                while let Ok(n) = p.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    out.extend_from_slice(&buf[..n]);
                    if out.len() > 4 * KEPT_OUTPUT {
                        out.drain(..out.len() - 2 * KEPT_OUTPUT);
                    }
                }
            }
            out
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "timed out after {}s: {:?} was stopped",
                    timeout.as_secs(),
                    argv[0]
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for {:?} failed: {e}", argv[0])),
        }
    };
    let _ = writer.join();
    // Processes it left behind may hold the pipes open: stop them before reading to the end.
    kill_group(child.id());
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    if status.success() {
        return Ok(());
    }
    let code = status
        .code()
        .map_or_else(|| "a signal".to_owned(), |c| c.to_string());
    let detail = if err.is_empty() { out } else { err };
    Err(format!("exited with {code}: {}", tail(&detail)))
}

/// Sends SIGKILL to the process group `pgid` (the command and its children).
fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .arg("-KILL")
        .arg("--")
        .arg(format!("-{pgid}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

#[cfg(test)]
mod tests {
    use super::*;
    use localsecrets_core::memory::MemoryStorage;
    use localsecrets_core::Random;
    use std::net::TcpListener;

    fn service() -> Arc<Service> {
        Arc::new(Service::new(
            Arc::new(MemoryStorage::new()),
            Arc::new(Clock::new()),
            Arc::new(Random::seeded(3)),
        ))
    }

    fn scope() -> Scope {
        Scope::new(Cloud::Aws, "123456789012", "eu-west-1")
    }

    fn sh(script: &str) -> Function {
        Function {
            target: Target::Command(vec!["sh".into(), "-c".into(), script.into()]),
            timeout_seconds: None,
        }
    }

    #[test]
    fn function_shapes() {
        let ok = [
            json!({"url": "http://127.0.0.1:9000/rotate"}),
            json!({"command": ["python3", "rotate.py"], "timeout_seconds": 5}),
        ];
        for v in ok {
            assert_eq!(Function::parse(&v).unwrap().to_json(), v);
        }
        let bad = [
            (json!([]), "expected"),
            (json!({}), "expected"),
            (json!({"url": "https://x"}), "http://"),
            (json!({"url": "http://:80/"}), "no host"),
            (json!({"url": "http://h:x/"}), "bad port"),
            (json!({"url": 5}), "string"),
            (json!({"command": []}), "non-empty"),
            (json!({"command": [1]}), "non-empty"),
            (json!({"command": "python3 rotate.py"}), "array"),
            (json!({"url": "http://h/", "command": ["x"]}), "not both"),
            (
                json!({"command": ["x"], "timeout_seconds": 0}),
                "timeout_seconds",
            ),
            (json!({"command": ["x"], "cwd": "/"}), "unknown field"),
        ];
        for (v, needle) in bad {
            let e = Function::parse(&v).unwrap_err();
            assert!(e.contains(needle), "{v}: {e}");
        }
    }

    #[test]
    fn the_registry_is_stored_and_resolved() {
        let svc = service();
        let r = Registry::load(svc.clone(), Duration::from_secs(5)).unwrap();
        r.put("rotator", sh("exit 0")).unwrap();
        r.put(
            "arn:aws:lambda:eu-west-1:123456789012:function:other",
            sh("exit 0"),
        )
        .unwrap();
        assert_eq!(r.resolve(&["nope", "rotator"]).as_deref(), Some("rotator"));
        assert_eq!(r.resolve(&["nope"]), None);
        // A second registry over the same store sees the same functions.
        let again = Registry::load(svc.clone(), Duration::from_secs(5)).unwrap();
        assert_eq!(again.list(), r.list());
        assert!(r.delete("rotator").unwrap());
        assert!(!r.delete("rotator").unwrap());
        let again = Registry::load(svc, Duration::from_secs(5)).unwrap();
        assert_eq!(again.list().len(), 1);
    }

    #[test]
    fn commands_get_the_event_and_the_environment() {
        let r = Registry::load(service(), Duration::from_secs(10))
            .unwrap()
            .allow_commands(true);
        r.set_endpoint("http://127.0.0.1:1234".into());
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let script = format!(
            "cat > {0}; echo \"$AWS_ENDPOINT_URL $AWS_ACCESS_KEY_ID $AWS_REGION\" >> {0}",
            out.display()
        );
        r.put("f", sh(&script)).unwrap();
        let event = json!({"SecretId": "s", "Step": "createSecret"});
        r.invoke("f", &scope(), &event).unwrap();
        let written = std::fs::read_to_string(&out).unwrap();
        let mut lines = written.lines();
        let got: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
        assert_eq!(got, event);
        assert_eq!(
            lines.next().unwrap(),
            "http://127.0.0.1:1234 123456789012 eu-west-1"
        );
        let calls = r.calls();
        assert_eq!(calls.len(), 1);
        assert!(calls[0].error.is_none());
    }

    #[test]
    fn a_failing_command_reports_its_exit_and_stderr() {
        let r = Registry::load(service(), Duration::from_secs(10))
            .unwrap()
            .allow_commands(true);
        r.put("f", sh("echo 'db unreachable' >&2; exit 3")).unwrap();
        let e = r.invoke("f", &scope(), &json!({})).unwrap_err();
        assert_eq!(e, "exited with 3: db unreachable");
        let e = r.invoke("missing", &scope(), &json!({})).unwrap_err();
        assert!(e.contains("no rotation function"), "{e}");
        r.put(
            "g",
            Function {
                target: Target::Command(vec!["/nonexistent/program".into()]),
                timeout_seconds: None,
            },
        )
        .unwrap();
        assert!(r
            .invoke("g", &scope(), &json!({}))
            .unwrap_err()
            .contains("cannot start"));
    }

    #[test]
    fn a_hanging_command_is_stopped_with_its_children() {
        let r = Registry::load(service(), Duration::from_secs(1))
            .unwrap()
            .allow_commands(true);
        // The shell starts a child that would keep the pipes open for a long time.
        r.put("f", sh("sleep 600 & sleep 600")).unwrap();
        let e = r.invoke("f", &scope(), &json!({})).unwrap_err();
        assert!(e.starts_with("timed out after 1s"), "{e}");
    }

    #[test]
    fn commands_run_only_when_the_operator_allowed_them() {
        let dir = tempfile::tempdir().unwrap();
        let mark = dir.path().join("ran");
        let touch = sh(&format!("touch {}", mark.display()));
        let svc = service();

        // Stored by some earlier run: not run by a server without the flag.
        let r = Registry::load(svc.clone(), Duration::from_secs(10)).unwrap();
        assert!(!r.admits(&touch));
        assert!(r.admits(&Function::parse(&json!({"url": "http://h/"})).unwrap()));
        r.put("stored", touch.clone()).unwrap();
        let e = r.invoke("stored", &scope(), &json!({})).unwrap_err();
        assert!(e.contains("--allow-command-functions"), "{e}");
        assert!(!mark.exists());

        // The --rotation-functions file's commands run; a different command under the same
        // id does not.
        r.put_trusted(BTreeMap::from([("file".to_owned(), touch.clone())]))
            .unwrap();
        r.invoke("file", &scope(), &json!({})).unwrap();
        assert!(mark.exists());
        r.put("file", sh("exit 0")).unwrap();
        assert!(r.invoke("file", &scope(), &json!({})).is_err());

        let allowed = Registry::load(svc, Duration::from_secs(10))
            .unwrap()
            .allow_commands(true);
        assert!(allowed.admits(&touch));
        std::fs::remove_file(&mark).unwrap();
        allowed.invoke("stored", &scope(), &json!({})).unwrap();
        assert!(mark.exists());
    }

    /// Serves one connection with `answer` and hands back the request it read.
    fn one_shot(answer: &'static str) -> (String, std::thread::JoinHandle<String>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/rotate", l.local_addr().unwrap());
        let h = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = s.read(&mut buf).unwrap();
                req.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&req).into_owned();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .unwrap()
                        .parse()
                        .unwrap();
                    if body.len() >= len {
                        s.write_all(answer.as_bytes()).unwrap();
                        return text;
                    }
                }
            }
        });
        (url, h)
    }

    #[test]
    fn urls_get_the_event_as_a_post() {
        let r = Registry::load(service(), Duration::from_secs(10)).unwrap();
        let (url, h) = one_shot("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        r.put(
            "u",
            Function {
                target: Target::Url(url),
                timeout_seconds: None,
            },
        )
        .unwrap();
        r.invoke("u", &scope(), &json!({"Step": "setSecret"}))
            .unwrap();
        let req = h.join().unwrap();
        assert!(req.starts_with("POST /rotate HTTP/1.1\r\n"), "{req}");
        assert!(req.ends_with(r#"{"Step":"setSecret"}"#), "{req}");

        let (url, h) = one_shot("HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\nboom");
        r.put(
            "u",
            Function {
                target: Target::Url(url),
                timeout_seconds: None,
            },
        )
        .unwrap();
        let e = r.invoke("u", &scope(), &json!({})).unwrap_err();
        h.join().unwrap();
        assert!(e.ends_with("answered HTTP 500: boom"), "{e}");
    }

    #[test]
    fn a_url_that_never_answers_times_out() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", l.local_addr().unwrap());
        let r = Registry::load(service(), Duration::from_secs(1)).unwrap();
        r.put(
            "u",
            Function {
                target: Target::Url(url),
                timeout_seconds: None,
            },
        )
        .unwrap();
        let e = r.invoke("u", &scope(), &json!({})).unwrap_err();
        assert!(e.starts_with("timed out after 1s"), "{e}");
        drop(l);
    }
}
