#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Set up, build, and run every test (unit, two-peer loopback, shoal-cli, widget, fuzz).
# Tests only ever send to 127.0.0.0/8.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# The benchmarks are not tests: not built here (CI's 20 minutes). bench/run.sh says how.
# Optimised as RelWithDebInfo but without its debug information, a fifth of the build's time
# (the window built by scripts/run.sh keeps it).
BUILD_TYPE=Release ./scripts/build.sh -DSHOAL_BENCH=OFF -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG"
cd build
# Two at a time: every test picks its own ports and folders; the fuzz targets alone run
# 3 s each.
ctest -j2 --output-on-failure --timeout 300
