// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QStyledItemDelegate>

#include <functional>

// Paints a peer: online dot (a warning sign when heard but unreachable), name, a lock (Shoal) or
// an "IP Messenger" badge with its group (issue 17), short ID and status, unread badge; a group: its icon (green while a member is online), name, member
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

    // --- IP Messenger (issue 17) ---
    // What a peer's row carries beside its name: a lock for a Shoal peer (whatever is said goes
    // over TLS to its key), the "IP Messenger" badge for an IP Messenger / FeiQ / iptux user
    // (not encrypted, not verified: no lock), nothing for a group.
    enum class Mark { None, Lock, Ipmsg };
    static Mark markOf(const QModelIndex &index);
    // A small padlock in `rect`.
    static void paintLock(QPainter *painter, const QRectF &rect, const QColor &color);
    // --- end IP Messenger ---

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
