#!/usr/bin/env bash
# Prints the path of the official Temporal CLI (which embeds the dev server), building it once
# from the Go module proxy when it is not already available (docs/architecture.md#the-temporal-cli-built-from-the-go-module-proxy):
#   1. $TEMPORAL_CLI, if set;  2. .tools/bin/temporal (cached);  3. go install …@v1.5.1.
# v1.5.1 (server 1.29.1) is the newest CLI release whose go.mod has no replace directive,
# which `go install pkg@version` requires.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="v1.5.1"

if [ -n "${TEMPORAL_CLI:-}" ]; then
  [ -x "$TEMPORAL_CLI" ] || { echo "TEMPORAL_CLI=$TEMPORAL_CLI is not executable" >&2; exit 1; }
  echo "$TEMPORAL_CLI"; exit 0
fi
cached="$root/.tools/bin/temporal"
if [ -x "$cached" ]; then echo "$cached"; exit 0; fi

command -v go >/dev/null || { echo "building the Temporal CLI needs Go (https://go.dev/dl/) or set TEMPORAL_CLI" >&2; exit 1; }
echo "building the Temporal CLI $version from the Go module proxy (first time only, a few minutes)…" >&2
mkdir -p "$root/.tools/bin"
GOBIN="$root/.tools/bin" go install "github.com/temporalio/cli/cmd/temporal@$version" >&2
"$cached" --version >&2
echo "$cached"
