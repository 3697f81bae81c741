// SPDX-License-Identifier: GPL-3.0-or-later
#include "transferdelegate.h"

#include "models/transferlistmodel.h"
#include "uicolors.h"

#include <QAbstractItemView>
#include <QPainter>

static constexpr int Margin = 8;

TransferDelegate::TransferDelegate(QAbstractItemView *view,
                                   std::function<QString(const QString &)> peerName)
    : QStyledItemDelegate(view)
    , m_view(view)
    , m_peerName(std::move(peerName))
{}

FileItem TransferDelegate::fileItem(const QModelIndex &index) const
{
    FileItem item(index.data(TransferListModel::TransferRole).value<TransferInfo>());
    item.peerName = m_peerName(item.transfer.peerId);
    return item;
}

FileItem::Layout TransferDelegate::layout(const QStyleOptionViewItem &option,
                                          const FileItem &item,
                                          int top) const
{
    const int width = qMax(200, m_view->viewport()->width() - 2 * Margin);
    return item.layout(QPoint(option.rect.left() + Margin, top + Margin), width, option.font);
}

void TransferDelegate::paint(QPainter *painter,
                             const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    const FileItem item = fileItem(index);
    const FileItem::Layout l = layout(option, item, option.rect.top());
    const QPalette &pal = option.palette;
    painter->save();
    QColor background = pal.color(QPalette::Base);
    if (option.state & QStyle::State_Selected)
        background = UiColors::mix(background, pal.color(QPalette::Highlight), 0.15);
    painter->fillRect(option.rect, background);
    painter->setPen(UiColors::mix(background, pal.color(QPalette::Text), 0.15));
    painter->drawLine(option.rect.bottomLeft(), option.rect.bottomRight());
    item.paint(painter, l, option, background);
    painter->restore();
}

QSize TransferDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const FileItem::Layout l = layout(option, fileItem(index), 0);
    return {l.bounds.width() + 2 * Margin, l.bounds.bottom() + 1 + Margin};
}

QList<std::pair<FileAction, QRect>> TransferDelegate::buttons(const QModelIndex &index) const
{
    if (!index.isValid())
        return {};
    QStyleOptionViewItem option;
    option.initFrom(m_view);
    option.font = m_view->font();
    option.rect = m_view->visualRect(index);
    return layout(option, fileItem(index), option.rect.top()).buttons;
}

std::optional<FileAction> TransferDelegate::actionAt(const QModelIndex &index,
                                                     const QPoint &pos) const
{
    for (const auto &[action, rect] : buttons(index)) {
        if (rect.contains(pos))
            return action;
    }
    return std::nullopt;
}
