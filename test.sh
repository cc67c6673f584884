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
  for project in tests/*/*.Tests.csproj; do
    name=$(basename "$project" .csproj)
    echo "==> $name"
    dotnet test "$project" -c Release --no-build -nologo -v minimal \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$results" \
      -- RunConfiguration.TreatNoTestsAsError=true 2>&1 | tee "$results/$name.log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || ok=0
    trx="$results/$name.trx"
    if [ ! -f "$trx" ]; then
      echo "$name produced no results: its test host crashed or found no tests"
      ok=0
      continue
    fi
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
