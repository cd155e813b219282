#!/usr/bin/env bash
# scripts/kafka-secure.sh - a second real Apache Kafka node, with TLS and SASL
# listeners, for bridge's security tests. It runs beside the plaintext cluster
# of scripts/kafka.sh (same jars) and shares nothing else with it:
#
#   127.0.0.1:9096   SASL_SSL        PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
#   127.0.0.1:9097   SSL             client certificate required
#   127.0.0.1:9098   SASL_PLAINTEXT  PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
#   127.0.0.1:9099   PLAINTEXT       inter-broker and admin (tests create SCRAM users here)
#   127.0.0.1:19099  controller
#
# State lives under .cache/kafka/secure/ (git-ignored): tls/ (a test CA, the
# broker's PEM keystore, a client certificate, made with openssl on first
# start), data/, server.properties, server.log, pid, and secure.json, which
# tells the tests the addresses, file names and the PLAIN user's password
# (random, made on first start; mode 600).
#
# Usage: scripts/kafka-secure.sh COMMAND
#   up       start the node (idempotent) and wait until SASL_SSL answers
#   down     stop it gracefully
#   status   exit 0 only if it is running and listening
#   clean    down, then delete its data, certificates and passwords
#   env      print the export line for the tests
#
# Environment: KAFKA_SECURE_HEAP_OPTS (default -Xms256m -Xmx512m),
# KAFKA_UP_TIMEOUT (s, default 90), KAFKA_DOWN_TIMEOUT (s, default 60).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVER_LOG4J=$ROOT/scripts/log4j2-server.properties
TOOLS_LOG4J=$ROOT/scripts/log4j2-tools.properties
STATE=${KAFKA_CACHE_DIR:-$ROOT/.cache/kafka}
LIBS=$STATE/libs
DIR=$STATE/secure
TLS=$DIR/tls
INFO=$DIR/secure.json
HOST=127.0.0.1
SASL_SSL_PORT=9096
SSL_PORT=9097
SASL_PLAIN_PORT=9098
INTERNAL_PORT=9099
CONTROLLER_PORT=19099
PLAIN_USER=alice
UP_TIMEOUT=${KAFKA_UP_TIMEOUT:-90}
DOWN_TIMEOUT=${KAFKA_DOWN_TIMEOUT:-60}
read -r -a HEAP <<<"${KAFKA_SECURE_HEAP_OPTS:--Xms256m -Xmx512m}"
# Kafka's stock JVM flags from kafka-run-class.sh.
JVM_FLAGS=(-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true)

log() { printf 'kafka-secure.sh: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}
rel() { printf '%s' "${1#"$ROOT"/}"; }
usage() {
  sed -n '/^# Usage:/,/^# KAFKA_UP_TIMEOUT/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

lock() {
  mkdir -p "$DIR"
  exec 9>"$DIR/.lock"
  flock -w 600 9 || die "could not lock $(rel "$DIR")/.lock within 600 s"
}

listening() {
  if command -v ss >/dev/null; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
  fi
}

# node_pid prints the pid of the running node, trusting the pid file only when that
# process is still a kafka.Kafka for this node's config (pids get reused).
node_pid() {
  local pid cmd
  [[ -f $DIR/pid ]] || return 1
  pid=$(<"$DIR/pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmd == *kafka.Kafka*"$DIR/server.properties"* ]] || return 1
  printf '%s\n' "$pid"
}

# ---------------------------------------------------------------- certificates

# make_tls creates, once, a CA, the broker's PEM keystore (unencrypted key and
# chain in one file, which Kafka reads with ssl.keystore.type=PEM) and a client
# certificate, all EC P-256 for speed.
make_tls() {
  [[ -s $TLS/ca.pem && -s $TLS/server.pem && -s $TLS/client.pem && -s $TLS/plain.password ]] && return 0
  command -v openssl >/dev/null || die "openssl not found (apt-get install -y openssl)"
  rm -rf "$TLS.tmp"
  mkdir -p "$TLS.tmp"
  (
    cd "$TLS.tmp"
    umask 077
    key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
    key ca.key
    openssl req -x509 -new -key ca.key -out ca.pem -days 3650 -subj "/CN=bridge secure test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    issue() { # name CN SAN
      key "$1.key"
      openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
      printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n%s\n' \
        "${3:+subjectAltName=$3}" >"$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile "$1.ext" -out "$1.crt" 2>/dev/null
      rm -f "$1.csr" "$1.ext"
    }
    issue server localhost "IP:$HOST,DNS:localhost"
    cat server.key server.crt ca.pem >server.pem
    issue client bridge-client ""
    cat client.crt ca.pem >client.pem
    rm -f server.key server.crt client.crt ca.srl
    head -c 18 /dev/urandom | base64 | tr '+/' '-_' >plain.password
    chmod 644 ca.pem
  )
  rm -rf "$TLS"
  mv "$TLS.tmp" "$TLS"
  log "made a test CA, broker and client certificates in $(rel "$TLS")"
}

# ---------------------------------------------------------------- node

write_config() {
  local pw jaas_plain
  pw=$(<"$TLS/plain.password")
  jaas_plain="org.apache.kafka.common.security.plain.PlainLoginModule required user_$PLAIN_USER=\"$pw\";"
  local scram="org.apache.kafka.common.security.scram.ScramLoginModule required;"
  mkdir -p "$DIR/data"
  (
    umask 077
    cat >"$DIR/server.properties" <<EOF
# Generated by scripts/kafka-secure.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=SASL_SSL://$HOST:$SASL_SSL_PORT,SSL://$HOST:$SSL_PORT,SASL_PLAINTEXT://$HOST:$SASL_PLAIN_PORT,INTERNAL://$HOST:$INTERNAL_PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=SASL_SSL://$HOST:$SASL_SSL_PORT,SSL://$HOST:$SSL_PORT,SASL_PLAINTEXT://$HOST:$SASL_PLAIN_PORT,INTERNAL://$HOST:$INTERNAL_PORT
listener.security.protocol.map=SASL_SSL:SASL_SSL,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
controller.listener.names=CONTROLLER
log.dirs=$DIR/data
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true

ssl.keystore.type=PEM
ssl.keystore.location=$TLS/server.pem
ssl.truststore.type=PEM
ssl.truststore.location=$TLS/ca.pem
listener.name.ssl.ssl.client.auth=required

sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=$jaas_plain
listener.name.sasl_plaintext.plain.sasl.jaas.config=$jaas_plain
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=$scram
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$scram
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=$scram
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=$scram
EOF
  )
}

# cluster_id makes a Kafka cluster id (16 random bytes, base64url) without a JVM start.
cluster_id() {
  if [[ ! -s $DIR/cluster.id ]]; then
    head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' >"$DIR/cluster.id"
  fi
  tr -d '[:space:]' <"$DIR/cluster.id"
}

format_node() {
  [[ -f $DIR/data/meta.properties ]] && return 0
  local out
  out=$(java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$TOOLS_LOG4J" \
    -Dbridge.log.level=WARN -cp "$LIBS/*" kafka.tools.StorageTool format --ignore-formatted \
    --cluster-id "$(cluster_id)" --config "$DIR/server.properties" 2>&1 9>&-) || {
    printf '%s\n' "$out" >&2
    die "formatting $(rel "$DIR/data") failed"
  }
  log "formatted $(rel "$DIR/data")"
}

launch() {
  local p
  for p in $SASL_SSL_PORT $SSL_PORT $SASL_PLAIN_PORT $INTERNAL_PORT $CONTROLLER_PORT; do
    listening "$p" && die "port $p is already in use: $(ss -Hltnp "sport = :$p" 2>/dev/null | head -n1)"
  done
  write_config
  format_node
  : >"$DIR/stdout.log"
  setsid java "${HEAP[@]}" "${JVM_FLAGS[@]}" -XX:+ExitOnOutOfMemoryError -XX:TieredStopAtLevel=1 \
    -Dkafka.logs.dir="$DIR" -Dlog4j2.configurationFile="$SERVER_LOG4J" \
    -cp "$LIBS/*" kafka.Kafka "$DIR/server.properties" \
    </dev/null >>"$DIR/stdout.log" 2>&1 9>&- &
  echo $! >"$DIR/pid"
}

write_info() {
  (
    umask 077
    cat >"$INFO.tmp" <<EOF
{
  "sasl_ssl": "$HOST:$SASL_SSL_PORT",
  "ssl": "$HOST:$SSL_PORT",
  "sasl_plaintext": "$HOST:$SASL_PLAIN_PORT",
  "plaintext": "$HOST:$INTERNAL_PORT",
  "ca_file": "$TLS/ca.pem",
  "client_cert_file": "$TLS/client.pem",
  "client_key_file": "$TLS/client.key",
  "plain_user": "$PLAIN_USER",
  "plain_password": "$(<"$TLS/plain.password")"
}
EOF
    mv "$INFO.tmp" "$INFO"
    # kcat's config for the readiness check, and for a human poking at the node.
    cat >"$TLS/kcat.conf" <<EOF
security.protocol=SASL_SSL
sasl.mechanisms=PLAIN
sasl.username=$PLAIN_USER
sasl.password=$(<"$TLS/plain.password")
ssl.ca.location=$TLS/ca.pem
EOF
  )
}

# answers asks the SASL_SSL listener for metadata as the PLAIN user (with kcat), or, without
# kcat, the plaintext listener with Kafka's own tool.
answers() {
  if command -v kcat >/dev/null; then
    timeout 15 kcat -F "$TLS/kcat.conf" -b "$HOST:$SASL_SSL_PORT" -L -m 3 2>/dev/null | grep -q '1 brokers:'
  else
    timeout 60 java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$TOOLS_LOG4J" \
      -Dbridge.log.level=WARN -cp "$LIBS/*" org.apache.kafka.tools.BrokerApiVersionsCommand \
      --bootstrap-server "$HOST:$INTERNAL_PORT" 2>/dev/null 9>&- | grep -q '(id: '
  fi
}

wait_ready() {
  local deadline=$((SECONDS + UP_TIMEOUT))
  while ((SECONDS < deadline)); do
    node_pid >/dev/null || { tail_logs; die "the secure node exited during startup"; }
    if listening $SASL_SSL_PORT && listening $INTERNAL_PORT && answers; then
      return 0
    fi
    sleep 0.5
  done
  tail_logs
  stop_node
  die "the secure node did not answer on $HOST:$SASL_SSL_PORT within ${UP_TIMEOUT}s"
}

tail_logs() {
  local f
  for f in "$DIR/server.log" "$DIR/stdout.log"; do
    [[ -s $f ]] || continue
    log "---- last lines of $(rel "$f")"
    tail -n 30 "$f" >&2
  done
}

stop_node() {
  local pid deadline p
  pid=$(node_pid) || { rm -f "$DIR/pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + DOWN_TIMEOUT))
  while node_pid >/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
  if node_pid >/dev/null; then
    log "pid $pid still alive after ${DOWN_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while node_pid >/dev/null; do sleep 0.2; done
  fi
  rm -f "$DIR/pid"
  for p in $SASL_SSL_PORT $SSL_PORT $SASL_PLAIN_PORT $INTERNAL_PORT $CONTROLLER_PORT; do
    deadline=$((SECONDS + 15))
    while listening "$p"; do
      ((SECONDS < deadline)) || die "the node exited but port $p is still open"
      sleep 0.2
    done
  done
}

# ---------------------------------------------------------------- commands

cmd_env() { echo "export BRIDGE_TEST_SECURE_KAFKA=$INFO"; }

cmd_up() {
  lock
  "$ROOT/scripts/kafka.sh" fetch 2>&1 | sed 's/^/  /' >&2
  make_tls
  if ! node_pid >/dev/null; then
    launch
    log "started the secure node (pid $(node_pid)); waiting up to ${UP_TIMEOUT}s"
  fi
  write_info
  wait_ready
  echo "kafka-secure: up, SASL_SSL $HOST:$SASL_SSL_PORT, SSL (client cert) $HOST:$SSL_PORT," \
    "SASL_PLAINTEXT $HOST:$SASL_PLAIN_PORT, PLAINTEXT $HOST:$INTERNAL_PORT; log $(rel "$DIR")/server.log"
  echo "kafka-secure: for the security tests: $(cmd_env)"
}

cmd_down() {
  lock
  stop_node
  echo "kafka-secure: down"
}

cmd_status() {
  local pid
  if pid=$(node_pid) && listening $SASL_SSL_PORT; then
    echo "kafka-secure: running, pid $pid, SASL_SSL $HOST:$SASL_SSL_PORT"
    return 0
  fi
  echo "kafka-secure: not running"
  return 3
}

cmd_clean() {
  cmd_down >/dev/null
  rm -rf "$DIR"
  echo "kafka-secure: data, certificates and passwords removed"
}

main() {
  (($# == 1)) || usage
  case $1 in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  clean) cmd_clean ;;
  env) cmd_env ;;
  -h | --help | help) usage ;;
  *) log "unknown command: $1" && usage ;;
  esac
}

main "$@"
