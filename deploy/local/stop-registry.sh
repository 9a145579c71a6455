#!/usr/bin/env bash
# Stops the Apicurio Registry that start-registry.sh started with the same --dir:
# TERM, wait up to --timeout seconds (default 20), then KILL; removes the pidfile.
# Its storage is in memory: all schemas are gone after this.
#
# Usage: stop-registry.sh [--dir DIR] [--timeout 20]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stop_main registry 20 "$@"
