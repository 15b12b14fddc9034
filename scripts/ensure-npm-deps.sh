#!/usr/bin/env bash
# Installs the npm dependencies when node_modules is missing or older than package-lock.json (a
# fresh clone, a pull that changed the lock); nothing to do otherwise. Progress goes to stderr.
# `npm install` rather than `npm ci`, and `--no-save` so that the clone stays clean, for the
# reasons given in .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies…" >&2
  npm install --no-audit --no-fund --no-save >&2
fi
