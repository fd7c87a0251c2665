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

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
scripts/netns.sh dotnet test OpenRed.sln -c Release --no-build -nologo \
  --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?

# One closing line over all test projects, in the plain form CI reads.
sum() { { grep -E "^\s+$1:\s+[0-9]+" "$log" || true; } | awk '{s += $2} END {print s + 0}'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  exit 1
fi
exit "$status"
