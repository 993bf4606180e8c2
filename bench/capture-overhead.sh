#!/usr/bin/env bash
# Throughput of a saturated JDK HttpServer (demo/Catalog.java /items) under wrk, without and with
# Rootline's eBPF capture draining and decoding every event on the host. Interleaved pairs, so a
# drift of the machine shows in both columns. Run as root from the repository root after
# `./rootline build` and `mvn -B -q -pl bpf test-compile`:
#   bench/capture-overhead.sh [PAIRS] [SECONDS] [CONNECTIONS]
# TARGET=server captures only the server's pid (rootline.bpf.target-mode = pids); the default
# captures every process but the capturing one, wrk included, as the node does.
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS="${1:-3}" SECONDS_PER_RUN="${2:-10}" CONNECTIONS="${3:-10}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CONFIG_JAR=$(ls "$HOME"/.m2/repository/com/typesafe/config/1.4.9/config-1.4.9.jar)
server="" capture=""
cleanup() {
  for pid in $capture $server; do kill "$pid" 2>/dev/null || true; done
  for pid in $capture $server; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

java -Dsun.net.httpserver.nodelay=true demo/Catalog.java "$PORT" 0.0 >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/items" >/dev/null 2>&1 && break; sleep 0.2; done
wrk -t1 -c"$CONNECTIONS" -d3s "http://127.0.0.1:$PORT/items" >/dev/null # JIT warm-up

rps() { wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$PORT/items" | awk '/Requests\/sec/ {print $2}'; }

echo "pair untraced_rps traced_rps ratio"
for pair in $(seq 1 "$PAIRS"); do
  plain=$(rps)
  target_opts=()
  if [ "${TARGET:-all}" = server ]; then
    target_opts=(-Drootline.bpf.target-mode=pids -Drootline.bpf.target-pids.0="$server")
  fi
  java "${target_opts[@]}" -cp "bpf/target/classes:bpf/target/test-classes:$CONFIG_JAR" dev.rootline.bpf.bench.CaptureFor \
    $((SECONDS_PER_RUN + 6)) >/tmp/rootline-capture-for.$$ 2>&1 &
  capture=$!
  for _ in $(seq 1 100); do grep -q capturing /tmp/rootline-capture-for.$$ && break; sleep 0.1; done
  traced=$(rps)
  wait "$capture" || true
  capture=""
  echo "$pair $plain $traced $(python3 -c "print(f'{$traced/$plain:.3f}')")"
  tail -n 1 /tmp/rootline-capture-for.$$ >&2
done
rm -f /tmp/rootline-capture-for.$$
