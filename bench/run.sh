#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Prints Shoal's benchmark tables (loopback only), ending with issue 10's cost targets, each
# beside its baseline measured in the same run. Build first: scripts/build.sh
# Run it in a network namespace with only lo up, e.g. `ip netns exec NS bench/run.sh`.
#   (no arguments)  everything, about 4 minutes (the first run also builds a 1M-message
#                   profile under /tmp, about a minute more)
#   --targets       only what the cost-target table needs, about a minute
#   --quick         everything, the slow parts scaled down
#   --network, --history, --idle, --scale, --attacks, --layout, --hash, --queued-only: one part
#   --groups-sign   issue 13: ECDSA sign/s, verify/s per core, a 512-message page's check
#   --files         issue 11's file transfers (about 70 s; --files --quick: about 12 s),
#                   files under /tmp or $SHOAL_BENCH_DIR (needs about 5 GiB free there)
#   --search        issue 15's history search: a 1,000,000-message history indexed in the
#                   background (messages/s), queries p50/p95 (about 3 minutes; --search
#                   --quick: 100,000 messages, 20 s), under /tmp or $SHOAL_BENCH_DIR (~400 MB)
#   --groups        issue 13's groups: one message to a 50-member group beside the 1:1 round
#                   trip, catch-up of 10,000 messages, then --groups-sign (about a minute)
#   --presence      issue 15: a status change seen by 50 connected peers, p50 and max
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BUILD_DIR:-build}/bench/shoal_bench
if [ ! -x "$BIN" ]; then
    echo "no $BIN: run scripts/build.sh -DSHOAL_BENCH=ON first" >&2
    exit 1
fi
echo "# Shoal benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m)"
echo
export SHOAL_LOOPBACK_ONLY=1 QT_LOGGING_RULES="shoal.*=false"
TARGETS=$(mktemp)
FILES_TARGETS=$(mktemp)
trap 'rm -f "$TARGETS" "$FILES_TARGETS"' EXIT
status=0
SHOAL_BENCH_TARGETS=$TARGETS "$BIN" "$@" || status=$?
if [ $# -eq 0 ]; then
    echo
    "$BIN" --attacks || status=$? # the cost of each attack
    echo
    "$BIN" --layout || status=$? # the window holding messages that are costly to lay out
    echo
    "$BIN" --hash || status=$? # SHA-256 through OpenSSL's EVP against QCryptographicHash
    echo
    # Issue 11: files between two processes, each row beside its baseline
    SHOAL_BENCH_FILES_TARGETS=$FILES_TARGETS "$BIN" --files || status=$?
    echo
    "$BIN" --groups || status=$? # issue 13: groups, each row beside its baseline
    echo
    "$BIN" --search || status=$? # issue 15: history search over a million messages
    "$BIN" --presence || status=$? # issue 15: a status change seen by 50 connected peers
    if [ -s "$TARGETS" ]; then
        echo
        echo "## Issue 10 cost targets (the table above, again)"
        echo
        cat "$TARGETS"
    fi
    if [ -s "$FILES_TARGETS" ]; then
        echo
        echo "## Issue 11 file transfer targets (the files table above, again)"
        echo
        cat "$FILES_TARGETS"
    fi
fi
exit $status
