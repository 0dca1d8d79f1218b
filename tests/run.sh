#!/usr/bin/env bash
# Every test in the repository, from a fresh clone, without prompts:
#   formatting and lints → one release build → cargo tests (unit + black-box) →
#   Python SDK suites (own venv, pinned deps) → Node SDK suites (if present).
# Exits non-zero on the first failure.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: tests/run.sh [SUITE [ARGS…]]

  (no suite)          everything, in order, as CI runs it
  rust                cargo fmt --check, release build, clippy -D warnings, cargo test
  python [ARGS…]      the Python SDK suites (pytest; ARGS go to pytest, e.g. test_aws_cli.py -k list)
  node                the Node SDK suites (node --test)
  -h, --help          this text

Every suite uses the same release binary (target/release/localsecrets); python and node build
it first if needed. The Python suites run in tests/sdk/python/.venv, created and pinned here.
USAGE
}

SUITE="${1:-all}"
[[ $# -gt 0 ]] && shift
case "$SUITE" in
    -h | --help) usage; exit 0 ;;
    all | rust | python | node) ;;
    *) echo "tests/run.sh: unknown suite '$SUITE'" >&2; usage >&2; exit 2 ;;
esac
if [[ $# -gt 0 && "$SUITE" != python ]]; then
    echo "tests/run.sh: only the python suite takes arguments" >&2
    exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export LOCALSECRETS_BIN="$TARGET_DIR/release/localsecrets"
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 npm_config_yes=true

step() { printf '\n==> %s\n' "$*"; }

run_rust() {
    step "cargo fmt --check"
    cargo fmt --all -- --check

    step "cargo build --release (workspace, all targets)"
    cargo build --release --workspace --all-targets

    step "cargo clippy (release profile, -D warnings)"
    cargo clippy --workspace --all-targets --release -- -D warnings

    step "cargo test --release"
    cargo test --release --workspace
}

# The python and node suites need the server binary; the same build as the rust suite's, so
# switching between suites reuses it instead of rebuilding with other features.
build_server() {
    step "cargo build --release (workspace, all targets)"
    cargo build --release --workspace --all-targets
}

run_python() {
    PY_DIR="$ROOT/tests/sdk/python"
    if [[ -f "$PY_DIR/requirements.txt" ]]; then
        VENV="$PY_DIR/.venv"
        if [[ ! -x "$VENV/bin/python" ]]; then
            step "python venv at tests/sdk/python/.venv"
            rm -rf "$VENV"
            python3 -m venv "$VENV"
        fi
        # Reinstall only when the pins changed.
        STAMP="$VENV/.requirements.sha256"
        WANT="$(sha256sum "$PY_DIR/requirements.txt" | cut -d' ' -f1)"
        if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$WANT" ]]; then
            step "pip install -r tests/sdk/python/requirements.txt"
            "$VENV/bin/python" -m pip install --quiet --no-input -r "$PY_DIR/requirements.txt" </dev/null
            echo "$WANT" >"$STAMP"
        fi
        step "pytest tests/sdk/python"
        set +e
        (cd "$PY_DIR" && "$VENV/bin/python" -m pytest -q -p no:cacheprovider "${@:-.}" </dev/null)
        rc=$?
        set -e
        if [[ $rc -eq 5 ]] && ! compgen -G "$PY_DIR/test_*.py" >/dev/null && ! compgen -G "$PY_DIR/*_test.py" >/dev/null; then
            echo "(no Python SDK tests yet)"
        elif [[ $rc -ne 0 ]]; then
            echo "pytest failed with exit code $rc" >&2
            exit "$rc"
        fi
    fi
}

run_node() {
    NODE_DIR="$ROOT/tests/sdk/node"
    if [[ -f "$NODE_DIR/package.json" ]]; then
        step "npm install (tests/sdk/node)"
        if [[ -f "$NODE_DIR/package-lock.json" ]]; then
            (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
        else
            (cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error </dev/null)
        fi
        step "node --test (tests/sdk/node)"
        (cd "$NODE_DIR" && node --test </dev/null)
    fi
}

case "$SUITE" in
    all) run_rust; run_python; run_node ;;
    rust) run_rust ;;
    python) build_server; run_python "$@" ;;
    node) build_server; run_node ;;
esac

step "$SUITE: all tests passed"
