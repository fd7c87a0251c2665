#!/usr/bin/env bash
# Builds Release and runs the benchmark program inside a fresh network namespace (loopback only).
# Usage: scripts/bench.sh [all|discovery|handshakes|throughput|crypto|phoenix|mesh] [options]   (--help for the options)
# The default command `all` prints one table and writes bench-results/latest.json. Never part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "bench.sh: the .NET 10 SDK is needed (dotnet not found on PATH)" >&2
  exit 1
fi

# Restore and build outside the namespace: NuGet needs the network, the benchmark must not have it.
dotnet build bench/OpenRed.Bench/OpenRed.Bench.csproj -c Release -nologo -v quiet "-clp:ErrorsOnly;Summary" >&2

exec scripts/netns.sh dotnet bench/OpenRed.Bench/bin/Release/net10.0/OpenRed.Bench.dll "$@"
