#!/usr/bin/env bash
# The README quick start: on a fresh machine with Node 20+ and Go, installs what the system
# needs (npm dependencies, the compiled CLI in dist/, the Temporal CLI built once from the Go
# module proxy) and starts the whole system in one process — Temporal dev server, worker, GitOps
# controller, HTTP API — on the bundled examples/ (`jobnet up`; pass its options through, e.g.
# `--repo URL --branch main`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-npm-deps.sh
# The compiled CLI (dist/), rebuilt when a source changed since it was built (a pull, an edit).
node scripts/build-dist.js --if-stale >&2
bash scripts/ensure-temporal-cli.sh >/dev/null
exec node bin/jobnet.js up "$@"
