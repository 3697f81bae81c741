// SPDX-License-Identifier: GPL-3.0-or-later
#include "statusicon.h"

#include "uicolors.h"

#include <QPainter>
#include <QPixmap>

QColor StatusIcon::color(PeerInfo::Status status, bool online, const QPalette &palette)
{
    if (!online)
        return UiColors::mix(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.45);
    switch (status) {
    case PeerInfo::Status::Away:
        return QColor(0xe0, 0x9b, 0x1a);
    case PeerInfo::Status::Busy:
        return QColor(0xd0, 0x3a, 0x2f);
    case PeerInfo::Status::Available:
        break;
    }
    return QColor(0x2e, 0xa0, 0x43);
}

QIcon StatusIcon::icon(PeerInfo::Status status, bool online, const QPalette &palette, int size)
{
    QIcon out;
    for (const qreal dpr : {1.0, 2.0}) {
        QPixmap pixmap(QSize(size, size) * dpr);
        pixmap.setDevicePixelRatio(dpr);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        QColor ring = palette.color(QPalette::Text);
        ring.setAlphaF(0.35f);
        p.setPen(QPen(ring, 1));
        p.setBrush(color(status, online, palette));
        p.drawEllipse(QRectF(1, 1, size - 2, size - 2));
        p.end();
        out.addPixmap(pixmap);
    }
    return out;
}

QString StatusIcon::name(PeerInfo::Status status)
{
    switch (status) {
    case PeerInfo::Status::Away:
        return tr("Away");
    case PeerInfo::Status::Busy:
        return tr("Busy");
    case PeerInfo::Status::Available:
        break;
    }
    return tr("Available");
}

QString StatusIcon::describe(PeerInfo::Status status, const QString &text, const QString &otherwise)
{
    if (text.isEmpty())
        return status == PeerInfo::Status::Available && !otherwise.isEmpty() ? otherwise
                                                                             : name(status);
    return tr("%1 — %2", "status, status message").arg(name(status), text);
}
