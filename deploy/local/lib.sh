# Shared helpers for deploy/local/*.sh. Sourced, never run.
# shellcheck shell=bash

LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC2034 # used by the scripts that source this file
CACHE_DIR="$LOCAL_DIR/.cache"

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }
# Dies unless $1 (an option's value, named $2) is a TCP port number.
check_port() {
  if ! [[ $1 =~ ^[0-9]+$ ]] || (($1 < 1 || $1 > 65535)); then die "$2 needs a port number, got '$1'"; fi
}
# Prints the calling script's header comment.
usage() { awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; }

# Major version of a java binary ("17", "25", and "8" for 1.8).
java_major() {
  local v
  v=$("$1" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  [[ $v == 1.* ]] && v=${v#1.}
  printf '%s\n' "${v%%[.+-]*}"
}

# Prints a java binary whose major version is >= $1. Tries, in order: $2 (an
# explicit override such as $APICURIO_JAVA), $JAVA_HOME, `java` on PATH, then
# every JDK under /usr/lib/jvm (newest first). Apicurio 3.3 needs Java 21 while
# the default `java` here is 17, hence the search.
find_java() {
  local min=$1 override=${2:-} j m
  local candidates=()
  [[ -n $override ]] && candidates+=("$override")
  [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  if compgen -G '/usr/lib/jvm/*/bin/java' >/dev/null; then
    while IFS= read -r j; do candidates+=("$j"); done \
      < <(printf '%s\n' /usr/lib/jvm/*/bin/java | sort -V -r)
  fi
  for j in "${candidates[@]}"; do
    [[ -x $j ]] || continue
    m=$(java_major "$j")
    if [[ $m =~ ^[0-9]+$ ]] && (( m >= min )); then
      printf '%s\n' "$j"
      return 0
    fi
  done
  return 1
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True while pid $1 runs. A zombie (exited, not yet reaped by its parent, which
# for our daemons is init) answers kill -0 but has stopped: it doesn't count.
running() {
  local stat
  kill -0 "$1" 2>/dev/null || return 1
  stat=$(<"/proc/$1/stat") 2>/dev/null || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# True if the pid in pidfile $1 is alive AND its command line contains $2, so a
# pid recycled by an unrelated process is never taken for ours.
pid_alive() {
  local pid
  [[ -f $1 ]] || return 1
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  running "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2 "
}

# Stops the process of pidfile $1 (checked with marker $2): TERM, wait up to $3
# seconds, then KILL. Removes the pidfile.
stop_pidfile() {
  local pidfile=$1 marker=$2 timeout=$3 pid i
  if ! pid_alive "$pidfile" "$marker"; then
    if [[ -f $pidfile ]]; then log "not running (stale pidfile removed: $pidfile)"; else log "not running (no $pidfile)"; fi
    rm -f "$pidfile"
    return 0
  fi
  pid=$(<"$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    running "$pid" || break
    sleep 0.1
  done
  if running "$pid"; then
    log "pid $pid still alive after ${timeout}s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    while running "$pid"; do sleep 0.1; done
  fi
  rm -f "$pidfile"
  log "stopped pid $pid"
}

# Prints the last lines of the given log files to stderr (for failed starts).
show_logs() {
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    printf '\n----- last lines of %s -----\n' "$f" >&2
    tail -n 40 "$f" >&2
  done
}

# The body of stop-kafka.sh and stop-registry.sh: parses [--dir DIR] [--timeout N] (defaults: run/$1 and
# $2 seconds), then stops the process that start-$1.sh recorded in DIR/$1.pid.
stop_main() {
  local name=$1 timeout=$2 dir="$LOCAL_DIR/run/$1"
  shift 2
  while (($#)); do
    case $1 in
      --dir | --timeout) (($# >= 2)) || die "$1 needs a value (see --help)" ;;
    esac
    case $1 in
      --dir) dir=$2; shift 2 ;;
      --timeout) timeout=$2; shift 2 ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
  done
  [[ -d $dir ]] || { log "not running (no $dir)"; exit 0; }
  dir=$(cd "$dir" && pwd)
  stop_pidfile "$dir/$name.pid" "-Dmodelwatch.local.$name=$dir" "$timeout"
}
