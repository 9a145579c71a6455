#!/usr/bin/env bash
# Stops the Kafka broker that start-kafka.sh started with the same --dir:
# TERM, wait up to --timeout seconds (default 30), then KILL; removes the pidfile.
# Data stays in DIR/data (start-kafka.sh --fresh wipes it).
#
# Usage: stop-kafka.sh [--dir DIR] [--timeout 30]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir="$LOCAL_DIR/run/kafka" timeout=30
while (($#)); do
  case $1 in
    -h | --help) ;;
    *) (($# >= 2)) || die "$1: unknown option or missing value (see --help)" ;;
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
stop_pidfile "$dir/kafka.pid" "-Dmodelwatch.local.kafka=$dir" "$timeout"
