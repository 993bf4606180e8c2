#!/usr/bin/env bash
# The live fault lab: the demo services on four network-namespace hosts, one Rootline node in
# the root namespace capturing all of them, a load generator, and injected faults with known
# ground truth; measures how Rootline ranks their root causes (AC@1, AC@3) and how many of the
# anomalous requests it kept. Run through `./rootline eval-live` (or `./rootline eval --live`).
#
# usage: scripts/live-eval.sh [--json] [--write-docs] [--kinds K,K,...] [--repeats N]
#          [--fault-seconds S] [--warmup-seconds S] [--gap-seconds S] [--settle-seconds S]
#          [--normal-seconds S] [--rate R] [--capture pids|all] [--min-ac3 X] [--min-recall X]
#   --min-ac3/--min-recall (0..1): exit 3 when below (a floor for short test runs)
#
#   host h1: loadgen, frontend :8081      host h2: catalog :8082, cart :8083 (replica a)
#   host h4: redis :6379                  host h3: catalog :8082, cart :8083 (replica b)
#   root namespace: Cassandra (own ports, own data dir), the Rootline node (own API port)
#
# Everything started is stopped and every namespace deleted on exit, Ctrl-C or failure.
set -euo pipefail
# One brace group: bash parses the whole script before running it, so editing the file while a
# lab runs cannot break the run.
{

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${ROOTLINE_STATE_DIR:-$ROOT/.rootline}"
# shellcheck source=lib/netns-hosts.sh
source "$ROOT/scripts/lib/netns-hosts.sh"

say() { printf '\033[1m[live-eval]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[live-eval]\033[0m %s\n' "$*" >&2; exit 1; }

COMMAND_LINE="${ROOTLINE_EVAL_COMMAND:-./rootline eval-live}${*:+ $*}"
EVAL_ARGS=()
CAPTURE=pids
RATE=10
while [ $# -gt 0 ]; do
  case "$1" in
    --json|--write-docs) EVAL_ARGS+=("$1"); shift ;;
    --rate) [ $# -ge 2 ] || die "--rate needs a value"; RATE="$2"; EVAL_ARGS+=("$1" "$2"); shift 2 ;;
    --kinds|--repeats|--fault-seconds|--warmup-seconds|--gap-seconds|--settle-seconds|--normal-seconds|--min-ac3|--min-recall)
      [ $# -ge 2 ] || die "$1 needs a value"; EVAL_ARGS+=("$1" "$2"); shift 2 ;;
    --capture) [ $# -ge 2 ] || die "--capture needs pids or all"; CAPTURE="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done
case "$CAPTURE" in pids|all) ;; *) die "--capture must be pids or all" ;; esac
[ "$(id -u)" -eq 0 ] || die "the lab creates network namespaces and loads eBPF: run as root"
command -v redis-server >/dev/null || die "redis-server is missing (./rootline setup installs it)"

RUN="le$$"
LAB="$STATE/live-eval/$RUN"
mkdir -p "$LAB/faults" "$LAB/logs"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
API_PORT="$(free_port)"
CQL_PORT="$(free_port)"
STORAGE_PORT="$(free_port)"
CLUSTER_PORT="$(free_port)"
NODE_CP="$ROOT/node/target/classes:$ROOT/node/target/lib/*"
CASSANDRA=(java -Drootline.cassandra.lib="$ROOT/persistence/cassandra-server/target/lib" -cp "$NODE_CP"
  dev.rootline.persistence.CassandraMain)
CASSANDRA_ARGS=(--data "$LAB/cassandra" --port "$CQL_PORT" --storage-port "$STORAGE_PORT" --heap 768M)

NODE_PID=""
CASSANDRA_STARTED=no
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  say "tearing the lab down"
  if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
    kill -TERM "$NODE_PID" 2>/dev/null || true # the node drains its traces into Cassandra first
    for _ in $(seq 1 600); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NODE_PID" 2>/dev/null || true
  fi
  netns_hosts_teardown
  if [ "$CASSANDRA_STARTED" = yes ]; then
    "${CASSANDRA[@]}" stop "${CASSANDRA_ARGS[@]}" >/dev/null 2>&1 || true
  fi
  if [ "${ROOTLINE_LIVE_KEEP:-}" = 1 ] || [ $rc -ne 0 ]; then
    say "logs kept in $LAB/logs"
  else
    rm -rf "$LAB/cassandra"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "lab $RUN: 4 hosts, logs in $LAB/logs"
netns_hosts_create "$RUN" 4
netns_hosts_root_access
H1="$(netns_host_addr 1)"; H2="$(netns_host_addr 2)"; H3="$(netns_host_addr 3)"; H4="$(netns_host_addr 4)"

say "starting Cassandra (CQL 127.0.0.1:$CQL_PORT, data in $LAB/cassandra)"
CASSANDRA_STARTED=yes
"${CASSANDRA[@]}" start "${CASSANDRA_ARGS[@]}" >"$LAB/logs/cassandra-launcher.log" 2>&1 \
  || { tail -n 20 "$LAB/logs/cassandra-launcher.log" >&2; die "Cassandra did not start"; }

# One fault switch file per service instance; all empty (no fault) to begin with.
PIDS=()
service() { # HOST_INDEX NAME CMD...
  local h="$1" name="$2"; shift 2
  : >"$LAB/faults/$name"
  PIDS+=("$(netns_run "$h" "$LAB/logs/$name.log" env DEMO_BIND="$(netns_host_addr "$h")" \
    ROOTLINE_DEMO_FAULTS="$LAB/faults/$name" "$@")")
}
say "starting redis on h4, catalog and cart on h2 and h3, frontend on h1"
PIDS+=("$(netns_run 4 "$LAB/logs/redis.log" redis-server --bind "$H4" --port 6379 --save "" \
  --appendonly no --protected-mode no --enable-debug-command yes)")
for h in 2 3; do
  replica=$([ "$h" = 2 ] && echo a || echo b)
  service "$h" "catalog-$replica" java -Dsun.net.httpserver.nodelay=true "$ROOT/demo/Catalog.java" 8082 0
  service "$h" "cart-$replica" env DEMO_REDIS="$H4:6379" python3 "$ROOT/demo/cart.py" 8083 0
done
service 1 frontend python3 "$ROOT/demo/frontend.py" 8081 \
  "http://$H2:8082,http://$H3:8082" "http://$H2:8083,http://$H3:8083"
for url in "http://$H1:8081/" "http://$H2:8082/items" "http://$H3:8082/items" "http://$H2:8083/cart" "http://$H3:8083/cart"; do
  for i in $(seq 1 120); do
    curl -fs -o /dev/null "$url" && break
    [ "$i" -eq 120 ] && die "$url did not answer within 60 s (see $LAB/logs)"
    sleep 0.5
  done
done

# The load generator starts before the node so that, in capture mode pids, its pid is a target.
: >"$LAB/outcomes.txt"
PIDS+=("$(netns_run 1 "$LAB/logs/loadgen.log" python3 -u "$ROOT/demo/loadgen.py" "http://$H1:8081" \
  "$RATE" "" "$LAB/outcomes.txt")")

# The lab's API token (admin, new each run): in node.conf and topology.json, both owner-only.
API_TOKEN="$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
install -m 600 /dev/null "$LAB/node.conf"
install -m 600 /dev/null "$LAB/topology.json"
{
  # (ports and the contact point go by environment: the defaults substitute them when loaded)
  echo "rootline.api.auth.tokens = [ { name = \"live-eval\", role = admin, token = \"$API_TOKEN\" } ]"
  echo "rootline.actors.capture.host = \"rl-$RUN-root\""
  echo "rootline.actors.capture.host-from-network-namespace = on"
  # Rankings judge recent anomalies: keep them from reaching back into the previous fault.
  echo "rootline.actors.trace.scorer.inference.window-age = ${ROOTLINE_LIVE_WINDOW_AGE:-45s}"
  if [ "$CAPTURE" = pids ]; then
    echo "rootline.bpf.target-mode = pids"
    echo "rootline.bpf.target-pids = [$(IFS=,; echo "${PIDS[*]}")]"
  fi
} >"$LAB/node.conf"
say "starting the Rootline node (API http://127.0.0.1:$API_PORT, capture $CAPTURE, log $LAB/logs/node.log)"
ROOTLINE_API_PORT="$API_PORT" ROOTLINE_CLUSTER_PORT="$CLUSTER_PORT" ROOTLINE_START_LOCAL_CASSANDRA=false \
ROOTLINE_CASSANDRA_CONTACT_POINT="127.0.0.1:$CQL_PORT" ROOTLINE_CASSANDRA_DATA_DIR="$LAB/cassandra" \
setsid java -Xms256m -Xmx1g -XX:+ExitOnOutOfMemoryError -cp "$NODE_CP" \
  dev.rootline.node.Main run --config "$LAB/node.conf" >"$LAB/logs/node.log" 2>&1 </dev/null &
NODE_PID=$!
API="http://127.0.0.1:$API_PORT/api/v1"
for i in $(seq 1 180); do
  curl -fs "$API/health" >/dev/null 2>&1 && break
  kill -0 "$NODE_PID" 2>/dev/null || { tail -n 30 "$LAB/logs/node.log" >&2; die "the node exited"; }
  [ "$i" -eq 180 ] && die "the node's API did not answer within 180 s"
  sleep 1
done

cat >"$LAB/topology.json" <<JSON
{
  "run": "$RUN",
  "api": "$API",
  "token": "$API_TOKEN",
  "lab": "$LAB",
  "hosts": {"h1": "$(netns_host_ns 1)", "h2": "$(netns_host_ns 2)", "h3": "$(netns_host_ns 3)", "h4": "$(netns_host_ns 4)"},
  "redis": {"host": "h4", "ns": "$(netns_host_ns 4)", "address": "$H4", "port": 6379},
  "instances": {
    "frontend":  {"host": "h1", "service": "python3:8081", "faults": "$LAB/faults/frontend"},
    "catalog-a": {"host": "h2", "service": "java:8082", "faults": "$LAB/faults/catalog-a"},
    "cart-a":    {"host": "h2", "service": "python3:8083", "faults": "$LAB/faults/cart-a"},
    "catalog-b": {"host": "h3", "service": "java:8082", "faults": "$LAB/faults/catalog-b"},
    "cart-b":    {"host": "h3", "service": "python3:8083", "faults": "$LAB/faults/cart-b"}
  },
  "outcomes": "$LAB/outcomes.txt"
}
JSON

python3 "$ROOT/scripts/live_eval.py" --topology "$LAB/topology.json" --command "$COMMAND_LINE" \
  --docs "$ROOT/docs/EVALUATION.md" "${EVAL_ARGS[@]}"
exit $?
}
