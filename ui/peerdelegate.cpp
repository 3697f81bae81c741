// SPDX-License-Identifier: GPL-3.0-or-later
#include "peerdelegate.h"

#include "avatarpainter.h" // avatars (issue 15)

#include "grouptext.h"
#include "ipmsgtext.h" // issue 17
#include "models/peerlistmodel.h"
#include "peerstatus.h"
#include "statusicon.h" // issue 15

#include <QApplication>
#include <QIcon>
#include <QPainter>

static constexpr int Margin = 8;
static constexpr int DotSize = 10;

void PeerDelegate::paintGroupIcon(QPainter *painter, const QRectF &rect, const QColor &color)
{
    // A person in front of another, smaller one behind: heads and shoulders.
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    const qreal w = rect.width();
    const qreal h = rect.height();
    QColor back = color;
    back.setAlphaF(0.6f);
    painter->setBrush(back);
    painter->drawEllipse(QRectF(rect.left() + w * 0.45, rect.top(), w * 0.38, h * 0.42));
    painter->drawChord(QRectF(rect.left() + w * 0.32, rect.top() + h * 0.46, w * 0.64, h * 0.8),
                       0,
                       180 * 16);
    painter->setBrush(color);
    painter->drawEllipse(QRectF(rect.left() + w * 0.1, rect.top() + h * 0.12, w * 0.42, h * 0.45));
    painter->drawChord(QRectF(rect.left(), rect.top() + h * 0.6, w * 0.66, h * 0.8), 0, 180 * 16);
    painter->restore();
}

// --- IP Messenger (issue 17) ---
PeerDelegate::Mark PeerDelegate::markOf(const QModelIndex &index)
{
    if (!index.isValid() || index.data(PeerListModel::IsGroupRole).toBool())
        return Mark::None;
    return index.data(PeerListModel::IpmsgRole).toBool() ? Mark::Ipmsg : Mark::Lock;
}

void PeerDelegate::paintLock(QPainter *painter, const QRectF &rect, const QColor &color)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const qreal w = rect.width();
    const qreal h = rect.height();
    const QRectF body(rect.left(), rect.top() + h * 0.45, w, h * 0.55);
    const qreal stroke = qMax(1.2, w * 0.16);
    // The shackle: a half ring over the body, its legs down into it.
    const QRectF shackle(rect.left() + w * 0.2, rect.top() + stroke / 2, w * 0.6, h * 0.6);
    painter->setPen(QPen(color, stroke, Qt::SolidLine, Qt::FlatCap));
    painter->setBrush(Qt::NoBrush);
    painter->drawArc(shackle, 0, 180 * 16);
    const qreal legTop = shackle.center().y();
    painter->drawLine(QPointF(shackle.left(), legTop), QPointF(shackle.left(), body.top()));
    painter->drawLine(QPointF(shackle.right(), legTop), QPointF(shackle.right(), body.top()));
    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    painter->drawRoundedRect(body, w * 0.12, w * 0.12);
    painter->restore();
}
// --- end IP Messenger ---

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
    // Heard, and dialled in vain: a warning, never a dot that could pass for online.
    const bool cannotConnect = !index.data(PeerListModel::IsGroupRole).toBool()
                               && PeerStatus::cannotConnect(index);
    const int unread = index.data(PeerListModel::UnreadRole).toInt();
    const QString name = index.data(PeerListModel::NameRole).toString();
    const QString shortId = index.data(PeerListModel::ShortIdRole).toString();
    const bool selected = opt.state & QStyle::State_Selected;
    const Mark mark = markOf(index); // issue 17
    const QString ipmsgGroup = index.data(PeerListModel::IpmsgGroupRole).toString();
    const QPalette::ColorRole textRole = selected ? QPalette::HighlightedText : QPalette::Text;

    painter->save();
    // A name may be one letter under 63 combining marks: they stay in this row.
    painter->setClipRect(opt.rect, Qt::IntersectClip);
    painter->setRenderHint(QPainter::Antialiasing);
    QRect r = opt.rect.adjusted(Margin, Margin / 2, -Margin, -Margin / 2);
    // --- Avatars (issue 15): the picture (or initials) on the left, two lines high ---
    if (m_avatar) {
        const QString id = index.data(PeerListModel::IdRole).toString();
        const bool group = index.data(PeerListModel::IsGroupRole).toBool();
        const int side = qMin(r.height(), opt.fontMetrics.height() * 2 + 4);
        AvatarPainter::paint(painter,
                             QRectF(r.left(), r.top() + (r.height() - side) / 2.0, side, side),
                             group || mark == Mark::Ipmsg ? QImage() : m_avatar(id),
                             name,
                             id);
        r.setLeft(r.left() + side + Margin);
    }
    // --- end avatars ---
    const QRect dot(r.left(),
                    r.top() + (opt.fontMetrics.height() - DotSize) / 2 + 2,
                    DotSize,
                    DotSize);
    const bool isGroup = index.data(PeerListModel::IsGroupRole).toBool();
    const auto peerStatus = PeerInfo::Status(index.data(PeerListModel::StatusRole).toInt());
    painter->setPen(Qt::NoPen);
    if (isGroup) {
        // Two heads instead of one dot: a group, green while a member is there to talk to.
        paintGroupIcon(painter,
                       QRectF(dot).adjusted(-2, -2, 4, 2),
                       online ? QColor(0x2e, 0xa0, 0x43) : QColor(0x9a, 0x9a, 0x9a));
    } else if (cannotConnect) {
        style->standardIcon(QStyle::SP_MessageBoxWarning, &opt, opt.widget)
            .paint(painter, dot.adjusted(-2, -2, 2, 2));
    } else if (heard) {
        // Issue 15: the status it claims, as a ring (not verified).
        painter->setPen(QPen(StatusIcon::color(peerStatus, true, opt.palette), 1.5));
        painter->setBrush(Qt::NoBrush);
    } else {
        painter->setBrush(StatusIcon::color(peerStatus, online, opt.palette));
    }
    if (!isGroup && !cannotConnect)
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

    const int textLeft = dot.right() + Margin + (isGroup ? 4 : 0);
    QFont nameFont = opt.font;
    nameFont.setBold(unread > 0);
    painter->setFont(nameFont);
    painter->setPen(opt.palette.color(textRole));
    const QRect nameRect(textLeft, r.top(), right - textLeft, opt.fontMetrics.height() + 4);
    QFont small = opt.font;
    small.setPointSizeF(opt.font.pointSizeF() * 0.85);
    QColor dim = opt.palette.color(textRole);
    dim.setAlphaF(0.65);
    // --- IP Messenger (issue 17): a lock after a Shoal peer's name; an IPMsg user's group ---
    const QFontMetrics nameMetrics(nameFont);
    const int lockHeight = QFontMetrics(small).ascent();
    const int lockRoom = mark == Mark::Lock ? lockHeight + Margin / 2 : 0;
    const QString shownName = nameMetrics.elidedText(name,
                                                     Qt::ElideRight,
                                                     qMax(0, nameRect.width() - lockRoom));
    painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter, shownName);
    const int nameEnd = nameRect.left() + nameMetrics.horizontalAdvance(shownName);
    if (mark == Mark::Lock) {
        const qreal lockWidth = lockHeight * 0.8;
        paintLock(painter,
                  QRectF(nameEnd + Margin / 2.0,
                         nameRect.center().y() - lockHeight / 2.0 + 1,
                         lockWidth,
                         lockHeight),
                  dim);
    } else if (mark == Mark::Ipmsg && !ipmsgGroup.isEmpty()) {
        const QRect groupRect(nameEnd,
                              nameRect.top(),
                              nameRect.right() - nameEnd,
                              nameRect.height());
        // Quieter than the name (never bold): what it announced, not who it is.
        painter->setFont(opt.font);
        painter->setPen(dim);
        painter->drawText(groupRect,
                          Qt::AlignLeft | Qt::AlignVCenter,
                          opt.fontMetrics.elidedText(QStringLiteral(" · ") + ipmsgGroup,
                                                     Qt::ElideRight,
                                                     groupRect.width()));
    }
    // --- end IP Messenger ---

    painter->setFont(small);
    painter->setPen(dim);
    QString status = isGroup ? QString() : PeerStatus::text(index);
    // Issue 15: what the peer says it is doing, while it is there to say it; a status message
    // comes before the short ID, which would otherwise leave no room for it.
    bool statusFirst = false;
    if (!isGroup && (online || heard)) {
        const QString statusText = index.data(PeerListModel::StatusTextRole).toString();
        status = StatusIcon::describe(peerStatus, statusText, status);
        statusFirst = !statusText.isEmpty();
    }
    // Issue 16: "online, via Carol" says how it is reached; the short ID must not hide it.
    if (!isGroup && !index.data(PeerListModel::ViaNameRole).toString().isEmpty())
        statusFirst = true;
    const int members = index.data(PeerListModel::MemberCountRole).toInt();
    const QString line
        = isGroup
              ? tr("group · %1 · %2 online", "members, others online")
                    .arg(GroupText::members(members),
                         QString::number(index.data(PeerListModel::OnlineMemberCountRole).toInt()))
          : mark == Mark::Ipmsg ? status // issue 17: its ID is no key's, and says nothing
                                : QStringLiteral("%1 · %2").arg(statusFirst ? status : shortId,
                                                                statusFirst ? shortId : status);
    QRect idRect(textLeft, nameRect.bottom(), right - textLeft, QFontMetrics(small).height() + 2);
    // --- IP Messenger (issue 17): the badge, before its status ---
    if (mark == Mark::Ipmsg && !cannotConnect) {
        QFont badgeFont = small;
        badgeFont.setBold(true);
        const QFontMetrics bm(badgeFont);
        const QString badge = IpmsgText::badge();
        const QRect pill(idRect.left(),
                         idRect.top() + (idRect.height() - bm.height()) / 2,
                         qMin(bm.horizontalAdvance(badge) + 8, idRect.width()),
                         bm.height());
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0xff, 0xd5, 0x80)); // amber: take care
        painter->drawRoundedRect(pill, 3, 3);
        painter->setPen(QColor(0x5a, 0x38, 0x00));
        painter->setFont(badgeFont);
        painter->drawText(pill, Qt::AlignCenter, bm.elidedText(badge, Qt::ElideRight, pill.width()));
        painter->setFont(small);
        painter->setPen(dim);
        idRect.setLeft(pill.right() + Margin / 2 + 1);
    }
    // --- end IP Messenger ---
    if (cannotConnect) {
        // Why it can't be reached is the point of the row: the status alone, on up to two
        // lines (sizeHint made room), rather than cut after the short ID.
        const QRect statusRect = idRect.adjusted(0, 0, 0, QFontMetrics(small).height());
        painter->drawText(statusRect,
                          Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                          PeerStatus::cannotConnectText(index));
    } else {
        painter->drawText(idRect,
                          Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(small).elidedText(line, Qt::ElideRight, idRect.width()));
    }
    painter->restore();
}

QSize PeerDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    int h = option.fontMetrics.height() * 2 + Margin + 8;
    // A can't-connect row says why on a second small line.
    if (!index.data(PeerListModel::IsGroupRole).toBool() && PeerStatus::cannotConnect(index))
        h += option.fontMetrics.height() * 85 / 100;
    return {200, h};
}
