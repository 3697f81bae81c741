// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QImage>
#include <QPixmap>
#include <QRectF>
#include <QString>

class QPainter;

// Avatars (issue 15): a person's picture in a circle wherever a person is shown (peer list,
// conversation header, beside group messages), or, without one, their initials on a colour
// of their own: from a fixed palette, chosen by their ID, white letters readable on each in a
// light or a dark theme (every colour is dark enough for 4.5:1 against white).
namespace AvatarPainter {

// The palette the colours come from.
QList<QColor> palette();
// The colour of `peerId`: the same on every screen and every run.
QColor colorFor(const QString &peerId);
// One or two letters for `name`: the first letters of its first and last words ("Ada
// Lovelace": "AL"); a name in Chinese, Japanese or Korean script: its first character ("王小明":
// "王"). "?" for an empty name.
QString initials(const QString &name);
// Draws the picture (cut to a circle) or the generated avatar into `rect`.
void paint(QPainter *painter,
           const QRectF &rect,
           const QImage &picture,
           const QString &name,
           const QString &peerId);
// The same as a pixmap of `side` logical pixels at `devicePixelRatio`.
QPixmap pixmap(int side,
               qreal devicePixelRatio,
               const QImage &picture,
               const QString &name,
               const QString &peerId);

} // namespace AvatarPainter
