#!/usr/bin/env bash
# Builds openred as one self-contained file (the .NET runtime inside; nothing to install on the target):
#   scripts/publish.sh              # -> dist/linux-x64/openred
#   scripts/publish.sh linux-arm64  # another runtime identifier
# The runtime packs come from NuGet the first time; the result runs offline. A separate artifacts folder keeps
# this build from touching the development build in src/*/bin and obj.
# Usage: scripts/publish.sh [runtime identifier] [output folder]
set -euo pipefail
cd "$(dirname "$0")/.."
rid=${1:-linux-x64}
out=${2:-dist/$rid}
if ! log=$(dotnet publish src/OpenRed.Cli -c Release -r "$rid" --self-contained true \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:PackAsTool=false \
    --artifacts-path dist/.build -o "$out" -nologo -v quiet "-clp:ErrorsOnly;NoSummary" 2>&1); then
  printf '%s\n' "$log" >&2
  echo "publish.sh: dotnet publish failed" >&2
  exit 1
fi
ls -l "$out/openred"
