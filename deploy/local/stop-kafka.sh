#!/usr/bin/env bash
# Stops the Kafka broker that start-kafka.sh started with the same --dir:
# TERM, wait up to --timeout seconds (default 30), then KILL; removes the pidfile.
# Data stays in DIR/data (start-kafka.sh --fresh wipes it).
#
# Usage: stop-kafka.sh [--dir DIR] [--timeout 30]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stop_main kafka 30 "$@"
