#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Instructions per message of the chat path, counted by callgrind: unlike times on a shared VM
# (+-20 % from one minute to the next), the count moves only with the code. Prints the
# instructions of one round trip (both peers, all threads) and of one message in a flood (the
# main thread, and all threads). Builds its own tree (DWARF 4, which valgrind 3.19 reads) in
# build-callgrind/ with the inline-commit limit raised (under valgrind every commit is slow, and
# the writer-thread path would be counted instead). Run it in a network namespace with only lo
# up, e.g. `ip netns exec NS bench/instructions.sh`. About 3 minutes after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${CALLGRIND_BUILD_DIR:-build-callgrind}
LAUNCHER=()
if command -v ccache >/dev/null; then LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
    -DSHOAL_GUI=OFF -DSHOAL_TESTS=OFF "${LAUNCHER[@]}" \
    -DCMAKE_CXX_FLAGS="-gdwarf-4 -DSHOAL_INLINE_MAX_COMMIT_US=1000000" >/dev/null
cmake --build "$DIR" --target shoal_bench >/dev/null
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export SHOAL_LOOPBACK_ONLY=1 QT_LOGGING_RULES="shoal.*=false"
run() { # mode count: one callgrind file per thread
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$OUT/$1-$2" \
        "$DIR/bench/shoal_bench" "$1" "$2" >/dev/null 2>&1
}
total() { # all threads
    local s=0 v
    for f in "$OUT/$1-$2"-*; do
        v=$(awk '/^totals:/ {print $2}' "$f")
        s=$((s + v))
    done
    echo "$s"
}
main() { awk '/^totals:/ {print $2}' "$OUT/$1-$2-01"; }
# Each measure twice, at two sizes: the difference is the cost per message, without start-up.
run --profile-round-trip 2000
run --profile-round-trip 4000
run --profile-throughput 10000
run --profile-throughput 20000
rt=$((($(total --profile-round-trip 4000) - $(total --profile-round-trip 2000)) / 2000))
fm=$((($(main --profile-throughput 20000) - $(main --profile-throughput 10000)) / 10000))
ft=$((($(total --profile-throughput 20000) - $(total --profile-throughput 10000)) / 10000))
echo "| instructions (callgrind)                    |     count |"
echo "|---------------------------------------------|-----------|"
printf "| round trip send->ack, throwaway history     | %9d |\n" "$rt"
printf "| one message back to back: the main thread   | %9d |\n" "$fm"
printf "| one message back to back: all threads       | %9d |\n" "$ft"
