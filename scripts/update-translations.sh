#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Rewrites translations/*.ts from the sources. A developer step: CI runs it and fails when the
# result differs from what is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
LUPDATE=${LUPDATE:-/usr/lib/qt6/bin/lupdate}
"$LUPDATE" -silent -no-obsolete -locations none -extensions cpp,h core ui app \
    -ts translations/shoal_zh_CN.ts
