#!/usr/bin/env bash
# OpenRed network lab: a private LAN of several hosts on one machine.
#
# Every lab lives in its own OUTER namespace set (user + network + pid) created by
# `up`; nothing is ever configured in the caller's network namespace, so no lab
# packet can reach a real interface. Inside it:
#   - bridges br1..brB (multicast snooping off, so multicast floods like a dumb switch),
#   - hosts 1..N, each a network + UTS namespace (hostname hostI) kept alive by a
#     holder process, attached to bridges through veth pairs (ethK inside the host),
#   - addresses: host I on bridge B is 10.77.(B-1).I/24 (bridge 1 = 10.77.0.0/24),
#     multicast route 224.0.0.0/4 via eth0 in every host, no forwarding between bridges.
# Killing the pid namespace's init kills every process started in the lab and frees
# every namespace; `down` does that, and so does a failed `up` (trap). With
# --owner PID the lab also dies by itself as soon as process PID is gone.
#
# Usage (as root, or as a user allowed to create user namespaces; also works from
# inside scripts/netns.sh, which is how the tests call it):
#   scripts/lab.sh [--dir DIR] COMMAND ...        (DIR defaults to $LAB_DIR or /tmp/openred-lab)
#   check                          what the lab needs and whether it can run here; netem support
#   up [--hosts N] [--topology flat|spider] [--links SPEC] [--owner PID]
#                                  flat: N hosts on br1 (default N=2)
#                                  spider: host 1 has a leg on br1 (eth0) and br2 (eth1); hosts
#                                    2..N are split between br1 (first half) and br2 (rest)
#                                  --links "1,1,2,1+2": explicit bridges per host (overrides both)
#   exec I [--] CMD [ARGS...]       run CMD in host I (exit status is CMD's)
#   shell [I]                      interactive bash in host I (no I: the outer namespace with bridges)
#   addr I [LEG]                   print host I's IPv4 address on leg LEG (default 0 = eth0)
#   link I up|down [LEG]           plug/unplug host I's cable (bridge side of the veth)
#   netem I [--leg K] ARGS...      tc netem on host I's ethK egress, e.g. `netem 2 delay 50ms loss 10%`
#   netem I [--leg K] clear        remove it; exit status 3 when the kernel has no netem
#   kill I                         kill every process in host I except its holder (a host vanishing)
#   status                         print the lab's hosts, pids and addresses
#   pids                           print "ROLE PID" for every process the lab keeps (outer, init, holderI, parentI)
#   down                           kill everything and remove the lab (idempotent)
#
# Example:
#   scripts/lab.sh up --hosts 3
#   scripts/lab.sh exec 2 python3 -c 'import socket; print(socket.gethostname())'
#   scripts/lab.sh shell 1          # ip addr, ping-less tests with python3, etc.
#   scripts/lab.sh down
set -euo pipefail

PROG=lab.sh
NET_PREFIX=10.77
LAB_DIR=${LAB_DIR:-/tmp/openred-lab}

die() { echo "$PROG: $*" >&2; exit 1; }

usage() {
  sed -n '/^# Usage/,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

missing_tools() {
  local t miss=()
  for t in unshare nsenter setsid ip bridge; do
    command -v "$t" >/dev/null 2>&1 || miss+=("$t")
  done
  echo "${miss[*]}"
}

require_tools() {
  local miss
  miss=$(missing_tools)
  [ -z "$miss" ] || die "cannot run: missing $miss (needs util-linux unshare/nsenter/setsid and iproute2 ip/bridge)"
}

# Which namespaces we can create: 1 = user+net (works unprivileged and inside netns.sh),
# 0 = net only (real root where user namespaces are disabled), empty = none.
probe_userns() {
  # OPENRED_LAB_NO_USERNS=1 forces the second mode (to test it; or where nested user namespaces are refused)
  if [ "${OPENRED_LAB_NO_USERNS:-}" != 1 ] && unshare --user --map-root-user --net true 2>/dev/null; then
    echo 1
  elif unshare --net true 2>/dev/null; then
    echo 0
  fi
}

cannot_create_ns_message() {
  echo "cannot create namespaces: run as root, or allow unprivileged user namespaces" \
    "(sysctl kernel.unprivileged_userns_clone=1, kernel.apparmor_restrict_unprivileged_userns=0," \
    "user.max_user_namespaces > 0)"
}

# --- state -----------------------------------------------------------------------------------

state_file() { echo "$LAB_DIR/state"; }

load_state() {
  [ -f "$(state_file)" ] || die "no lab in $LAB_DIR (run: $PROG --dir $LAB_DIR up)"
  # shellcheck disable=SC1090
  source <(sed 's/^declare /declare -g /' "$(state_file)")
  lab_alive || die "the lab in $LAB_DIR is dead (its processes are gone); run: $PROG --dir $LAB_DIR down"
}

save_state() {
  declare -p USERNS OUTER_PID OUTER_NET LAB_PIDNS INIT_PID HOSTS LINKS HOST_PIDS HOST_NETS HOLDER_PARENTS \
    > "$(state_file).tmp"
  mv "$(state_file).tmp" "$(state_file)"
}

# A recorded pid still names our process only if its namespace is the one we recorded
# (guards against pid reuse after the lab died on its own).
ns_of() { readlink "/proc/$1/ns/$2" 2>/dev/null || true; }

lab_alive() { [ "$(ns_of "$OUTER_PID" net)" = "$OUTER_NET" ]; }

user_opts() {
  if [ "$USERNS" = 1 ]; then
    echo "--user=/proc/$OUTER_PID/ns/user --preserve-credentials"
  fi
}

# Runs a command in the outer namespace (bridges, bridge-side veth ends). Only user + net
# are entered, so pids in arguments mean what they mean to this script.
in_outer() {
  # shellcheck disable=SC2046
  nsenter $(user_opts) --net="/proc/$OUTER_PID/ns/net" -- "$@"
}

host_pid() {
  local i=$1
  [[ "$i" =~ ^[0-9]+$ ]] && [ "$i" -ge 1 ] && [ "$i" -le "$HOSTS" ] || die "no host '$i' (hosts are 1..$HOSTS)"
  echo "${HOST_PIDS[$i]}"
}

# Configuration commands in host I (network only).
in_host_net() {
  local hp
  hp=$(host_pid "$1")
  shift
  # shellcheck disable=SC2046
  nsenter $(user_opts) --net="/proc/$hp/ns/net" -- "$@"
}

# Workload commands in host I: also enter the lab's pid namespace, so `down` kills them.
exec_in_host() {
  local hp
  hp=$(host_pid "$1")
  shift
  # shellcheck disable=SC2046
  exec nsenter $(user_opts) --pid="/proc/$OUTER_PID/ns/pid_for_children" \
    --net="/proc/$hp/ns/net" --uts="/proc/$hp/ns/uts" -- "$@"
}

leg_bridges() { tr '+' ' ' <<<"${LINKS[$1]}"; }

host_addr() {
  local i=$1 leg=${2:-0} b
  read -r -a bs <<<"$(leg_bridges "$i")"
  [ "$leg" -lt "${#bs[@]}" ] || die "host $i has no leg $leg"
  b=${bs[$leg]}
  echo "$NET_PREFIX.$((b - 1)).$i"
}

wait_for() { # TIMEOUT_TENTHS COMMAND...
  local n=$1
  shift
  while ! "$@"; do
    n=$((n - 1))
    [ "$n" -gt 0 ] || return 1
    sleep 0.1
  done
}

# --- teardown --------------------------------------------------------------------------------

# Gone, or a zombie waiting for a parent outside the lab to reap it.
proc_gone() { [ ! -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# Kills whatever of the lab still exists; safe on partial state and on a dead lab.
teardown() {
  local p pids=()
  if [ -n "${INIT_PID:-}" ] && [ "$(ns_of "$INIT_PID" pid)" = "${LAB_PIDNS:-x}" ]; then
    kill -KILL "$INIT_PID" 2>/dev/null || true # takes every process of the lab's pid namespace with it
  fi
  if [ -n "${OUTER_PID:-}" ] && [ "$(ns_of "$OUTER_PID" net)" = "${OUTER_NET:-x}" ]; then
    kill -KILL "$OUTER_PID" 2>/dev/null || true
  fi
  for p in "${HOST_PIDS[@]:1}"; do
    [ -n "$p" ] || continue
    # holders live in the lab's pid namespace and die with its init; this covers a failed up
    if [ "$(ns_of "$p" pid)" = "${LAB_PIDNS:-x}" ]; then kill -KILL "$p" 2>/dev/null || true; fi
  done
  pids=("${INIT_PID:-}" "${OUTER_PID:-}" "${HOST_PIDS[@]:1}" "${HOLDER_PARENTS[@]:1}")
  for p in "${pids[@]}"; do
    [ -n "$p" ] || continue
    wait_for 50 proc_gone "$p" || echo "$PROG: warning: process $p still alive after teardown" >&2
  done
}

cmd_down() {
  if [ ! -f "$(state_file)" ]; then
    echo "$PROG: no lab in $LAB_DIR" >&2
    return 0
  fi
  # shellcheck disable=SC1090
  source <(sed 's/^declare /declare -g /' "$(state_file)")
  teardown
  rm -f "$(state_file)"
  rmdir "$LAB_DIR" 2>/dev/null || true
}

# --- up --------------------------------------------------------------------------------------

parse_links() { # topology hosts -> fills LINKS[1..N]
  local topo=$1 n=$2 i half
  LINKS=("")
  case "$topo" in
    flat)
      for ((i = 1; i <= n; i++)); do LINKS+=("1"); done
      ;;
    spider)
      [ "$n" -ge 3 ] || die "spider needs at least 3 hosts"
      LINKS+=("1+2")
      half=$(((n - 1 + 1) / 2)) # hosts 2..N: first half on br1
      for ((i = 2; i <= n; i++)); do
        if [ $((i - 1)) -le "$half" ]; then LINKS+=("1"); else LINKS+=("2"); fi
      done
      ;;
    *) die "unknown topology '$topo' (flat or spider)" ;;
  esac
}

start_outer() {
  local owner=$1 uflags=() init
  [ "$USERNS" = 1 ] && uflags=(--user --map-root-user)
  # pid 1 of the lab: reaps orphans, and exits (killing the whole lab) when the owner is gone
  init='while [ -z "$1" ] || [ -d "/proc/$1" ]; do sleep 1 & wait $!; done'
  setsid unshare "${uflags[@]}" --net --pid --fork --kill-child \
    bash -c "$init" lab-init "$owner" </dev/null >/dev/null 2>&1 &
  OUTER_PID=$!
  disown
  local self_net
  self_net=$(ns_of $$ net)
  wait_for 50 outer_ready "$self_net" || die "could not create the outer namespace"
  OUTER_NET=$(ns_of "$OUTER_PID" net)
  LAB_PIDNS=$(ns_of "$OUTER_PID" pid_for_children)
  wait_for 50 first_child "$OUTER_PID" >/dev/null || die "the lab's init did not start"
  INIT_PID=$(first_child "$OUTER_PID")
}

outer_ready() {
  local n
  n=$(ns_of "$OUTER_PID" net)
  [ -n "$n" ] && [ "$n" != "$1" ] && [ -n "$(ns_of "$OUTER_PID" pid_for_children)" ] &&
    [ "$(ns_of "$OUTER_PID" pid_for_children)" != "$(ns_of $$ pid)" ]
}

first_child() {
  local c
  c=$(cat "/proc/$1/task/$1/children" 2>/dev/null) || return 1
  c=${c%% *}
  [ -n "$c" ] && echo "$c"
}

host_ready() { # nsenter_pid -> prints holder pid once it sits in its own netns
  local c
  c=$(first_child "$1") || return 1
  [ "$(ns_of "$c" net)" != "$OUTER_NET" ] && [ -n "$(ns_of "$c" net)" ] || return 1
  [ "$(cat "/proc/$c/comm" 2>/dev/null)" = sleep ] || return 1
  echo "$c"
}

start_host() {
  local i=$1 np hp
  # shellcheck disable=SC2046
  setsid nsenter $(user_opts) --pid="/proc/$OUTER_PID/ns/pid_for_children" --net="/proc/$OUTER_PID/ns/net" -- \
    unshare --net --uts bash -c 'hostname "$1" && exec sleep infinity' holder "host$i" \
    </dev/null >/dev/null 2>&1 &
  np=$!
  disown
  HOLDER_PARENTS[i]=$np
  wait_for 50 host_ready "$np" >/dev/null || die "host $i did not start"
  hp=$(host_ready "$np")
  HOST_PIDS[i]=$hp
  HOST_NETS[i]=$(ns_of "$hp" net)
}

all_ports_forwarding() {
  ! in_outer bridge link show 2>/dev/null | grep -v 'state forwarding' | grep -q .
}

cmd_up() {
  local hosts=2 topo=flat links="" owner=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --hosts) hosts=${2:?}; shift 2 ;;
      --topology) topo=${2:?}; shift 2 ;;
      --links) links=${2:?}; shift 2 ;;
      --owner) owner=${2:?}; shift 2 ;;
      *) die "up: unknown argument '$1'" ;;
    esac
  done
  [[ "$hosts" =~ ^[0-9]+$ ]] && [ "$hosts" -ge 1 ] && [ "$hosts" -le 200 ] || die "--hosts must be 1..200"
  [ -z "$owner" ] || [[ "$owner" =~ ^[0-9]+$ ]] || die "--owner must be a pid"
  require_tools

  if [ -n "$links" ]; then
    IFS=, read -r -a spec <<<"$links"
    hosts=${#spec[@]}
    LINKS=("" "${spec[@]}")
    local l
    for l in "${spec[@]}"; do [[ "$l" =~ ^[1-9][0-9]?(\+[1-9][0-9]?)*$ ]] || die "bad --links entry '$l'"; done
  else
    parse_links "$topo" "$hosts"
  fi
  HOSTS=$hosts
  local bridges=0 i b k
  for ((i = 1; i <= HOSTS; i++)); do
    for b in $(leg_bridges "$i"); do [ "$b" -le "$bridges" ] || bridges=$b; done
  done

  mkdir -p "$LAB_DIR"
  if [ -f "$(state_file)" ]; then
    # shellcheck disable=SC1090
    source <(sed 's/^declare /declare -g /' "$(state_file)")
    if lab_alive; then die "a lab is already up in $LAB_DIR"; fi
    teardown
    rm -f "$(state_file)"
  fi

  USERNS=$(probe_userns)
  [ -n "$USERNS" ] || die "$(cannot_create_ns_message)"
  OUTER_PID="" OUTER_NET="" LAB_PIDNS="" INIT_PID=""
  HOST_PIDS=("") HOST_NETS=("") HOLDER_PARENTS=("")
  trap 'rc=$?; if [ $rc -ne 0 ]; then echo "$PROG: up failed, tearing down" >&2; teardown; rm -f "$(state_file)"; rmdir "$LAB_DIR" 2>/dev/null || true; fi' EXIT
  trap 'exit 130' INT TERM

  start_outer "$owner"
  save_state # from here on a separate `down` can clean up too

  {
    echo "link set lo up"
    for ((b = 1; b <= bridges; b++)); do
      echo "link add br$b type bridge stp_state 0 mcast_snooping 0"
      echo "link set br$b up"
    done
  } | in_outer ip -batch -

  for ((i = 1; i <= HOSTS; i++)); do
    start_host "$i"
    save_state
    # test hook: proves that a failed up leaves nothing behind
    [ "${OPENRED_LAB_FAIL_AFTER_HOST:-0}" != "$i" ] || die "failing on purpose after host $i (OPENRED_LAB_FAIL_AFTER_HOST)"
    read -r -a bs <<<"$(leg_bridges "$i")"
    {
      for k in "${!bs[@]}"; do
        echo "link add h${i}e$k type veth peer name eth$k netns ${HOST_PIDS[$i]}"
        echo "link set h${i}e$k master br${bs[$k]}"
        echo "link set h${i}e$k up"
      done
    } | in_outer ip -batch -
    {
      echo "link set lo up"
      for k in "${!bs[@]}"; do
        echo "addr add $NET_PREFIX.$((bs[k] - 1)).$i/24 dev eth$k"
        echo "link set eth$k up"
      done
      echo "route add 224.0.0.0/4 dev eth0"
    } | in_host_net "$i" ip -batch -
  done

  wait_for 50 all_ports_forwarding || die "bridge ports did not reach forwarding state"
  save_state
  trap - EXIT INT TERM
  echo "$PROG: lab up in $LAB_DIR: $HOSTS host(s), $bridges bridge(s)" >&2
}

# --- other commands --------------------------------------------------------------------------

cmd_check() {
  local miss u rc=0
  miss=$(missing_tools)
  if [ -n "$miss" ]; then
    echo "lab: no (missing $miss; needs util-linux unshare/nsenter/setsid and iproute2 ip/bridge)"
    echo "netem: no (lab cannot run)"
    return 2
  fi
  u=$(probe_userns)
  if [ -z "$u" ]; then
    echo "lab: no ($(cannot_create_ns_message))"
    echo "netem: no (lab cannot run)"
    return 2
  fi
  local flags=(--net)
  [ "$u" = 1 ] && flags=(--user --map-root-user --net)
  # a throwaway namespace: nothing here can touch the caller's interfaces
  if ! unshare "${flags[@]}" bash -c 'ip link add chkbr type bridge && ip link add chkv type veth peer name chkw' \
    >/dev/null 2>&1; then
    echo "lab: no (the kernel lacks bridge or veth support: CONFIG_BRIDGE, CONFIG_VETH)"
    echo "netem: no (lab cannot run)"
    return 2
  fi
  echo "lab: yes ($([ "$u" = 1 ] && echo "user+net namespaces" || echo "net namespaces as root"))"
  if ! command -v tc >/dev/null 2>&1; then
    echo "netem: no (tc from iproute2 is missing)"
  elif unshare "${flags[@]}" tc qdisc add dev lo root netem delay 1ms >/dev/null 2>&1; then
    echo "netem: yes"
  else
    echo "netem: no (the kernel has no sch_netem: CONFIG_NET_SCH_NETEM / modprobe sch_netem)"
  fi
  return $rc
}

cmd_exec() {
  [ $# -ge 1 ] || die "exec: host number missing"
  local i=$1
  shift
  [ "${1:-}" != "--" ] || shift
  [ $# -ge 1 ] || die "exec: command missing"
  load_state
  exec_in_host "$i" "$@"
}

cmd_shell() {
  load_state
  if [ $# -eq 0 ] || [ "$1" = 0 ]; then
    # shellcheck disable=SC2046
    exec nsenter $(user_opts) --pid="/proc/$OUTER_PID/ns/pid_for_children" --net="/proc/$OUTER_PID/ns/net" -- \
      env PS1='[lab outer] \w\$ ' bash --norc -i
  fi
  exec_in_host "$1" env PS1="[lab host$1] \\w\\$ " bash --norc -i
}

cmd_addr() {
  [ $# -ge 1 ] || die "addr: host number missing"
  load_state
  host_pid "$1" >/dev/null
  host_addr "$1" "${2:-0}"
}

cmd_link() {
  [ $# -ge 2 ] || die "link: usage: link I up|down [LEG]"
  local i=$1 state=$2 leg=${3:-0}
  [ "$state" = up ] || [ "$state" = down ] || die "link: state must be up or down"
  load_state
  host_pid "$i" >/dev/null
  host_addr "$i" "$leg" >/dev/null
  in_outer ip link set "h${i}e$leg" "$state"
  if [ "$state" = up ]; then
    # carrier changes reach the bridge and the host asynchronously (linkwatch); return once
    # traffic flows again, so a caller's next packet is not lost
    wait_for 50 link_flows "$i" "$leg" || die "link of host $i leg $leg did not come back"
  fi
}

link_flows() {
  in_outer bridge link show dev "h${1}e$2" 2>/dev/null | grep -q 'state forwarding' &&
    in_host_net "$1" ip -o link show "eth$2" | grep -q 'LOWER_UP'
}

cmd_netem() {
  [ $# -ge 2 ] || die "netem: usage: netem I [--leg K] ARGS...|clear"
  local i=$1 leg=0 out
  shift
  if [ "$1" = --leg ]; then leg=${2:?}; shift 2; fi
  [ $# -ge 1 ] || die "netem: arguments missing"
  load_state
  host_addr "$i" "$leg" >/dev/null
  command -v tc >/dev/null 2>&1 || { echo "$PROG: netem unsupported: tc (iproute2) is missing" >&2; exit 3; }
  if [ "$1" = clear ]; then
    in_host_net "$i" tc qdisc del dev "eth$leg" root 2>/dev/null || true
    return 0
  fi
  if ! out=$(in_host_net "$i" tc qdisc replace dev "eth$leg" root netem "$@" 2>&1); then
    if grep -qi 'unknown' <<<"$out"; then
      echo "$PROG: netem unsupported: the kernel has no sch_netem (CONFIG_NET_SCH_NETEM / modprobe sch_netem)" >&2
      exit 3
    fi
    die "netem: $out"
  fi
}

cmd_kill() {
  [ $# -ge 1 ] || die "kill: host number missing"
  load_state
  local hp p n=0
  hp=$(host_pid "$1")
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" != "$hp" ] || continue
    if [ "$(ns_of "$p" net)" = "${HOST_NETS[$1]}" ]; then
      kill -KILL "$p" 2>/dev/null && n=$((n + 1))
    fi
  done
  echo "$PROG: killed $n process(es) in host $1" >&2
}

cmd_status() {
  load_state
  local i k
  echo "lab $LAB_DIR: outer pid $OUTER_PID, init pid $INIT_PID, userns $USERNS"
  for ((i = 1; i <= HOSTS; i++)); do
    read -r -a bs <<<"$(leg_bridges "$i")"
    printf 'host%s pid %s:' "$i" "${HOST_PIDS[$i]}"
    for k in "${!bs[@]}"; do printf ' eth%s=%s (br%s)' "$k" "$(host_addr "$i" "$k")" "${bs[$k]}"; done
    echo
  done
}

cmd_pids() {
  load_state
  local i
  echo "outer $OUTER_PID"
  echo "init $INIT_PID"
  for ((i = 1; i <= HOSTS; i++)); do
    echo "holder$i ${HOST_PIDS[$i]}"
    echo "parent$i ${HOLDER_PARENTS[$i]}"
  done
}

# --- main ------------------------------------------------------------------------------------

while [ $# -gt 0 ]; do
  case "$1" in
    --dir) LAB_DIR=${2:?}; shift 2 ;;
    -h | --help) usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
  check) cmd_check "$@" ;;
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  exec) cmd_exec "$@" ;;
  shell) cmd_shell "$@" ;;
  addr) cmd_addr "$@" ;;
  link) cmd_link "$@" ;;
  netem) cmd_netem "$@" ;;
  kill) cmd_kill "$@" ;;
  status) cmd_status "$@" ;;
  pids) cmd_pids "$@" ;;
  *) usage ;;
esac
