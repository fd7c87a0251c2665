#!/usr/bin/env bash
# Runs a command inside new user + network namespaces with only loopback up and
# multicast routed to loopback. Nothing run this way can reach a real interface.
# Usage: scripts/netns.sh COMMAND [ARGS...]
set -euo pipefail

if [ "${OPENRED_IN_NETNS:-}" = "1" ]; then
  exec "$@"
fi

if ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
  echo "netns.sh: needs unshare (util-linux) and ip (iproute2)" >&2
  exit 1
fi

inner='set -e
ip link set lo up
ip link set lo multicast on
ip route add 224.0.0.0/4 dev lo 2>/dev/null || true
export OPENRED_IN_NETNS=1
exec "$@"'

exec unshare --user --map-root-user --net bash -c "$inner" netns "$@"
