#!/usr/bin/env bash
# Starts Apicurio Registry 3.x on 127.0.0.1 with in-memory storage (H2, lost on
# stop; with --persist, an H2 file kept in DIR/data), in the background, and waits
# until its Confluent-compatible API answers.
# Prints the Confluent-compatible base URL on stdout, e.g.
#   http://127.0.0.1:8081/apis/ccompat/v7
#
# Usage: start-registry.sh [--port 8081] [--dir DIR] [--compat BACKWARD] [--persist] [--timeout 90]
#   --dir     pidfile and logs (default deploy/local/run/registry)
#   --persist keep schemas in DIR/data across restarts, so ids stay valid (a real
#             registry's storage does that; tests that restart it need it)
#   --compat  global compatibility rule at startup. Default BACKWARD, Confluent's
#             default; Apicurio's own default is none (NONE).
# Env: REGISTRY_JAVA (java 21+ binary), REGISTRY_HEAP_OPTS (heap and GC, default
#      -Xms64m -Xmx384m -XX:+UseSerialGC), REGISTRY_JVM_OPTS (extra JVM options,
#      e.g. -Dapicurio.some.property=value). Run install.sh first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port=8081 dir="$LOCAL_DIR/run/registry" compat=BACKWARD timeout=90 persist=false
while (($#)); do
  case $1 in
    --persist | -h | --help) ;;
    *) (($# >= 2)) || die "$1: unknown option or missing value (see --help)" ;;
  esac
  case $1 in
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --compat) compat=${2^^}; shift 2 ;;
    --persist) persist=true; shift ;;
    --timeout) timeout=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
check_port "$port" --port
case $compat in
  NONE | BACKWARD | BACKWARD_TRANSITIVE | FORWARD | FORWARD_TRANSITIVE | FULL | FULL_TRANSITIVE) ;;
  *) die "--compat must be NONE, BACKWARD, FORWARD, FULL or one of their _TRANSITIVE forms" ;;
esac
mkdir -p "$dir/logs"
dir=$(cd "$dir" && pwd)
pidfile="$dir/registry.pid"
marker="-Dmodelwatch.local.registry=$dir"
url="http://127.0.0.1:$port/apis/ccompat/v7"

if pid_alive "$pidfile" "$marker"; then
  log "already running (pid $(<"$pidfile")), logs in $dir/logs"
  echo "$url"
  exit 0
fi
rm -f "$pidfile"

app="$CACHE_DIR/apicurio/quarkus-run.jar"
[[ -f $app ]] || die "Apicurio Registry not installed: run $LOCAL_DIR/install.sh"
# Apicurio Registry 3.3 is compiled for Java 21 (class file 65).
java=$(find_java 21 "${REGISTRY_JAVA:-}") ||
  die "Apicurio Registry 3.3 needs Java 21+; none found (set REGISTRY_JAVA or JAVA_HOME)"
port_open "$port" && die "port $port on 127.0.0.1 is already in use"

# shellcheck disable=SC2206 # the *_OPTS variables are lists of words on purpose
jvm_opts=(${REGISTRY_HEAP_OPTS:--Xms64m -Xmx384m -XX:+UseSerialGC} -XX:-UsePerfData
  -Djava.awt.headless=true
  # Loopback only; the management interface (health, metrics) is on by default
  # on port 9000: give it a free port of its own so it never collides.
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port"
  -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=0
  # In-memory H2 is already the default storage (apicurio.storage.kind=sql,
  # apicurio.storage.sql.kind=h2, jdbc:h2:mem:...); said here so it's explicit.
  -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=h2
  # A pool of 20 H2 connections (the default) is pointless for tests.
  -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2
  -Dapicurio.datasource.jdbc.max-size=20
  -Dapicurio.rules.global.compatibility="$compat"
  -Dquarkus.http.access-log.enabled=false
  ${REGISTRY_JVM_OPTS:-})
# Not inside the array as $(...): under set -e a false test there ends the script.
if $persist; then jvm_opts+=("-Dapicurio.datasource.url=jdbc:h2:file:$dir/data/registry"); fi

# nohup + own log file: the registry outlives this script, and must not hold the
# caller's stdout/stderr open (Node's execFile waits for those to close).
# Started from $dir so nothing it may write to its working dir lands in the caller's.
start=$(date +%s%N)
(cd "$dir" && exec nohup "$java" "$marker" "${jvm_opts[@]}" -jar "$app" \
  >"$dir/logs/registry.log" 2>&1 </dev/null) &
echo $! >"$pidfile"

# Ready = GET /apis/ccompat/v7/subjects answers 200. Plain HTTP over /dev/tcp so
# the check needs no curl.
subjects_ok() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET /apis/ccompat/v7/subjects HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
    IFS= read -r status <&3
    [[ $status == "HTTP/1."?" 200"* ]]
  ' _ "$1" 2>/dev/null
}
deadline=$((SECONDS + timeout))
until subjects_ok "$port"; do
  # Our own background child: kill -0 is enough, and unlike the marker check it holds before nohup has
  # exec'd java (a loaded machine can take seconds to get there).
  if ! kill -0 "$(<"$pidfile")" 2>/dev/null; then
    show_logs "$dir/logs/registry.log"
    rm -f "$pidfile"
    die "Apicurio Registry exited during startup"
  fi
  if ((SECONDS >= deadline)); then
    show_logs "$dir/logs/registry.log"
    "$LOCAL_DIR/stop-registry.sh" --dir "$dir" >&2 || true
    die "Apicurio Registry not ready after ${timeout}s"
  fi
  sleep 0.2
done
log "Apicurio Registry ready in $((($(date +%s%N) - start) / 1000000)) ms (pid $(<"$pidfile"), logs in $dir/logs)"
echo "$url"
