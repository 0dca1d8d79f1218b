#!/usr/bin/env bash
# Every test in the repository, from a fresh clone, without prompts:
#   formatting and lints → one release build → cargo tests (unit + black-box) →
#   Python SDK suites (own venv, pinned deps) → Node SDK suites (if present).
# Exits non-zero on the first failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export LOCALSECRETS_BIN="$TARGET_DIR/release/localsecrets"
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 npm_config_yes=true

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo build --release (workspace, all targets)"
cargo build --release --workspace --all-targets

step "cargo clippy (release profile, -D warnings)"
cargo clippy --workspace --all-targets --release -- -D warnings

step "cargo test --release"
cargo test --release --workspace

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
    (cd "$PY_DIR" && "$VENV/bin/python" -m pytest -q -p no:cacheprovider . </dev/null)
    rc=$?
    set -e
    if [[ $rc -eq 5 ]] && ! compgen -G "$PY_DIR/test_*.py" >/dev/null && ! compgen -G "$PY_DIR/*_test.py" >/dev/null; then
        echo "(no Python SDK tests yet)"
    elif [[ $rc -ne 0 ]]; then
        echo "pytest failed with exit code $rc" >&2
        exit "$rc"
    fi
fi

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

step "all tests passed"
