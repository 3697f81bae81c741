#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes resources/emoji/emoji.txt, the emoji picker's data, from Unicode's emoji-test.txt
(Debian package unicode-data: /usr/share/unicode/emoji/emoji-test.txt).

Kept: fully-qualified emoji only, without skin-tone variants (the picker shows the yellow one;
they are 2/3 of the list) and without the Component group (the bare skin tones and hair).
Format, one line each: "@Group name" starts a group, then "EMOJI<TAB>english name" lines in
Unicode's order. Group names are translated in the picker (ui/emojidata.cpp), not here.

Usage: scripts/gen-emoji.py [emoji-test.txt] [output]
"""
import sys

SKIN_TONES = {chr(c) for c in range(0x1F3FB, 0x1F400)}


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode/emoji/emoji-test.txt"
    output = sys.argv[2] if len(sys.argv) > 2 else "resources/emoji/emoji.txt"
    lines = []
    group = None
    version = ""
    with open(source, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith("# Version:"):
                version = line.split(":", 1)[1].strip()
            if line.startswith("# group:"):
                group = line.split(":", 1)[1].strip()
                if group != "Component":
                    lines.append("@" + group)
                continue
            if not line or line.startswith("#") or group == "Component":
                continue
            codes, rest = line.split(";", 1)
            status, comment = rest.split("#", 1)
            if status.strip() != "fully-qualified":
                continue
            emoji = "".join(chr(int(c, 16)) for c in codes.split())
            if SKIN_TONES & set(emoji):
                continue
            # comment: " 😀 E1.0 grinning face"
            name = comment.strip().split(" ", 2)[2]
            lines.append(emoji + "\t" + name)
    with open(output, "w", encoding="utf-8") as out:
        out.write("# Emoji %s, from Unicode's emoji-test.txt by scripts/gen-emoji.py.\n" % version)
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
