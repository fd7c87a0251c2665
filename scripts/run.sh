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
  # dotnet build prints MSBuild's summary whatever the verbosity; show its output only when the build fails.
  if ! out=$(dotnet build src/OpenRed.Cli -c Release -nologo -v quiet "-clp:ErrorsOnly;NoSummary" 2>&1); then
    printf '%s\n' "$out" >&2
    echo "run.sh: the build failed" >&2
    exit 1
  fi
fi

exec scripts/netns.sh dotnet "$bin" "$@"
