#!/usr/bin/env bash
# Runs every test DealCopy has and ends with one line "N passed, N failed" summed over all runners.
# Installs what the tests need first (the .NET packages, PostgreSQL, the widget's npm packages and
# Debian chromium). Exit code 0 only if all pass.
set -uo pipefail
cd "$(dirname "$0")"

results="$PWD/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
# every Host the tests start writes its log here, and the sandbox writes down the secrets it mints: the last
# test project (DealCopy.Secrets.Tests) scans the first for the second
export DEALCOPY_TEST_LOGS="$PWD/artifacts/logs" DEALCOPY_TEST_SECRETS="$PWD/artifacts/secrets"
rm -rf "$DEALCOPY_TEST_LOGS" "$DEALCOPY_TEST_SECRETS"
mkdir -p "$DEALCOPY_TEST_LOGS" "$DEALCOPY_TEST_SECRETS"
passed=0
failed=0
ok=1

# A real PostgreSQL server on loopback for the journal tests (Debian package; a private cluster in /tmp).
start_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    echo "==> installing PostgreSQL (Debian package)"
    if [ "$(id -u)" -eq 0 ]; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || return 1
    else
      (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || return 1
    fi
  fi
  local bin dir port
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  dir=$(mktemp -d /tmp/dealcopy-pg.XXXXXX)
  as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  for port in $(seq 55432 55532); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break; done
  as_pg "$bin/initdb" -D "$dir/data" -A trust -U dealcopy >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null || { cat "$dir/server.log"; return 1; }
  PG_STOP="as_pg $bin/pg_ctl -D $dir/data -m fast stop"
  export DEALCOPY_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=dealcopy;Database=postgres"
  echo "==> PostgreSQL $(basename "$(dirname "$bin")") on 127.0.0.1:$port"
}
# The sandbox-mode test pastes run.sh's printed curl commands into bash, as a new user would.
if ! command -v curl >/dev/null; then
  echo "==> installing curl (Debian package)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo=sudo; fi
  ($sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null) || echo "curl could not be installed: the sandbox-mode test will fail"
fi

PG_STOP=""
cleanup() { if [ -n "$PG_STOP" ]; then eval "$PG_STOP" >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT
start_postgres || { echo "PostgreSQL could not be started: the PostgreSQL journal tests will fail"; ok=0; }

# runs one .NET test project and adds its counts to the totals
dotnet_tests() {
  local project=$1 name trx counters p f
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
    return
  fi
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(printf '%s' "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(printf '%s' "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
}

echo "==> restoring and building the solution (Release)"
if ! dotnet build DealCopy.sln -c Release -nologo -v minimal; then
  echo "build failed"
  ok=0
else
  for project in tests/*/*.Tests.csproj; do
    # the secrets scan runs last, after the widget's browser tests, so that it reads every log line
    [ "$(basename "$project")" = "DealCopy.Secrets.Tests.csproj" ] || dotnet_tests "$project"
  done
fi

# ---- widget/: build, typecheck, unit tests, the zip's structural check, browser tests against the Host ----
count_junit() { # adds a vitest JUnit file's counts to the totals
  local file=$1 root tests failures errors skipped
  if [ ! -f "$file" ]; then echo "$file missing: the runner crashed"; ok=0; return; fi
  root=$(grep -o '<testsuites [^>]*>' "$file" | head -n 1)
  tests=$(printf '%s' "$root" | sed -n 's/.* tests="\([0-9]*\)".*/\1/p')
  failures=$(printf '%s' "$root" | sed -n 's/.* failures="\([0-9]*\)".*/\1/p')
  errors=$(printf '%s' "$root" | sed -n 's/.* errors="\([0-9]*\)".*/\1/p')
  skipped=$(grep -c '<skipped' "$file")
  tests=${tests:-0}; failures=${failures:-0}; errors=${errors:-0}
  [ "$tests" -gt 0 ] || { echo "$file counted no tests"; ok=0; }
  passed=$((passed + tests - failures - errors - skipped))
  failed=$((failed + failures + errors))
}

widget_tests() {
  cd widget || return 1
  # npm ci when node_modules is missing or older than the lock file
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> widget: npm ci"
    npm ci --no-audit --no-fund || { echo "npm ci failed"; ok=0; return 1; }
  fi
  echo "==> widget: build"
  npm run build || { echo "widget build failed"; ok=0; return 1; }
  echo "==> widget: typecheck"
  npm run typecheck || { echo "widget typecheck failed"; ok=0; }
  echo "==> widget: unit tests"
  npx vitest run --reporter=default --reporter=junit --outputFile.junit="$results/widget-unit.xml" || ok=0
  count_junit "$results/widget-unit.xml"
  echo "==> widget: widget.zip structural check"
  npx vitest run --config vitest.zip.config.mts --reporter=default --reporter=junit --outputFile.junit="$results/widget-zip.xml" || ok=0
  count_junit "$results/widget-zip.xml"

  echo "==> widget: browser tests (Debian chromium, DealCopy.Host --sandbox)"
  if [ ! -x /usr/bin/chromium ]; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    ($sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium) >"$results/chromium-install.log" 2>&1 \
      || { echo "could not install chromium (see $results/chromium-install.log)"; ok=0; return 1; }
  fi
  node --test --test-concurrency=1 --test-reporter=tap e2e/ 2>&1 | tee "$results/widget-e2e.tap"
  [ "${PIPESTATUS[0]}" -eq 0 ] || ok=0
  local p f
  p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$results/widget-e2e.tap" | tail -n 1)
  f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$results/widget-e2e.tap" | tail -n 1)
  [ -n "$p" ] || { echo "the browser tests reported no counts"; ok=0; }
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
}

if ! command -v npm >/dev/null; then
  echo "npm is missing: the widget cannot be built"
  ok=0
else
  widget_start=$SECONDS
  repo_root=$PWD
  widget_tests
  cd "$repo_root" || exit 1
  echo "==> widget took $((SECONDS - widget_start)) s"
fi

# ---- last: no log line of the whole run holds a secret ----
[ -f tests/DealCopy.Secrets.Tests/DealCopy.Secrets.Tests.csproj ] && dotnet_tests tests/DealCopy.Secrets.Tests/DealCopy.Secrets.Tests.csproj

# Repeat what failed right above the totals, so that the end of a long log says it.
failure_summary() {
  local trx
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    awk '
      /<UnitTestResult / && /outcome="Failed"/ { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); inside = 1; shown = 0; print "FAILED " name; next }
      inside && /<\/UnitTestResult>/ { inside = 0; next }
      inside && shown < 12 { line = $0; gsub(/<[^>]*>/, "", line); if (line ~ /[^ \t]/) { print "    " line; shown++ } }
    ' "$trx" | sed 's/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g'
  done
  for junit in "$results"/widget-*.xml; do
    [ -f "$junit" ] || continue
    grep -B1 -A3 '<failure' "$junit" | sed 's/^/    /'
  done
  [ -f "$results/widget-e2e.tap" ] && grep -A8 '^not ok' "$results/widget-e2e.tap"
  return 0
}
[ "$failed" -eq 0 ] || ok=0
if [ "$ok" -ne 1 ]; then
  echo "==> what failed"
  failure_summary
fi
echo "${passed} passed, ${failed} failed"
[ "$ok" -eq 1 ]
