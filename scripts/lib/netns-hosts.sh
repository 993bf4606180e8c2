# shellcheck shell=bash
# Several "hosts" on one machine: network namespaces joined by a bridge (itself in a namespace of
# its own), so one Linux box can run a multi-host lab. Source this file; it defines functions only.
#
#   source scripts/lib/netns-hosts.sh
#   netns_hosts_create RUN N [SUBNET]     # hosts rl-RUN-h1..hN at 10.200.SUBNET.11.., bridge rl-RUN-br
#   netns_hosts_root_access               # optional: 10.200.SUBNET.1 in the root namespace, routed to them
#   netns_host_ns I / netns_host_addr I   # namespace name / address of host I (1-based)
#   pid=$(netns_run I LOG CMD [ARGS...])  # CMD inside host I, detached in its own session; pid recorded
#   netns_stop_pid PID                    # TERM its session, then KILL after NETNS_STOP_WAIT seconds
#   netns_hosts_teardown                  # kill recorded pids, delete all it created; idempotent
#   trap netns_hosts_teardown EXIT INT TERM   # (or call it from your own trap)
#
# Everything created is recorded under NETNS_STATE (default /tmp/rootline-netns/RUN) before it is
# created, so a teardown after a failure half way removes exactly what exists, and nothing else.
# Addresses 10.200.SUBNET.0/24 live only inside the namespaces, except the one address
# netns_hosts_root_access puts on a veth in the root namespace. Processes are only ever stopped by
# recorded pid or because they run inside one of this run's namespaces; never by name.
# Needs root, iproute2. No netem on this kernel: inject latency with a proxy, not with tc.

NETNS_RUN=""
NETNS_COUNT=0
NETNS_SUBNET=""
NETNS_STATE=""
NETNS_STOP_WAIT="${NETNS_STOP_WAIT:-10}"

_netns_say() { printf '[netns] %s\n' "$*" >&2; }

# A subnet octet (20..219) derived from the run name, so concurrent runs rarely share one.
_netns_default_subnet() { echo $(( $(printf '%s' "$1" | cksum | cut -d' ' -f1) % 200 + 20 )); }

netns_host_ns() { echo "rl-${NETNS_RUN}-h$1"; }
netns_bridge_ns() { echo "rl-${NETNS_RUN}-br"; }
netns_host_addr() { echo "10.200.${NETNS_SUBNET}.$((10 + $1))"; }
netns_root_addr() { echo "10.200.${NETNS_SUBNET}.1"; }
# The root namespace's end of the optional root link (interface names are at most 15 bytes).
netns_root_link_name() { echo "rlr${NETNS_SUBNET}-$(printf '%s' "$NETNS_RUN" | cksum | cut -c1-6)"; }

_netns_record() { printf '%s\n' "$2" >>"$NETNS_STATE/$1"; }

# Creates N hosts. RUN: letters, digits and '-' (kept short: namespace names show in `ip netns`).
netns_hosts_create() {
  local run="$1" n="$2" subnet="${3:-}"
  [[ "$run" =~ ^[A-Za-z0-9-]{1,24}$ ]] || { _netns_say "bad run name '$run'"; return 2; }
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 200 ] || { _netns_say "bad host count '$n'"; return 2; }
  NETNS_RUN="$run"
  NETNS_COUNT="$n"
  NETNS_SUBNET="${subnet:-$(_netns_default_subnet "$run")}"
  NETNS_STATE="${NETNS_STATE_DIR:-/tmp/rootline-netns}/$run"
  if [ -d "$NETNS_STATE" ]; then
    _netns_say "state of an earlier run '$run' found: tearing it down first"
    netns_hosts_teardown
    NETNS_RUN="$run"; NETNS_COUNT="$n"; NETNS_SUBNET="${subnet:-$(_netns_default_subnet "$run")}"
    NETNS_STATE="${NETNS_STATE_DIR:-/tmp/rootline-netns}/$run"
  fi
  mkdir -p "$NETNS_STATE"
  : >"$NETNS_STATE/namespaces"; : >"$NETNS_STATE/links"; : >"$NETNS_STATE/pids"
  printf 'NETNS_RUN=%q\nNETNS_COUNT=%q\nNETNS_SUBNET=%q\n' "$run" "$n" "$NETNS_SUBNET" >"$NETNS_STATE/env"

  local br; br="$(netns_bridge_ns)"
  _netns_record namespaces "$br"
  ip netns add "$br" || return 1
  ip -n "$br" link set lo up
  ip -n "$br" link add br0 type bridge || return 1
  ip -n "$br" link set br0 up
  local i ns
  for i in $(seq 1 "$n"); do
    ns="$(netns_host_ns "$i")"
    _netns_record namespaces "$ns"
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up
    # Both ends are born inside namespaces: nothing of ours appears in the root namespace.
    ip link add eth0 netns "$ns" type veth peer name "h$i" netns "$br" || return 1
    ip -n "$br" link set "h$i" master br0
    ip -n "$br" link set "h$i" up
    ip -n "$ns" addr add "$(netns_host_addr "$i")/24" dev eth0
    ip -n "$ns" link set eth0 up
  done
  _netns_say "hosts up: $(for i in $(seq 1 "$n"); do printf '%s=%s ' "$(netns_host_ns "$i")" "$(netns_host_addr "$i")"; done)"
}

# Gives the root namespace the address 10.200.SUBNET.1 on a veth into the bridge, so a process in
# the root namespace (a Rootline node, curl, the user) reaches the hosts, and they reach it.
netns_hosts_root_access() {
  [ -n "$NETNS_RUN" ] || { _netns_say "netns_hosts_create first"; return 2; }
  local link br; link="$(netns_root_link_name)"; br="$(netns_bridge_ns)"
  _netns_record links "$link"
  ip link add "$link" type veth peer name root netns "$br" || return 1
  ip -n "$br" link set root master br0
  ip -n "$br" link set root up
  ip addr add "$(netns_root_addr)/24" dev "$link"
  ip link set "$link" up
}

# Loads the state of run RUN (created by another shell) so teardown or netns_run work from here.
netns_hosts_attach() {
  local state="${NETNS_STATE_DIR:-/tmp/rootline-netns}/$1"
  [ -f "$state/env" ] || { _netns_say "no run '$1' under $state"; return 1; }
  # shellcheck disable=SC1091
  source "$state/env"
  NETNS_STATE="$state"
}

# Runs CMD inside host I, detached in a session of its own (setsid), stdout+stderr to LOG (empty
# LOG: /dev/null). Prints the pid, which is also the session and process group id.
netns_run() {
  local i="$1" log="${2:-/dev/null}"; shift 2
  local ns; ns="$(netns_host_ns "$i")"
  [ -e "/run/netns/$ns" ] || { _netns_say "no host $i ($ns)"; return 1; }
  # A background job of a non-interactive shell is no group leader, so setsid does not fork and
  # ip netns exec execs: $! is the command's own pid.
  setsid ip netns exec "$ns" "$@" >"$log" 2>&1 </dev/null &
  local pid=$!
  _netns_record pids "$pid"
  echo "$pid"
}

# Stops one process started by netns_run: TERM to its process group, KILL after NETNS_STOP_WAIT s.
netns_stop_pid() {
  local pid="$1" t
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for t in $(seq 1 $((NETNS_STOP_WAIT * 10))); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

# Kills every recorded pid, then whatever still runs inside this run's namespaces (it can only
# be ours), deletes the root link and the namespaces (their veths go with them). Idempotent.
netns_hosts_teardown() {
  [ -n "$NETNS_STATE" ] && [ -d "$NETNS_STATE" ] || return 0
  local pid ns link
  if [ -f "$NETNS_STATE/pids" ]; then
    while read -r pid; do
      [ -n "$pid" ] && kill -TERM -- "-$pid" 2>/dev/null || true
    done <"$NETNS_STATE/pids"
    while read -r pid; do
      [ -n "$pid" ] && netns_stop_pid "$pid"
    done <"$NETNS_STATE/pids"
  fi
  if [ -f "$NETNS_STATE/namespaces" ]; then
    while read -r ns; do
      [ -n "$ns" ] && [ -e "/run/netns/$ns" ] || continue
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    done <"$NETNS_STATE/namespaces"
  fi
  if [ -f "$NETNS_STATE/links" ]; then
    while read -r link; do
      [ -n "$link" ] && ip link show "$link" >/dev/null 2>&1 && ip link delete "$link" 2>/dev/null || true
    done <"$NETNS_STATE/links"
  fi
  if [ -f "$NETNS_STATE/namespaces" ]; then
    while read -r ns; do
      [ -n "$ns" ] && [ -e "/run/netns/$ns" ] && ip netns delete "$ns" 2>/dev/null || true
    done <"$NETNS_STATE/namespaces"
  fi
  rm -rf "$NETNS_STATE"
  NETNS_STATE=""
}
