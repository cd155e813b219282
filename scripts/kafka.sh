#!/usr/bin/env bash
# scripts/kafka.sh - a real Apache Kafka (4.x, KRaft) on loopback, on demand.
#
# bridge replaces a Kafka Connect + Spark pipeline, so its integration tests and
# demos need the real broker and the real Connect worker to compare against.
# The jars come from Maven Central via scripts/kafka-pom.xml; all state lives
# under .cache/kafka/ (git-ignored):
#
#   libs/                 jars (kept by `clean`)
#   cluster-1/            single node: cluster.id, node-1/{server.properties,data/,server.log,stdout.log,pid}
#   cluster-3/            three-node cluster, node-1..3 likewise
#
# The two shapes keep separate data dirs: a log formatted for one voter set
# cannot join a different quorum.
#
# Usage: scripts/kafka.sh COMMAND [ARGS]
#   fetch                          resolve the jars into .cache/kafka/libs (quick when done)
#   up                             start the cluster (KAFKA_NODES=1|3, default 1) and wait for it
#   down [N]                       stop every running node gracefully (or only node N)
#   stop-node N | kill-node N      SIGTERM / SIGKILL one node (fault drills)
#   start-node N                   start one node of a cluster and wait for it
#   clean                          down, then delete cluster data (jars stay)
#   status                         show nodes; exit 0 only if the cluster is fully up
#   connect-standalone WORKER CONNECTOR...   exec the Connect standalone worker
#   run-class CLASS [ARGS...]      exec any class on the Kafka classpath
#   classpath                      print the classpath
#
# Environment: KAFKA_NODES, KAFKA_VERSION (override the pom's kafka.version),
# KAFKA_CACHE_DIR, KAFKA_PORT_BASE (node 1's client port, default 9092; the
# fault drills run their own cluster on 29092), KAFKA_STATE (directory holding
# cluster-N/, default KAFKA_CACHE_DIR; the lock lives there too), KAFKA_HEAP_OPTS (broker, default -Xms512m -Xmx1g),
# CONNECT_HEAP_OPTS, KAFKA_TOOL_HEAP_OPTS, KAFKA_LOG_LEVEL (run-class),
# KAFKA_UP_TIMEOUT (s, default 90), KAFKA_DOWN_TIMEOUT (s, default 60).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
POM=$ROOT/scripts/kafka-pom.xml
SERVER_LOG4J=$ROOT/scripts/log4j2-server.properties
TOOLS_LOG4J=$ROOT/scripts/log4j2-tools.properties
STATE=${KAFKA_CACHE_DIR:-$ROOT/.cache/kafka}
LIBS=$STATE/libs
STAMP=$STATE/libs.stamp
KAFKA_VERSION=${KAFKA_VERSION:-}
HOST=127.0.0.1
# Node N serves clients on BASE-1+N and its controller on BASE+10000+N
# (9092.. and 19093.. by default).
# A running cluster's port base is kept with its state (cluster-N/port-base): without
# KAFKA_PORT_BASE every command follows the running cluster, and `up` with another base
# refuses instead of taking the running cluster for a broken one and stopping it.
PORT_BASE=${KAFKA_PORT_BASE:-9092}
set_port_base() {
  [[ $1 =~ ^[0-9]+$ && $1 -ge 1024 && $1 -le 55000 ]] ||
    { echo "kafka.sh: KAFKA_PORT_BASE must be 1024..55000, got '$1'" >&2; exit 1; }
  PORT_BASE=$1
  BROKER_PORT_BASE=$((PORT_BASE - 1))
  CONTROLLER_PORT_BASE=$((PORT_BASE + 10000))
}
set_port_base "$PORT_BASE"
# Clusters (and the lock) live apart from the jars so a second cluster on
# other ports shares the jars but never the shared broker's data.
CLUSTERS=${KAFKA_STATE:-$STATE}
MAX_NODES=3
UP_TIMEOUT=${KAFKA_UP_TIMEOUT:-90}
DOWN_TIMEOUT=${KAFKA_DOWN_TIMEOUT:-60}
read -r -a BROKER_HEAP <<<"${KAFKA_HEAP_OPTS:--Xms512m -Xmx1g}"
read -r -a CONNECT_HEAP <<<"${CONNECT_HEAP_OPTS:--Xms256m -Xmx1g}"
read -r -a TOOL_HEAP <<<"${KAFKA_TOOL_HEAP_OPTS:--Xmx512m}"
# Kafka's stock JVM flags from kafka-run-class.sh.
JVM_FLAGS=(-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true)

SCRIPT=kafka.sh
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

lock() { lock_dir "$CLUSTERS"; }
unlock() {
  flock -u 9 2>/dev/null || true
  exec 9>&-
}

need_java() {
  command -v java >/dev/null || die "java not found (Kafka 4.x needs Java 17+: apt-get install -y openjdk-17-jre-headless)"
  local v
  v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
  [[ -n $v && $v -ge 17 ]] || die "Kafka 4.x needs Java 17+, found: $(java -version 2>&1 | head -n1)"
}

# ---------------------------------------------------------------- fetch

pom_key() { { cat "$POM"; printf 'kafka.version=%s\n' "$KAFKA_VERSION"; } | sha256sum | cut -d' ' -f1; }

fetched() { [[ -f $STAMP && -d $LIBS && $(cat "$STAMP") == "$(pom_key)" ]]; }

fetch() {
  need_java
  fetched && return 0
  command -v mvn >/dev/null || die "mvn not found (apt-get install -y maven)"
  mkdir -p "$STATE"
  local tmp=$STATE/libs.tmp.$$
  rm -rf "$tmp"
  local args=(-q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DincludeScope=runtime
    -DoutputDirectory="$tmp")
  [[ -n $KAFKA_VERSION ]] && args+=("-Dkafka.version=$KAFKA_VERSION")
  log "fetching Kafka jars from Maven Central into $(rel "$LIBS") ..."
  # Debian's Maven 3.8 prints bare colour resets even with -B -q; drop them.
  if ! mvn "${args[@]}" 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d' >&2; then
    rm -rf "$tmp"
    die "mvn could not resolve $(rel "$POM")${KAFKA_VERSION:+ with kafka.version=$KAFKA_VERSION}; try another KAFKA_VERSION"
  fi
  # Swap in whole so an interrupted fetch never leaves a half-filled libs/.
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  pom_key >"$STAMP"
  log "fetched $(find "$LIBS" -name '*.jar' | wc -l) jars ($(du -sh "$LIBS" | cut -f1))"
}

# Quick tools we run ourselves (format, uuid, readiness) start faster with C1 only.
java_tool() {
  java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$TOOLS_LOG4J" \
    -Dbridge.log.level=WARN -cp "$LIBS/*" "$@" 9>&-
}

# ---------------------------------------------------------------- nodes

cluster_dir() { printf '%s/cluster-%s' "$CLUSTERS" "$1"; }
node_dir() { printf '%s/node-%s' "$(cluster_dir "$1")" "$2"; }
broker_port() { echo $((BROKER_PORT_BASE + $1)); }
controller_port() { echo $((CONTROLLER_PORT_BASE + $1)); }

check_shape() {
  [[ $1 =~ ^[0-9]+$ && $1 -ge 1 && $1 -le $MAX_NODES ]] || die "KAFKA_NODES must be 1..$MAX_NODES, got '$1'"
}
check_node() {
  [[ $2 =~ ^[0-9]+$ && $2 -ge 1 && $2 -le $1 ]] || die "node must be 1..$1 for a $1-node cluster, got '${2:-}'"
}

node_pid() { broker_pid "$(node_dir "$1" "$2")"; }

live_nodes() {
  local shape=$1 n
  for ((n = 1; n <= shape; n++)); do
    node_pid "$shape" "$n" >/dev/null && echo "$n"
  done
  return 0
}

# answers asks the broker on PORT for cluster metadata over the Kafka protocol
# and succeeds once it reports at least WANT brokers.
answers() {
  local port=$1 want=$2 count
  if command -v kcat >/dev/null; then
    count=$(timeout 15 kcat -b "$HOST:$port" -L -m 3 2>/dev/null |
      sed -n 's/^ *\([0-9][0-9]*\) brokers:.*/\1/p' | head -n1) || true
  else
    count=$(timeout 60 java_tool org.apache.kafka.tools.BrokerApiVersionsCommand \
      --bootstrap-server "$HOST:$port" 2>/dev/null | grep -c '(id: ') || true
  fi
  [[ -n $count && $count -ge $want ]]
}

write_config() {
  local shape=$1 n=$2 nd voters="" i rf isr
  nd=$(node_dir "$shape" "$n")
  for ((i = 1; i <= shape; i++)); do
    voters+="${voters:+,}$i@$HOST:$(controller_port "$i")"
  done
  rf=$shape
  isr=1
  ((shape >= 3)) && isr=2
  mkdir -p "$nd/data"
  cat >"$nd/server.properties" <<EOF
# Generated by scripts/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=PLAINTEXT://$HOST:$(broker_port "$n"),CONTROLLER://$HOST:$(controller_port "$n")
advertised.listeners=PLAINTEXT://$HOST:$(broker_port "$n")
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$nd/data
num.partitions=1
default.replication.factor=$rf
auto.create.topics.enable=true
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
# Tests start consumers and expect them to get partitions at once.
group.initial.rebalance.delay.ms=0
EOF
}

cluster_id() {
  local f
  f=$(cluster_dir "$1")/cluster.id
  if [[ ! -s $f ]]; then
    mkdir -p "$(dirname "$f")"
    java_tool kafka.tools.StorageTool random-uuid >"$f.tmp"
    mv "$f.tmp" "$f"
  fi
  tr -d '[:space:]' <"$f"
}

libs_version() {
  local j
  j=$(compgen -G "$LIBS/kafka_2.13-*.jar" | head -n1) || return 0
  j=${j##*/kafka_2.13-}
  printf '%s' "${j%.jar}"
}

# format_node formats a new node's log dir once and notes which Kafka did it:
# a log dir formatted by a newer Kafka cannot be read by an older one.
format_node() {
  local shape=$1 n=$2 nd
  nd=$(node_dir "$shape" "$n")
  if [[ -f $nd/data/meta.properties ]]; then
    local was
    was=$(cat "$nd/formatted-by" 2>/dev/null || true)
    [[ -z $was || $was == "$(libs_version)" ]] ||
      log "warning: node $n data was formatted by Kafka $was, now running $(libs_version); if it fails to start, run 'scripts/kafka.sh clean'"
    return 0
  fi
  local out
  out=$(java_tool kafka.tools.StorageTool format --ignore-formatted \
    --cluster-id "$(cluster_id "$shape")" --config "$nd/server.properties" 2>&1) || {
    printf '%s\n' "$out" >&2
    die "formatting $(rel "$nd/data") failed"
  }
  # The tool also dumps its bootstrap records; the one useful line is this.
  log "$(grep -m1 '^Formatting' <<<"$out" || echo "formatted $(rel "$nd/data")")"
  libs_version >"$nd/formatted-by"
}

# launch starts one node detached (own session, so a Ctrl-C or a job kill of
# the caller does not take the broker with it) and records its pid.
launch() {
  local shape=$1 n=$2 nd port cport
  nd=$(node_dir "$shape" "$n")
  port=$(broker_port "$n")
  cport=$(controller_port "$n")
  for p in "$port" "$cport"; do
    if listening "$p"; then
      die "port $p is already in use by another process: $(ss -Hltnp "sport = :$p" 2>/dev/null | head -n1)"
    fi
  done
  write_config "$shape" "$n"
  format_node "$shape" "$n"
  : >"$nd/stdout.log"
  setsid java "${BROKER_HEAP[@]}" "${JVM_FLAGS[@]}" -XX:+ExitOnOutOfMemoryError \
    -Dkafka.logs.dir="$nd" -Dlog4j2.configurationFile="$SERVER_LOG4J" \
    -cp "$LIBS/*" kafka.Kafka "$nd/server.properties" \
    </dev/null >>"$nd/stdout.log" 2>&1 9>&- &
  echo $! >"$nd/pid"
  echo "$PORT_BASE" >"$(cluster_dir "$shape")/port-base"
}

show_tail() {
  local nd
  nd=$(node_dir "$1" "$2")
  for f in "$nd/server.log" "$nd/stdout.log"; do
    [[ -s $f ]] || continue
    log "---- last lines of $(rel "$f")"
    tail -n 30 "$f" >&2
  done
}

# wait_ready waits until node N listens and answers with WANT brokers; on
# failure it stops the node if this command started it (OWNED=1), so no
# half-started broker is left behind and no running one is taken down.
wait_ready() {
  local shape=$1 n=$2 want=$3 owned=${4:-1} deadline port
  port=$(broker_port "$n")
  deadline=$((SECONDS + UP_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! node_pid "$shape" "$n" >/dev/null; then
      show_tail "$shape" "$n"
      die "node $n exited during startup"
    fi
    if listening "$port" && answers "$port" "$want"; then
      return 0
    fi
    sleep 1
  done
  show_tail "$shape" "$n"
  ((owned)) && { stop_nodes TERM "$shape" "$n" || true; }
  die "node $n did not answer on $HOST:$port within ${UP_TIMEOUT}s"
}

# stop_nodes SIG SHAPE N... signals the live nodes together (a KRaft quorum
# shuts down cleanly only while a majority is still there to ack), waits up
# to DOWN_TIMEOUT, SIGKILLs what is left, then waits for the ports to close.
stop_nodes() {
  local sig=$1 shape=$2 n pid deadline
  shift 2
  local -A pids=()
  for n in "$@"; do
    pid=$(node_pid "$shape" "$n") || { rm -f "$(node_dir "$shape" "$n")/pid"; continue; }
    pids[$n]=$pid
    kill "-$sig" "$pid" 2>/dev/null || true
  done
  ((${#pids[@]})) || return 0
  log "sent SIG$sig to $shape-node cluster node(s) ${!pids[*]}"
  deadline=$((SECONDS + DOWN_TIMEOUT))
  for n in "${!pids[@]}"; do
    while node_pid "$shape" "$n" >/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
    if pid=$(node_pid "$shape" "$n"); then
      log "node $n (pid $pid) still alive after ${DOWN_TIMEOUT}s; sending SIGKILL as a last resort"
      kill -KILL "$pid" 2>/dev/null || true
      while node_pid "$shape" "$n" >/dev/null; do sleep 0.2; done
    fi
    rm -f "$(node_dir "$shape" "$n")/pid"
  done
  for n in "${!pids[@]}"; do
    deadline=$((SECONDS + 15))
    while listening "$(broker_port "$n")" || listening "$(controller_port "$n")"; do
      ((SECONDS < deadline)) || die "node $n exited but port $(broker_port "$n") or $(controller_port "$n") is still open"
      sleep 0.2
    done
  done
}

# running_shape picks the cluster a node command applies to: KAFKA_NODES if
# set, else the one that has live nodes, else the 3-node cluster if it was
# ever created (drills), else the single node.
running_shape() {
  if [[ -n ${KAFKA_NODES:-} ]]; then
    check_shape "$KAFKA_NODES"
    echo "$KAFKA_NODES"
    return
  fi
  local s
  for ((s = 1; s <= MAX_NODES; s++)); do
    [[ -n $(live_nodes "$s") ]] && { echo "$s"; return; }
  done
  [[ -d $(cluster_dir 3) ]] && { echo 3; return; }
  echo 1
}

# shapes lists the clusters down/clean act on: KAFKA_NODES's, or all.
shapes() {
  if [[ -n ${KAFKA_NODES:-} ]]; then
    check_shape "$KAFKA_NODES"
    echo "$KAFKA_NODES"
  else
    seq 1 "$MAX_NODES"
  fi
}

bootstrap() {
  local shape=$1 n out=""
  for ((n = 1; n <= shape; n++)); do out+="${out:+,}$HOST:$(broker_port "$n")"; done
  printf '%s' "$out"
}

# ---------------------------------------------------------------- commands

cmd_up() {
  local shape=${KAFKA_NODES:-1} s n started=()
  check_shape "$shape"
  lock
  fetch
  for ((s = 1; s <= MAX_NODES; s++)); do
    ((s == shape)) && continue
    [[ -z $(live_nodes "$s") ]] ||
      die "the $s-node cluster is running; run 'scripts/kafka.sh down' before starting the $shape-node one"
  done
  for ((n = 1; n <= shape; n++)); do
    node_pid "$shape" "$n" >/dev/null && continue
    launch "$shape" "$n"
    started+=("$n")
  done
  if ((${#started[@]})); then
    log "started $shape-node cluster node(s) ${started[*]}; waiting up to ${UP_TIMEOUT}s for the brokers to answer"
  fi
  for ((n = 1; n <= shape; n++)); do
    wait_ready "$shape" "$n" "$shape" "$([[ " ${started[*]} " == *" $n "* ]] && echo 1 || echo 0)"
  done
  echo "kafka: $shape-node KRaft cluster up, bootstrap $(bootstrap "$shape")"
  for ((n = 1; n <= shape; n++)); do
    echo "kafka: node $n pid $(node_pid "$shape" "$n"), log $(rel "$(node_dir "$shape" "$n")")/server.log"
  done
  echo "kafka: for real-broker tests: export BRIDGE_TEST_BROKERS=$(bootstrap "$shape")"
}

cmd_down() {
  lock
  local s
  if (($#)); then
    s=$(running_shape)
    check_node "$s" "$1"
    stop_nodes TERM "$s" "$1"
    echo "kafka: node $1 of the $s-node cluster stopped"
    return
  fi
  for s in $(shapes); do
    # shellcheck disable=SC2046
    stop_nodes TERM "$s" $(seq 1 "$s")
  done
  echo "kafka: down"
}

cmd_kill_node() {
  (($# == 1)) || usage
  lock
  local s
  s=$(running_shape)
  check_node "$s" "$1"
  node_pid "$s" "$1" >/dev/null || { log "node $1 of the $s-node cluster is not running"; return 0; }
  stop_nodes KILL "$s" "$1"
  echo "kafka: node $1 killed"
}

cmd_start_node() {
  (($# == 1)) || usage
  lock
  fetch
  local s n=$1
  s=$(running_shape)
  check_node "$s" "$n"
  node_pid "$s" "$n" >/dev/null || launch "$s" "$n"
  wait_ready "$s" "$n" "$(live_nodes "$s" | wc -l)"
  echo "kafka: node $n up on $HOST:$(broker_port "$n") (pid $(node_pid "$s" "$n"))"
}

cmd_clean() {
  cmd_down >/dev/null
  local s
  for s in $(shapes); do rm -rf "$(cluster_dir "$s")"; done
  echo "kafka: data removed (jars kept in $(rel "$LIBS"))"
}

cmd_status() {
  local s n pid any=0 want rc=3
  want=$(running_shape)
  for ((s = 1; s <= MAX_NODES; s++)); do
    [[ -d $(cluster_dir "$s") ]] || continue
    any=1
    local up=0
    for ((n = 1; n <= s; n++)); do
      if pid=$(node_pid "$s" "$n"); then
        local l="not listening yet"
        listening "$(broker_port "$n")" && l="listening"
        echo "$s-node cluster: node $n running, pid $pid, $HOST:$(broker_port "$n") $l"
        [[ $l == listening ]] && up=$((up + 1))
      else
        echo "$s-node cluster: node $n stopped"
      fi
    done
    ((s == want && up == s)) && rc=0
  done
  ((any)) || echo "no cluster created yet ($(rel "$CLUSTERS") has no data)"
  fetched && echo "jars: $(rel "$LIBS") ($(find "$LIBS" -name '*.jar' | wc -l) jars)" || echo "jars: not fetched"
  return "$rc"
}

with_libs() {
  lock
  fetch
  unlock
}

cmd_connect_standalone() {
  (($# >= 2)) || die "usage: scripts/kafka.sh connect-standalone WORKER.properties CONNECTOR.properties..."
  with_libs
  exec java "${CONNECT_HEAP[@]}" "${JVM_FLAGS[@]}" \
    -Dlog4j2.configurationFile="$TOOLS_LOG4J" -Dbridge.log.level=INFO -Dbridge.log.target=SYSTEM_OUT \
    -cp "$LIBS/*" org.apache.kafka.connect.cli.ConnectStandalone "$@"
}

cmd_run_class() {
  (($# >= 1)) || die "usage: scripts/kafka.sh run-class CLASS [ARGS...]"
  with_libs
  exec java "${TOOL_HEAP[@]}" "${JVM_FLAGS[@]}" \
    -Dlog4j2.configurationFile="$TOOLS_LOG4J" -Dbridge.log.level="${KAFKA_LOG_LEVEL:-WARN}" \
    -cp "$LIBS/*" "$@"
}

# follow_running_cluster makes the commands act on the ports a live cluster was started
# with. Only `up` is refused when KAFKA_PORT_BASE names other ports: every other command
# acts on the cluster in the state dir, as it always did.
follow_running_cluster() {
  local cmd=$1 s recorded
  for ((s = 1; s <= MAX_NODES; s++)); do
    [[ -n $(live_nodes "$s") ]] || continue
    recorded=$(cat "$(cluster_dir "$s")/port-base" 2>/dev/null) || continue
    [[ $recorded == "$PORT_BASE" ]] && return 0
    if [[ -n ${KAFKA_PORT_BASE:-} && $cmd == up ]]; then
      die "the $s-node cluster in $(rel "$(cluster_dir "$s")") is running on port base $recorded, not $KAFKA_PORT_BASE; use KAFKA_PORT_BASE=$recorded, or 'scripts/kafka.sh down' it first (KAFKA_STATE keeps a second cluster apart)"
    fi
    [[ -z ${KAFKA_PORT_BASE:-} ]] && log "following the running $s-node cluster on port base $recorded"
    set_port_base "$recorded"
    return 0
  done
}

main() {
  (($#)) || usage
  [[ -z ${KAFKA_NODES:-} ]] || check_shape "$KAFKA_NODES"
  local cmd=$1
  shift
  follow_running_cluster "$cmd"
  case $cmd in
  fetch) lock && fetch ;;
  up) cmd_up ;;
  down) cmd_down "$@" ;;
  stop-node) (($# == 1)) || usage && cmd_down "$1" ;;
  kill-node) cmd_kill_node "$@" ;;
  start-node) cmd_start_node "$@" ;;
  clean) cmd_clean ;;
  status) cmd_status ;;
  connect-standalone) cmd_connect_standalone "$@" ;;
  run-class) cmd_run_class "$@" ;;
  classpath) with_libs && printf '%s/*\n' "$LIBS" ;;
  -h | --help | help) usage ;;
  *) log "unknown command: $cmd" && usage ;;
  esac
}

main "$@"
