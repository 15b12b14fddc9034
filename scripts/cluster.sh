#!/usr/bin/env bash
# A real Temporal cluster on this machine, on loopback (docs/operations.md#a-temporal-cluster-here-scriptsclustersh):
# PostgreSQL (a private cluster made with initdb, run with pg_ctl) for persistence and advanced
# visibility, and the Temporal server's frontend, history, matching and worker services as four
# separate processes, with the namespace and the product's search attributes registered through
# the operator API.
#
#   bash scripts/cluster.sh up       # build/install what is missing, start what is not running; prints TEMPORAL_ADDRESS=…
#   bash scripts/cluster.sh status   # what runs (exit 0 when everything does, 3 otherwise)
#   bash scripts/cluster.sh down     # stop every process it started; the data stays
#   bash scripts/cluster.sh destroy  # down, then delete the data directory
#   bash scripts/cluster.sh kill NAME   # SIGKILL one part (postgres|frontend|history|matching|worker), for chaos tests
#
# Idempotent: `up` twice starts nothing the second time. Data, configuration, logs and process
# ids live in $JOBNET_CLUSTER_DIR (default .data/cluster/). Ports: $JOBNET_CLUSTER_PORT (frontend
# gRPC, default 17233; the services use the ports just above it and +100…+206 for membership,
# HTTP and metrics) and $JOBNET_CLUSTER_PG_PORT (default 15432). Namespaces: $JOBNET_CLUSTER_NAMESPACES
# (space-separated, default "default").
#
# Tools: the Temporal server and temporal-sql-tool of v1.29.1 (the server the CLI v1.5.1 embeds),
# built once from the Go module proxy into .tools/bin/ ($TEMPORAL_SERVER / $TEMPORAL_SQL_TOOL
# override), PostgreSQL from Debian's packages (installed with apt-get when missing and run as
# root), the Temporal CLI from scripts/ensure-temporal-cli.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="v1.29.1"
data="${JOBNET_CLUSTER_DIR:-$root/.data/cluster}"
port="${JOBNET_CLUSTER_PORT:-17233}"
pg_port="${JOBNET_CLUSTER_PG_PORT:-15432}"
namespaces="${JOBNET_CLUSTER_NAMESPACES:-default}"
services=(history matching frontend worker)
address="127.0.0.1:$port"

say() { echo "cluster: $*" >&2; }
die() { echo "cluster: $*" >&2; exit 1; }

# --- ports of each service: gRPC, membership, metrics -------------------------------------------
grpc_port() { case "$1" in frontend) echo "$port" ;; history) echo $((port + 1)) ;; matching) echo $((port + 2)) ;; worker) echo $((port + 6)) ;; esac; }
membership_port() { echo $(($(grpc_port "$1") + 100)); }
metrics_port() { echo $(($(grpc_port "$1") + 200)); }
http_port() { echo $((port + 10)); }

# --- tools ---------------------------------------------------------------------------------------
go_tool() { # NAME PACKAGE ENV_OVERRIDE
  local name="$1" package="$2" override="${!3:-}"
  if [ -n "$override" ]; then
    [ -x "$override" ] || die "$3=$override is not executable"
    echo "$override"; return
  fi
  local cached="$root/.tools/bin/$name"
  if [ ! -x "$cached" ]; then
    command -v go >/dev/null || die "building $name needs Go (https://go.dev/dl/) or set $3"
    say "building $name $version from the Go module proxy (first time only, several minutes)…"
    local gobin
    gobin="$(mktemp -d)"
    GOBIN="$gobin" go install "$package@$version" >&2
    mkdir -p "$root/.tools/bin"
    mv "$gobin/$(basename "$package")" "$cached"
    rmdir "$gobin"
  fi
  echo "$cached"
}
server_bin() { go_tool temporal-server go.temporal.io/server/cmd/server TEMPORAL_SERVER; }
sql_tool_bin() { go_tool temporal-sql-tool go.temporal.io/server/cmd/tools/sql TEMPORAL_SQL_TOOL; }
temporal_cli() { bash "$root/scripts/ensure-temporal-cli.sh"; }

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed: apt-get install -y postgresql (as root), then run this again"
    say "installing PostgreSQL from the Debian packages…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2 ||
      { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2; }
    dir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
  echo "$dir"
}

# PostgreSQL refuses to run as root: as root, its files belong to and it runs as `postgres`.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# --- processes -----------------------------------------------------------------------------------
pid_of() { # NAME: the pid of a running part, or nothing
  local file
  if [ "$1" = postgres ]; then file="$data/postgres/postmaster.pid"; else file="$data/run/$1.pid"; fi
  [ -f "$file" ] || return 0
  local pid
  pid="$(head -1 "$file")"
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 0
  # A pid the system has given to another program since is not ours.
  if [ "$1" = postgres ]; then
    grep -qa postgres "/proc/$pid/cmdline" && echo "$pid"
  else
    grep -qa -- "$1" "/proc/$pid/cmdline" && grep -qa temporal-server "/proc/$pid/cmdline" && echo "$pid"
  fi
  return 0
}

wait_gone() { # PID SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do [ -d "/proc/$1" ] || return 0; sleep 0.1; done
  return 1
}

# --- PostgreSQL ----------------------------------------------------------------------------------
password_file="$data/postgres-password"

pg_up() {
  local bin
  bin="$(pg_bin)"
  mkdir -p "$data/logs"
  if [ ! -f "$data/postgres/PG_VERSION" ]; then
    say "creating the PostgreSQL cluster in $data/postgres…"
    rm -rf "$data/postgres"
    mkdir -p "$data/postgres"
    umask 077
    [ -f "$password_file" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$password_file"
    umask 022
    local pwfile
    pwfile="$(mktemp)"
    cp "$password_file" "$pwfile"
    if [ "$(id -u)" = 0 ]; then chown postgres "$data/postgres" "$pwfile"; fi
    as_pg "$bin/initdb" -D "$data/postgres" -U temporal --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$data/logs/initdb.log"
    rm -f "$pwfile"
  fi
  if [ "$(id -u)" = 0 ]; then touch "$data/logs/postgres.log" && chown postgres "$data/logs/postgres.log"; fi
  if [ -z "$(pid_of postgres)" ]; then
    say "starting PostgreSQL on 127.0.0.1:$pg_port…"
    # A postmaster.pid left by a SIGKILL is handled by pg_ctl itself (it checks the process).
    as_pg "$bin/pg_ctl" -D "$data/postgres" -l "$data/logs/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $data/postgres -c max_connections=300 -c shared_buffers=128MB -c fsync=on" \
      start >/dev/null
  fi
}

schema_up() {
  local tool
  tool="$(sql_tool_bin)"
  local -a common=(--plugin postgres12 --ep 127.0.0.1 -p "$pg_port" -u temporal)
  export SQL_PASSWORD
  SQL_PASSWORD="$(cat "$password_file")"
  local db schema
  for db in temporal temporal_visibility; do
    if [ "$db" = temporal ]; then schema=postgresql/v12/temporal; else schema=postgresql/v12/visibility; fi
    if ! as_pg "$(pg_bin)/psql" -h "$data/postgres" -p "$pg_port" -U temporal -d postgres -tAc \
      "select 1 from pg_database where datname = '$db'" | grep -q 1; then
      "$tool" "${common[@]}" --db "$db" create >>"$data/logs/schema.log" 2>&1 || die "creating database $db failed: $data/logs/schema.log"
    fi
    if ! as_pg "$(pg_bin)/psql" -h "$data/postgres" -p "$pg_port" -U temporal -d "$db" -tAc \
      "select 1 from information_schema.tables where table_name = 'schema_version'" | grep -q 1; then
      "$tool" "${common[@]}" --db "$db" setup-schema -v 0.0 >>"$data/logs/schema.log" 2>&1 || die "setting up the schema of $db failed: $data/logs/schema.log"
    fi
    # Brings the schema to the version this server needs; nothing to do when it is there.
    "$tool" "${common[@]}" --db "$db" update-schema --schema-name "$schema" >>"$data/logs/schema.log" 2>&1 ||
      die "updating the schema of $db failed: $data/logs/schema.log"
  done
  unset SQL_PASSWORD
}

# --- Temporal server -----------------------------------------------------------------------------
write_config() { # one file per service: they differ only in the metrics port
  mkdir -p "$data/config" "$data/run" "$data/logs" "$data/archival"
  local password service
  password="$(cat "$password_file")"
  cat >"$data/config/dynamicconfig.yaml" <<EOF
# Dynamic configuration of the cluster made by scripts/cluster.sh.
# Worker Versioning (worker deployments with build ids): the rollout of new workflow code.
frontend.workerVersioningWorkflowAPIs:
  - value: true
frontend.workerVersioningDataAPIs:
  - value: true
system.enableDeploymentVersions:
  - value: true
# Search attributes registered through the operator API are used at once on every service.
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
frontend.namespaceRPS.visibility:
  - value: 100
frontend.persistenceMaxQPS:
  - value: 10000
history.persistenceMaxQPS:
  - value: 45000
# One matching process here, so one partition per task queue: the default four only spread a queue
# over several matching hosts (docs/operations.md#production-on-a-temporal-cluster).
matching.numTaskqueueReadPartitions:
  - value: 1
matching.numTaskqueueWritePartitions:
  - value: 1
EOF
  umask 077
  for service in "${services[@]}"; do
    cat >"$data/config/$service.yaml" <<EOF
# Temporal server configuration written by scripts/cluster.sh (service: $service).
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  # Fixed for the life of a cluster: it cannot be changed once the cluster holds data.
  numHistoryShards: 16
  datastores:
    postgres-default:
      sql:
        pluginName: postgres12
        databaseName: temporal
        connectAddr: "127.0.0.1:$pg_port"
        connectProtocol: tcp
        user: temporal
        password: "$password"
        maxConns: 20
        maxIdleConns: 20
        maxConnLifetime: 1h
    postgres-visibility:
      sql:
        pluginName: postgres12
        databaseName: temporal_visibility
        connectAddr: "127.0.0.1:$pg_port"
        connectProtocol: tcp
        user: temporal
        password: "$password"
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: "127.0.0.1:$(metrics_port "$service")"
services:
  frontend:
    rpc: { grpcPort: $(grpc_port frontend), membershipPort: $(membership_port frontend), bindOnLocalHost: true, httpPort: $(http_port) }
  history:
    rpc: { grpcPort: $(grpc_port history), membershipPort: $(membership_port history), bindOnLocalHost: true }
  matching:
    rpc: { grpcPort: $(grpc_port matching), membershipPort: $(membership_port matching), bindOnLocalHost: true }
  worker:
    rpc: { grpcPort: $(grpc_port worker), membershipPort: $(membership_port worker), bindOnLocalHost: true }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:$port"
dcRedirectionPolicy:
  policy: noop
archival:
  history: { state: disabled }
  visibility: { state: disabled }
namespaceDefaults:
  archival:
    history: { state: disabled }
    visibility: { state: disabled }
dynamicConfigClient:
  filepath: "$data/config/dynamicconfig.yaml"
  pollInterval: 10s
EOF
  done
  umask 022
}

start_service() { # NAME
  local service="$1" bin
  [ -z "$(pid_of "$service")" ] || return 0
  bin="$(server_bin)"
  say "starting the $service service on 127.0.0.1:$(grpc_port "$service")…"
  # exec -a: the process is recognisable (pid_of, status) as this cluster's $service.
  setsid bash -c 'exec -a "temporal-server-$3" "$1" --root "$2" --config config --env "$3" --allow-no-auth start --service "$3"' \
    _ "$bin" "$data" "$service" >>"$data/logs/$service.log" 2>&1 </dev/null &
  echo $! >"$data/run/$service.pid"
}

wait_frontend() {
  local cli i
  cli="$(temporal_cli)"
  for ((i = 0; i < 120; i++)); do
    if "$cli" operator cluster health --address "$address" >/dev/null 2>&1; then return 0; fi
    for service in "${services[@]}"; do
      [ -n "$(pid_of "$service")" ] || die "the $service service stopped: $(tail -5 "$data/logs/$service.log")"
    done
    sleep 0.5
  done
  die "the frontend on $address did not answer in 60 s: $data/logs/frontend.log"
}

# The first service to start on a new schema writes the cluster's metadata record; several doing it
# at once race on its primary key and the losers exit ("failed to initialize current cluster
# metadata"). So the history service starts alone until that record is in PostgreSQL and it serves
# its gRPC port; only then the others, which find the record and read it.
metadata_written() {
  as_pg "$(pg_bin)/psql" -h "$data/postgres" -p "$pg_port" -U temporal -d temporal -tAc \
    "select count(*) from cluster_metadata_info where cluster_name = 'active'" 2>/dev/null | grep -qx '[1-9][0-9]*'
}

serving() { # NAME: its gRPC port accepts connections
  (exec 3<>"/dev/tcp/127.0.0.1/$(grpc_port "$1")") 2>/dev/null
}

start_first_service() {
  local first="${services[0]}" i
  if metadata_written && [ -n "$(pid_of "$first")" ]; then return 0; fi
  start_service "$first"
  local pid
  pid="$(head -1 "$data/run/$first.pid")"
  for ((i = 0; i < 240; i++)); do
    # The process itself, not pid_of: until it has exec'd the server its name is not the server's.
    [ -d "/proc/$pid" ] || die "the $first service stopped: $(tail -5 "$data/logs/$first.log")"
    if metadata_written && serving "$first"; then return 0; fi
    sleep 0.25
  done
  die "the $first service did not write the cluster metadata and serve in 60 s: $data/logs/$first.log"
}

# --- commands ------------------------------------------------------------------------------------
up() {
  mkdir -p "$data"
  server_bin >/dev/null
  sql_tool_bin >/dev/null
  pg_up
  schema_up
  write_config
  local service
  start_first_service
  for service in "${services[@]:1}"; do start_service "$service"; done
  wait_frontend
  # The namespace is registered by a TypeScript script: a fresh clone needs its npm dependencies.
  bash "$root/scripts/ensure-npm-deps.sh" || die "installing the npm dependencies failed"
  # shellcheck disable=SC2086
  (cd "$root" && node_modules/.bin/tsx scripts/cluster-namespace.ts "$address" $namespaces) >&2
  echo "TEMPORAL_ADDRESS=$address"
}

status() {
  local all=0 pid service
  pid="$(pid_of postgres)"
  if [ -n "$pid" ]; then echo "postgres   running  pid $pid  127.0.0.1:$pg_port  data $data/postgres"; else echo "postgres   stopped"; all=3; fi
  for service in "${services[@]}"; do
    pid="$(pid_of "$service")"
    if [ -n "$pid" ]; then
      printf '%-10s running  pid %s  127.0.0.1:%s  metrics http://127.0.0.1:%s/metrics\n' "$service" "$pid" "$(grpc_port "$service")" "$(metrics_port "$service")"
    else
      printf '%-10s stopped\n' "$service"
      all=3
    fi
  done
  [ $all = 0 ] && echo "TEMPORAL_ADDRESS=$address"
  return $all
}

stop_service() { # NAME
  local pid
  pid="$(pid_of "$1")"
  [ -n "$pid" ] || { rm -f "$data/run/$1.pid"; return 0; }
  say "stopping the $1 service (pid $pid)…"
  kill -TERM "$pid" 2>/dev/null || true
  wait_gone "$pid" 15 || { kill -KILL "$pid" 2>/dev/null || true; wait_gone "$pid" 5 || true; }
  rm -f "$data/run/$1.pid"
}

down() {
  local service
  for service in frontend worker matching history; do stop_service "$service"; done
  if [ -n "$(pid_of postgres)" ]; then
    say "stopping PostgreSQL…"
    as_pg "$(pg_bin)/pg_ctl" -D "$data/postgres" -m fast -w -t 60 stop >/dev/null
  fi
}

kill_part() { # NAME: SIGKILL, as a crash would
  local pid
  pid="$(pid_of "$1")"
  [ -n "$pid" ] || die "$1 is not running"
  local children child
  children="$(pgrep -P "$pid" || true)"
  kill -KILL "$pid"
  wait_gone "$pid" 10 || true
  # A killed postmaster leaves its backends; they end by themselves once it is gone, but a new
  # postmaster refuses to start while they hold the shared memory.
  for child in $children; do wait_gone "$child" 10 || true; done
  echo "killed $1 (pid $pid)"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  destroy) down && rm -rf "$data" && say "deleted $data" ;;
  kill)
    case "${2:-}" in postgres | frontend | history | matching | worker) kill_part "$2" ;; *) die "kill what? postgres|frontend|history|matching|worker" ;; esac ;;
  *) echo "usage: bash scripts/cluster.sh up|status|down|destroy|kill NAME" >&2; exit 2 ;;
esac
