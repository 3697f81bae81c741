#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what Shoal needs to build, test and run on Debian 12 / Ubuntu 24.04.
# Works as root or as a user with sudo.
set -euo pipefail

PACKAGES=(
    # build
    cmake ninja-build g++ clang-14 libclang-rt-14-dev lld-14 pkg-config
    # Qt 6: Core, Network, Sql (SQLite driver), Widgets, Test, Linguist tools
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-tools-dev qt6-tools-dev-tools
    qt6-l10n-tools qt6-translations-l10n libgl-dev libglx-dev libopengl-dev
    # OpenSSL 3 (key and certificate generation)
    libssl-dev
    # SQLite's C API (the library Qt's driver uses), to interrupt the history's check on quit
    libsqlite3-dev
    # checks; iproute2 for the network-namespace test (hosts on a private bridge), nftables
    # to drop packets at random there
    clang-format-14 iproute2 nftables
    # looking at the window headless: Xvfb, xdotool, screenshots; CJK fonts for Chinese
    xvfb xauth xdotool imagemagick fonts-noto-cjk
    # the tray and notifications on a real desktop (tests/ui/tst_traydesktop): an XEmbed tray
    # host, a notification daemon, a private session bus (dbus-run-session), xwininfo
    trayer dunst dbus-daemon x11-utils
    # resources/: checking the .desktop file and the AppStream metainfo (CI), packaging the
    # .deb and checking it (scripts/package.sh: dpkg-shlibdeps is in dpkg-dev), rendering the
    # icon's PNGs from its SVG (resources/icons/render.sh)
    desktop-file-utils appstream dpkg-dev lintian librsvg2-bin
    # invite links (issue 14): the QR code (libqrencode), and reading it back in tests (zbarimg)
    libqrencode-dev zbar-tools
    # avatars and emoji (issue 15): colour emoji in the picker; Unicode's emoji list, from which
    # scripts/gen-emoji.py makes resources/emoji/emoji.txt
    fonts-noto-color-emoji unicode-data
    # IP Messenger (issue 17), the interop test (tests/ipmsg/tst_iptux): the real iptux, driven
    # under Xvfb with xdotool; xclip pastes a path into its file chooser (10 packages with GTK 3,
    # about 7.6 MB, 16 s to install)
    iptux xclip
    # e-mail notices (issue 16): SMTP through libcurl, the password in the desktop keyring
    # (QtKeychain); tests/mail/tst_mailcli: a real SMTP server (aiosmtpd) and a private keyring
    # (GNOME Keyring in a dbus-run-session)
    libcurl4-openssl-dev qtkeychain-qt6-dev python3-aiosmtpd gnome-keyring dbus-x11
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all packages present"
    exit 0
fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
