#!/usr/bin/env bash
# Runs every test DealCopy has and ends with one line "N passed, N failed" summed over all runners.
# Installs what the tests need first (the .NET packages; later the widget's npm packages,
# Debian chromium and PostgreSQL as the suites that need them arrive). Exit code 0 only if all pass.
set -uo pipefail
cd "$(dirname "$0")"

results="$PWD/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
passed=0
failed=0
ok=1

echo "==> restoring and building the solution (Release)"
if ! dotnet build DealCopy.sln -c Release -nologo -v minimal; then
  echo "build failed"
  ok=0
else
  echo "==> running .NET tests"
  dotnet test DealCopy.sln -c Release --no-build -nologo -v minimal \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
    -- RunConfiguration.TreatNoTestsAsError=true 2>&1 | tee "$results/dotnet.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || ok=0

  # Every test project must have produced a result file; a crashed host produces none.
  projects=$(find tests -name '*.Tests.csproj' | wc -l)
  trx_count=$(find "$results" -name '*.trx' | wc -l)
  if [ "$trx_count" -lt "$projects" ]; then
    echo "only $trx_count result files for $projects test projects: a test host crashed or was skipped"
    ok=0
  fi
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    p=$(printf '%s' "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
    f=$(printf '%s' "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
  done
fi

[ "$failed" -eq 0 ] || ok=0
echo "${passed} passed, ${failed} failed"
[ "$ok" -eq 1 ]
