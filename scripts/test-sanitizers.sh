#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds with AddressSanitizer + UndefinedBehaviorSanitizer (clang 14) into build-asan/ and
# runs the suite there (the fuzz targets run in the main build), then the attack benchmark:
# every attack on a peer built with the sanitizers. Any sanitizer report fails. (-O1 ran the
# suite 14 s faster but took 133 s longer to build; -O0 it stays.) The topology
# tests (tst_reach, tst_netns: shoal-cli processes in network namespaces) run in the main build
# only: CI's 20 minutes; their code paths run sanitized in tst_networkchanges and tst_pexnet.
# So does tst_filescli (gigabyte transfers between shoal-cli processes, killed and resumed:
# over 2 minutes a test under ASan on a loaded machine); the same code runs sanitized in
# tst_transfershostile and tests/ui tst_files.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 \
    -DSHOAL_ASAN=ON -DSHOAL_UBSAN=ON -DSHOAL_BENCH=ON -DSHOAL_FUZZ=OFF
cmake --build build-asan
cd build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest -j2 --output-on-failure --timeout 300 -E '^tst_(reach|netns|filescli)$'

# The attacks of bench/run.sh --attacks, each against a sanitized peer in a process of its own.
echo "== the attack benchmark under ASan + UBSan"
SHOAL_LOOPBACK_ONLY=1 QT_LOGGING_RULES="shoal.*=false" QT_QPA_PLATFORM=offscreen \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ./bench/shoal_bench --attacks
