# shellcheck shell=bash
# `./rootline demo --hosts N` (N >= 3): a Rootline cluster over N network-namespace "hosts" on
# this machine. Sourced by ./rootline, which provides ROOT, STATE, say, die, setup,
# build_if_needed.
#
#   host 1 (10.200.S.11): Rootline node 1 (cluster seed), frontend :8081, load generator
#   host 2 (10.200.S.12): Rootline node 2, catalog :8082
#   host 3 (10.200.S.13): Rootline node 3, cart :8083
#   hosts 4..N:           a Rootline node each (trace entities, no services)
#   the machine itself:   one Cassandra on the bridge address 10.200.S.1 (netns_hosts_root_access),
#                         and a forwarder 127.0.0.1:8080 -> node 1's API (10.200.S.11:8080)
#
# Each node runs inside its host and captures only that host (rootline.bpf.target-mode = netns,
# its own namespace by default), so a frontend -> catalog call is seen as a client span by node 1
# and as a server span by node 2; cross-host stitching (dev.rootline.actors.stitch) joins them in
# one trace. Ctrl-C stops, in order: load, nodes (they drain), services, forwarder, Cassandra, and
# removes the namespaces and the bridge. Every process is stopped by pid.

CLUSTER_DEMO_RUN="demo"
CLUSTER_DEMO_API_PORT=8080

cluster_demo() {
  local hosts="$1"
  [[ "$hosts" =~ ^[0-9]+$ ]] && [ "$hosts" -ge 3 ] && [ "$hosts" -le 9 ] ||
    die "demo --hosts takes a number of hosts from 3 to 9 (the demo services need 3)"
  setup
  build_if_needed
  # shellcheck source=lib/netns-hosts.sh
  source "$ROOT/scripts/lib/netns-hosts.sh"

  local dir="$STATE/cluster-demo"
  mkdir -p "$dir/logs"
  local java_cp="$ROOT/node/target/classes:$ROOT/node/target/lib/*"
  CLUSTER_DEMO_NODE_PIDS=()
  CLUSTER_DEMO_SERVICE_PIDS=()
  CLUSTER_DEMO_LOAD_PID=""
  CLUSTER_DEMO_FORWARD_PID=""
  CLUSTER_DEMO_CASSANDRA_DIR="$dir/cassandra"
  CLUSTER_DEMO_CASSANDRA_STARTED=no
  trap 'cluster_demo_stop; exit 130' INT TERM
  trap cluster_demo_stop EXIT

  netns_hosts_create "$CLUSTER_DEMO_RUN" "$hosts" || die "could not create the network-namespace hosts"
  netns_hosts_root_access || die "could not connect the machine to the hosts' bridge"
  local gateway; gateway="$(netns_root_addr)"
  local seed; seed="$(netns_host_addr 1)"

  say "starting Cassandra on the bridge address $gateway:9042 (data in $CLUSTER_DEMO_CASSANDRA_DIR)"
  CLUSTER_DEMO_CASSANDRA_STARTED=yes
  cluster_demo_cassandra start || die "Cassandra did not start; see $CLUSTER_DEMO_CASSANDRA_DIR/logs"

  # one set of API tokens for every node of this run (./rootline's demo_tokens), in owner-only files
  demo_tokens
  local i addr
  for i in $(seq 1 "$hosts"); do
    addr="$(netns_host_addr "$i")"
    (umask 077; demo_tokens_hocon >"$dir/node-$i.conf")
    cat >>"$dir/node-$i.conf" <<CONF
# node $i of ./rootline demo --hosts $hosts, running inside host $i ($(netns_host_ns "$i"))
rootline.cluster { hostname = "$addr", port = 25520, seed-nodes = ["$seed:25520"] }
rootline.api { host = "$addr", port = $CLUSTER_DEMO_API_PORT }
rootline.node.start-local-cassandra = off
rootline.persistence.contact-point = "$gateway:9042"
# (the driver's list was resolved from the default above before this file is layered on)
datastax-java-driver.basic.contact-points = ["$gateway:9042"]
# capture only this host: the node's own network namespace (and never the node itself)
rootline.bpf.target-mode = netns
rootline.actors.capture.host = "host-$i"
# the capture stays pinned while this node restarts (released when the demo ends)
rootline.bpf.handover.name = "demo-h$i"
# three JVMs, services and Cassandra share this machine's cores: give late links more time
rootline.actors.stitch.link-wait = 5s
CONF
  done

  say "starting node 1 (cluster seed) in host 1 ($seed); logs in $dir/logs"
  cluster_demo_start_node 1 "$java_cp" "$dir"
  cluster_demo_await_api "$seed" 1 "$dir"
  for i in $(seq 2 "$hosts"); do
    say "starting node $i in host $i ($(netns_host_addr "$i"))"
    cluster_demo_start_node "$i" "$java_cp" "$dir"
  done
  for i in $(seq 2 "$hosts"); do cluster_demo_await_api "$(netns_host_addr "$i")" "$i" "$dir"; done

  local h1 h2 h3
  h1="$(netns_host_addr 1)"; h2="$(netns_host_addr 2)"; h3="$(netns_host_addr 3)"
  say "starting the demo services: frontend $h1:8081 (host 1), catalog $h2:8082 (host 2), cart $h3:8083 (host 3)"
  CLUSTER_DEMO_SERVICE_PIDS+=("$(DEMO_BIND="$h2" netns_run 2 "$dir/logs/catalog.log" \
    java -Dsun.net.httpserver.nodelay=true "$ROOT/demo/Catalog.java" 8082 0.05)")
  CLUSTER_DEMO_SERVICE_PIDS+=("$(DEMO_BIND="$h3" netns_run 3 "$dir/logs/cart.log" \
    python3 "$ROOT/demo/cart.py" 8083 0.2)")
  CLUSTER_DEMO_SERVICE_PIDS+=("$(DEMO_BIND="$h1" netns_run 1 "$dir/logs/frontend.log" \
    python3 "$ROOT/demo/frontend.py" 8081 "http://$h2:8082" "http://$h3:8083")")
  sleep 3 # Catalog.java compiles itself first

  local api="http://$seed:$CLUSTER_DEMO_API_PORT/api/v1"
  local local_api="$api"
  if python3 - "$CLUSTER_DEMO_API_PORT" <<'PY' 2>/dev/null; then
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.close()
PY
    setsid python3 "$ROOT/scripts/lib/tcp-forward.py" 127.0.0.1 "$CLUSTER_DEMO_API_PORT" "$seed" \
      "$CLUSTER_DEMO_API_PORT" >"$dir/logs/forward.log" 2>&1 </dev/null &
    CLUSTER_DEMO_FORWARD_PID=$!
    local_api="http://127.0.0.1:$CLUSTER_DEMO_API_PORT/api/v1"
  else
    say "127.0.0.1:$CLUSTER_DEMO_API_PORT is taken (another demo?): use the bridge address $api"
  fi

  say "starting the load generator in host 1 (~10 requests/s to the frontend)"
  CLUSTER_DEMO_LOAD_PID="$(netns_run 1 "$dir/logs/loadgen.log" python3 -u "$ROOT/demo/loadgen.py" "http://$h1:8081" 10)"

  cat <<INFO

  A Rootline cluster of $hosts nodes on $hosts network-namespace hosts is capturing.
$(demo_tokens_info "$local_api")
    curl -s -H "\$ROOTLINE_AUTH" '$local_api/cluster'              members (three Up), roles, shards
    curl -s -H "\$ROOTLINE_AUTH" '$local_api/traces?limit=5'       retained traces, newest first
    curl -s -H "\$ROOTLINE_AUTH" '$local_api/traces/TRACE_ID'      one trace: spans of host-1, host-2, host-3
    curl -s -H "\$ROOTLINE_AUTH" '$local_api/stats'                this node's capture and pipeline counters
  Every node's API (same tokens): http://10.200.x.1N:$CLUSTER_DEMO_API_PORT (the bridge; e.g. $api).
  Inside a host: ip netns exec $(netns_host_ns 2) ss -tnp
  Logs: $dir/logs   Press Ctrl-C to stop everything.

INFO
  while kill -0 "$CLUSTER_DEMO_LOAD_PID" 2>/dev/null; do sleep 1; done
  say "the load generator exited; see $dir/logs/loadgen.log"
}

cluster_demo_cassandra() {
  local gateway; gateway="$(netns_root_addr)"
  java -Xms256m -Xmx512m -XX:+ExitOnOutOfMemoryError \
    -Drootline.cassandra.lib="$ROOT/persistence/cassandra-server/target/lib" \
    -Drootline.persistence.cassandra.listen-address="$gateway" \
    -Drootline.persistence.cassandra.rpc-address="$gateway" \
    -cp "$ROOT/node/target/classes:$ROOT/node/target/lib/*" \
    dev.rootline.persistence.CassandraMain "$1" --data "$CLUSTER_DEMO_CASSANDRA_DIR"
}

cluster_demo_start_node() {
  local i="$1" java_cp="$2" dir="$3"
  # `ip netns exec` gives the node a fresh /sys without tracefs, which libbpf needs to attach
  # tracepoints: mount it there (a mount namespace of the node's own; the machine's is untouched).
  CLUSTER_DEMO_NODE_PIDS+=("$(netns_run "$i" "$dir/logs/node-$i.log" \
    sh -c 'mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; exec "$@"' sh \
    java -Xms128m -Xmx512m -XX:+ExitOnOutOfMemoryError -cp "$java_cp" \
    dev.rootline.node.Main run --config "$dir/node-$i.conf")")
}

cluster_demo_await_api() {
  local addr="$1" i="$2" dir="$3" t
  local pid="${CLUSTER_DEMO_NODE_PIDS[$((i - 1))]}"
  for t in $(seq 1 240); do
    curl -fs --max-time 2 "http://$addr:$CLUSTER_DEMO_API_PORT/api/v1/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$dir/logs/node-$i.log" >&2; die "node $i exited; see $dir/logs/node-$i.log"; }
    [ $((t % 15)) -eq 0 ] && say "waiting for node $i's API ($t s)"
    sleep 1
  done
  die "node $i's API did not answer within 240 s; see $dir/logs/node-$i.log"
}

# Ctrl-C, an error, or the end: everything this demo started, in an order that loses nothing.
cluster_demo_stop() {
  trap - INT TERM EXIT
  set +e
  say "stopping the cluster demo"
  [ -n "$CLUSTER_DEMO_LOAD_PID" ] && NETNS_STOP_WAIT=10 netns_stop_pid "$CLUSTER_DEMO_LOAD_PID"
  local pid
  # nodes drain their traces into Cassandra on SIGTERM: give them time, all at once
  for pid in "${CLUSTER_DEMO_NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${CLUSTER_DEMO_NODE_PIDS[@]}"; do NETNS_STOP_WAIT=60 netns_stop_pid "$pid"; done
  # stopped for good: their pinned captures go too (which detaches the programs)
  local pins
  for pins in /run/rootline/bpf/demo-h*; do [ -d "$pins" ] && rm -rf -- "$pins"; done
  for pid in "${CLUSTER_DEMO_SERVICE_PIDS[@]}"; do NETNS_STOP_WAIT=10 netns_stop_pid "$pid"; done
  if [ -n "$CLUSTER_DEMO_FORWARD_PID" ]; then
    kill "$CLUSTER_DEMO_FORWARD_PID" 2>/dev/null
    wait "$CLUSTER_DEMO_FORWARD_PID" 2>/dev/null
  fi
  if [ "$CLUSTER_DEMO_CASSANDRA_STARTED" = yes ]; then
    cluster_demo_cassandra stop >/dev/null 2>&1 || say "note: stopping Cassandra failed; see $CLUSTER_DEMO_CASSANDRA_DIR"
  fi
  netns_hosts_teardown
  say "stopped; logs kept in $STATE/cluster-demo/logs"
}
