#!/usr/bin/env bash
# Builds everything (the widget too, when its toolchain is there) and starts DealCopy on its embedded
# defaults: the Host in sandbox mode — an in-process amoCRM sandbox with its demo account, a SQLite
# journal under .data/ — then prints where to look. Extra arguments go to the Host (e.g. --urls).
set -euo pipefail
cd "$(dirname "$0")"
if [ -f widget/package.json ]; then
  echo "==> building the widget"
  (cd widget && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
fi
echo "==> building the service"
dotnet build DealCopy.sln -c Release -nologo -v minimal
exec dotnet run --project src/DealCopy.Host -c Release --no-build -- --sandbox "$@"
