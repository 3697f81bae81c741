// SPDX-License-Identifier: GPL-3.0-or-later
// The groups service against hostile peers (review of issue 13): what a member or a stranger
// can make us keep, refuse or stop doing. Each case is something a person would notice: a
// group that falls silent, a quota a stranger fills, a disk a stranger fills, members who
// disagree on what was said.
#include "faketransport.h"
#include "groupactor.h"
#include "groups/grouplimits.h"
#include "groups/groupservice.h"
#include "identity/identity.h"
#include "identity/signer.h"
#include "net/dispatcher.h"
#include "storage/messagestore.h"

#include <QCryptographicHash>
#include <QTest>

#include <memory>

using Groups::Body;
using Groups::Kind;

class tst_GroupsHostile : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Identity> m_me;
    std::unique_ptr<MessageStore> m_store;
    std::unique_ptr<FakeTransport> m_net;
    std::unique_ptr<GroupService> m_service;
    Dispatcher m_dispatcher;
    std::unique_ptr<Actor> m_alice, m_bob, m_carol, m_mallory;
    QString m_group;

    Groups::Member me() const
    {
        return Groups::Member{m_me->id(), m_me->certificate().toDer(), QStringLiteral("me")};
    }
    QStringList texts(const QString &group) const
    {
        QStringList out;
        for (const ChatMessage &m : m_store->conversation(group)) {
            if (m.kind == MessageKind::Text)
                out.append(m.text);
        }
        return out;
    }
    void deliver(const Actor &from, const Protocol::Message &message)
    {
        m_net->receive(from.id(), message);
        m_store->flush();
    }

private Q_SLOTS:
    void init()
    {
        m_me = std::make_unique<Identity>(newIdentity());
        m_store = std::make_unique<MessageStore>();
        QString error;
        QVERIFY2(m_store->open(QStringLiteral(":memory:"), &error), qPrintable(error));
        m_net = std::make_unique<FakeTransport>();
        m_service = std::make_unique<GroupService>(*m_net, *m_store, *m_me);
        m_service->load();
        m_dispatcher.on(m_service.get(), &GroupService::onMessage);
        m_dispatcher.on(m_service.get(), &GroupService::onPage);
        m_dispatcher.on(m_service.get(), &GroupService::onSync);
        m_dispatcher.on(m_service.get(), &GroupService::onPull);
        m_dispatcher.on(m_service.get(), &GroupService::onReceipt);
        connect(m_net.get(),
                &Transport::messageReceived,
                m_service.get(),
                [this](const QString &peerId, const Protocol::Message &message) {
                    m_dispatcher.dispatch(peerId, message);
                });
        m_alice = std::make_unique<Actor>(newIdentity());
        m_bob = std::make_unique<Actor>(newIdentity());
        m_carol = std::make_unique<Actor>(newIdentity());
        m_mallory = std::make_unique<Actor>(newIdentity());
        for (const Actor *a : {m_alice.get(), m_bob.get(), m_carol.get(), m_mallory.get()})
            m_net->connectPeer(a->id());
        // Alice's group of Alice, Bob, Carol and us.
        deliver(*m_alice,
                m_alice->create(0,
                                {m_alice->member(), m_bob->member(), m_carol->member(), me()},
                                &m_group));
        QVERIFY(m_service->state(m_group));
    }
    void cleanup()
    {
        m_service.reset();
        m_store.reset();
        m_net.reset();
    }

    // Bob writes one message with the highest clock the codec allows. Taken, every message
    // written after it would take a clock one higher, which every member refuses as malformed:
    // the group would fall silent for good. A clock may move at most 2^32 past its author's
    // last: refused, and the group goes on.
    void aClockAtTheLimitDoesNotSilenceTheGroup()
    {
        deliver(*m_bob, m_bob->text(m_group, QStringLiteral("poison"), Groups::MaxCounter));
        QCOMPARE(texts(m_group), QStringList());
        QString error;
        QVERIFY2(m_service->send(m_group, QStringLiteral("after"), &error), qPrintable(error));
        m_store->flush();
        const auto sent = m_net->sentOf<Protocol::GroupMessage>(m_alice->id());
        QVERIFY(!sent.isEmpty());
        const auto body = Groups::decode(sent.last().body, &error);
        QVERIFY2(body, qPrintable(QStringLiteral("Alice cannot take our next message: ") + error));
    }

    // A stranger who names us in 255 groups of its own takes 32 slots (MaxGroupsPerOwner),
    // never every one: we can still create a group.
    void aStrangerCannotTakeEveryGroupSlot()
    {
        for (int n = 1; n < Groups::MaxGroups; ++n) {
            QString g;
            m_net->receive(m_mallory->id(), m_mallory->create(n, {m_mallory->member(), me()}, &g));
        }
        m_store->flush();
        QString error;
        QVERIFY2(m_service->create(QStringLiteral("mine"), {}, &error), qPrintable(error));
        int owned = 0;
        for (const QString &g : m_store->groupIds())
            owned += m_service->state(g) && m_service->state(g)->owner() == m_mallory->id();
        QCOMPARE(owned, int(Groups::MaxGroupsPerOwner));
    }

    // A member signs receipts "for" authors that do not exist: each one is a row kept for
    // ever, in memory and on disk. Only receipts about the group's (former) members are kept.
    void receiptsAboutNonMembersAreNotKept()
    {
        for (int i = 0; i < 50; ++i) {
            Groups::ReceiptBody r;
            r.group = m_group;
            r.member = m_bob->id();
            r.author = QString::fromLatin1(
                QCryptographicHash::hash(QByteArray::number(i), QCryptographicHash::Sha256).toHex());
            r.delivered = 1;
            r.sentAt = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), Qt::UTC);
            const QByteArray body = Groups::encodeReceipt(r);
            m_net->receive(m_bob->id(), Protocol::GroupReceipt{body, m_bob->signer->sign(body)});
        }
        m_store->flush();
        for (const GroupReceiptRecord &r : m_store->groupReceipts(m_group))
            QVERIFY2(m_service->state(m_group)->wasMember(r.author), qPrintable(r.author));
    }

    // Carol adds Dave; Dave's first message reaches us before her add does (two connections,
    // no order between them) and is refused: not a member yet. Her add then comes, and nothing
    // asks for Dave's message again until a chat stream came up anew: now Dave is asked.
    void aMessageRefusedBeforeItsAuthorsAddIsAskedForAgain()
    {
        Actor dave(newIdentity());
        m_net->connectPeer(dave.id());
        Body add;
        add.kind = Kind::Add;
        add.members = {dave.member()};
        const auto added = m_carol->write(m_group, add, 2);
        deliver(dave, dave.text(m_group, QStringLiteral("hi"), 3));
        QCOMPARE(texts(m_group), QStringList());
        deliver(*m_carol, added);
        QVERIFY(m_service->state(m_group)->isMember(dave.id()));
        QVERIFY(!m_net->sentOf<Protocol::GroupPull>(dave.id()).isEmpty()
                || !m_net->sentOf<Protocol::GroupPull>(m_carol->id()).isEmpty());
    }

    // Bob, removed while away, comes back: we tell him there is more (so he pulls, and learns
    // of his removal) but nothing of what was said after it.
    void aFormerMemberIsToldOnlyUpToItsRemoval()
    {
        m_net->disconnectPeer(m_bob->id());
        Body rm;
        rm.kind = Kind::Remove;
        rm.removed.append({m_bob->id(), 0});
        deliver(*m_alice, m_alice->write(m_group, rm, 2));
        deliver(*m_alice, m_alice->text(m_group, QStringLiteral("after"), 3));
        m_net->connectPeer(m_bob->id());
        const auto syncs = m_net->sentOf<Protocol::GroupSync>(m_bob->id());
        QCOMPARE(syncs.size(), 1);
        QCOMPARE(syncs.first().heads.value(m_alice->id()), 2);
    }
};

QTEST_GUILESS_MAIN(tst_GroupsHostile)
#include "tst_groupshostile.moc"
