#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Set up, build, and open the Shoal window. Extra arguments go to shoal (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
exec ./build/app/shoal "$@"
