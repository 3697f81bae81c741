#!/bin/bash
# Builds with AddressSanitizer + UndefinedBehaviorSanitizer (clang 14) into build-asan/ and
# runs the suite there (the fuzz targets run in the main build). Any sanitizer report fails.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 \
    -DSHOAL_ASAN=ON -DSHOAL_UBSAN=ON -DSHOAL_BENCH=OFF -DSHOAL_FUZZ=OFF
cmake --build build-asan
cd build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure --timeout 300
