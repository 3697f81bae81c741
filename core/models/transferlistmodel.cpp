// SPDX-License-Identifier: GPL-3.0-or-later
#include "transferlistmodel.h"

#include <algorithm>

TransferListModel::TransferListModel(QObject *parent)
    : QAbstractListModel(parent)
{}

bool TransferListModel::shownBefore(const TransferInfo &a, const TransferInfo &b)
{
    const bool aOver = isFinal(a.state);
    if (aOver != isFinal(b.state))
        return !aOver;
    if (a.createdAt != b.createdAt)
        return a.createdAt > b.createdAt;
    return a.id.toString() > b.id.toString(); // a stable order for equal times
}

void TransferListModel::setTransfers(const QList<TransferInfo> &transfers)
{
    beginResetModel();
    m_rows = transfers;
    std::stable_sort(m_rows.begin(), m_rows.end(), &TransferListModel::shownBefore);
    endResetModel();
}

int TransferListModel::rowOf(const QUuid &id, const QString &peerId, bool outgoing) const
{
    for (int row = 0; row < int(m_rows.size()); ++row) {
        const TransferInfo &t = m_rows.at(row);
        if (t.id == id && t.outgoing == outgoing && t.peerId == peerId)
            return row;
    }
    return -1;
}

int TransferListModel::placeFor(const TransferInfo &transfer) const
{
    return int(std::upper_bound(m_rows.cbegin(), m_rows.cend(), transfer, &shownBefore)
               - m_rows.cbegin());
}

void TransferListModel::updateTransfer(const TransferInfo &transfer)
{
    const int row = rowOf(transfer.id, transfer.peerId, transfer.outgoing);
    if (row < 0) {
        const int at = placeFor(transfer);
        beginInsertRows({}, at, at);
        m_rows.insert(at, transfer);
        endInsertRows();
        return;
    }
    const bool moves = isFinal(m_rows.at(row).state) != isFinal(transfer.state)
                       || m_rows.at(row).createdAt != transfer.createdAt;
    if (!moves) {
        m_rows[row] = transfer;
        const QModelIndex i = index(row);
        Q_EMIT dataChanged(i, i);
        return;
    }
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
    const int at = placeFor(transfer);
    beginInsertRows({}, at, at);
    m_rows.insert(at, transfer);
    endInsertRows();
}

int TransferListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant TransferListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TransferInfo &t = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return t.name;
    case IdRole:
        return t.id;
    case TransferRole:
        return QVariant::fromValue(t);
    case StateRole:
        return int(t.state);
    case OutgoingRole:
        return t.outgoing;
    case PeerIdRole:
        return t.peerId;
    default:
        return {};
    }
}

QHash<int, QByteArray> TransferListModel::roleNames() const
{
    return {{IdRole, "id"},
            {TransferRole, "transfer"},
            {StateRole, "state"},
            {OutgoingRole, "outgoing"},
            {PeerIdRole, "peerId"}};
}
