#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders the hicolor PNGs from the SVG (a developer step after editing the SVG; the PNGs are
# committed so that building needs no SVG renderer). Needs rsvg-convert (librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")"
for size in 16 22 24 32 48 64 128 256; do
    mkdir -p "hicolor/${size}x${size}"
    # Below 32 pixels the drawing with fewer, bigger shapes.
    source=io.github.shoal.Shoal.svg
    [ "$size" -lt 32 ] && source=io.github.shoal.Shoal-small.svg
    rsvg-convert -w "$size" -h "$size" "$source" \
        -o "hicolor/${size}x${size}/io.github.shoal.Shoal.png"
done
