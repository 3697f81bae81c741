#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the Debian package (build-deb/shoal_<version>_<arch>.deb) with CPack and checks it
# with lintian, which must report no errors. Needs lintian and dpkg-dev (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build-deb}
# Debian's hardening flags (fortify, bindnow, stack protector), as a Debian build would use;
# given to CMake explicitly: it reads CXXFLAGS only on a first configure, and never CPPFLAGS.
eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_INSTALL_PREFIX=/usr \
    -DSHOAL_TESTS=OFF -DSHOAL_BENCH=OFF \
    -DCMAKE_CXX_FLAGS="$CPPFLAGS $CXXFLAGS" -DCMAKE_EXE_LINKER_FLAGS="$LDFLAGS" "$@"
cmake --build "$BUILD_DIR"
(cd "$BUILD_DIR" && cpack -G DEB)
deb=$(ls -t "$BUILD_DIR"/shoal_*.deb | head -n1)
echo "== $deb"
dpkg-deb --info "$deb" | sed -n '/Depends/p'
# Errors fail the script; warnings are printed for a person to judge.
lintian --fail-on error --tag-display-limit 0 "$deb"
echo "package: $deb (lintian: no errors)"
