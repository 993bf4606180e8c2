# shellcheck shell=bash
# Hosts as network namespaces on one machine: a switch namespace holding a bridge, and one
# namespace per host with a veth into that bridge and an address 10.200.0.<octet>/24. Nothing
# is added to the machine's own namespace (no address, no route, no interface: both ends of
# every veth are created directly inside namespaces made here), and everything is named after a
# prefix, so teardown finds it all again, also after a failure half-way.
#
# Source it, then:
#   netns_hosts_up PREFIX NAME:OCTET...   e.g. netns_hosts_up rld h1:1 h2:2 h3:3 db:10
#   netns_hosts_ns PREFIX NAME            -> PREFIX-NAME (the namespace, for ip netns exec)
#   netns_hosts_ip NAME:OCTET             -> 10.200.0.OCTET
#   netns_hosts_down PREFIX               stops what still runs inside (by pid), deletes all
#
# Needs root and iproute2. Prefix: 1-8 characters [a-z0-9]; host names 1-8 characters [a-z0-9].

NETNS_HOSTS_SUBNET="${NETNS_HOSTS_SUBNET:-10.200.0}"

_netns_hosts_check_name() {
  [[ "$1" =~ ^[a-z0-9]{1,8}$ ]] || { echo "netns-hosts: bad name '$1' (1-8 of [a-z0-9])" >&2; return 1; }
}

netns_hosts_ns() { echo "$1-$2"; }

netns_hosts_ip() { echo "$NETNS_HOSTS_SUBNET.${1##*:}"; }

# Creates the switch and the hosts; on any failure removes what it made and returns non-zero.
netns_hosts_up() {
  local prefix="$1"; shift
  _netns_hosts_check_name "$prefix" || return 1
  local sw="$prefix-sw"
  if ip netns list | awk '{print $1}' | grep -qE "^$prefix-"; then
    echo "netns-hosts: namespaces $prefix-* exist already (netns_hosts_down $prefix removes them)" >&2
    return 1
  fi
  if ! {
    ip netns add "$sw" &&
      ip -n "$sw" link set lo up &&
      ip -n "$sw" link add br0 type bridge &&
      ip -n "$sw" link set br0 up
  }; then
    netns_hosts_down "$prefix"
    return 1
  fi
  local spec name octet ns
  for spec in "$@"; do
    name="${spec%%:*}"
    octet="${spec##*:}"
    if ! _netns_hosts_check_name "$name" || ! [[ "$octet" =~ ^[0-9]+$ ]] || ((octet < 1 || octet > 254)); then
      echo "netns-hosts: bad host '$spec' (NAME:OCTET, octet 1-254)" >&2
      netns_hosts_down "$prefix"
      return 1
    fi
    ns="$prefix-$name"
    if ! {
      ip netns add "$ns" &&
        ip -n "$ns" link set lo up &&
        ip link add eth0 netns "$ns" type veth peer name "p-$name" netns "$sw" &&
        ip -n "$sw" link set "p-$name" master br0 &&
        ip -n "$sw" link set "p-$name" up &&
        ip -n "$ns" addr add "$NETNS_HOSTS_SUBNET.$octet/24" dev eth0 &&
        ip -n "$ns" link set eth0 up
    }; then
      echo "netns-hosts: could not set up host $ns" >&2
      netns_hosts_down "$prefix"
      return 1
    fi
  done
}

# Stops every process still inside PREFIX-* namespaces (TERM, then KILL after 5 s; by pid, as
# `ip netns pids` lists them), then deletes the namespaces (their veths and the bridge go with
# them). Safe to call twice, or when nothing was created.
netns_hosts_down() {
  local prefix="$1" ns pids pid
  _netns_hosts_check_name "$prefix" || return 1
  local namespaces
  namespaces="$(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$prefix-" || true)"
  [ -n "$namespaces" ] || return 0
  for ns in $namespaces; do
    pids="$(ip netns pids "$ns" 2>/dev/null || true)"
    for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  done
  for _ in $(seq 1 50); do
    pids=""
    for ns in $namespaces; do pids+="$(ip netns pids "$ns" 2>/dev/null || true)"; done
    [ -z "$pids" ] && break
    sleep 0.1
  done
  for ns in $namespaces; do
    for pid in $(ip netns pids "$ns" 2>/dev/null || true); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns delete "$ns" 2>/dev/null || true
  done
}
