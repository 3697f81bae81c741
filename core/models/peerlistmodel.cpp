// SPDX-License-Identifier: GPL-3.0-or-later
#include "peerlistmodel.h"

using namespace Qt::StringLiterals;

PeerListModel::PeerListModel(const Roster &roster, QObject *parent)
    : QAbstractListModel(parent)
    , m_roster(roster)
{
    connect(&m_roster, &Roster::rowAboutToBeInserted, this, [this](int row) {
        beginInsertRows({}, row, row);
    });
    connect(&m_roster, &Roster::rowInserted, this, [this] { endInsertRows(); });
    connect(&m_roster, &Roster::rowAboutToBeRemoved, this, [this](int row) {
        beginRemoveRows({}, row, row);
    });
    connect(&m_roster, &Roster::rowRemoved, this, [this] { endRemoveRows(); });
    connect(&m_roster, &Roster::rowChanged, this, [this](int row) {
        const QModelIndex i = index(row);
        Q_EMIT dataChanged(i, i);
    });
}

int PeerListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_roster.count();
}

QVariant PeerListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PeerInfo &p = m_roster.peers().at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return p.name.isEmpty() ? shortId(p.id) : p.name;
    case Qt::ToolTipRole:
        return u"%1\n%2"_s.arg(p.id, p.address);
    case IdRole:
        return p.id;
    case ShortIdRole:
        return shortId(p.id);
    case AddressRole:
        return p.address;
    case OnlineRole:
        return p.online;
    case UnreadRole:
        return p.unread;
    case LastSeenRole:
        return p.lastSeen;
    case LanRole:
        return p.lan;
    default:
        return {};
    }
}

QHash<int, QByteArray> PeerListModel::roleNames() const
{
    return {{IdRole, "id"},
            {NameRole, "name"},
            {ShortIdRole, "shortId"},
            {AddressRole, "address"},
            {OnlineRole, "online"},
            {UnreadRole, "unread"},
            {LastSeenRole, "lastSeen"},
            {LanRole, "lan"}};
}

QString PeerListModel::shortId(const QString &id)
{
    // Four groups of four: enough to tell peers apart at a glance.
    QStringList groups;
    for (int i = 0; i < 16 && i < id.size(); i += 4)
        groups.append(id.mid(i, 4));
    return groups.join(u' ');
}
