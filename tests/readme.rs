//! The README's first command, `cargo run --release`, must start the server: in this
//! workspace of several binaries that holds only while the default members have exactly one
//! binary, the server's. Checked through `cargo metadata`, without building anything.

use serde_json::Value;
use std::process::Command;

#[test]
fn cargo_run_starts_the_server() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        // From the workspace root, as the README runs it.
        .current_dir(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("tests/ sits in the workspace"),
        )
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let defaults: Vec<&str> = meta["workspace_default_members"]
        .as_array()
        .expect("cargo lists the default members")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let bins: Vec<&str> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| defaults.contains(&p["id"].as_str().unwrap_or_default()))
        .flat_map(|p| p["targets"].as_array().unwrap().iter())
        .filter(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "bin"))
        })
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(bins, ["localsecrets"], "default members: {defaults:?}");
}
