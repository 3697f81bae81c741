#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Set up, build, and run every test (unit, two-peer loopback, shoal-cli, widget, fuzz).
# Tests only ever send to 127.0.0.0/8.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# The benchmarks are not tests: not built here (CI's 20 minutes). bench/run.sh says how.
./scripts/build.sh -DSHOAL_BENCH=OFF
cd build
# Two at a time: every test picks its own ports and folders; the fuzz targets alone run
# 20 s each.
ctest -j2 --output-on-failure --timeout 300
