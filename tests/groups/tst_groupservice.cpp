// SPDX-License-Identifier: GPL-3.0-or-later
// The groups service against a fake network (docs/groups.md, rules 2 to 5): what it accepts,
// what it refuses (and that the group goes on), catch-up, the pull budget, receipts.
#include "faketransport.h"
#include "groupactor.h"
#include "groups/grouplimits.h"
#include "groups/groupservice.h"
#include "identity/identity.h"
#include "identity/signer.h"
#include "net/dispatcher.h"
#include "storage/messagestore.h"

#include <QCborMap>
#include <QCborValue>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using Groups::Body;
using Groups::Kind;

class tst_GroupService : public QObject
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

    // Alice's group of Alice, Bob, Carol and us, as her create reaches us live.
    void aliceCreates()
    {
        Body c;
        c.kind = Kind::Create;
        c.name = QStringLiteral("Team");
        c.nonce = QByteArray(16, '\x01');
        c.members = {m_alice->member(),
                     m_bob->member(),
                     m_carol->member(),
                     Groups::Member{m_me->id(), m_me->certificate().toDer(), QStringLiteral("me")}};
        m_group = Groups::groupIdFor(m_alice->id(), c.nonce);
        m_net->receive(m_alice->id(), m_alice->write(m_group, c, 1));
        m_store->flush();
        QVERIFY(m_service->state(m_group));
    }
    // The texts of the group's conversation, in order.
    QStringList texts() const
    {
        QStringList out;
        for (const ChatMessage &m : m_store->conversation(m_group)) {
            if (m.kind == MessageKind::Text)
                out.append(m.text);
        }
        return out;
    }
    qint64 headOf(const Actor &a) const { return m_service->heads(m_group).value(a.id()); }
    void deliver(const Actor &from, const Protocol::GroupMessage &message)
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
        // As Messenger registers them.
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
        m_net->connectPeer(m_alice->id());
        m_net->connectPeer(m_bob->id());
        m_net->connectPeer(m_carol->id());
        aliceCreates();
    }
    void cleanup()
    {
        m_service.reset();
        m_store.reset();
        m_net.reset();
    }

    void acceptsAndAcknowledgesToTheAuthor()
    {
        const GroupState *s = m_service->state(m_group);
        QCOMPARE(s->owner(), m_alice->id());
        QCOMPARE(s->members().size(), 4);
        deliver(*m_alice, m_alice->text(m_group, QStringLiteral("hello"), 2));
        QCOMPARE(texts(), QStringList{QStringLiteral("hello")});
        const auto rows = m_store->conversation(m_group);
        QCOMPARE(rows.last().author, m_alice->id());
        QCOMPARE(rows.last().id, Groups::messageId(m_group, m_alice->id(), 2));
        // Receipt to the author, signed by us, for 1..2.
        const auto receipts = m_net->sentOf<Protocol::GroupReceipt>(m_alice->id());
        QVERIFY(!receipts.isEmpty());
        QString error;
        const auto r = Groups::decodeReceipt(receipts.last().body, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->member, m_me->id());
        QCOMPARE(r->author, m_alice->id());
        QCOMPARE(r->delivered, 2);
        Verifier v;
        QVERIFY(v.verify(m_me->certificate().toDer(), receipts.last().body, receipts.last().sig));
    }

    void forgedSignatureIsRefused()
    {
        // Bob signs a body that says Alice wrote it.
        Actor forger(m_alice->identity);
        forger.seq = m_alice->seq;
        forger.link = m_alice->link;
        Body b;
        b.text = QStringLiteral("forged");
        deliver(*m_bob, forger.write(m_group, b, 2, m_bob->signer.get()));
        QVERIFY(texts().isEmpty());
        QCOMPARE(headOf(*m_alice), 1);
        // The group goes on: Alice's real message 2 is taken.
        deliver(*m_alice, m_alice->text(m_group, QStringLiteral("real"), 2));
        QCOMPARE(texts(), QStringList{QStringLiteral("real")});
    }

    // --- Group replies (issue 15) ---
    void replyKeyIsKeptOrRefusesTheBody()
    {
        // A reply to a message this member does not hold: kept, quoting it (the window then
        // says "Original message not available").
        Body reply;
        reply.kind = Kind::Text;
        reply.text = QStringLiteral("as Bob said");
        reply.replyTo = Groups::messageId(m_group, m_bob->id(), 7);
        deliver(*m_alice, m_alice->write(m_group, reply, 2));
        QCOMPARE(texts(), QStringList{reply.text});
        QCOMPARE(m_store->conversation(m_group).last().replyTo, reply.replyTo);
        // Signed by its author, but "re" is not a canonical UUID: refused whole.
        Body bad;
        bad.kind = Kind::Text;
        bad.text = QStringLiteral("bad quote");
        bad.group = m_group;
        bad.author = m_alice->id();
        bad.seq = m_alice->seq + 1;
        bad.lc = 3;
        bad.prev = m_alice->link;
        bad.sentAt = QDateTime::currentDateTimeUtc();
        QCborMap map = QCborValue::fromCbor(Groups::encode(bad)).toMap();
        map.insert(QStringLiteral("re"), reply.replyTo.toString()); // with braces
        const QByteArray bytes = map.toCborValue().toCbor();
        deliver(*m_alice, Protocol::GroupMessage{bytes, m_alice->signer->sign(bytes)});
        QCOMPARE(texts(), QStringList{reply.text});
        QCOMPARE(headOf(*m_alice), 2);
        // The group goes on: Alice's real message 3 is taken.
        deliver(*m_alice, m_alice->text(m_group, QStringLiteral("next"), 3));
        QCOMPARE(texts(), (QStringList{reply.text, QStringLiteral("next")}));
        QVERIFY(m_store->conversation(m_group).last().replyTo.isNull());
    }
    // --- end group replies ---

    void replayIsDroppedOnce()
    {
        const auto m = m_alice->text(m_group, QStringLiteral("once"), 2);
        deliver(*m_alice, m);
        const qsizetype receipts = m_net->sentOf<Protocol::GroupReceipt>(m_alice->id()).size();
        deliver(*m_alice, m);
        deliver(*m_carol, m); // relayed by another member: the same (group, author, seq)
        QCOMPARE(texts(), QStringList{QStringLiteral("once")});
        QCOMPARE(m_net->sentOf<Protocol::GroupReceipt>(m_alice->id()).size(), receipts);
    }

    void removedMemberIsRefusedAfterItsCut()
    {
        deliver(*m_bob, m_bob->text(m_group, QStringLiteral("bob 1"), 2));
        Body r;
        r.kind = Kind::Remove;
        r.removed = {{m_bob->id(), 1}};
        deliver(*m_alice, m_alice->write(m_group, r, 3));
        QVERIFY(!m_service->state(m_group)->isMember(m_bob->id()));
        deliver(*m_bob, m_bob->text(m_group, QStringLiteral("bob 2"), 4));
        QCOMPARE(texts(), QStringList{QStringLiteral("bob 1")});
        QCOMPARE(headOf(*m_bob), 1);
        // The group goes on.
        deliver(*m_carol, m_carol->text(m_group, QStringLiteral("carol"), 5));
        QCOMPARE(texts(), (QStringList{QStringLiteral("bob 1"), QStringLiteral("carol")}));
    }

    void memberCannotRelayANonMembersMessage()
    {
        // Mallory signs her own message for the group; Carol passes it on.
        deliver(*m_carol, m_mallory->text(m_group, QStringLiteral("intruder"), 2));
        QVERIFY(texts().isEmpty());
        QVERIFY(!m_service->heads(m_group).contains(m_mallory->id()));
        // Carol passing on Alice's real message is fine: its signature is Alice's.
        deliver(*m_carol, m_alice->text(m_group, QStringLiteral("via carol"), 2));
        QCOMPARE(texts(), QStringList{QStringLiteral("via carol")});
    }

    void unknownGroupIsNotKept()
    {
        Actor stranger(newIdentity());
        m_net->connectPeer(stranger.id());
        Body c;
        c.kind = Kind::Create;
        c.name = QStringLiteral("Not ours");
        c.nonce = QByteArray(16, '\x02');
        c.members = {stranger.member()};
        const QString other = Groups::groupIdFor(stranger.id(), c.nonce);
        const auto create = stranger.write(other, c, 1);
        deliver(stranger, create); // a create that does not name us: we only ask what there is
        QVERIFY(!m_service->state(other));
        QCOMPARE(m_store->conversation(other).size(), 0);
        const auto pulls = m_net->sentOf<Protocol::GroupPull>(stranger.id());
        QCOMPARE(pulls.size(), 1);
        QVERIFY(pulls.first().heads.isEmpty());
        // Its answer shows a group that never named us: out of sight.
        Protocol::GroupPage page;
        page.group = other;
        page.messages = {{create.body, create.sig}};
        m_net->receive(stranger.id(), page);
        m_store->flush();
        QVERIFY(!m_service->groupIds().contains(other));
        QVERIFY(!m_service->state(other));
    }

    void gapIsPulledFromTheSender()
    {
        m_alice->text(m_group, QStringLiteral("lost"), 2); // never reaches us
        deliver(*m_alice, m_alice->text(m_group, QStringLiteral("third"), 3));
        QVERIFY(texts().isEmpty());
        const auto pulls = m_net->sentOf<Protocol::GroupPull>(m_alice->id());
        QCOMPARE(pulls.size(), 1);
        QCOMPARE(pulls.first().group, m_group);
        QCOMPARE(pulls.first().heads.value(m_alice->id()), 1);
    }

    void pageIsCheckedWithOneSignaturePerAuthor()
    {
        // Bob's three and Carol's two, interleaved in Lamport order, arrive in a page.
        Protocol::GroupPage page;
        page.group = m_group;
        qint64 lc = 1;
        for (int i = 0; i < 3; ++i) {
            const auto b = m_bob->text(m_group, QStringLiteral("b%1").arg(i), ++lc);
            page.messages.append({b.body, b.sig});
            if (i < 2) {
                const auto c = m_carol->text(m_group, QStringLiteral("c%1").arg(i), ++lc);
                page.messages.append({c.body, c.sig});
            }
        }
        Protocol::GroupSync sync{m_group, {{m_bob->id(), 3}, {m_carol->id(), 2}}};
        m_net->receive(m_carol->id(), sync);
        QCOMPARE(m_net->sentOf<Protocol::GroupPull>(m_carol->id()).size(), 1);
        m_net->receive(m_carol->id(), page);
        m_store->flush();
        QCOMPARE(texts(),
                 (QStringList{QStringLiteral("b0"),
                              QStringLiteral("c0"),
                              QStringLiteral("b1"),
                              QStringLiteral("c1"),
                              QStringLiteral("b2")}));
    }

    void pageWhoseLastSignatureFailsIsRefusedWhole()
    {
        Protocol::GroupPage page;
        page.group = m_group;
        const auto b1 = m_bob->text(m_group, QStringLiteral("b1"), 2);
        const auto b2 = m_bob->text(m_group, QStringLiteral("b2"), 3);
        page.messages = {{b1.body, b1.sig}, {b2.body, QByteArray(b2.sig).replace(8, 1, "\x55")}};
        const auto c1 = m_carol->text(m_group, QStringLiteral("c1"), 4);
        page.messages.append({c1.body, c1.sig});
        m_net->receive(m_carol->id(), Protocol::GroupSync{m_group, {{m_bob->id(), 2}}});
        m_net->receive(m_carol->id(), page);
        m_store->flush();
        // Bob's run ends in a bad signature: none of it is kept. Carol's run stands.
        QCOMPARE(texts(), QStringList{QStringLiteral("c1")});
        QCOMPARE(headOf(*m_bob), 0);
    }

    void unaskedPageIsIgnored()
    {
        Protocol::GroupPage page;
        page.group = m_group;
        const auto b1 = m_bob->text(m_group, QStringLiteral("b1"), 2);
        page.messages = {{b1.body, b1.sig}};
        m_net->receive(m_bob->id(), page);
        m_store->flush();
        QVERIFY(texts().isEmpty());
    }

    void servesPagesAndLimitsPulls()
    {
        for (int i = 0; i < 5; ++i)
            deliver(*m_alice, m_alice->text(m_group, QString::number(i), 2 + i));
        // A member asks: served, in Lamport order, from its heads.
        m_net->receive(m_bob->id(), Protocol::GroupPull{m_group, {{m_alice->id(), 3}}});
        const auto pages = m_net->sentOf<Protocol::GroupPage>(m_bob->id());
        QCOMPARE(pages.size(), 1);
        QCOMPARE(pages.first().messages.size(), 3); // Alice's 4, 5, 6
        QVERIFY(!pages.first().more);
        // A flood: at most MaxPullsPerSecond of them served (one is spent above).
        for (int i = 0; i < 20; ++i)
            m_net->receive(m_bob->id(), Protocol::GroupPull{m_group, {}});
        QVERIFY(m_net->sentOf<Protocol::GroupPage>(m_bob->id()).size() <= Groups::MaxPullsPerSecond);
        // A non-member gets nothing.
        m_net->connectPeer(m_mallory->id());
        m_net->receive(m_mallory->id(), Protocol::GroupPull{m_group, {}});
        QVERIFY(m_net->sentOf<Protocol::GroupPage>(m_mallory->id()).isEmpty());
        // The group goes on.
        deliver(*m_carol, m_carol->text(m_group, QStringLiteral("after"), 10));
        QCOMPARE(texts().last(), QStringLiteral("after"));
    }

    void formerMemberGetsOnlyUpToItsRemoval()
    {
        deliver(*m_alice, m_alice->text(m_group, QStringLiteral("before"), 2));
        Body r;
        r.kind = Kind::Remove;
        r.removed = {{m_bob->id(), 0}};
        deliver(*m_alice, m_alice->write(m_group, r, 3));
        deliver(*m_alice, m_alice->text(m_group, QStringLiteral("after"), 4));
        // Bob was away: he pulls, and learns of his removal, but not what followed it.
        m_net->receive(m_bob->id(), Protocol::GroupPull{m_group, {}});
        const auto pages = m_net->sentOf<Protocol::GroupPage>(m_bob->id());
        QCOMPARE(pages.size(), 1);
        QCOMPARE(pages.first().messages.size(), 3); // create, "before", the remove
        QVERIFY(!pages.first().more);
        // A stranger gets nothing at all.
        m_net->connectPeer(m_mallory->id());
        m_net->receive(m_mallory->id(), Protocol::GroupPull{m_group, {}});
        QVERIFY(m_net->sentOf<Protocol::GroupPage>(m_mallory->id()).isEmpty());
    }

    void catchUpPagesUntilDone()
    {
        // Bob has more than a page of Alice's messages; we pull until "more" is false.
        QList<Protocol::GroupMessage> all;
        for (int i = 0; i < Groups::MaxPageMessages + 10; ++i)
            all.append(m_alice->text(m_group, QString::number(i), 2 + i));
        m_net->receive(m_bob->id(), Protocol::GroupSync{m_group, {{m_alice->id(), m_alice->seq}}});
        Protocol::GroupPage first{m_group, {}, true};
        for (int i = 0; i < Groups::MaxPageMessages; ++i)
            first.messages.append({all.at(i).body, all.at(i).sig});
        m_net->receive(m_bob->id(), first);
        QCOMPARE(m_net->sentOf<Protocol::GroupPull>(m_bob->id()).size(), 1); // not before commit
        // Taken a slice per pass of the event loop, committed, then pulled again.
        QTRY_COMPARE(m_net->sentOf<Protocol::GroupPull>(m_bob->id()).size(), 2);
        const auto pulls = m_net->sentOf<Protocol::GroupPull>(m_bob->id());
        QCOMPARE(pulls.last().heads.value(m_alice->id()), 1 + Groups::MaxPageMessages);
        Protocol::GroupPage second{m_group, {}, false};
        for (int i = Groups::MaxPageMessages; i < all.size(); ++i)
            second.messages.append({all.at(i).body, all.at(i).sig});
        m_net->receive(m_bob->id(), second);
        m_store->flush();
        QTRY_COMPARE(texts().size(), all.size());
        QCOMPARE(m_net->sentOf<Protocol::GroupPull>(m_bob->id()).size(), 2);
        QVERIFY2(m_service->longestAcceptUs() > 0, "measured");
        qInfo() << "longest slice check:" << m_service->longestAcceptUs() << "us for"
                << GroupService::SliceMessages << "messages";
    }

    void pullLostWithAReplacedStreamIsAskedAgain()
    {
        // Bob has a message of Alice's we lack: we pull it of him.
        const auto missed = m_alice->text(m_group, QStringLiteral("missed"), 2);
        m_net->receive(m_bob->id(), Protocol::GroupSync{m_group, {{m_alice->id(), 2}}});
        QCOMPARE(m_net->sentOf<Protocol::GroupPull>(m_bob->id()).size(), 1);
        // Both ends dialled at once: the new stream replaces the old, no disconnect between,
        // and the page on the old one is lost. Bob's sync on the new one is pulled again.
        m_net->connectPeer(m_bob->id());
        m_net->receive(m_bob->id(), Protocol::GroupSync{m_group, {{m_alice->id(), 2}}});
        QCOMPARE(m_net->sentOf<Protocol::GroupPull>(m_bob->id()).size(), 2);
        m_net->receive(m_bob->id(),
                       Protocol::GroupPage{m_group, {{missed.body, missed.sig}}, false});
        m_store->flush();
        QCOMPARE(texts(), QStringList{QStringLiteral("missed")});
    }

    void receiptsAreRelayedAndPassedOn()
    {
        deliver(*m_alice, m_alice->text(m_group, QStringLiteral("a"), 2));
        m_net->disconnectPeer(m_alice->id());
        // Bob's receipt for Alice's messages, relayed to us while Alice is away.
        Groups::ReceiptBody r{m_group,
                              m_bob->id(),
                              m_alice->id(),
                              2,
                              1,
                              QDateTime::currentDateTimeUtc()};
        const QByteArray body = Groups::encodeReceipt(r);
        const Protocol::GroupReceipt receipt{body, m_bob->signer->sign(body)};
        m_net->receive(m_bob->id(), receipt);
        // A forged one (Carol signs for Bob) is not kept.
        Groups::ReceiptBody forged = r;
        forged.delivered = 2;
        forged.read = 2;
        const QByteArray fb = Groups::encodeReceipt(forged);
        m_net->receive(m_carol->id(), Protocol::GroupReceipt{fb, m_carol->signer->sign(fb)});
        m_store->flush();
        m_net->sent.clear();
        m_net->connectPeer(m_alice->id());
        const auto passed = m_net->sentOf<Protocol::GroupReceipt>(m_alice->id());
        QVERIFY(passed.contains(receipt));
        QVERIFY(!passed.contains(Protocol::GroupReceipt{fb, m_carol->signer->sign(fb)}));
        for (const auto &p : passed) {
            const auto decoded = Groups::decodeReceipt(p.body, nullptr);
            QVERIFY(decoded);
            QVERIFY(decoded->member != m_bob->id() || decoded->read == 1);
        }
        // And the gsync, so that Alice catches up.
        QCOMPARE(m_net->sentOf<Protocol::GroupSync>(m_alice->id()).size(), 1);
    }

    void ownMessageGoesLiveAndReportsDeliveries()
    {
        QSignalSpy deliveries(m_service.get(), &GroupService::deliveryChanged);
        QString error;
        const auto id = m_service->send(m_group, QStringLiteral("mine"), &error);
        QVERIFY2(id, qPrintable(error));
        // Nothing leaves before it is on disk.
        QVERIFY(m_net->sentOf<Protocol::GroupMessage>(m_bob->id()).isEmpty());
        m_store->flush();
        QCOMPARE(m_net->sentOf<Protocol::GroupMessage>(m_bob->id()).size(), 1);
        QCOMPARE(m_net->sentOf<Protocol::GroupMessage>(m_carol->id()).size(), 1);
        QCOMPARE(m_service->deliveries(*id).size(), 3);
        for (const GroupDelivery &d : m_service->deliveries(*id))
            QCOMPARE(d.state, MessageState::Queued);
        // Bob holds it and has read it.
        Groups::ReceiptBody r{m_group,
                              m_bob->id(),
                              m_me->id(),
                              1,
                              1,
                              QDateTime::currentDateTimeUtc()};
        const QByteArray body = Groups::encodeReceipt(r);
        m_net->receive(m_bob->id(), Protocol::GroupReceipt{body, m_bob->signer->sign(body)});
        QCOMPARE(deliveries.size(), 1);
        QCOMPARE(deliveries.first().at(0).toUuid(), *id);
        const auto states = m_service->deliveries(*id);
        for (const GroupDelivery &d : states)
            QCOMPARE(d.state, d.member == m_bob->id() ? MessageState::Read : MessageState::Queued);
        // What a member signs is checked as the others' messages are.
        Verifier v;
        const auto sent = m_net->sentOf<Protocol::GroupMessage>(m_bob->id()).first();
        QVERIFY(v.verify(m_me->certificate().toDer(), sent.body, sent.sig));
    }

    // As in 1:1: a member who lacks our messages is wanted (the dialer reaches it) until its
    // receipt says it has them.
    void aMemberLackingOurMessagesIsWantedUntilItHasThem()
    {
        QSignalSpy wanted(m_service.get(), &GroupService::peerWanted);
        QString error;
        QVERIFY2(m_service->send(m_group, QStringLiteral("one"), &error), qPrintable(error));
        m_store->flush();
        const auto lastFor = [&](const QString &peer) -> std::optional<bool> {
            std::optional<bool> last;
            for (const QList<QVariant> &args : std::as_const(wanted)) {
                if (args.at(0).toString() == peer)
                    last = args.at(1).toBool();
            }
            return last;
        };
        QCOMPARE(lastFor(m_bob->id()), std::optional<bool>(true));
        const qint64 mine = m_store->groupHeads(m_group).value(m_me->id()).seq;
        Groups::ReceiptBody r{m_group,
                              m_bob->id(),
                              m_me->id(),
                              mine,
                              0,
                              QDateTime::currentDateTimeUtc()};
        const QByteArray body = Groups::encodeReceipt(r);
        m_net->receive(m_bob->id(), Protocol::GroupReceipt{body, m_bob->signer->sign(body)});
        QCOMPARE(lastFor(m_bob->id()), std::optional<bool>(false));
    }

    void receiptClaimingMoreThanWeWroteIsRefused()
    {
        QString error;
        const auto id = m_service->send(m_group, QStringLiteral("one"), &error);
        QVERIFY2(id, qPrintable(error));
        m_store->flush();
        QSignalSpy deliveries(m_service.get(), &GroupService::deliveryChanged);
        // Bob signs that he holds a billion of our messages: refused (he can hold only what we
        // sent), and what we write next is not shown delivered to him before he has it.
        Groups::ReceiptBody r{m_group,
                              m_bob->id(),
                              m_me->id(),
                              1'000'000'000,
                              0,
                              QDateTime::currentDateTimeUtc()};
        const QByteArray body = Groups::encodeReceipt(r);
        m_net->receive(m_bob->id(), Protocol::GroupReceipt{body, m_bob->signer->sign(body)});
        QCOMPARE(deliveries.size(), 0);
        const auto next = m_service->send(m_group, QStringLiteral("two"), &error);
        QVERIFY2(next, qPrintable(error));
        m_store->flush();
        for (const GroupDelivery &d : m_service->deliveries(*next)) {
            if (d.member == m_bob->id())
                QCOMPARE(d.state, MessageState::Queued);
        }
    }

    void ownReceiptsAreCheckedOnlyWhenRelayed()
    {
        QString error;
        const auto id = m_service->send(m_group, QStringLiteral("one"), &error);
        QVERIFY2(id, qPrintable(error));
        m_store->flush();
        QSignalSpy deliveries(m_service.get(), &GroupService::deliveryChanged);
        auto stateOf = [&](const Actor &member) {
            for (const GroupDelivery &d : m_service->deliveries(*id)) {
                if (d.member == member.id())
                    return d.state;
            }
            return MessageState::Failed;
        };
        auto receiptOf = [&](const Actor &member, const Actor &signedBy) {
            const QByteArray body = Groups::encodeReceipt(Groups::ReceiptBody{
                m_group, member.id(), m_me->id(), 1, 0, QDateTime::currentDateTimeUtc()});
            return Protocol::GroupReceipt{body, signedBy.signer->sign(body)};
        };
        // Carol relays a receipt of Bob's that she signed herself: refused.
        m_net->receive(m_carol->id(), receiptOf(*m_bob, *m_carol));
        QCOMPARE(deliveries.size(), 0);
        QCOMPARE(stateOf(*m_bob), MessageState::Queued);
        // Bob's own, on his own stream: his TLS certificate says who sent it, so even a bad
        // signature does not matter (we never pass receipts about our messages on).
        m_net->receive(m_bob->id(), receiptOf(*m_bob, *m_carol));
        QCOMPARE(deliveries.size(), 1);
        QCOMPARE(stateOf(*m_bob), MessageState::Delivered);
        // And it goes nowhere, not even to a member who connects later.
        m_net->sent.clear();
        m_net->disconnectPeer(m_carol->id());
        m_net->connectPeer(m_carol->id());
        QVERIFY(m_net->sentOf<Protocol::GroupReceipt>(m_carol->id()).isEmpty());
        // Bob's receipt about Alice's messages, even on his own stream, is passed on to her:
        // checked, and refused with a bad signature.
        const QByteArray body = Groups::encodeReceipt(Groups::ReceiptBody{
            m_group, m_bob->id(), m_alice->id(), 1, 0, QDateTime::currentDateTimeUtc()});
        m_net->receive(m_bob->id(), Protocol::GroupReceipt{body, m_carol->signer->sign(body)});
        QVERIFY(m_net->sentOf<Protocol::GroupReceipt>(m_alice->id()).isEmpty());
        m_net->receive(m_bob->id(), Protocol::GroupReceipt{body, m_bob->signer->sign(body)});
        QCOMPARE(m_net->sentOf<Protocol::GroupReceipt>(m_alice->id()).size(), 1);
    }

    void liveMessagesAndReceiptsAskTheHistoryNothing()
    {
        // Every member takes every message of the group, and the author every member's
        // receipt: none of it may cost a read of the history.
        const qint64 reads = m_store->readCount();
        m_net->sent.clear();
        for (int i = 0; i < 20; ++i)
            deliver(*m_alice, m_alice->text(m_group, QString::number(i), 2 + i));
        QCOMPARE(headOf(*m_alice), 21);
        QCOMPARE(m_net->sentOf<Protocol::GroupReceipt>(m_alice->id()).size(), 20);
        QString error;
        for (int i = 0; i < 20; ++i) {
            QVERIFY2(m_service->send(m_group, QString::number(i), &error), qPrintable(error));
            m_store->flush();
            for (const Actor *member : {m_bob.get(), m_carol.get()}) {
                const QByteArray body = Groups::encodeReceipt(Groups::ReceiptBody{
                    m_group, member->id(), m_me->id(), i + 1, 0, QDateTime::currentDateTimeUtc()});
                m_net->receive(member->id(),
                               Protocol::GroupReceipt{body, member->signer->sign(body)});
            }
        }
        m_store->flush();
        QCOMPARE(m_net->sentOf<Protocol::GroupMessage>(m_bob->id()).size(), 20);
        QCOMPARE(m_store->readCount(), reads);
    }

    void madeUpGroupsGetAFewPulls()
    {
        for (int i = 0; i < 100; ++i) {
            QString group = QString::number(i, 16).rightJustified(32, u'0');
            m_net->receive(m_mallory->id(), Protocol::GroupSync{group, {}});
        }
        QVERIFY(m_net->sentOf<Protocol::GroupPull>(m_mallory->id()).isEmpty()); // not connected
        m_net->connectPeer(m_mallory->id());
        for (int i = 0; i < 100; ++i) {
            QString group = QString::number(i, 16).rightJustified(32, u'0');
            m_net->receive(m_mallory->id(), Protocol::GroupSync{group, {}});
        }
        QCOMPARE(m_net->sentOf<Protocol::GroupPull>(m_mallory->id()).size(),
                 GroupService::MaxUnknownPulls);
        // The group goes on.
        deliver(*m_alice, m_alice->text(m_group, QStringLiteral("still"), 2));
        QCOMPARE(texts(), QStringList{QStringLiteral("still")});
    }

    void membershipCommands()
    {
        QString error;
        // Only the owner removes.
        QVERIFY(!m_service->remove(m_group, m_bob->id(), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(m_service->rename(m_group, QStringLiteral("Renamed"), &error));
        QCOMPARE(m_service->state(m_group)->name(), QStringLiteral("Renamed"));
        QVERIFY(!m_service->rename(m_group, QString(Groups::MaxNameLength + 1, u'x'), &error));
        QVERIFY(m_service->leave(m_group, &error));
        QVERIFY(!m_service->state(m_group)->isMember(m_me->id()));
        QVERIFY(!m_service->send(m_group, QStringLiteral("gone"), &error));
        m_store->flush();
        // The others were told.
        QCOMPARE(m_net->sentOf<Protocol::GroupMessage>(m_alice->id()).size(), 2);
    }

    void restartKeepsTheGroup()
    {
        deliver(*m_alice, m_alice->text(m_group, QStringLiteral("kept"), 2));
        QString error;
        QVERIFY(m_service->send(m_group, QStringLiteral("mine"), &error));
        m_store->flush();
        GroupService again(*m_net, *m_store, *m_me);
        again.load();
        QVERIFY(again.state(m_group));
        QCOMPARE(again.state(m_group)->members(), m_service->state(m_group)->members());
        QCOMPARE(again.heads(m_group), m_service->heads(m_group));
        QVERIFY(again.send(m_group, QStringLiteral("next"), &error));
    }
};

QTEST_GUILESS_MAIN(tst_GroupService)
#include "tst_groupservice.moc"
