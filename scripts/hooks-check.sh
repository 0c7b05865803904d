#!/usr/bin/env bash
# The pre-commit framework test (test/hooks/pre-commit.hook.ts): installs pre-commit into a venv
# (pip), else uses Debian's package or one already on PATH, then runs the test. The hook installs
# this repository at HEAD with npm, so commit first when running it locally.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${ZERODOWN_HOOKS_VENV:-node_modules/.cache/zerodown-hooks-venv}"
bin=""
if [ -x "$venv/bin/pre-commit" ]; then
  bin="$venv/bin/pre-commit"
elif python3 -m venv "$venv" && "$venv/bin/pip" install --quiet 'pre-commit>=3,<5'; then
  bin="$venv/bin/pre-commit"
elif command -v pre-commit >/dev/null; then
  bin="$(command -v pre-commit)"
elif command -v apt-get >/dev/null && { apt-get install -y -qq pre-commit >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq pre-commit; }; }; then
  bin="$(command -v pre-commit)"
fi
if [ -z "$bin" ]; then echo "hooks-check: cannot install pre-commit (pip or apt)"; exit 1; fi
echo "hooks-check: $("$bin" --version)"
PRE_COMMIT_BIN="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" npx vitest run --config vitest.hooks.config.ts
