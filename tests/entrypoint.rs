//! The container image's contract, tested without Docker: the final stage of
//! `docker/Dockerfile` is parsed (ENV, ENTRYPOINT, CMD, HEALTHCHECK, USER, EXPOSE, VOLUME) and
//! the release binary — the one its build stage builds with the same `cargo build --release` —
//! is run with exactly that command line and environment. Absolute image paths are placed under
//! a temporary directory standing in for the container's file system, and the port is a free
//! one (what `docker run -p <port>:4566` does); everything else is as in the image.

use localsecrets_tests::{binary, Server, PATIENCE};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

/// The instructions of the Dockerfile's final stage that shape the running container.
#[derive(Debug, Default)]
struct Image {
    build_steps: Vec<String>,
    env: BTreeMap<String, String>,
    entrypoint: Vec<String>,
    cmd: Vec<String>,
    healthcheck: Vec<String>,
    user: String,
    expose: Vec<String>,
    volumes: Vec<String>,
}

fn dockerfile() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("docker/Dockerfile")
}

/// `["a", "b"]` (the exec form) → its words.
fn exec_form(s: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(s.trim())
        .unwrap_or_else(|e| panic!("not an exec (JSON) form: {s}: {e}"));
    v.as_array()
        .unwrap_or_else(|| panic!("not a JSON array: {s}"))
        .iter()
        .map(|w| w.as_str().expect("strings only").to_owned())
        .collect()
}

/// `K=V K2=V2` (values without spaces or quotes, as this Dockerfile writes them).
fn env_pairs(s: &str, into: &mut BTreeMap<String, String>) {
    for pair in s.split_whitespace() {
        let (k, v) = pair
            .split_once('=')
            .unwrap_or_else(|| panic!("ENV {pair}: expected K=V"));
        assert!(
            !v.contains('"') && !v.contains('$'),
            "ENV {pair}: plain values only"
        );
        into.insert(k.to_owned(), v.to_owned());
    }
}

fn parse(text: &str) -> Image {
    // Join continuation lines, drop comments.
    let mut lines = Vec::new();
    let mut current = String::new();
    for raw in text.lines() {
        let line = raw.trim();
        if current.is_empty() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    let mut image = Image::default();
    let mut stages = 0;
    for line in lines {
        let (instr, rest) = line.split_once(char::is_whitespace).unwrap_or((&line, ""));
        let rest = rest.trim();
        match instr.to_ascii_uppercase().as_str() {
            "FROM" => {
                stages += 1;
                // Only the final stage describes the running container.
                let build_steps = std::mem::take(&mut image.build_steps);
                image = Image {
                    build_steps,
                    ..Image::default()
                };
            }
            "RUN" => image.build_steps.push(rest.to_owned()),
            "ENV" => env_pairs(rest, &mut image.env),
            "ENTRYPOINT" => image.entrypoint = exec_form(rest),
            "CMD" => image.cmd = exec_form(rest),
            "USER" => image.user = rest.to_owned(),
            "EXPOSE" => image.expose = rest.split_whitespace().map(str::to_owned).collect(),
            "VOLUME" => image.volumes = exec_form(rest),
            "HEALTHCHECK" => {
                let cmd = rest
                    .split_once("CMD ")
                    .unwrap_or_else(|| panic!("HEALTHCHECK without CMD: {rest}"))
                    .1;
                image.healthcheck = exec_form(cmd);
            }
            _ => {}
        }
    }
    assert!(stages >= 2, "a multi-stage build");
    image
}

fn image() -> Image {
    parse(&std::fs::read_to_string(dockerfile()).expect("docker/Dockerfile"))
}

/// A directory standing in for the container's root file system.
struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    /// `/etc/x` → `<root>/etc/x`.
    fn place(&self, image_path: &str) -> PathBuf {
        self.dir.path().join(image_path.trim_start_matches('/'))
    }

    /// The image's environment with absolute paths under this root and the port replaced.
    fn env(&self, image: &Image, port: u16) -> Vec<(String, String)> {
        image
            .env
            .iter()
            .map(|(k, v)| {
                let v = if k == "LOCALSECRETS_PORT" {
                    port.to_string()
                } else if v.starts_with('/') {
                    self.place(v).display().to_string()
                } else {
                    v.clone()
                };
                (k.clone(), v)
            })
            .collect()
    }
}

/// A root like the image's: the volume and fixtures directories exist, the shipped
/// scenarios are mounted as the fixtures folder.
fn container_root(image: &Image) -> Root {
    let root = Root {
        dir: tempfile::tempdir().unwrap(),
    };
    for v in &image.volumes {
        std::fs::create_dir_all(root.place(v)).unwrap();
    }
    let fixtures = root.place(&image.env["LOCALSECRETS_FIXTURES"]);
    std::fs::create_dir_all(&fixtures).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    for entry in std::fs::read_dir(shipped).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            std::fs::copy(&p, fixtures.join(p.file_name().unwrap())).unwrap();
        }
    }
    root
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The image's entrypoint and command, with the binary under test in place of the image's.
fn start(image: &Image, env: &[(String, String)]) -> Server {
    let mut b = Server::builder();
    for a in image.entrypoint[1..].iter().chain(&image.cmd) {
        b = b.arg(a.clone());
    }
    for (k, v) in env {
        b = b.env(k.clone(), v.clone());
    }
    b.start()
}

/// Runs the HEALTHCHECK command as Docker would: the container's environment, no other.
fn healthcheck(image: &Image, env: &[(String, String)]) -> ExitStatus {
    assert_eq!(image.healthcheck[0], image.entrypoint[0]);
    let mut cmd = Command::new(binary());
    cmd.env_clear()
        .args(&image.healthcheck[1..])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd.status().expect("run the healthcheck")
}

#[test]
fn the_dockerfile_describes_the_contract() {
    let image = image();
    assert!(
        image
            .build_steps
            .iter()
            .any(|s| s.contains("cargo build --release")),
        "the image's binary is built with cargo build --release"
    );
    assert_eq!(image.entrypoint, ["/usr/local/bin/localsecrets"]);
    assert_eq!(
        image.healthcheck,
        ["/usr/local/bin/localsecrets", "healthcheck"]
    );
    let uid = image.user.split(':').next().unwrap();
    assert!(
        !uid.is_empty() && uid != "0" && uid != "root",
        "runs unprivileged"
    );
    assert_eq!(image.expose, ["4566"]);
    assert_eq!(image.env["LOCALSECRETS_HOST"], "0.0.0.0");
    assert_eq!(image.env["LOCALSECRETS_PORT"], "4566");
    assert_eq!(image.volumes, ["/var/lib/localsecrets"]);
    assert!(image.env["LOCALSECRETS_DATA"].starts_with("/var/lib/localsecrets/"));
    assert_eq!(
        image.env["LOCALSECRETS_FIXTURES"],
        "/etc/localsecrets/fixtures"
    );
}

#[test]
fn the_entrypoint_serves_loads_fixtures_persists_and_answers_healthchecks() {
    let image = image();
    let root = container_root(&image);
    let env = root.env(&image, free_port());

    assert!(
        !healthcheck(&image, &env).success(),
        "healthy before the server runs"
    );

    let server = start(&image, &env);
    assert!(
        server.addr.ip().is_unspecified(),
        "listens on all interfaces"
    );
    let deadline = Instant::now() + PATIENCE;
    while !healthcheck(&image, &env).success() {
        assert!(Instant::now() < deadline, "healthcheck never passed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let health = server.get("/_localsecrets/health").json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["persistence"], "file");

    // The mounted fixtures were loaded at start.
    let logs = server.wait_for_log("listening on");
    for name in [
        "multi-cloud-starter.json",
        "aws-rotation-stuck.json",
        "alibaba-rotation-quota.json",
        "huawei-scheduled-deletion.json",
        "deprecated-versions.json",
    ] {
        assert!(logs.contains(name), "{name} not loaded:\n{logs}");
    }
    assert!(!logs.contains("schema.json"), "{logs}");
    let get = |id: &str| {
        server.call(
            "POST",
            "/",
            &[
                ("x-amz-target", "secretsmanager.GetSecretValue"),
                ("content-type", "application/x-amz-json-1.1"),
            ],
            format!(r#"{{"SecretId":"{id}"}}"#).as_bytes(),
        )
    };
    let r = get("starter/api-key");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["SecretString"], "sk_test_starter_0001");
    let exported = server.get("/_localsecrets/export").json();
    assert_eq!(exported["secrets"].as_array().unwrap().len(), 12);

    // State is in the volume.
    let data = PathBuf::from(
        &env.iter()
            .find(|(k, _)| k == "LOCALSECRETS_DATA")
            .unwrap()
            .1,
    );
    assert!(data.starts_with(root.place(&image.volumes[0])));
    assert!(data.exists(), "no data file at {}", data.display());
    let created = server.call(
        "POST",
        "/",
        &[("x-amz-target", "secretsmanager.CreateSecret")],
        br#"{"Name":"kept","SecretString":"across restarts","ClientRequestToken":"00000000-0000-4000-8000-000000000001"}"#,
    );
    assert_eq!(created.status, 200, "{}", created.text());

    // `docker stop` sends SIGTERM: a clean exit, then the healthcheck fails.
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    assert!(!healthcheck(&image, &env).success());

    // `docker start` on the same volume: the state is back, fixtures are not loaded twice.
    let server = start(&image, &env);
    assert!(healthcheck(&image, &env).success());
    let logs = server.wait_for_log("not loaded: the stored state already holds 13 secrets");
    assert!(!logs.contains("fixtures loaded"), "{logs}");
    let kept = server.call(
        "POST",
        "/",
        &[("x-amz-target", "secretsmanager.GetSecretValue")],
        br#"{"SecretId":"kept"}"#,
    );
    assert_eq!(kept.json()["SecretString"], "across restarts");
    drop(server);
}

#[test]
fn persistence_and_fixtures_can_be_turned_off() {
    let image = image();
    let root = container_root(&image);
    let mut env = root.env(&image, free_port());
    // `docker run -e LOCALSECRETS_DATA= -e LOCALSECRETS_FIXTURES= localsecrets`
    for (k, v) in env.iter_mut() {
        if k == "LOCALSECRETS_DATA" || k == "LOCALSECRETS_FIXTURES" {
            v.clear();
        }
    }
    let server = start(&image, &env);
    assert!(healthcheck(&image, &env).success());
    assert_eq!(
        server.get("/_localsecrets/health").json()["persistence"],
        "memory"
    );
    let exported = server.get("/_localsecrets/export").json();
    assert_eq!(exported["secrets"], serde_json::json!([]));
    let logs = server.wait_for_log("state in memory");
    assert!(!logs.contains("fixtures"), "{logs}");
    let volume = root.place(&image.volumes[0]);
    assert_eq!(std::fs::read_dir(volume).unwrap().count(), 0);
    // A healthcheck pointed elsewhere fails.
    let mut elsewhere = env.clone();
    for (k, v) in elsewhere.iter_mut() {
        if k == "LOCALSECRETS_PORT" {
            *v = free_port().to_string();
        }
    }
    assert!(!healthcheck(&image, &elsewhere).success());
    assert!(server.terminate().success());
}

#[test]
fn the_parser_reads_what_it_is_given() {
    let image = parse(
        "# comment\nFROM a AS b\nRUN cargo build --release \\\n  && true\nENV X=1\nFROM scratch\n\
         ENV A=1 B=/x \\\n    C=2\nUSER 1:1\nEXPOSE 80\nVOLUME [\"/v\"]\n\
         HEALTHCHECK --interval=1s CMD [\"/bin\", \"hc\"]\nENTRYPOINT [\"/bin\"]\nCMD [\"--flag\"]\n",
    );
    assert_eq!(image.build_steps, ["cargo build --release  && true"]);
    assert_eq!(
        image.env.into_iter().collect::<Vec<_>>(),
        [
            ("A".to_owned(), "1".to_owned()),
            ("B".to_owned(), "/x".to_owned()),
            ("C".to_owned(), "2".to_owned())
        ]
    );
    assert_eq!(
        (image.user.as_str(), image.expose),
        ("1:1", vec!["80".to_owned()])
    );
    assert_eq!(image.healthcheck, ["/bin", "hc"]);
    assert_eq!(
        (image.entrypoint, image.cmd),
        (vec!["/bin".to_owned()], vec!["--flag".to_owned()])
    );
    assert_eq!(image.volumes, ["/v"]);
}
