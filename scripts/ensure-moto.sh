#!/usr/bin/env bash
# Prints the path of a `moto_server` executable (the AWS emulator the cloud-target tests run,
# CONTRIBUTING.md#testing-tiers), installing it once into a project-local Python venv when it is not available:
#   1. $MOTO_SERVER, if set;  2. .tools/moto-venv/bin/moto_server (cached);
#   3. python3 -m venv .tools/moto-venv && pip install 'moto[server]==5.2.5'.
# Progress goes to stderr; stdout carries only the path. The venv's python (next to the
# executable) also runs test/emulators/moto-bootstrap.py, which needs boto3 (a moto dependency).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="5.2.5"

if [ -n "${MOTO_SERVER:-}" ]; then
  [ -x "$MOTO_SERVER" ] || { echo "MOTO_SERVER=$MOTO_SERVER is not executable" >&2; exit 1; }
  echo "$MOTO_SERVER"; exit 0
fi
venv="$root/.tools/moto-venv"
cached="$venv/bin/moto_server"
if [ -x "$cached" ]; then echo "$cached"; exit 0; fi

command -v python3 >/dev/null || { echo "installing moto needs python3 (with the venv module) or set MOTO_SERVER" >&2; exit 1; }
echo "installing moto[server]==$version into $venv (first time only, about a minute)…" >&2
mkdir -p "$root/.tools"
python3 -m venv "$venv" >&2
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet "moto[server]==$version" >&2
[ -x "$cached" ] || { echo "pip did not install $cached" >&2; exit 1; }
"$venv/bin/python" -c 'import moto, boto3; print("moto", moto.__version__, "boto3", boto3.__version__)' >&2
echo "$cached"
