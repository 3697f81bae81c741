// SPDX-License-Identifier: GPL-3.0-or-later
// Carried delivery (issue 16), store and forward (docs/protocol.md, "Hold"): Courier's depositor,
// helper and recipient over the fake net (tests/common/carrynet.h), with a small inbox standing
// in for the services (stores a chat once by its ID, acknowledges after "committing", on the
// next pass of the event loop, as the real inbox does).
#include "carrynet.h"

#include "relay/envelope.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

enum Node { Alice, Bob, Carol, Dave };

// The services of one node, as far as carried delivery sees them.
class TestInbox final : public QObject
{
public:
    explicit TestInbox(Courier &courier)
        : m_courier(courier)
    {
        connect(&courier,
                &Transport::messageReceived,
                this,
                [this](const QString &from, const Protocol::Message &message, StreamKind) {
                    received.append({from, message});
                    if (const auto *chat = std::get_if<Protocol::Chat>(&message)) {
                        if (!m_stored.contains(chat->id)) {
                            m_stored.insert(chat->id);
                            chats.append({from, *chat});
                        }
                        if (ackChats) {
                            const QUuid id = chat->id;
                            // Acknowledged once on disk: a later pass, as Inbox::onCommitted.
                            QTimer::singleShot(0, this, [this, from, id] {
                                m_courier.send(from, Protocol::Ack{id});
                            });
                        }
                    } else if (const auto *ack = std::get_if<Protocol::Ack>(&message)) {
                        acks.append({from, ack->id});
                    }
                });
    }

    QList<QPair<QString, Protocol::Message>> received;
    QList<QPair<QString, Protocol::Chat>> chats; // stored, each ID once
    QList<QPair<QString, QUuid>> acks;
    bool ackChats = true;

    int chatsReceived() const
    {
        int n = 0;
        for (const auto &r : received)
            n += std::holds_alternative<Protocol::Chat>(r.second) ? 1 : 0;
        return n;
    }

private:
    Courier &m_courier;
    QSet<QUuid> m_stored;
};

QList<Protocol::Chat> makeChats(int n, const QString &prefix = QStringLiteral("hello"))
{
    QList<Protocol::Chat> out;
    const QDateTime t = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < n; ++i)
        out.append(Protocol::Chat(QUuid::createUuid(), t.addMSecs(i), prefix + QString::number(i)));
    return out;
}

// Only carried-delivery types in what a node's transport saw: no chat, ack or read in clear.
bool onlyCarryTypes(const QList<CarryNetTransport::Frame> &frames)
{
    for (const auto &f : frames) {
        if (std::holds_alternative<Protocol::Chat>(f.message)
            || std::holds_alternative<Protocol::Ack>(f.message)
            || std::holds_alternative<Protocol::Read>(f.message))
            return false;
    }
    return true;
}

template<typename T>
QList<T> framesOf(const QList<CarryNetTransport::Frame> &frames, const QString &peer = {})
{
    QList<T> out;
    for (const auto &f : frames) {
        if ((peer.isEmpty() || f.peerId == peer) && std::holds_alternative<T>(f.message))
            out.append(std::get<T>(f.message));
    }
    return out;
}

int heldFor(CarryNet &net, int helper, int recipient)
{
    int n = 0;
    const QList<CarryStore::HeldEnvelope> held = net.node(helper).store.heldSummary();
    for (const auto &h : held)
        n += h.recipient == net.id(recipient) ? 1 : 0;
    return n;
}

} // namespace

class tst_CourierHold : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hundredHeldThenDeliveredInOrder();
    void windowOfDelivery();
    void twoHelpersOneCopy();
    void quotaPerAuthor();
    void quotaInAll();
    void expiredAtHold();
    void expiredWhileHeld();
    void expiredAtStart();
    void withheldNothingLost();
    void forgedHeld();
    void alteredReplayedReordered();
    void gotDropsOnlyTheRecipients();
    void notAllowed_data();
    void notAllowed();
    void nothingDepositedWhileConnected();
    void helpersChanged();
    void readReceiptHeld();
    void heldForRecipientHere();
    void relayOnlyCarrierNotToldGot();
    void helperRestarted();
    void badEnvelopesDoNotStallDelivery();
    void resealedNearExpiry();
    void receiptsPreferTheDeliverer();
    void askedAgainOnANewConnection();
    void receiptAskLostWithItsHelper();
    void repeatedCarryCostsNothing();
    void strangersCarryNotKept();
    void deliverersForgottenOnceAnswered();
    void lostWindowGoesAgain();

private:
    // Names, switches (all hold, among Alice, Bob and the helpers), and each peer seen once by
    // the others so that certificates and Bob's carry to the helpers are known; then nobody
    // linked.
    static void setUp(CarryNet &net, const QList<int> &helpers = {Carol});
};

void tst_CourierHold::setUp(CarryNet &net, const QList<int> &helpers)
{
    for (int h : helpers) {
        net.allowAll(Alice, h, {false, true});
        net.allowAll(Bob, h, {false, true});
    }
    net.link(Alice, Bob);
    for (int h : helpers) {
        net.link(Alice, h);
        net.link(Bob, h);
    }
    net.deliverAll();
    net.unlink(Alice, Bob);
    for (int h : helpers) {
        net.unlink(Alice, h);
        net.unlink(Bob, h);
    }
    net.deliverAll();
}

// The scenario: Alice sends 100 to offline Bob; Carol holds them; Alice goes; Bob comes
// to Carol and has all 100 from Alice, in order, each once; his acks wait at Carol for Alice.
void tst_CourierHold::hundredHeldThenDeliveredInOrder()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    TestInbox alice(net.courier(Alice));
    TestInbox bob(net.courier(Bob));
    QSignalSpy heldBy(&net.courier(Alice), &Courier::heldByChanged);
    QSignalSpy holding(&net.courier(Carol), &Courier::holdingChanged);

    net.link(Alice, Carol);
    net.deliverAll();
    const QList<Protocol::Chat> chats = makeChats(100);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();

    QCOMPARE(heldBy.size(), 100);
    for (const Protocol::Chat &c : chats)
        QCOMPARE(net.courier(Alice).heldBy(c.id), QStringList{net.id(Carol)});
    QCOMPARE(heldBy.first().at(1).toString(), net.id(Bob));
    QCOMPARE(heldFor(net, Carol, Bob), 100);
    QVERIFY(holding.size() > 0);
    // Carol saw only sealed envelopes.
    QVERIFY(onlyCarryTypes(net.direct(Carol).received));
    for (const auto &h : net.node(Carol).store.heldSummary()) {
        QCOMPARE(h.author, net.id(Alice));
        QVERIFY(h.envelope.isEmpty()); // a summary never has the bytes
    }

    // Alice goes; Bob comes to Carol.
    net.unlink(Alice, Carol);
    net.link(Bob, Carol);
    QTRY_COMPARE(bob.chats.size(), 100);
    for (int i = 0; i < 100; ++i) {
        QCOMPARE(bob.chats.at(i).first, net.id(Alice));
        QCOMPARE(bob.chats.at(i).second, chats.at(i));
    }
    // Each emitted once: nothing for the inbox to drop.
    QCOMPARE(bob.chatsReceived(), 100);
    // Bob's gots empty Carol's store for him; his acks wait there for Alice, sealed.
    QTRY_COMPARE(heldFor(net, Carol, Bob), 0);
    QTRY_COMPARE(heldFor(net, Carol, Alice), 100);
    QVERIFY(onlyCarryTypes(net.direct(Carol).received));
    QVERIFY(onlyCarryTypes(net.direct(Carol).sent));

    // Bob goes; Alice returns to Carol: she sees every message delivered, as acknowledged by Bob.
    net.unlink(Bob, Carol);
    net.link(Alice, Carol);
    QTRY_COMPARE(alice.acks.size(), 100);
    QSet<QUuid> acked;
    for (const auto &a : alice.acks) {
        QCOMPARE(a.first, net.id(Bob));
        acked.insert(a.second);
    }
    QCOMPARE(acked.size(), 100);
    for (const Protocol::Chat &c : chats)
        QVERIFY(acked.contains(c.id));
    QTRY_COMPARE(heldFor(net, Carol, Alice), 0);
    QCOMPARE(alice.chatsReceived(), 0);
}

// More than a window: at most DeliverWindow envelopes out without a `got`, and all arrive.
void tst_CourierHold::windowOfDelivery()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    TestInbox bob(net.courier(Bob));
    net.link(Alice, Carol);
    net.deliverAll();
    const int n = Courier::DeliverWindow * 2 + 10;
    const QList<Protocol::Chat> chats = makeChats(n);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), n);
    net.unlink(Alice, Carol);

    int out = 0;
    int most = 0;
    net.tap = [&](CarryNet::Packet &p) {
        if (p.from == Carol && p.to == Bob
            && std::holds_alternative<Protocol::DeliverEnvelope>(p.message))
            most = std::max(most, ++out);
        if (p.from == Bob && p.to == Carol) {
            if (const auto *got = std::get_if<Protocol::Got>(&p.message))
                out -= int(got->envelopeIds.size());
        }
        return true;
    };
    // Bob stores the first window, then stops answering for a moment: nothing more comes.
    bob.ackChats = false;
    net.link(Bob, Carol);
    QTRY_COMPARE(bob.chats.size(), Courier::DeliverWindow);
    net.deliverAll();
    QCOMPARE(bob.chats.size(), Courier::DeliverWindow);
    // He acknowledges them: the rest follows, a window at most at a time.
    bob.ackChats = true;
    for (const auto &c : bob.chats)
        net.courier(Bob).send(net.id(Alice), Protocol::Ack{c.second.id});
    QTRY_COMPARE(bob.chats.size(), n);
    QTRY_COMPARE(heldFor(net, Carol, Bob), 0);
    QCOMPARE(most, Courier::DeliverWindow);
    for (int i = 0; i < n; ++i)
        QCOMPARE(bob.chats.at(i).second.id, chats.at(i).id);
}

// Two helpers hold the same envelopes (one eid each): Bob keeps one copy of each, and the second
// helper drops its copies on his `got`.
void tst_CourierHold::twoHelpersOneCopy()
{
    CarryNet net(4, {u"Alice"_s, u"Bob"_s, u"Carol"_s, u"Dave"_s});
    setUp(net, {Carol, Dave});
    TestInbox bob(net.courier(Bob));
    net.link(Alice, Carol);
    net.link(Alice, Dave);
    net.deliverAll();
    const QList<Protocol::Chat> chats = makeChats(20);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    for (const Protocol::Chat &c : chats) {
        QStringList helpers = net.courier(Alice).heldBy(c.id);
        helpers.sort();
        QStringList expected{net.id(Carol), net.id(Dave)};
        expected.sort();
        QCOMPARE(helpers, expected);
    }
    // The same envelopes at both.
    QList<QByteArray> atCarol, atDave;
    for (const auto &h : net.node(Carol).store.heldSummary())
        atCarol.append(h.id);
    for (const auto &h : net.node(Dave).store.heldSummary())
        atDave.append(h.id);
    QCOMPARE(atCarol.size(), 20);
    QCOMPARE(atDave, atCarol);
    // A second deposit of the same queue asks nobody again.
    const int holdsBefore = framesOf<Protocol::HoldEnvelope>(net.direct(Carol).received).size();
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(framesOf<Protocol::HoldEnvelope>(net.direct(Carol).received).size(), holdsBefore);

    net.unlink(Alice, Carol);
    net.unlink(Alice, Dave);
    net.link(Bob, Carol);
    QTRY_COMPARE(bob.chats.size(), 20);
    QTRY_COMPARE(heldFor(net, Carol, Bob), 0);
    net.link(Bob, Dave);
    QTRY_COMPARE(heldFor(net, Dave, Bob), 0);
    QCOMPARE(bob.chats.size(), 20);
    QCOMPARE(bob.chatsReceived(), 20); // Dave's copies were recognised, never emitted
    for (int i = 0; i < 20; ++i)
        QCOMPARE(bob.chats.at(i).second.id, chats.at(i).id);
}

void tst_CourierHold::quotaPerAuthor()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    CarryStore::Limits limits;
    limits.perAuthorCount = 5;
    net.node(Carol).store.setLimits(limits);
    net.link(Alice, Carol);
    net.deliverAll();
    const QList<Protocol::Chat> chats = makeChats(8);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), 5);
    const QList<Protocol::Held> answers = framesOf<Protocol::Held>(net.direct(Alice).received);
    QCOMPARE(answers.size(), 8);
    int quota = 0;
    for (const Protocol::Held &h : answers) {
        if (!h.ok) {
            QCOMPARE(h.why, u"quota"_s);
            ++quota;
        }
    }
    QCOMPARE(quota, 3);
    for (int i = 0; i < 8; ++i)
        QCOMPARE(net.courier(Alice).heldBy(chats.at(i).id).size(), i < 5 ? 1 : 0);
    // Refused: not asked again.
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(framesOf<Protocol::HoldEnvelope>(net.direct(Carol).received).size(), 8);
}

void tst_CourierHold::quotaInAll()
{
    // Alice and Dave both write to Bob through Carol, who keeps 4 in all.
    CarryNet net(4, {u"Alice"_s, u"Bob"_s, u"Carol"_s, u"Dave"_s});
    setUp(net);
    net.allowAll(Dave, Carol, {false, true});
    net.link(Dave, Bob);
    net.deliverAll();
    net.unlink(Dave, Bob);
    CarryStore::Limits limits;
    limits.totalCount = 4;
    net.node(Carol).store.setLimits(limits);
    net.link(Alice, Carol);
    net.link(Dave, Carol);
    net.deliverAll();
    net.courier(Alice).deposit(net.id(Bob), makeChats(3));
    net.deliverAll();
    const QList<Protocol::Chat> fromDave = makeChats(3);
    net.courier(Dave).deposit(net.id(Bob), fromDave);
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), 4);
    QCOMPARE(net.courier(Dave).heldBy(fromDave.at(0).id), QStringList{net.id(Carol)});
    QCOMPARE(net.courier(Dave).heldBy(fromDave.at(1).id), QStringList());
    const QList<Protocol::Held> answers = framesOf<Protocol::Held>(net.direct(Dave).received);
    QCOMPARE(answers.size(), 3);
    QCOMPARE(answers.at(1).why, u"quota"_s);
    QCOMPARE(answers.at(2).why, u"quota"_s);
}

// An envelope already past its expiry by the helper's clock is refused "expired".
void tst_CourierHold::expiredAtHold()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    const qint64 later = QDateTime::currentMSecsSinceEpoch() + Relay::MaxLifetimeMs + 3600'000;
    net.courier(Carol).setClock([later] { return later; });
    net.link(Alice, Carol);
    net.deliverAll();
    const QList<Protocol::Chat> chats = makeChats(2);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), 0);
    const QList<Protocol::Held> answers = framesOf<Protocol::Held>(net.direct(Alice).received);
    QCOMPARE(answers.size(), 2);
    for (const Protocol::Held &h : answers) {
        QVERIFY(!h.ok);
        QCOMPARE(h.why, u"expired"_s);
    }
    QVERIFY(net.courier(Alice).heldBy(chats.at(0).id).isEmpty());
}

// Held, then the clock passes its expiry: nothing goes out when Bob comes, it is deleted.
void tst_CourierHold::expiredWhileHeld()
{
    qint64 carolNow = QDateTime::currentMSecsSinceEpoch();
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    TestInbox bob(net.courier(Bob));
    net.courier(Carol).setClock([&carolNow] { return carolNow; });
    net.link(Alice, Carol);
    net.deliverAll();
    net.courier(Alice).deposit(net.id(Bob), makeChats(3));
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), 3);
    net.unlink(Alice, Carol);

    QSignalSpy holding(&net.courier(Carol), &Courier::holdingChanged);
    carolNow += Relay::MaxLifetimeMs + 3600'000;
    net.link(Bob, Carol);
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), 0);
    QCOMPARE(framesOf<Protocol::DeliverEnvelope>(net.direct(Carol).sent).size(), 0);
    QCOMPARE(bob.received.size(), 0);
    QCOMPARE(holding.size(), 1);
}

// Expired envelopes go at start (and hourly): a courier started later over the same store.
void tst_CourierHold::expiredAtStart()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    net.link(Alice, Carol);
    net.deliverAll();
    net.courier(Alice).deposit(net.id(Bob), makeChats(3));
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), 3);
    net.unlink(Alice, Carol);

    // Restarted a week and a bit later.
    CarryNet::Node &carol = net.node(Carol);
    carol.courier = std::make_unique<Courier>(*carol.identity, *carol.direct, carol.store);
    const qint64 later = QDateTime::currentMSecsSinceEpoch() + Relay::MaxLifetimeMs + 1;
    carol.courier->setClock([later] { return later; });
    QSignalSpy holding(carol.courier.get(), &Courier::holdingChanged);
    QTRY_COMPARE(heldFor(net, Carol, Bob), 0);
    QCOMPARE(holding.size(), 1);
}

// Carol keeps what she holds to herself: nothing is lost at Alice, whose queue still has it all,
// and it arrives when Alice and Bob meet directly.
void tst_CourierHold::withheldNothingLost()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    TestInbox alice(net.courier(Alice));
    TestInbox bob(net.courier(Bob));
    net.link(Alice, Carol);
    net.deliverAll();
    const QList<Protocol::Chat> chats = makeChats(5);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), 5);
    net.unlink(Alice, Carol);

    net.tap = [](CarryNet::Packet &p) {
        return !(p.from == Carol && std::holds_alternative<Protocol::DeliverEnvelope>(p.message));
    };
    net.link(Bob, Carol);
    net.deliverAll();
    QCOMPARE(bob.received.size(), 0);
    // Alice's side is as it was: every message still listed as held by Carol, nothing forgotten
    // (her queue forgets a message only on Bob's ack).
    for (const Protocol::Chat &c : chats)
        QCOMPARE(net.courier(Alice).heldBy(c.id), QStringList{net.id(Carol)});

    // They meet: her queue sends directly (the outbox's part, played here); each arrives once.
    net.link(Alice, Bob);
    net.deliverAll();
    QVERIFY(!net.courier(Alice).heldBy(chats.at(0).id).isEmpty());
    for (const Protocol::Chat &c : chats)
        QVERIFY(net.courier(Alice).send(net.id(Bob), c));
    QTRY_COMPARE(bob.chats.size(), 5);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(bob.chats.at(i).second, chats.at(i));
    // Acknowledged directly: the envelopes are forgotten (as the messenger does on the ack).
    QTRY_COMPARE(alice.acks.size(), 5);
    for (const auto &a : alice.acks)
        net.courier(Alice).forgetMessage(a.second);
    for (const Protocol::Chat &c : chats)
        QVERIFY(net.courier(Alice).heldBy(c.id).isEmpty());
}

// A `held` from a peer that was never handed that envelope, or a second one, changes nothing.
void tst_CourierHold::forgedHeld()
{
    CarryNet net(4, {u"Alice"_s, u"Bob"_s, u"Carol"_s, u"Dave"_s});
    setUp(net);
    net.link(Alice, Carol);
    net.link(Alice, Dave); // Dave: connected, not a helper of Alice's
    net.deliverAll();
    const QList<Protocol::Chat> chats = makeChats(1);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(net.courier(Alice).heldBy(chats.at(0).id), QStringList{net.id(Carol)});
    QCOMPARE(framesOf<Protocol::HoldEnvelope>(net.direct(Dave).received).size(), 0);
    const QByteArray eid = net.node(Carol).store.heldSummary().at(0).id;

    QSignalSpy heldBy(&net.courier(Alice), &Courier::heldByChanged);
    // Dave claims to hold it (he learnt the eid somehow), and something that does not exist.
    net.direct(Dave).send(net.id(Alice), Protocol::Held{eid, true, {}}, StreamKind::Chat);
    net.direct(Dave).send(net.id(Alice),
                          Protocol::Held{QByteArray(16, 'x'), true, {}},
                          StreamKind::Chat);
    // Carol says it twice, then that she refused it.
    net.direct(Carol).send(net.id(Alice), Protocol::Held{eid, true, {}}, StreamKind::Chat);
    net.direct(Carol).send(net.id(Alice), Protocol::Held{eid, false, u"quota"_s}, StreamKind::Chat);
    net.deliverAll();
    QCOMPARE(heldBy.size(), 0);
    QCOMPARE(net.courier(Alice).heldBy(chats.at(0).id), QStringList{net.id(Carol)});
}

// Carol alters, replays and reorders what she delivers: nothing forged is shown, nothing twice.
void tst_CourierHold::alteredReplayedReordered()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    TestInbox bob(net.courier(Bob));
    net.link(Alice, Carol);
    net.deliverAll();
    const QList<Protocol::Chat> chats = makeChats(6);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    net.unlink(Alice, Carol);

    // Carol's deliveries, caught: altered (the oldest), replayed (each twice), reversed.
    QList<CarryNet::Packet> envs;
    net.tap = [&envs](CarryNet::Packet &p) {
        if (p.from != Carol || !std::holds_alternative<Protocol::DeliverEnvelope>(p.message))
            return true;
        envs.append(p);
        return false;
    };
    net.link(Bob, Carol);
    net.deliverAll();
    net.tap = nullptr;
    QCOMPARE(envs.size(), 6);
    QCOMPARE(bob.received.size(), 0);
    std::reverse(envs.begin(), envs.end());
    CarryNet::Packet altered = envs.takeLast();
    QByteArray &bytes = std::get<Protocol::DeliverEnvelope>(altered.message).envelope;
    bytes[bytes.size() - 5] = char(bytes.at(bytes.size() - 5) ^ 0x01);
    net.queue.append(altered);
    net.queue.append(envs);
    net.queue.append(envs);
    net.deliverAll();
    QTRY_COMPARE(bob.chats.size(), 5);
    QCOMPARE(bob.chatsReceived(), 5); // the replays were never emitted
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(bob.chats.at(i).first, net.id(Alice));
        QCOMPARE(bob.chats.at(i).second, chats.at(5 - i)); // in the order they came
    }
    // Carol's copy of the altered one is dropped too: Bob will never take it. Alice still has
    // that message queued (nothing forgets it but Bob's ack): it arrives when they meet.
    QTRY_COMPARE(heldFor(net, Carol, Bob), 0);
    QCOMPARE(bob.chats.size(), 5);
    QCOMPARE(net.courier(Alice).heldBy(chats.at(0).id), QStringList{net.id(Carol)});
    net.link(Alice, Bob);
    net.deliverAll();
    QVERIFY(net.courier(Alice).send(net.id(Bob), chats.at(0), StreamKind::Chat));
    QTRY_COMPARE(bob.chats.size(), 6);
    QCOMPARE(bob.chats.last().second, chats.at(0));
    QCOMPARE(bob.chatsReceived(), 6);
}

// A `got` drops only envelopes held for whoever sends it.
void tst_CourierHold::gotDropsOnlyTheRecipients()
{
    CarryNet net(4, {u"Alice"_s, u"Bob"_s, u"Carol"_s, u"Dave"_s});
    setUp(net);
    net.allowAll(Dave, Carol, {false, true});
    net.link(Alice, Carol);
    net.link(Dave, Carol);
    net.deliverAll();
    net.courier(Alice).deposit(net.id(Bob), makeChats(3));
    net.deliverAll();
    QList<QByteArray> ids;
    for (const auto &h : net.node(Carol).store.heldSummary())
        ids.append(h.id);
    QCOMPARE(ids.size(), 3);
    Protocol::Got got;
    got.envelopeIds = ids;
    net.direct(Dave).send(net.id(Carol), got, StreamKind::Chat);
    net.direct(Alice).send(net.id(Carol), got, StreamKind::Chat);
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), 3);
}

void tst_CourierHold::notAllowed_data()
{
    QTest::addColumn<int>("who");
    QTest::addColumn<int>("whom");
    QTest::newRow("Carol does not allow Alice") << int(Carol) << int(Alice);
    QTest::newRow("Carol does not allow Bob") << int(Carol) << int(Bob);
    QTest::newRow("Alice does not allow Carol") << int(Alice) << int(Carol);
    QTest::newRow("Bob does not allow Carol") << int(Bob) << int(Carol);
}

// Each of the four switches off: nothing is held; a `hold` sent anyway is answered
// "not-allowed"; Alice's queue is untouched.
void tst_CourierHold::notAllowed()
{
    QFETCH(int, who);
    QFETCH(int, whom);
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    // Bob's switch: told to Carol on a visit (she keeps it on disk).
    net.allow(who, whom, {false, false});
    if (who == Bob) {
        net.link(Bob, Carol);
        net.deliverAll();
        net.unlink(Bob, Carol);
    }
    net.link(Alice, Carol);
    net.deliverAll();
    const QList<Protocol::Chat> chats = makeChats(2);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), 0);
    for (const Protocol::Chat &c : chats)
        QVERIFY(net.courier(Alice).heldBy(c.id).isEmpty());

    // A hold sent anyway (by a modified Alice): refused, not kept.
    Relay::Sealer sealer(*net.node(Alice).identity);
    QByteArray eid;
    QString error;
    const QByteArray envelope = sealer.seal(net.node(Bob).identity->certificate(),
                                            chats.at(0),
                                            QDateTime::currentMSecsSinceEpoch() + 3600'000,
                                            &eid,
                                            &error);
    QVERIFY2(!envelope.isEmpty(), qPrintable(error));
    const int before = framesOf<Protocol::Held>(net.direct(Alice).received).size();
    net.direct(Alice).send(net.id(Carol), Protocol::HoldEnvelope{envelope}, StreamKind::Chat);
    net.deliverAll();
    const QList<Protocol::Held> answers = framesOf<Protocol::Held>(net.direct(Alice).received);
    QCOMPARE(answers.size(), before + 1);
    QCOMPARE(answers.last().envelopeId, eid);
    QVERIFY(!answers.last().ok);
    QCOMPARE(answers.last().why, u"not-allowed"_s);
    QCOMPARE(heldFor(net, Carol, Bob), 0);
}

// While Bob is connected (here directly) nothing is handed to helpers.
void tst_CourierHold::nothingDepositedWhileConnected()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    net.link(Alice, Carol);
    net.link(Alice, Bob);
    net.deliverAll();
    net.courier(Alice).deposit(net.id(Bob), makeChats(2));
    net.deliverAll();
    QCOMPARE(framesOf<Protocol::HoldEnvelope>(net.direct(Carol).received).size(), 0);
}

// A helper coming online is news to a depositor; a peer that may not hold for us is not.
void tst_CourierHold::helpersChanged()
{
    CarryNet net(4, {u"Alice"_s, u"Bob"_s, u"Carol"_s, u"Dave"_s});
    setUp(net);
    QSignalSpy spy(&net.courier(Alice), &Courier::helpersChanged);
    net.link(Alice, Dave);
    net.deliverAll();
    QCOMPARE(spy.size(), 0);
    net.link(Alice, Carol);
    net.deliverAll();
    QVERIFY(spy.size() >= 1);
}

// A read receipt for an author who is away is held too, and reaches her as from Bob.
void tst_CourierHold::readReceiptHeld()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    QList<QPair<QString, QUuid>> reads;
    connect(&net.courier(Alice),
            &Transport::messageReceived,
            this,
            [&reads](const QString &from, const Protocol::Message &m, StreamKind) {
                if (const auto *r = std::get_if<Protocol::Read>(&m))
                    reads.append({from, r->id});
            });
    net.link(Bob, Carol);
    net.deliverAll();
    const QUuid id = QUuid::createUuid();
    QVERIFY(net.courier(Bob).send(net.id(Alice), Protocol::Read{id}, StreamKind::Chat));
    // Nothing but a receipt is held: a chat or typing notice to an absent peer is not sent.
    QVERIFY(!net.courier(Bob).send(net.id(Alice), Protocol::Typing{true}, StreamKind::Chat));
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Alice), 1);
    net.unlink(Bob, Carol);
    net.link(Alice, Carol);
    QTRY_COMPARE(reads.size(), 1);
    QCOMPARE(reads.first().first, net.id(Bob));
    QCOMPARE(reads.first().second, id);
    QTRY_COMPARE(heldFor(net, Carol, Alice), 0);
}

// Bob is connected to Carol but not to Alice: what Alice hands to Carol reaches him at once.
void tst_CourierHold::heldForRecipientHere()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    TestInbox alice(net.courier(Alice));
    TestInbox bob(net.courier(Bob));
    net.link(Bob, Carol);
    net.link(Alice, Carol);
    net.deliverAll();
    QVERIFY(!net.courier(Alice).isConnected(net.id(Bob), StreamKind::Chat));
    const QList<Protocol::Chat> chats = makeChats(3);
    net.courier(Alice).deposit(net.id(Bob), chats);
    QTRY_COMPARE(bob.chats.size(), 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(bob.chats.at(i).second, chats.at(i));
    QTRY_COMPARE(heldFor(net, Carol, Bob), 0);
    // His acks reach Alice the same way, she being connected to Carol.
    QTRY_COMPARE(alice.acks.size(), 3);
    QTRY_COMPARE(heldFor(net, Carol, Alice), 0);
}

// A carrier that only relays (no hold switch) is never sent `got`.
void tst_CourierHold::relayOnlyCarrierNotToldGot()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    net.allowAll(Alice, Carol, {true, false});
    net.allowAll(Bob, Carol, {true, false});
    TestInbox bob(net.courier(Bob));
    TestInbox alice(net.courier(Alice));
    net.link(Alice, Carol);
    net.link(Bob, Carol);
    net.deliverAll();
    QCOMPARE(net.courier(Alice).via(net.id(Bob)), net.id(Carol));
    const Protocol::Chat chat = makeChats(1).first();
    QVERIFY(net.courier(Alice).send(net.id(Bob), chat, StreamKind::Chat));
    QTRY_COMPARE(alice.acks.size(), 1);
    QCOMPARE(bob.chats.size(), 1);
    QVERIFY(framesOf<Protocol::Got>(net.direct(Carol).received).isEmpty());
}

// What a helper holds survives its restart (the store is on disk; here the same store).
void tst_CourierHold::helperRestarted()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    TestInbox bob(net.courier(Bob));
    net.link(Alice, Carol);
    net.deliverAll();
    const QList<Protocol::Chat> chats = makeChats(4);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    net.unlink(Alice, Carol);
    CarryNet::Node &carol = net.node(Carol);
    carol.courier = std::make_unique<Courier>(*carol.identity, *carol.direct, carol.store);
    net.link(Bob, Carol);
    QTRY_COMPARE(bob.chats.size(), 4);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(bob.chats.at(i).second, chats.at(i));
    QTRY_COMPARE(heldFor(net, Carol, Bob), 0);
}

// Envelopes Bob cannot open (an author's garbage, which Carol cannot tell from the rest), more
// than a window of them before the good ones: they do not stop the rest, and Carol is told to
// drop them.
void tst_CourierHold::badEnvelopesDoNotStallDelivery()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    TestInbox bob(net.courier(Bob));
    net.link(Alice, Carol);
    net.deliverAll();
    Relay::Sealer sealer(*net.node(Alice).identity);
    const int bad = Courier::DeliverWindow + 10;
    for (int i = 0; i < bad; ++i) {
        QByteArray eid;
        QString error;
        QByteArray envelope = sealer.seal(net.node(Bob).identity->certificate(),
                                          makeChats(1).first(),
                                          QDateTime::currentMSecsSinceEpoch() + 3600'000,
                                          &eid,
                                          &error);
        QVERIFY2(!envelope.isEmpty(), qPrintable(error));
        envelope[envelope.size() - 1] = char(envelope.at(envelope.size() - 1) ^ 0x01);
        net.direct(Alice).send(net.id(Carol), Protocol::HoldEnvelope{envelope}, StreamKind::Chat);
    }
    const QList<Protocol::Chat> chats = makeChats(Courier::DeliverWindow);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), bad + Courier::DeliverWindow);
    net.unlink(Alice, Carol);

    net.link(Bob, Carol);
    QTRY_COMPARE(bob.chats.size(), Courier::DeliverWindow);
    for (int i = 0; i < chats.size(); ++i)
        QCOMPARE(bob.chats.at(i).second, chats.at(i));
    QTRY_COMPARE(heldFor(net, Carol, Bob), 0);
}

// A message that waits nearly as long as its envelope lives is sealed again (a new eid) and
// handed out again; until then a deposit asks nobody twice.
void tst_CourierHold::resealedNearExpiry()
{
    qint64 clock = QDateTime::currentMSecsSinceEpoch();
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    net.courier(Alice).setClock([&clock] { return clock; });
    net.courier(Carol).setClock([&clock] { return clock; });
    setUp(net);
    net.link(Alice, Carol);
    net.deliverAll();
    const QList<Protocol::Chat> chats = makeChats(1);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), 1);
    clock += Relay::MaxLifetimeMs / 2;
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(framesOf<Protocol::HoldEnvelope>(net.direct(Carol).received).size(), 1);

    QSignalSpy heldBy(&net.courier(Alice), &Courier::heldByChanged);
    clock += Relay::MaxLifetimeMs / 2 - 30 * 60'000;
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    const auto holds = framesOf<Protocol::HoldEnvelope>(net.direct(Carol).received);
    QCOMPARE(holds.size(), 2);
    QVERIFY(holds.at(0).envelope != holds.at(1).envelope);
    QCOMPARE(heldFor(net, Carol, Bob), 2);
    QCOMPARE(heldBy.size(), 2);
    QCOMPARE(heldBy.at(0).at(2).toStringList(), QStringList());
    QCOMPARE(heldBy.at(1).at(2).toStringList(), QStringList{net.id(Carol)});
    QCOMPARE(net.courier(Alice).heldBy(chats.at(0).id), QStringList{net.id(Carol)});
}

// Bob's receipts for absent Alice go first to the helper that brought him her messages (it is
// known to carry for both), then to others, MaxHelpers in all.
void tst_CourierHold::receiptsPreferTheDeliverer()
{
    CarryNet net(6, {u"Alice"_s, u"Bob"_s, u"Carol"_s, u"Dave"_s, u"Erin"_s, u"Frank"_s});
    const QList<int> helpers{2, 3, 4, 5};
    setUp(net, helpers);
    // The deliverer: the helper whose ID sorts last, so that only the preference picks it.
    int deliverer = helpers.first();
    for (int h : helpers) {
        if (net.id(h) > net.id(deliverer))
            deliverer = h;
    }
    TestInbox bob(net.courier(Bob));
    net.link(Alice, deliverer);
    net.deliverAll();
    const QList<Protocol::Chat> chats = makeChats(1);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(heldFor(net, deliverer, Bob), 1);
    net.unlink(Alice, deliverer);

    for (int h : helpers) {
        if (h != deliverer)
            net.link(Bob, h);
    }
    net.deliverAll();
    net.link(Bob, deliverer);
    QTRY_COMPARE(bob.chats.size(), 1);
    QTRY_COMPARE(heldFor(net, deliverer, Alice), 1);
    int holding = 0;
    for (int h : helpers)
        holding += heldFor(net, h, Alice);
    QCOMPARE(holding, Courier::MaxHelpers);
}

// Carol's answers are lost with a connection that a new one replaces (a duplicate connection
// settled, without a disconnect in between): Alice asks again on the new one.
void tst_CourierHold::askedAgainOnANewConnection()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    net.link(Alice, Carol);
    net.deliverAll();
    net.tap = [](CarryNet::Packet &p) { return !std::holds_alternative<Protocol::Held>(p.message); };
    const QList<Protocol::Chat> chats = makeChats(2);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), 2);
    QVERIFY(net.courier(Alice).heldBy(chats.at(0).id).isEmpty());
    net.tap = nullptr;

    // The new connection, both ends.
    Protocol::Hello hello;
    hello.peerId = net.id(Carol);
    hello.name = u"Carol"_s;
    net.direct(Alice).up(net.id(Carol),
                         hello,
                         u"127.0.0.1:47802"_s,
                         net.node(Carol).identity->certificate());
    hello.peerId = net.id(Alice);
    hello.name = u"Alice"_s;
    net.direct(Carol).up(net.id(Alice),
                         hello,
                         u"127.0.0.1:47800"_s,
                         net.node(Alice).identity->certificate());
    net.deliverAll();
    for (const Protocol::Chat &c : chats)
        QCOMPARE(net.courier(Alice).heldBy(c.id), QStringList{net.id(Carol)});
    QCOMPARE(heldFor(net, Carol, Bob), 2);
}

// Bob's receipt for absent Alice is handed to Carol, and the connection ends before it arrives
// (no answer will come): it goes to the next helper that comes, Dave, and reaches Alice.
void tst_CourierHold::receiptAskLostWithItsHelper()
{
    CarryNet net(4, {u"Alice"_s, u"Bob"_s, u"Carol"_s, u"Dave"_s});
    setUp(net, {Carol, Dave});
    QList<QUuid> reads;
    connect(&net.courier(Alice),
            &Transport::messageReceived,
            this,
            [&reads](const QString &, const Protocol::Message &m, StreamKind) {
                if (const auto *r = std::get_if<Protocol::Read>(&m))
                    reads.append(r->id);
            });
    net.autoDeliver = false;
    net.link(Bob, Carol);
    net.deliverAll();
    const QUuid id = QUuid::createUuid();
    QVERIFY(net.courier(Bob).send(net.id(Alice), Protocol::Read{id}, StreamKind::Chat));
    QCOMPARE(framesOf<Protocol::HoldEnvelope>(net.direct(Bob).sent).size(), 0);
    net.unlink(Bob, Carol); // the hold in flight is lost with the connection
    QCOMPARE(heldFor(net, Carol, Alice), 0);
    net.autoDeliver = true;
    net.link(Bob, Dave);
    QTRY_COMPARE(heldFor(net, Dave, Alice), 1);
    net.unlink(Bob, Dave);
    net.link(Alice, Dave);
    QTRY_COMPARE(reads, QList<QUuid>{id});
}

// A peer that repeats its carry (any connected peer may send one, as often as it likes): the
// same switches again on one stream change nothing, and set off no work; a change does.
void tst_CourierHold::repeatedCarryCostsNothing()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    net.link(Alice, Carol);
    net.deliverAll();
    QSignalSpy helpers(&net.courier(Alice), &Courier::helpersChanged);
    const int routesBefore = framesOf<Protocol::Routes>(net.direct(Alice).sent).size();
    for (int i = 0; i < 50; ++i)
        QVERIFY(
            net.direct(Carol).send(net.id(Alice), Protocol::Carry{false, true}, StreamKind::Chat));
    net.deliverAll();
    QCOMPARE(helpers.size(), 0);
    QCOMPARE(framesOf<Protocol::Routes>(net.direct(Alice).sent).size(), routesBefore);
    // A change is acted on (and the same switches once more after it, too).
    QVERIFY(net.direct(Carol).send(net.id(Alice), Protocol::Carry{false, false}, StreamKind::Chat));
    QVERIFY(net.direct(Carol).send(net.id(Alice), Protocol::Carry{false, true}, StreamKind::Chat));
    net.deliverAll();
    QCOMPARE(helpers.size(), 1);
    QCOMPARE(net.node(Alice).store.granted(net.id(Carol)), (CarryStore::Switches{false, true}));
}

// What a peer allows us is kept on disk only for a peer we let hold (the one use of it: its
// word counts while it is away): a stranger's carry, or a flood of them with switches that
// change, writes nothing. Allowed later, its word in this session is kept then.
void tst_CourierHold::strangersCarryNotKept()
{
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Eve"_s});
    const int Eve = 2;
    net.link(Alice, Eve);
    net.deliverAll();
    for (int i = 0; i < 20; ++i) {
        QVERIFY(net.direct(Eve).send(net.id(Alice),
                                     Protocol::Carry{i % 2 == 0, i % 2 == 0},
                                     StreamKind::Chat));
    }
    QVERIFY(net.direct(Eve).send(net.id(Alice), Protocol::Carry{true, true}, StreamKind::Chat));
    net.deliverAll();
    QCOMPARE(net.node(Alice).store.granted(net.id(Eve)), (CarryStore::Switches{false, false}));
    net.allow(Alice, Eve, {false, true});
    QCOMPARE(net.node(Alice).store.granted(net.id(Eve)), (CarryStore::Switches{true, true}));
}

// Bob remembers which helper brought Alice's messages only until his acks for them are handed
// on: then nothing would ask for it, and it is forgotten (with many authors it would otherwise
// grow for as long as Shoal runs). A later receipt for Alice goes to helpers in the usual order.
void tst_CourierHold::deliverersForgottenOnceAnswered()
{
    CarryNet net(6, {u"Alice"_s, u"Bob"_s, u"Carol"_s, u"Dave"_s, u"Erin"_s, u"Frank"_s});
    const QList<int> helpers{2, 3, 4, 5};
    setUp(net, helpers);
    // The deliverer: the helper whose ID sorts last, so that only the preference picks it.
    int deliverer = helpers.first();
    for (int h : helpers) {
        if (net.id(h) > net.id(deliverer))
            deliverer = h;
    }
    TestInbox bob(net.courier(Bob));
    net.link(Alice, deliverer);
    net.deliverAll();
    net.courier(Alice).deposit(net.id(Bob), makeChats(1));
    net.deliverAll();
    QCOMPARE(heldFor(net, deliverer, Bob), 1);
    net.unlink(Alice, deliverer);
    for (int h : helpers) {
        if (h != deliverer)
            net.link(Bob, h);
    }
    net.deliverAll();
    net.link(Bob, deliverer);
    QTRY_COMPARE(bob.chats.size(), 1);
    // The ack, preferring the deliverer, held by MaxHelpers.
    QTRY_COMPARE(heldFor(net, deliverer, Alice), 1);
    const auto holding = [&] {
        int n = 0;
        for (int h : helpers)
            n += heldFor(net, h, Alice);
        return n;
    };
    QTRY_COMPARE(holding(), Courier::MaxHelpers);

    // Answered and handed on: a later receipt for Alice prefers nobody.
    QVERIFY(net.courier(Bob).send(net.id(Alice), Protocol::Read{QUuid::createUuid()}));
    net.deliverAll();
    QTRY_COMPARE(holding(), 2 * Courier::MaxHelpers);
    QCOMPARE(heldFor(net, deliverer, Alice), 1);
}

void tst_CourierHold::lostWindowGoesAgain()
{
    // Carol's first window to Bob is lost on the way (a connection that a duplicate replaced,
    // or envelopes dropped before Bob had her carry): no `got` comes, and after
    // RedeliverAfter she sends the window again. Nothing stays held, each message shown once.
    CarryNet net(3, {u"Alice"_s, u"Bob"_s, u"Carol"_s});
    setUp(net);
    net.courier(Carol).setRedeliverAfter(300);
    TestInbox bob(net.courier(Bob));
    net.link(Alice, Carol);
    net.deliverAll();
    const QList<Protocol::Chat> chats = makeChats(5);
    net.courier(Alice).deposit(net.id(Bob), chats);
    net.deliverAll();
    QCOMPARE(heldFor(net, Carol, Bob), 5);
    net.unlink(Alice, Carol);

    int lost = 0;
    net.tap = [&](CarryNet::Packet &p) {
        if (lost < 5 && std::holds_alternative<Protocol::DeliverEnvelope>(p.message)) {
            ++lost;
            return false;
        }
        return true;
    };
    net.link(Bob, Carol);
    QTRY_COMPARE(lost, 5);
    QCOMPARE(bob.chats.size(), 0);
    QTRY_COMPARE(bob.chats.size(), 5); // sent again
    for (int i = 0; i < 5; ++i)
        QCOMPARE(bob.chats.at(i).second, chats.at(i));
    QTRY_COMPARE(heldFor(net, Carol, Bob), 0);
    QCOMPARE(bob.chatsReceived(), 5);
}

QTEST_GUILESS_MAIN(tst_CourierHold)
#include "tst_courierhold.moc"
