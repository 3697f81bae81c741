// SPDX-License-Identifier: GPL-3.0-or-later
#include "peerdelegate.h"

#include "models/peerlistmodel.h"

#include <QApplication>
#include <QPainter>

static constexpr int Margin = 8;
static constexpr int DotSize = 10;

void PeerDelegate::paint(QPainter *painter,
                         const QStyleOptionViewItem &option,
                         const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    const bool online = index.data(PeerListModel::OnlineRole).toBool();
    // Heard on the LAN but not (yet) verified over TLS: anyone can forge that.
    const bool heard = !online && index.data(PeerListModel::LanRole).toBool();
    const int unread = index.data(PeerListModel::UnreadRole).toInt();
    const QString name = index.data(PeerListModel::NameRole).toString();
    const QString shortId = index.data(PeerListModel::ShortIdRole).toString();
    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette::ColorRole textRole = selected ? QPalette::HighlightedText : QPalette::Text;

    painter->save();
    // A name may be one letter under 63 combining marks: they stay in this row.
    painter->setClipRect(opt.rect, Qt::IntersectClip);
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect r = opt.rect.adjusted(Margin, Margin / 2, -Margin, -Margin / 2);
    const QRect dot(r.left(),
                    r.top() + (opt.fontMetrics.height() - DotSize) / 2 + 2,
                    DotSize,
                    DotSize);
    painter->setPen(Qt::NoPen);
    if (heard) {
        painter->setPen(QPen(QColor(0x2e, 0xa0, 0x43), 1.5));
        painter->setBrush(Qt::NoBrush);
    } else {
        painter->setBrush(online ? QColor(0x2e, 0xa0, 0x43) : QColor(0x9a, 0x9a, 0x9a));
    }
    painter->drawEllipse(dot);
    painter->setPen(Qt::NoPen);

    int right = r.right();
    if (unread > 0) {
        const QString badge = unread > 99 ? QStringLiteral("99+") : QString::number(unread);
        QFont f = opt.font;
        f.setBold(true);
        const QFontMetrics fm(f);
        const int w = qMax(fm.horizontalAdvance(badge) + 10, fm.height() + 2);
        const QRect b(r.right() - w, r.top() + 2, w, fm.height() + 2);
        painter->setBrush(QColor(0xd0, 0x3a, 0x2f));
        painter->drawRoundedRect(b, b.height() / 2.0, b.height() / 2.0);
        painter->setPen(Qt::white);
        painter->setFont(f);
        painter->drawText(b, Qt::AlignCenter, badge);
        right = b.left() - Margin;
    }

    const int textLeft = dot.right() + Margin;
    QFont nameFont = opt.font;
    nameFont.setBold(unread > 0);
    painter->setFont(nameFont);
    painter->setPen(opt.palette.color(textRole));
    const QRect nameRect(textLeft, r.top(), right - textLeft, opt.fontMetrics.height() + 4);
    painter->drawText(nameRect,
                      Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(nameFont).elidedText(name, Qt::ElideRight, nameRect.width()));

    QFont small = opt.font;
    small.setPointSizeF(opt.font.pointSizeF() * 0.85);
    painter->setFont(small);
    QColor dim = opt.palette.color(textRole);
    dim.setAlphaF(0.65);
    painter->setPen(dim);
    const QString status = online ? tr("online") : heard ? tr("seen on the LAN") : tr("offline");
    const QRect idRect(textLeft,
                       nameRect.bottom(),
                       right - textLeft,
                       QFontMetrics(small).height() + 2);
    painter->drawText(idRect,
                      Qt::AlignLeft | Qt::AlignVCenter,
                      QStringLiteral("%1 · %2").arg(shortId, status));
    painter->restore();
}

QSize PeerDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const int h = option.fontMetrics.height() * 2 + Margin + 8;
    return {200, h};
}
