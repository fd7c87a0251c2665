#!/usr/bin/env bash
# Packs the openred command as a .NET tool package into a folder, ready to install:
#   scripts/pack.sh                 # -> dist/packages/openred.<version>.nupkg
#   dotnet tool install --global openred --add-source dist/packages
# Usage: scripts/pack.sh [output folder]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist/packages}
if ! log=$(dotnet pack src/OpenRed.Cli -c Release -nologo -v quiet -o "$out" "-clp:ErrorsOnly;NoSummary" 2>&1); then
  printf '%s\n' "$log" >&2
  echo "pack.sh: dotnet pack failed" >&2
  exit 1
fi
ls "$out"/openred.*.nupkg
