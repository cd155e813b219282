# scripts/lib.sh - what scripts/kafka.sh and scripts/kafka-secure.sh share: messages, the
# state lock, port checks and the pid-file check of a broker. Sourced, never run; the
# caller sets ROOT, HOST and SCRIPT (its name, for messages) first.

log() { printf '%s: %s\n' "$SCRIPT" "$*" >&2; }
die() {
  log "$*"
  exit 1
}
rel() { printf '%s' "${1#"$ROOT"/}"; }

# usage prints the caller's "# Usage:" comment block, up to its KAFKA_UP_TIMEOUT line.
usage() {
  sed -n '/^# Usage:/,/^# KAFKA_UP_TIMEOUT/s/^# \{0,1\}//p' "$ROOT/scripts/$SCRIPT" >&2
  exit 2
}

# lock_dir DIR serialises commands that change state under DIR: several engineers and
# make targets may call up/down at once, and two brokers must never race for a port.
# fd 9 is closed for every JVM the scripts start, so a broker never holds the lock.
lock_dir() {
  mkdir -p "$1"
  exec 9>"$1/.lock"
  flock -w 600 9 || die "could not lock $(rel "$1")/.lock within 600 s"
}

listening() {
  if command -v ss >/dev/null; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
  fi
}

# broker_pid DIR prints the pid of the broker whose pid file and server.properties are in
# DIR. It trusts the pid file only when that process is still a kafka.Kafka for this
# config: pids get reused, and a zombie (empty cmdline) is as good as dead.
broker_pid() {
  local pid cmd
  [[ -f $1/pid ]] || return 1
  pid=$(<"$1/pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmd == *kafka.Kafka*"$1/server.properties"* ]] || return 1
  printf '%s\n' "$pid"
}
