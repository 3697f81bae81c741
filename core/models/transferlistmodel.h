// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "files/transferinfo.h"

#include <QAbstractListModel>
#include <QList>

#include <optional>

// Every transfer, for the Transfers window: those not over (offered, waiting, running, paused)
// first, then the rest; the newest first within each. Fed with Messenger::transfers() and kept
// current with Messenger::transferChanged.
class TransferListModel final : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        TransferRole, // TransferInfo
        StateRole,    // TransferState as int
        OutgoingRole,
        PeerIdRole,
    };

    explicit TransferListModel(QObject *parent = nullptr);

    void setTransfers(const QList<TransferInfo> &transfers);
    // A new transfer is inserted where it belongs; a changed one moves when its order did.
    void updateTransfer(const TransferInfo &transfer);
    TransferInfo transferAt(int row) const { return m_rows.at(row); }
    int rowOf(const QUuid &id, const QString &peerId, bool outgoing) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // The order of the list: true when `a` is shown above `b`.
    static bool shownBefore(const TransferInfo &a, const TransferInfo &b);

private:
    int placeFor(const TransferInfo &transfer) const;

    QList<TransferInfo> m_rows;
};
