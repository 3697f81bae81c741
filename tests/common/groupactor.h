// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A remote group member for the group service's tests: its own identity, and messages chained
// and signed as a real author's (or forged).
#include "groups/groupbody.h"
#include "groups/grouplimits.h"
#include "identity/identity.h"
#include "identity/signer.h"
#include "protocol/messages.h"

#include <QCryptographicHash>
#include <QDateTime>

#include <memory>

// A remote peer writing its own chained, signed messages.
struct Actor
{
    explicit Actor(const Identity &identity)
        : identity(identity)
        , signer(std::make_unique<Signer>(identity.privateKey()))
    {}
    Identity identity;
    std::unique_ptr<Signer> signer;
    qint64 seq = 0;
    QByteArray link = QByteArray(32, '\0');

    QString id() const { return identity.id(); }
    Groups::Member member() const
    {
        return Groups::Member{id(), identity.certificate().toDer(), QStringLiteral("m")};
    }
    // The next message of this author; `signWith` forges the signature with another key.
    Protocol::GroupMessage write(const QString &group,
                                 Groups::Body b,
                                 qint64 lc,
                                 const Signer *signWith = nullptr)
    {
        b.group = group;
        b.author = id();
        b.seq = ++seq;
        b.lc = lc;
        b.prev = link;
        b.sentAt = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), Qt::UTC);
        const QByteArray bytes = Groups::encode(b);
        const QByteArray sig = (signWith ? signWith : signer.get())->sign(bytes);
        link = Groups::linkHash(bytes, sig);
        return {bytes, sig};
    }
    Protocol::GroupMessage text(const QString &group, const QString &t, qint64 lc)
    {
        Groups::Body b;
        b.kind = Groups::Kind::Text;
        b.text = t;
        return write(group, b, lc);
    }
    // A create of a new group (nonce from `n`) with these members; the group's ID in *group.
    Protocol::GroupMessage create(int n, const QList<Groups::Member> &members, QString *group)
    {
        Groups::Body c;
        c.kind = Groups::Kind::Create;
        c.name = QStringLiteral("G%1").arg(n);
        c.nonce = QCryptographicHash::hash(QByteArray::number(n), QCryptographicHash::Sha256)
                      .left(Groups::NonceBytes);
        c.members = members;
        *group = Groups::groupIdFor(id(), c.nonce);
        seq = 0;
        link = QByteArray(32, '\0');
        return write(*group, c, 1);
    }
};

inline Identity newIdentity()
{
    QString error;
    return *Identity::generate(&error);
}
