// SPDX-License-Identifier: GPL-3.0-or-later
#include "groups/groupstate.h"

#include "groups/grouplimits.h"

#include <QCryptographicHash>
#include <QSet>

#include <algorithm>

using Groups::Body;
using Groups::Kind;

GroupState GroupState::fold(const QString &groupId, QList<Body> membership)
{
    // Lamport order, ties broken by author then seq: the same total order everywhere.
    std::sort(membership.begin(), membership.end(), [](const Body &a, const Body &b) {
        if (a.lc != b.lc)
            return a.lc < b.lc;
        if (a.author != b.author)
            return a.author < b.author;
        return a.seq < b.seq;
    });
    GroupState s;
    s.m_id = groupId;
    for (const Body &b : std::as_const(membership)) {
        if (b.group != groupId || b.kind == Kind::Text || !s.apply(b))
            s.m_ignored.append({b.author, b.seq});
    }
    return s;
}

bool GroupState::checkCreate(const QString &groupId, const Body &create, QString *why)
{
    const auto fail = [why](const QString &reason) {
        if (why)
            *why = reason;
        return false;
    };
    if (create.kind != Kind::Create)
        return fail(QStringLiteral("not a create"));
    if (create.seq != 1)
        return fail(QStringLiteral("a create is its author's first message"));
    if (create.group != groupId || Groups::groupIdFor(create.author, create.nonce) != groupId)
        return fail(QStringLiteral("the group ID is not the author's with this nonce"));
    if (create.members.size() > Groups::MaxMembers)
        return fail(QStringLiteral("too many members"));
    bool authorIn = false;
    QSet<QString> seen;
    for (const Groups::Member &m : create.members) {
        if (QString::fromLatin1(QCryptographicHash::hash(m.cert, QCryptographicHash::Sha256).toHex())
            != m.id)
            return fail(QStringLiteral("a member's certificate is not its ID's"));
        if (seen.contains(m.id))
            return fail(QStringLiteral("a member listed twice"));
        seen.insert(m.id);
        authorIn = authorIn || m.id == create.author;
    }
    if (!authorIn)
        return fail(QStringLiteral("the creator is not among the members"));
    return true;
}

bool GroupState::apply(const Body &b)
{
    if (b.kind == Kind::Create) {
        if (isValid() || !checkCreate(m_id, b, nullptr))
            return false;
        m_owner = b.author;
        m_name = b.name;
        for (const Groups::Member &m : b.members)
            join(m);
        return true;
    }
    // Everything else is by a member, inside its range, after the create.
    if (!isValid() || !mayWrite(b.author, b.seq) || !isMember(b.author))
        return false;
    switch (b.kind) {
    case Kind::Add: {
        qsizetype current = members().size();
        for (const Groups::Member &m : b.members) {
            const auto it = m_members.constFind(m.id);
            if (it != m_members.cend() && it->isCurrent())
                continue;
            if (++current > Groups::MaxMembers)
                return false;
        }
        for (const Groups::Member &m : b.members) {
            const QByteArray hash = QCryptographicHash::hash(m.cert, QCryptographicHash::Sha256);
            if (QString::fromLatin1(hash.toHex()) != m.id)
                return false;
        }
        for (const Groups::Member &m : b.members)
            join(m);
        return true;
    }
    case Kind::Remove:
        if (b.author != m_owner)
            return false;
        for (const auto &[id, cut] : b.removed) {
            auto it = m_members.find(id);
            if (id == m_owner || it == m_members.end() || !it->isCurrent())
                continue;
            Range &r = it->ranges.last();
            r.until = std::max(r.after, cut);
            r.endedAt = b.lc;
        }
        return true;
    case Kind::Leave: {
        Range &r = m_members[b.author].ranges.last();
        r.until = b.seq;
        r.endedAt = b.lc;
        return true;
    }
    case Kind::Rename:
        m_name = b.name;
        return true;
    case Kind::Text:
    case Kind::Create:
        break;
    }
    return false;
}

void GroupState::join(const Groups::Member &m)
{
    auto it = m_members.find(m.id);
    if (it == m_members.end()) {
        m_members.insert(m.id, Member{m.id, m.cert, m.name, {Range{0, Open}}});
        m_order.append(m.id);
        return;
    }
    if (it->isCurrent())
        return;
    // Back again: from where its last range ended (a removed member's cut, a leaver's leave),
    // so that its own chain goes on from there.
    const qint64 after = it->ranges.isEmpty() ? 0 : it->ranges.constLast().until;
    it->ranges.append(Range{after, Open});
    it->name = m.name;
}

QStringList GroupState::members() const
{
    QStringList out;
    for (const QString &id : m_order) {
        if (m_members.value(id).isCurrent())
            out.append(id);
    }
    return out;
}

bool GroupState::isMember(const QString &id) const
{
    const auto it = m_members.constFind(id);
    return it != m_members.cend() && it->isCurrent();
}

const GroupState::Member *GroupState::member(const QString &id) const
{
    const auto it = m_members.constFind(id);
    return it == m_members.cend() ? nullptr : &*it;
}

bool GroupState::mayWrite(const QString &author, qint64 seq) const
{
    const auto it = m_members.constFind(author);
    if (it == m_members.cend())
        return false;
    return std::any_of(it->ranges.cbegin(), it->ranges.cend(), [seq](const Range &r) {
        return seq > r.after && seq <= r.until;
    });
}

QByteArray GroupState::certificate(const QString &id) const
{
    const auto it = m_members.constFind(id);
    return it == m_members.cend() ? QByteArray() : it->cert;
}

bool GroupState::operator==(const GroupState &o) const
{
    if (m_id != o.m_id || m_name != o.m_name || m_owner != o.m_owner || m_order != o.m_order
        || m_members.size() != o.m_members.size())
        return false;
    for (auto it = m_members.cbegin(); it != m_members.cend(); ++it) {
        const auto other = o.m_members.constFind(it.key());
        if (other == o.m_members.cend() || other->cert != it->cert || other->name != it->name
            || other->ranges != it->ranges)
            return false;
    }
    return true;
}
