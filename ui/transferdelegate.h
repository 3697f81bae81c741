// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fileitem.h"

#include <QStyledItemDelegate>

#include <functional>

class QAbstractItemView;

// A row of the Transfers window (a TransferListModel): the same item as in a conversation,
// with whom it is exchanged, across the whole width.
class TransferDelegate final : public QStyledItemDelegate
{
    Q_OBJECT

public:
    // `peerName` gives the name to show for a peer ID.
    TransferDelegate(QAbstractItemView *view, std::function<QString(const QString &)> peerName);

    void paint(QPainter *painter,
               const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    FileItem fileItem(const QModelIndex &index) const;
    std::optional<FileAction> actionAt(const QModelIndex &index, const QPoint &pos) const;
    QList<std::pair<FileAction, QRect>> buttons(const QModelIndex &index) const;

private:
    FileItem::Layout layout(const QStyleOptionViewItem &option, const FileItem &item, int top) const;

    QAbstractItemView *m_view;
    std::function<QString(const QString &)> m_peerName;
};
