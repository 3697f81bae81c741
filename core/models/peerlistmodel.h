// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "groups/groupinfo.h"
#include "peers/roster.h"

#include <QAbstractListModel>

// The roster as a list, for views: every peer this profile knows, online or not, then the
// groups (by name). It holds no peer state of its own (the roster's signals keep it current);
// the groups are what the Messenger last gave setGroup().
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
        LanRole,               // heard on the LAN now (verified or not)
        IsGroupRole,           // bool: a group's row (IdRole is then the group's ID)
        MemberCountRole,       // a group's current members, this profile included
        OnlineMemberCountRole, // a group's other members online now
        InvitedRole,           // from an invite link, not reached yet: "connecting…"
        // Honest presence: why the last dial failed (int of PeerInfo::DialProblem; None while
        // online), and the transport's words for it.
        DialProblemRole,
        DialProblemDetailRole,
        // --- Presence (issue 15) ---
        StatusRole,     // int of PeerInfo::Status
        StatusTextRole, // what the peer says it is doing ("at lunch until 13:00")
        // --- end presence ---
        // --- IP Messenger (issue 17) ---
        IpmsgRole,      // bool: an IP Messenger / FeiQ / iptux user (not encrypted, not verified)
        IpmsgGroupRole, // the group it announced (empty for Shoal peers and groups)
        // --- end IP Messenger ---
        // --- Carried delivery (issue 16) ---
        ViaRole,     // the ID of the peer carrying the conversation ("via Carol"), or empty
        ViaNameRole, // that peer's name as the list shows it, or empty
        // --- end carried delivery ---
    };

    explicit PeerListModel(const Roster &roster, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // The row of a peer or a group; -1 when neither is known.
    int rowOf(const QString &id) const;
    std::optional<PeerInfo> peer(const QString &id) const { return m_roster.peer(id); }
    const QList<PeerInfo> &peers() const { return m_roster.peers(); }

    // A group is new, or changed (name, members, online members, unread): its row shows it.
    void setGroup(const GroupInfo &group);
    void removeGroup(const QString &groupId);
    std::optional<GroupInfo> group(const QString &groupId) const;
    const QList<GroupInfo> &groups() const { return m_groups; }

    static QString shortId(const QString &id);

private:
    QVariant groupData(const GroupInfo &group, int role) const;
    int onlineMembers(const GroupInfo &group) const;
    int groupIndex(const QString &groupId) const;
    // Where a group named `name` goes among the others (sorted by name, then ID).
    int groupInsertIndex(const GroupInfo &group) const;

    const Roster &m_roster;
    QList<GroupInfo> m_groups; // after the peers, by name (there are at most a few hundred)
};
