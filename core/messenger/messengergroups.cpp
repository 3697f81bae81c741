// SPDX-License-Identifier: GPL-3.0-or-later
// Messenger's group commands: forwarded to the groups service (core/groups), and what the
// interfaces see of a group (names from the roster, who is online, unread counts).
#include "messenger/messenger.h"

#include "chat/outbox.h"
#include "groups/grouplimits.h"
#include "groups/groupservice.h"
#include "net/connectionregistry.h"
#include "peers/roster.h"
#include "storage/messagestore.h"

#include <QSet>

#include <algorithm>

bool isGroupId(const QString &id)
{
    if (id.size() != 32)
        return false;
    for (const QChar c : id) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    }
    return true;
}

namespace {
QString *orIgnored(QString *error)
{
    static thread_local QString ignored;
    return error ? error : &ignored;
}
} // namespace

// --- IP Messenger (issue 17) ---
// Groups are signed by their members' keys: an IP Messenger user has none.
QString Messenger::ipmsgMemberError(const QString &peerId) const
{
    const auto p = m_roster->peer(peerId);
    if (!p || !p->ipmsg)
        return {};
    return tr("%1 uses IP Messenger; groups are for Shoal users only. Send to several "
              "instead.")
        .arg(p->name);
}
// --- end IP Messenger ---

std::optional<QString> Messenger::createGroup(const QString &name,
                                              const QStringList &members,
                                              QString *error)
{
    for (const QString &id : members) {
        if (id != this->id() && !m_roster->peer(id)) {
            *orIgnored(error) = tr("Unknown peer %1. Connect to it first.").arg(id);
            return std::nullopt;
        }
        if (!ipmsgMemberError(id).isEmpty()) { // issue 17
            *orIgnored(error) = ipmsgMemberError(id);
            return std::nullopt;
        }
    }
    return m_groups->create(name, members, orIgnored(error));
}

bool Messenger::addGroupMembers(const QString &groupId, const QStringList &members, QString *error)
{
    for (const QString &id : members) {
        if (id != this->id() && !m_roster->peer(id)) {
            *orIgnored(error) = tr("Unknown peer %1. Connect to it first.").arg(id);
            return false;
        }
        if (!ipmsgMemberError(id).isEmpty()) { // issue 17
            *orIgnored(error) = ipmsgMemberError(id);
            return false;
        }
    }
    return m_groups->add(groupId, members, orIgnored(error));
}

bool Messenger::removeGroupMember(const QString &groupId, const QString &member, QString *error)
{
    return m_groups->remove(groupId, member, orIgnored(error));
}

bool Messenger::leaveGroup(const QString &groupId, QString *error)
{
    return m_groups->leave(groupId, orIgnored(error));
}

bool Messenger::renameGroup(const QString &groupId, const QString &name, QString *error)
{
    return m_groups->rename(groupId, name, orIgnored(error));
}

std::optional<QUuid> Messenger::sendGroupMessage(const QString &groupId,
                                                 const QString &text,
                                                 QString *error,
                                                 const QUuid &replyTo)
{
    // --- Group replies (issue 15) ---
    if (!replyTo.isNull() && !m_store->contains(MessageKey{replyTo, groupId, true})
        && !m_store->contains(MessageKey{replyTo, groupId, false})) {
        *orIgnored(error) = tr("The message to reply to (%1) is not in this group.")
                                .arg(replyTo.toString(QUuid::WithoutBraces));
        return std::nullopt;
    }
    // --- end group replies ---
    return m_groups->send(groupId, text, orIgnored(error), replyTo);
}

QList<GroupInfo> Messenger::groups() const
{
    QList<GroupInfo> out;
    for (const QString &id : m_groups->groupIds()) {
        if (auto info = group(id))
            out.append(*info);
    }
    std::sort(out.begin(), out.end(), [](const GroupInfo &a, const GroupInfo &b) {
        const int byName = a.name.localeAwareCompare(b.name);
        return byName != 0 ? byName < 0 : a.id < b.id;
    });
    return out;
}

std::optional<GroupInfo> Messenger::group(const QString &groupId) const
{
    const GroupState *state = m_groups->state(groupId);
    if (!state)
        return std::nullopt;
    GroupInfo info;
    info.id = groupId;
    info.name = state->name();
    info.owner = state->owner();
    info.isMember = state->isMember(id());
    info.unread = m_groupUnread.value(groupId);
    for (const QString &member : state->members()) {
        GroupMemberInfo m;
        m.id = member;
        if (member == id()) {
            m.name = name();
            m.online = true;
        } else {
            const auto peer = m_roster->peer(member);
            m.name = peer && !peer->name.isEmpty() ? peer->name : state->member(member)->name;
            m.online = m_registry->isConnected(member);
        }
        info.members.append(m);
    }
    return info;
}

QList<GroupDelivery> Messenger::groupDeliveries(const QUuid &messageId) const
{
    return m_groups->deliveries(messageId);
}

QList<QUuid> Messenger::sendToMany(const QStringList &peerIds, const QString &text, QString *error)
{
    QString *why = orIgnored(error);
    // All or none: every recipient and the text are checked before anything is queued.
    if (peerIds.isEmpty()) {
        *why = tr("Pick at least one peer.");
        return {};
    }
    if (text.trimmed().isEmpty()) {
        *why = tr("The message is empty.");
        return {};
    }
    const qsizetype bytes = text.toUtf8().size();
    if (bytes > Protocol::MaxTextBytes) {
        *why = tr("The message is %1 KiB long; the limit is %2 KiB. Split it into shorter "
                  "messages.")
                   .arg((bytes + 1023) / 1024)
                   .arg(Protocol::MaxTextBytes / 1024);
        return {};
    }
    QSet<QString> seen;
    for (const QString &peerId : peerIds) {
        if (!m_roster->peer(peerId)) {
            *why = tr("Unknown peer %1. Connect to it first.").arg(peerId);
            return {};
        }
        if (seen.contains(peerId)) {
            *why = tr("Peer %1 is listed twice.").arg(peerId);
            return {};
        }
        seen.insert(peerId);
    }
    QList<QUuid> ids;
    for (const QString &peerId : peerIds) {
        QString ignored;
        const auto queued = m_outbox->enqueue(peerId, text, &ignored);
        Q_ASSERT(queued); // what enqueue() refuses was checked above
        if (queued)
            ids.append(*queued);
    }
    return ids;
}

void Messenger::reportGroup(const QString &groupId)
{
    if (const auto info = group(groupId)) {
        m_peerList->setGroup(*info);
        Q_EMIT groupChanged(*info);
    }
}

void Messenger::reportGroupsOf(const QString &peerId)
{
    for (const QString &groupId : m_groups->groupIds()) {
        const GroupState *state = m_groups->state(groupId);
        if (state && state->isMember(peerId))
            reportGroup(groupId);
    }
}
