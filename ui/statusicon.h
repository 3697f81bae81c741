// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/peerlistmodel.h" // PeerInfo (ui may not include peers/)

#include <QCoreApplication>
#include <QIcon>
#include <QPalette>

// Presence (issue 15): how a status looks, the same in the peer list, the status bar, the tray
// menu and the conversation header. Green Available, amber Away, red Busy, grey offline; each
// with a ring in the window's text colour so that it stays visible on a dark palette too.
class StatusIcon final
{
    Q_DECLARE_TR_FUNCTIONS(StatusIcon)

public:
    static QColor color(PeerInfo::Status status, bool online, const QPalette &palette);
    // A dot of `size` pixels (scaled for the screen by QIcon).
    static QIcon icon(PeerInfo::Status status, bool online, const QPalette &palette, int size = 12);
    // "Available", "Away", "Busy".
    static QString name(PeerInfo::Status status);
    // "Away — at lunch until 13:00"; `otherwise` (the row's usual line) when Available without
    // a text.
    static QString describe(PeerInfo::Status status,
                            const QString &text,
                            const QString &otherwise = {});
};
