#include "peerlistmodel.h"

using namespace Qt::StringLiterals;

int PeerListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_peers.size());
}

QVariant PeerListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PeerInfo &p = m_peers.at(index.row());
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

void PeerListModel::upsert(const PeerInfo &peer)
{
    const int row = rowOf(peer.id);
    if (row < 0) {
        beginInsertRows({}, int(m_peers.size()), int(m_peers.size()));
        m_peers.append(peer);
        endInsertRows();
        return;
    }
    const int unread = m_peers.at(row).unread;
    m_peers[row] = peer;
    m_peers[row].unread = unread;
    changed(row);
}

void PeerListModel::setOnline(const QString &id, bool online)
{
    const int row = rowOf(id);
    if (row < 0 || m_peers.at(row).online == online)
        return;
    m_peers[row].online = online;
    m_peers[row].lastSeen = QDateTime::currentDateTimeUtc();
    changed(row);
}

void PeerListModel::remove(const QString &id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_peers.removeAt(row);
    endRemoveRows();
}

void PeerListModel::addUnread(const QString &id, int count)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    m_peers[row].unread += count;
    changed(row);
}

void PeerListModel::clearUnread(const QString &id)
{
    const int row = rowOf(id);
    if (row < 0 || m_peers.at(row).unread == 0)
        return;
    m_peers[row].unread = 0;
    changed(row);
}

int PeerListModel::rowOf(const QString &id) const
{
    for (int i = 0; i < m_peers.size(); ++i) {
        if (m_peers.at(i).id == id)
            return i;
    }
    return -1;
}

std::optional<PeerInfo> PeerListModel::peer(const QString &id) const
{
    const int row = rowOf(id);
    if (row < 0)
        return std::nullopt;
    return m_peers.at(row);
}

QString PeerListModel::shortId(const QString &id)
{
    // Four groups of four: enough to tell peers apart at a glance.
    QStringList groups;
    for (int i = 0; i < 16 && i < id.size(); i += 4)
        groups.append(id.mid(i, 4));
    return groups.join(u' ');
}

void PeerListModel::changed(int row)
{
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i);
}
