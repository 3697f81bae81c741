#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Configures and builds Shoal in build/ (clang 14, so that the fuzz targets build too).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} \
    -DCMAKE_CXX_COMPILER=clang++-14 \
    -DSHOAL_FUZZ=ON "$@"
cmake --build "$BUILD_DIR"
