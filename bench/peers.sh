#!/usr/bin/env bash
# bench/peers.sh - install the peers `make bench` measures bridge against, once.
#
#   bench/peers.sh core    kcat (apt, if missing) and the Kafka jars (scripts/kafka.sh
#                          fetch: broker, Connect worker, ProducerPerformance)
#   bench/peers.sh spark   a venv with pyspark from PyPI and the spark-sql-kafka jars from
#                          Maven Central (bench/spark-pom.xml), under .cache/bench
#
# Both are idempotent: a second call checks stamps and returns at once. `spark` prints
# the venv's python and the jar directory on its last line, "PYTHON JARS".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${BENCH_CACHE:-$ROOT/.cache/bench}
# Must match <spark.version> in bench/spark-pom.xml: pyspark runs the jars of its version.
PYSPARK_VERSION=4.1.1
VENV=$CACHE/venv
JARS=$CACHE/spark-jars

log() { printf 'peers.sh: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

core() {
  if ! command -v kcat >/dev/null; then
    ((EUID == 0)) || die "kcat not found: apt-get install -y kcat"
    log "installing kcat (apt)"
    apt-get install -y -q kcat >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q kcat >/dev/null; }
  fi
  command -v awk >/dev/null || die "awk not found"
  "$ROOT/scripts/kafka.sh" fetch
}

venv_ok() {
  [[ -x $VENV/bin/python ]] &&
    [[ $("$VENV/bin/python" -c 'import pyspark; print(pyspark.__version__)' 2>/dev/null) == "$PYSPARK_VERSION" ]]
}

install_venv() {
  venv_ok && return 0
  command -v python3 >/dev/null || die "python3 not found"
  log "installing pyspark $PYSPARK_VERSION from PyPI into $(rel "$VENV") (about 450 MB) ..."
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "pyspark==$PYSPARK_VERSION" >&2
  venv_ok || die "pyspark $PYSPARK_VERSION did not install"
}

rel() { printf '%s' "${1#"$ROOT"/}"; }

jars_key() { cat "$ROOT/bench/spark-pom.xml" "$ROOT/bench/maven-settings.xml" | sha256sum | cut -d' ' -f1; }

# install_jars resolves spark-sql-kafka and its dependencies, then keeps only the jars
# pyspark does not ship itself (two versions of one library on a classpath is trouble).
install_jars() {
  [[ -f $JARS/.stamp && $(cat "$JARS/.stamp") == "$(jars_key)" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found (apt-get install -y maven)"
  local tmp=$CACHE/spark-jars.tmp.$$ shipped name
  rm -rf "$tmp"
  log "fetching spark-sql-kafka jars from Maven Central ..."
  mvn -q -B -U -Dstyle.color=never -s "$ROOT/bench/maven-settings.xml" -f "$ROOT/bench/spark-pom.xml" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 |
    sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d' >&2 || true
  compgen -G "$tmp/spark-sql-kafka-*.jar" >/dev/null || { rm -rf "$tmp"; die "could not resolve bench/spark-pom.xml"; }
  shipped=$("$VENV/bin/python" -c 'import os, pyspark; print(os.path.join(os.path.dirname(pyspark.__file__), "jars"))')
  for j in "$tmp"/*.jar; do
    name=$(basename "$j" | sed -E 's/-[0-9][^-]*(-[A-Za-z0-9.]+)?\.jar$//')
    compgen -G "$shipped/$name-[0-9]*.jar" >/dev/null && rm -f "$j"
  done
  jars_key >"$tmp/.stamp"
  rm -rf "$JARS"
  mv "$tmp" "$JARS"
  log "spark jars: $(cd "$JARS" && echo *.jar)"
}

spark() {
  command -v java >/dev/null || die "java not found"
  mkdir -p "$CACHE"
  install_venv
  install_jars
  echo "$VENV/bin/python $JARS"
}

case ${1:-} in
core) core ;;
spark) spark ;;
*) die "usage: bench/peers.sh core|spark" ;;
esac
