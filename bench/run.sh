#!/usr/bin/env bash
# bench/run.sh - `make bench`: bridge against Kafka Connect, Spark, kcat and Kafka's
# ProducerPerformance on the real broker of `make kafka-up`, in one run, one table.
#
# Steps: install the peers (bench/peers.sh, cached under .cache/), start Kafka if it is not
# up, run the Go micro-benchmarks of the parser and the envelope encoder, then
# bench/cmd/benchdrv: a generated N-line tshark log -> source, stream, latency,
# profile and talkers phases. The report is printed and kept in bench/out/results.md (git-ignored)
# with every tool's log and the CPU profiles.
#
# Environment:
#   BENCH_LINES       lines in the generated log (default 1000000)
#   BENCH_BROKERS     bootstrap broker (default scripts/kafka.sh's, 127.0.0.1:9092)
#   BENCH_PHASES      subset of source,stream,latency,profile,talkers (default all)
#   BENCH_RATES       latency writer rates in lines/s (default 10000,100000)
#   BENCH_LATENCY_FOR how long each latency run writes (default 10s)
#   BENCH_REPEAT      runs of each fast tool, median reported (default 5)
#   BENCH_MICRO=0     skip the go test micro-benchmarks
#   BENCH_SPARK=0     skip Spark (its install is about 450 MB)
#   BENCH_KEEP_TOPICS=1  keep the benchmark topics (default: deleted at the end)
#   BENCH_TALKERS_VARIANTS  the talkers phase's --top runs: extra flags of each after
#                     --top 10 --window 60s, separated by ; (default ";--by bytes;--key host";
#                     empty: --top 10 --window 60s alone)
#   BENCH_TALKERS_GROUP=0  skip the talkers phase's group runs (3 members against 1)
#   BENCH_SOURCE_TOOLS  only these source tools, by key (bridge,connect,kcat,kcat-snappy,perf,perf-tuned)
#   BENCH_STREAM_TOOLS  only these stream tools, by key (bridge-tshark,bridge-seed,bridge-tshark-100ms,
#                       kcat-awk,kcat-awk-blog,spark,bridge-ui,bridge-ui-50,bridge-ui-stalled)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=$ROOT/bench/out
CACHE=$ROOT/.cache/bench
LINES=${BENCH_LINES:-1000000}
# The broker scripts/kafka.sh runs (it honours KAFKA_PORT_BASE), unless BENCH_BROKERS names another.
BROKERS=${BENCH_BROKERS:-127.0.0.1:${KAFKA_PORT_BASE:-9092}}
BRIDGE=${BRIDGE_BIN:-bin/bridge}
GO=${GO:-go}

log() { printf 'bench: %s\n' "$*" >&2; }

mkdir -p "$OUT" "$CACHE"
SECONDS=0

bench/peers.sh core
spark_args=(-spark-skip "BENCH_SPARK=0")
if [[ ${BENCH_SPARK:-1} != 0 ]]; then
  if peers=$(bench/peers.sh spark 2>"$OUT/peers-spark.log"); then
    read -r py jars <<<"$(tail -n1 <<<"$peers")"
    spark_args=(-spark-python "$py" -spark-jars "$jars")
  else
    why=$(tail -n1 "$OUT/peers-spark.log")
    log "Spark peer unavailable: $why"
    spark_args=(-spark-skip "install failed: $why")
  fi
fi

if [[ -z ${BENCH_BROKERS:-} ]] && ! scripts/kafka.sh status >/dev/null 2>&1; then
  log "Kafka is not up; starting it (make kafka-up)"
  scripts/kafka.sh up
fi

[[ -x $BRIDGE ]] || { log "$BRIDGE missing: run make build"; exit 1; }
log "building the driver"
$GO build -o "$CACHE/benchdrv" ./bench/cmd/benchdrv

micro_args=()
if [[ ${BENCH_MICRO:-1} != 0 ]]; then
  log "micro-benchmarks: go test -bench . -benchmem ./parser/ ./connector/"
  if $GO test -run '^$' -bench . -benchmem -cpu 1 ./parser/ ./connector/ >"$OUT/micro.txt" 2>&1; then
    micro_args=(-micro "$OUT/micro.txt")
  else
    log "micro-benchmarks failed (see bench/out/micro.txt); going on without them"
  fi
fi

keep=()
[[ ${BENCH_KEEP_TOPICS:-0} == 1 ]] && keep=(-keep-topics)
group=()
[[ ${BENCH_TALKERS_GROUP:-1} == 0 ]] && group=(-talkers-group=false)

"$CACHE/benchdrv" -root "$ROOT" -bridge "$BRIDGE" -brokers "$BROKERS" -lines "$LINES" \
  -out "$OUT" -data "$CACHE/data" -phases "${BENCH_PHASES:-source,stream,latency,profile,talkers}" \
  -rates "${BENCH_RATES:-10000,100000}" -latency-for "${BENCH_LATENCY_FOR:-10s}" \
  -repeat "${BENCH_REPEAT:-5}" -source-tools "${BENCH_SOURCE_TOOLS:-}" \
  -stream-tools "${BENCH_STREAM_TOOLS:-}" -talkers-variants "${BENCH_TALKERS_VARIANTS-;--by bytes;--key host}" \
  "${spark_args[@]}" "${micro_args[@]}" "${keep[@]}" "${group[@]}"

log "done in ${SECONDS}s; report in bench/out/results.md, logs and profiles under bench/out/"
