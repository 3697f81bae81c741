#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders the hicolor PNGs from the SVG (a developer step after editing the SVG; the PNGs are
# committed so that building needs no SVG renderer). Needs rsvg-convert (librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")"
for size in 16 22 24 32 48 64 128 256; do
    mkdir -p "hicolor/${size}x${size}"
    rsvg-convert -w "$size" -h "$size" io.github.shoal.Shoal.svg \
        -o "hicolor/${size}x${size}/io.github.shoal.Shoal.png"
done
