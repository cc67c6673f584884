#!/usr/bin/env bash
# Runs one figure of docs/PERFORMANCE.md and prints the table the doc copies (progress goes to stderr).
#   bench/run.sh p1       [--deals 1000] [--runs 3] [--latency 80] [--jitter 20] [--create-batch 250] [--svg file]
#   bench/run.sh p1-base  [--deals 100,200] [--runs 3] ...
#   bench/run.sh p1-faults [--deals 1000] [--rate 0.10] [--runs 3] [--request-timeout 5] ...
#                         P1 in fair weather and under every fault of the matrix at --rate each; exits 1 when a copy is wrong
#   bench/run.sh p2       [--clicks 200] [--accounts 8] [--runs 3] ...
#   bench/run.sh p3       [--accounts 1000] [--hooks 3] [--connections 64] [--runs 3] ...
#   bench/run.sh p4       [--accounts 10000,30000] [--active 10000] [--idle 60] [--wake-sample 200] [--runs 1] ...
#   bench/run.sh p5       [--accounts 300] [--nodes 1,3] [--runs 1] [--postgres CONNSTR] ...   (PostgreSQL: DEALCOPY_TEST_POSTGRES)
#   bench/run.sh smoke    every figure at tiny sizes (what ./test.sh runs)
set -euo pipefail
cd "$(dirname "$0")/.."
figure=${1:?usage: bench/run.sh <p1|p1-base|p1-faults|p2|p3|p4|p5|smoke> [--name value ...]}
shift
dotnet build bench/DealCopy.Bench -c Release -nologo -v quiet >&2
# Akka's own start/stop lines are not part of the table
dotnet bench/DealCopy.Bench/bin/Release/net10.0/DealCopy.Bench.dll "$figure" "$@" | grep -v '^\[INFO\]'
exit "${PIPESTATUS[0]}"
