// SPDX-License-Identifier: GPL-3.0-or-later
#include "peerlistmodel.h"

#include <algorithm>

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
    return parent.isValid() ? 0 : m_roster.count() + int(m_groups.size());
}

int PeerListModel::rowOf(const QString &id) const
{
    if (isGroupId(id)) {
        const int i = groupIndex(id);
        return i < 0 ? -1 : m_roster.count() + i;
    }
    return m_roster.rowOf(id);
}

int PeerListModel::groupIndex(const QString &groupId) const
{
    for (int i = 0; i < int(m_groups.size()); ++i) {
        if (m_groups.at(i).id == groupId)
            return i;
    }
    return -1;
}

namespace {
bool groupBefore(const GroupInfo &a, const GroupInfo &b)
{
    const int byName = QString::localeAwareCompare(a.name, b.name);
    return byName != 0 ? byName < 0 : a.id < b.id;
}
} // namespace

int PeerListModel::groupInsertIndex(const GroupInfo &group) const
{
    int i = 0;
    while (i < int(m_groups.size()) && groupBefore(m_groups.at(i), group))
        ++i;
    return i;
}

void PeerListModel::setGroup(const GroupInfo &group)
{
    const int old = groupIndex(group.id);
    const int base = m_roster.count();
    if (old >= 0) {
        // A new name may move it: its place among the others, counted without it.
        int to = 0;
        for (int i = 0; i < int(m_groups.size()); ++i) {
            if (i != old && groupBefore(m_groups.at(i), group))
                ++to;
        }
        if (to != old) {
            // beginMoveRows wants the row it lands before, counted before the move.
            beginMoveRows({}, base + old, base + old, {}, base + (to > old ? to + 1 : to));
            m_groups.move(old, to);
            endMoveRows();
        }
        m_groups[to] = group;
        const QModelIndex i = index(base + to);
        Q_EMIT dataChanged(i, i);
        return;
    }
    const int at = groupInsertIndex(group);
    beginInsertRows({}, base + at, base + at);
    m_groups.insert(at, group);
    endInsertRows();
}

void PeerListModel::removeGroup(const QString &groupId)
{
    const int i = groupIndex(groupId);
    if (i < 0)
        return;
    const int row = m_roster.count() + i;
    beginRemoveRows({}, row, row);
    m_groups.removeAt(i);
    endRemoveRows();
}

std::optional<GroupInfo> PeerListModel::group(const QString &groupId) const
{
    const int i = groupIndex(groupId);
    if (i < 0)
        return std::nullopt;
    return m_groups.at(i);
}

QVariant PeerListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (index.row() >= m_roster.count())
        return groupData(m_groups.at(index.row() - m_roster.count()), role);
    const PeerInfo &p = m_roster.peers().at(index.row());
    switch (role) {
    case IsGroupRole:
        return false;
    case Qt::DisplayRole:
    case NameRole:
        return p.name.isEmpty() ? shortId(p.id) : p.name;
    case Qt::ToolTipRole:
        // Why it cannot be reached: the address tried and the transport's reason.
        if (!p.online && p.problem != PeerInfo::DialProblem::None) {
            QStringList lines{p.id, p.address, p.problemDetail};
            lines.removeAll(QString());
            return lines.join(u'\n');
        }
        return u"%1\n%2"_s.arg(p.id, p.address);
    case IdRole:
        return p.id;
    case DialProblemRole:
        return int(p.online ? PeerInfo::DialProblem::None : p.problem);
    case DialProblemDetailRole:
        return p.online ? QString() : p.problemDetail;
    case StatusRole: // issue 15
        return int(p.status);
    case StatusTextRole:
        return p.statusText;
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
    case InvitedRole:
        return p.invited;
    // --- IP Messenger (issue 17) ---
    case IpmsgRole:
        return p.ipmsg;
    case IpmsgGroupRole:
        return p.ipmsg ? p.group : QString();
    // --- end IP Messenger ---
    // --- Carried delivery (issue 16) ---
    case ViaRole:
        return p.via;
    case ViaNameRole: {
        if (p.via.isEmpty())
            return QString();
        const auto carrier = m_roster.peer(p.via);
        return carrier && !carrier->name.isEmpty() ? carrier->name : shortId(p.via);
    }
    // --- end carried delivery ---
    default:
        return {};
    }
}

int PeerListModel::onlineMembers(const GroupInfo &g) const
{
    // Others there to talk to. This profile is not in its own roster, and is always online to
    // itself: it does not count.
    return int(std::count_if(g.members.cbegin(), g.members.cend(), [this](const GroupMemberInfo &m) {
        return m.online && m_roster.rowOf(m.id) >= 0;
    }));
}

QVariant PeerListModel::groupData(const GroupInfo &g, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return g.name;
    case Qt::ToolTipRole: {
        QStringList names;
        for (const GroupMemberInfo &m : g.members)
            names.append(m.name.isEmpty() ? shortId(m.id) : m.name);
        return u"%1\n%2"_s.arg(g.name, names.join(u", "_s));
    }
    case IdRole:
        return g.id;
    case ShortIdRole:
        return shortId(g.id);
    case OnlineRole:
        return onlineMembers(g) > 0;
    case OnlineMemberCountRole:
        return onlineMembers(g);
    case UnreadRole:
        return g.unread;
    case IsGroupRole:
        return true;
    case MemberCountRole:
        return int(g.members.size());
    case LanRole:
    case IpmsgRole: // issue 17
        return false;
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
            {LanRole, "lan"},
            {IsGroupRole, "isGroup"},
            {MemberCountRole, "memberCount"},
            {OnlineMemberCountRole, "onlineMemberCount"},
            {DialProblemRole, "dialProblem"},
            {DialProblemDetailRole, "dialProblemDetail"},
            {InvitedRole, "invited"},
            {IpmsgRole, "ipmsg"}, // issue 17
            {IpmsgGroupRole, "ipmsgGroup"},
            {ViaRole, "via"}, // issue 16
            {ViaNameRole, "viaName"}};
}

QString PeerListModel::shortId(const QString &id)
{
    // Four groups of four: enough to tell peers apart at a glance.
    QStringList groups;
    for (int i = 0; i < 16 && i < id.size(); i += 4)
        groups.append(id.mid(i, 4));
    return groups.join(u' ');
}
