#!/bin/bash
# Prints Shoal's benchmark table (loopback only). Build first: scripts/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BUILD_DIR:-build}/bench/shoal_bench
if [ ! -x "$BIN" ]; then
    echo "no $BIN: run scripts/build.sh first" >&2
    exit 1
fi
echo "# Shoal benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m)"
echo
export SHOAL_LOOPBACK_ONLY=1 QT_LOGGING_RULES="shoal.*=false"
"$BIN" "$@"
if [ $# -eq 0 ]; then
    echo
    "$BIN" --attacks # the cost of each attack (tables above: --quick, --network, --history)
    echo
    "$BIN" --layout # the window holding messages that are costly to lay out
fi
