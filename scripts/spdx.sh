#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Puts an SPDX licence line at the top of every source, build and script file that lacks one
# (--check: lists them and fails instead). The licence is GPL-3.0-or-later (LICENSE).
set -euo pipefail
cd "$(dirname "$0")/.."

check=false
[ "${1:-}" = "--check" ] && check=true
line='SPDX-License-Identifier: GPL-3.0-or-later'
missing=()
while IFS= read -r f; do
    head -n 3 "$f" | grep -q "$line" || missing+=("$f")
done < <(git ls-files '*.cpp' '*.h' '*.sh' '*.py' 'CMakeLists.txt' '*/CMakeLists.txt' '*.cmake' \
             .ci/run)

if $check; then
    if [ ${#missing[@]} -gt 0 ]; then
        printf 'no SPDX line: %s\n' "${missing[@]}" >&2
        exit 1
    fi
    exit 0
fi
for f in "${missing[@]}"; do
    case "$f" in
    *.cpp | *.h) comment="// $line" ;;
    *) comment="# $line" ;;
    esac
    if head -n 1 "$f" | grep -q '^#!'; then
        # After the interpreter line.
        { head -n 1 "$f"; echo "$comment"; tail -n +2 "$f"; } >"$f.spdx"
    else
        { echo "$comment"; cat "$f"; } >"$f.spdx"
    fi
    chmod --reference="$f" "$f.spdx"
    mv "$f.spdx" "$f"
done
echo "spdx: ${#missing[@]} files given an SPDX line"
