// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "peers/roster.h"

#include <QAbstractListModel>

// The roster as a list, for views: every peer this profile knows, online or not. It holds no
// state of its own; the roster's signals keep it current.
class PeerListModel final : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        NameRole,
        ShortIdRole,
        AddressRole,
        OnlineRole,
        UnreadRole,
        LastSeenRole,
        LanRole, // heard on the LAN now (verified or not)
    };

    explicit PeerListModel(const Roster &roster, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int rowOf(const QString &id) const { return m_roster.rowOf(id); }
    std::optional<PeerInfo> peer(const QString &id) const { return m_roster.peer(id); }
    const QList<PeerInfo> &peers() const { return m_roster.peers(); }

    static QString shortId(const QString &id);

private:
    const Roster &m_roster;
};
