#!/usr/bin/env bash
# Runs one OpenRed node inside its own network namespace (see scripts/netns.sh): only loopback exists
# there, so nothing the node sends (beacons, dials) can leave this machine.
# Builds the executable first when a source file is newer than it.
# Usage: scripts/run.sh [openred flags...]     e.g. scripts/run.sh --node-id alice --sector family
set -euo pipefail
cd "$(dirname "$0")/.."

bin=src/OpenRed.Cli/bin/Release/net10.0/openred.dll
if [ ! -f "$bin" ] || [ -n "$(find src Directory.Build.props Directory.Packages.props -newer "$bin" \
    \( -name '*.cs' -o -name '*.csproj' -o -name '*.proto' -o -name '*.props' \) -print -quit)" ]; then
  dotnet build src/OpenRed.Cli -c Release -nologo -v quiet "-clp:ErrorsOnly;NoSummary" >&2
fi

exec scripts/netns.sh dotnet "$bin" "$@"
