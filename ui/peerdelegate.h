// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QStyledItemDelegate>

#include <functional>

// Paints a peer: online dot (a warning sign when heard but unreachable), name, short ID and
// status, unread badge; a group: its icon (green while a member is online), name, member
// count, unread badge.
class PeerDelegate final : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter,
               const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // Two people, drawn in `rect`: a group wherever one is shown.
    static void paintGroupIcon(QPainter *painter, const QRectF &rect, const QColor &color);

    // --- Avatars (issue 15) ---
    // Where a peer's picture comes from (Messenger::avatar); without it, no avatars are drawn.
    void setAvatarSource(std::function<QImage(const QString &peerId)> source)
    {
        m_avatar = std::move(source);
    }

private:
    std::function<QImage(const QString &)> m_avatar;
    // --- end avatars ---
};
