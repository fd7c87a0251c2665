#!/usr/bin/env bash
# The project's one test command: build, then run every test inside a fresh
# network namespace, so that no packet a test sends can leave this machine.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter Lighthouse]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK is needed (dotnet not found on PATH)" >&2
  exit 1
fi

# Restore and build outside the namespace: NuGet needs the network, tests must not have it.
dotnet build OpenRed.sln -c Release -nologo -v quiet "-clp:ErrorsOnly;Summary"

exec scripts/netns.sh dotnet test OpenRed.sln -c Release --no-build -nologo \
  --logger "console;verbosity=normal" "$@"
