// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "groups/groupbody.h"

#include <QHash>
#include <QList>
#include <QString>

#include <limits>

// What a group is (name, owner, members and the sequence numbers each may write) as the fold
// of its membership messages (create, add, remove, leave, rename) in (lc, author, seq) order
// (docs/groups.md). Pure: every member holding the same messages gets the same state, whatever
// order they came in. A membership message that is not allowed where it stands in the fold is
// kept by whoever holds it (it is signed) but changes nothing.
class GroupState final
{
public:
    static constexpr qint64 Open = std::numeric_limits<qint64>::max();

    // Seqs (after, until] a member may write; until = Open while it is a member.
    struct Range
    {
        qint64 after = 0;
        qint64 until = Open;
        qint64 endedAt = 0; // the Lamport clock of the remove or leave that closed it
        bool operator==(const Range &o) const
        {
            return after == o.after && until == o.until && endedAt == o.endedAt;
        }
    };
    struct Member
    {
        QString id;
        QByteArray cert;
        QString name; // as the creator or adder gave it
        QList<Range> ranges;
        bool isCurrent() const { return !ranges.isEmpty() && ranges.constLast().until == Open; }
    };

    GroupState() = default;
    // The fold of `membership` (any order; sorted here) for the group `groupId`.
    static GroupState fold(const QString &groupId, QList<Groups::Body> membership);
    // Whether `create` may found group `groupId` (rule 1). *why says what is wrong.
    static bool checkCreate(const QString &groupId, const Groups::Body &create, QString *why);

    // Whether a valid create is among the messages (else nothing else counts).
    bool isValid() const { return !m_owner.isEmpty(); }
    QString id() const { return m_id; }
    QString name() const { return m_name; }
    QString owner() const { return m_owner; }
    // Current members, in the order they joined.
    QStringList members() const;
    // Everyone who ever was a member (current ones included), in the order they joined.
    QStringList everyone() const { return m_order; }
    bool isMember(const QString &id) const;
    bool wasMember(const QString &id) const { return m_members.contains(id); }
    const Member *member(const QString &id) const;
    // Whether `author` may write its message `seq`: inside one of its ranges.
    bool mayWrite(const QString &author, qint64 seq) const;
    QByteArray certificate(const QString &id) const;
    // The messages the fold did not apply (not allowed where they stood): (author, seq).
    QList<QPair<QString, qint64>> ignored() const { return m_ignored; }

    bool operator==(const GroupState &o) const;
    bool operator!=(const GroupState &o) const { return !(*this == o); }

private:
    bool apply(const Groups::Body &b);
    void join(const Groups::Member &m);

    QString m_id;
    QString m_name;
    QString m_owner;
    QHash<QString, Member> m_members;
    QStringList m_order;
    QList<QPair<QString, qint64>> m_ignored;
};
