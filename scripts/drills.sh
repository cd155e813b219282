#!/usr/bin/env bash
# scripts/drills.sh - run the fault drills of test/drills against bridge's own
# real Kafka clusters (1 and 3 nodes on 29092.., state in .cache/kafka/drills;
# the shared broker on 9092 is never touched) and print the table RELIABILITY.md
# shows. `make drills` builds bin/bridge first.
#
# Environment: DRILLS_RUN (go test -run pattern, default all), DRILLS_RESULTS
# (table file, default .cache/drills/results.md), DRILLS_KILL_LINES, DRILLS_KILLS,
# DRILLS_SEED, DRILLS_PORT_BASE, DRILLS_STATE.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export BRIDGE_BIN=${BRIDGE_BIN:-$ROOT/bin/bridge}
[[ -x $BRIDGE_BIN ]] || { echo "drills.sh: $BRIDGE_BIN missing; run make build" >&2; exit 1; }
export DRILLS_RESULTS=${DRILLS_RESULTS:-$ROOT/.cache/drills/results.md}
mkdir -p "$(dirname "$DRILLS_RESULTS")"
: >"$DRILLS_RESULTS"
scripts/kafka.sh fetch
start=$SECONDS
set +e
go test -tags drills -count=1 -v -timeout 28m -run "${DRILLS_RUN:-.}" ./test/drills/ 2>&1 |
  tee "$(dirname "$DRILLS_RESULTS")/drills.log" | grep -E '^(=== RUN|--- |\s+--- |PASS|FAIL|ok|\s+\S+_test.go:[0-9]+: (DRILL|Error))'
rc=${PIPESTATUS[0]}
set -e
echo
echo "| scenario | runs | lines written | lost | duplicated | peak RSS | notes |"
echo "|---|---|---|---|---|---|---|"
cat "$DRILLS_RESULTS"
echo
echo "drills: $( ((rc == 0)) && echo passed || echo FAILED) in $((SECONDS - start)) s on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); full log in $(dirname "${DRILLS_RESULTS#"$ROOT"/}")/drills.log"
exit "$rc"
