#!/usr/bin/env bash
# Builds everything and starts DealCopy on its embedded defaults, then prints where to look.
# Today that is the amoCRM sandbox with its demo account (the copy service arrives with its issue).
set -euo pipefail
cd "$(dirname "$0")"
dotnet build DealCopy.sln -c Release -nologo -v minimal
exec dotnet run --project src/DealCopy.AmoSandbox -c Release --no-build -- "$@"
