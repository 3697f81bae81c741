#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Set up, build, and run every test (unit, two-peer loopback, shoal-cli, widget, fuzz).
# Tests only ever send to 127.0.0.0/8.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
cd build
ctest --output-on-failure --timeout 300
