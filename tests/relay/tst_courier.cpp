// SPDX-License-Identifier: GPL-3.0-or-later
// Courier, relay half (issue 16): Alice and Bob both connected to Carol, not to each other.
// With every switch on they talk through Carol, who carries only sealed envelopes; with any
// off, nothing is relayed. A direct link wins and ends the relayed session first. Carol
// altering, re-addressing or replaying envelopes shows nothing forged and nothing twice.
#include "carrynet.h"

#include "relay/envelope.h"

#include <QCborMap>
#include <QCborValue>
#include <QCryptographicHash>
#include <QDateTime>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace {

constexpr int Alice = 0;
constexpr int Carol = 1;
constexpr int Bob = 2;
constexpr int Dave = 3;
constexpr int Eve = 4;

bool isCarriedType(const Protocol::Message &m)
{
    return std::holds_alternative<Protocol::Carry>(m) || std::holds_alternative<Protocol::Routes>(m)
           || std::holds_alternative<Protocol::RelayEnvelope>(m)
           || std::holds_alternative<Protocol::DeliverEnvelope>(m)
           || std::holds_alternative<Protocol::HoldEnvelope>(m)
           || std::holds_alternative<Protocol::Held>(m) || std::holds_alternative<Protocol::Got>(m);
}

Protocol::Chat chat(const QString &text)
{
    return Protocol::Chat(QUuid::createUuid(),
                          QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch()),
                          text);
}

// What one courier reports to the services, in order, as lines easy to compare.
class Recorder
{
public:
    explicit Recorder(CarryNet &net, int node)
        : m_net(net)
    {
        Courier &c = net.courier(node);
        QObject::connect(&c,
                         &Transport::peerConnected,
                         &m_context,
                         [this, &c](const QString &peer,
                                    const Protocol::Hello &hello,
                                    const QString &address,
                                    const QSslCertificate &cert) {
                             const QString how = c.via(peer).isEmpty() ? u"direct"_s : u"relayed"_s;
                             events.append(u"up %1 %2"_s.arg(name(peer), how));
                             hellos.insert(peer, hello);
                             addresses.insert(peer, address);
                             certificates.insert(peer, cert);
                         });
        QObject::connect(&c,
                         &Transport::peerDisconnected,
                         &m_context,
                         [this](const QString &peer, const QString &) {
                             events.append(u"down %1"_s.arg(name(peer)));
                         });
        QObject::connect(&c,
                         &Courier::viaChanged,
                         &m_context,
                         [this](const QString &peer, const QString &carrier) {
                             events.append(u"via %1 %2"_s.arg(name(peer), name(carrier)));
                         });
        QObject::connect(&c,
                         &Transport::messageReceived,
                         &m_context,
                         [this](const QString &peer, const Protocol::Message &m, StreamKind) {
                             messages.append({peer, m});
                         });
    }

    QString name(const QString &peerId) const
    {
        const int i = m_net.indexOf(peerId);
        return i < 0 ? (peerId.isEmpty() ? u"-"_s : peerId.left(8)) : m_net.node(i).name;
    }
    template<typename T>
    QList<T> received(const QString &from) const
    {
        QList<T> out;
        for (const auto &[peer, m] : messages) {
            if (peer == from && std::holds_alternative<T>(m))
                out.append(std::get<T>(m));
        }
        return out;
    }

    QStringList events;
    QList<std::pair<QString, Protocol::Message>> messages;
    QHash<QString, Protocol::Hello> hellos;
    QHash<QString, QString> addresses;
    QHash<QString, QSslCertificate> certificates;

private:
    CarryNet &m_net;
    QObject m_context;
};

// The envelope an `env` or `rly` carries, re-encoded with `key` set to `value` (a carrier
// tampering with the header).
QByteArray withField(const QByteArray &envelope, const QString &key, const QCborValue &value)
{
    QCborParserError error;
    QCborMap map = QCborValue::fromCbor(envelope, &error).toMap();
    map.insert(key, value);
    return map.toCborValue().toCbor();
}

// A peer a carrier made up: any bytes do as its certificate, its ID is their SHA-256.
Protocol::Routes::Peer madeUp(const QString &tag, int n)
{
    Protocol::Routes::Peer p;
    p.cert = u"made-up certificate %1 %2"_s.arg(tag).arg(n).toUtf8().repeated(8);
    p.id = QString::fromLatin1(QCryptographicHash::hash(p.cert, QCryptographicHash::Sha256).toHex());
    p.name = u"%1 %2"_s.arg(tag).arg(n);
    return p;
}

QList<Protocol::Routes::Peer> madeUp(const QString &tag, int from, int count)
{
    QList<Protocol::Routes::Peer> out;
    for (int i = from; i < from + count; ++i)
        out.append(madeUp(tag, i));
    return out;
}

} // namespace

class tst_Courier : public QObject
{
    Q_OBJECT

private:
    // Alice - Carol - Bob (and Dave beside Carol when asked), every relay switch on.
    static void relayLine(CarryNet &net, bool withDave = false)
    {
        net.allowAll(Alice, Carol, {true, false});
        net.allowAll(Bob, Carol, {true, false});
        net.link(Alice, Carol);
        net.link(Bob, Carol);
        if (withDave) {
            net.allowAll(Dave, Carol, {true, false});
            net.link(Dave, Carol);
        }
        net.deliverAll();
    }

private Q_SLOTS:
    void relayedBothWays();
    void anySwitchOff_data();
    void anySwitchOff();
    void carrierTampers_data();
    void carrierTampers();
    void strangers();
    void directWins();
    void carrierLeaves();
    void relayBudget();
    void burstPacedUnderBudget();
    void bunchedByTheNetwork();
    void routesWithWrongCertificate();
    void onlyCarriedTypesRelayed();
    void connectionsWriteNothing();
    void routesComeTooFast();
    void honestCarrierLosesNothing();
    void newPeersPerHour();
};

void tst_Courier::relayedBothWays()
{
    CarryNet net(3, {u"Alice"_s, u"Carol"_s, u"Bob"_s});
    Recorder alice(net, Alice);
    Recorder bob(net, Bob);
    Recorder carol(net, Carol);
    relayLine(net);

    // Each sees the other connected, via Carol, with the certificate Carol vouched for.
    QVERIFY(net.courier(Alice).isConnected(net.id(Bob)));
    QVERIFY(net.courier(Bob).isConnected(net.id(Alice)));
    QCOMPARE(net.courier(Alice).via(net.id(Bob)), net.id(Carol));
    QCOMPARE(net.courier(Bob).via(net.id(Alice)), net.id(Carol));
    QVERIFY(net.courier(Alice).via(net.id(Carol)).isEmpty()); // direct
    QVERIFY(alice.events.contains(u"up Bob relayed"_s));
    QVERIFY(alice.events.contains(u"via Bob Carol"_s));
    const Protocol::Hello hello = alice.hellos.value(net.id(Bob));
    QCOMPARE(hello.peerId, net.id(Bob));
    QCOMPARE(hello.name, u"Bob"_s);
    QCOMPARE(hello.port, quint16(0));
    QVERIFY(hello.capabilities.isEmpty());
    QVERIFY(alice.addresses.value(net.id(Bob)).isEmpty());
    QCOMPARE(alice.certificates.value(net.id(Bob)), net.node(Bob).identity->certificate());
    // Relayed: the conversation only.
    QVERIFY(!net.courier(Alice).supportsStream(net.id(Bob), StreamKind::Bulk));
    QVERIFY(!net.courier(Alice).isConnected(net.id(Bob), StreamKind::Bulk));
    QCOMPARE(net.courier(Alice).openStream(net.id(Bob), StreamKind::Bulk), 0);

    // A conversation both ways, each message as from its author.
    const Protocol::Chat hi = chat(u"secret words from Alice"_s);
    QVERIFY(net.courier(Alice).send(net.id(Bob), hi));
    net.deliverAll();
    QCOMPARE(bob.received<Protocol::Chat>(net.id(Alice)), QList<Protocol::Chat>{hi});
    QVERIFY(net.courier(Bob).send(net.id(Alice), Protocol::Ack{hi.id}));
    const Protocol::Chat back = chat(u"secret answer from Bob"_s);
    QVERIFY(net.courier(Bob).send(net.id(Alice), back));
    QVERIFY(net.courier(Bob).send(net.id(Alice), Protocol::Typing{true}));
    net.deliverAll();
    QCOMPARE(alice.received<Protocol::Ack>(net.id(Bob)), QList<Protocol::Ack>{Protocol::Ack{hi.id}});
    QCOMPARE(alice.received<Protocol::Chat>(net.id(Bob)), QList<Protocol::Chat>{back});
    QCOMPARE(alice.received<Protocol::Typing>(net.id(Bob)).size(), 1);
    // Nothing from Carol herself reached the services of either.
    QVERIFY(alice.received<Protocol::Chat>(net.id(Carol)).isEmpty());

    // Carol carried only carry types, never the words.
    const CarryNetTransport &c = net.direct(Carol);
    QVERIFY(!c.sent.isEmpty());
    QVERIFY(!c.received.isEmpty());
    for (const auto &frames : {c.sent, c.received}) {
        for (const CarryNetTransport::Frame &f : frames) {
            QVERIFY2(isCarriedType(f.message), qPrintable(Protocol::toString(f.message)));
            const QByteArray bytes = Protocol::encode(f.message);
            QVERIFY(!bytes.contains("secret"));
        }
    }
    QVERIFY(carol.messages.isEmpty());
}

void tst_Courier::anySwitchOff_data()
{
    QTest::addColumn<int>("who");
    QTest::addColumn<int>("whom");
    QTest::newRow("Alice does not allow Carol") << Alice << Carol;
    QTest::newRow("Carol does not allow Alice") << Carol << Alice;
    QTest::newRow("Carol does not allow Bob") << Carol << Bob;
    QTest::newRow("Bob does not allow Carol") << Bob << Carol;
}

void tst_Courier::anySwitchOff()
{
    QFETCH(int, who);
    QFETCH(int, whom);
    CarryNet net(3, {u"Alice"_s, u"Carol"_s, u"Bob"_s});
    Recorder alice(net, Alice);
    Recorder bob(net, Bob);
    net.allowAll(Alice, Carol, {true, false});
    net.allowAll(Bob, Carol, {true, false});
    net.allow(who, whom, {false, true}); // hold alone is no relay
    net.link(Alice, Carol);
    net.link(Bob, Carol);
    net.deliverAll();
    QVERIFY(!net.courier(Alice).isConnected(net.id(Bob)));
    QVERIFY(!net.courier(Bob).isConnected(net.id(Alice)));
    QVERIFY(net.courier(Alice).via(net.id(Bob)).isEmpty());
    QVERIFY(!alice.events.contains(u"up Bob relayed"_s));
    QVERIFY(!bob.events.contains(u"up Alice relayed"_s));
    QVERIFY(!net.courier(Alice).send(net.id(Bob), chat(u"hello"_s)));

    // Turned on again: relayed at once, without a reconnect.
    net.allow(who, whom, {true, false});
    net.deliverAll();
    QVERIFY(net.courier(Alice).isConnected(net.id(Bob)));
    QVERIFY(net.courier(Bob).isConnected(net.id(Alice)));
    // And off again: the relayed session ends on both sides.
    net.allow(who, whom, {false, false});
    net.deliverAll();
    QVERIFY(!net.courier(Alice).isConnected(net.id(Bob)));
    QVERIFY(!net.courier(Bob).isConnected(net.id(Alice)));
    QCOMPARE(alice.events.last(), u"via Bob -"_s);
    QVERIFY(alice.events.contains(u"down Bob"_s));
}

void tst_Courier::carrierTampers_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("a byte of the ciphertext") << u"byte"_s;
    QTest::newRow("the last byte") << u"last"_s;
    QTest::newRow("re-addressed to Dave") << u"readdress"_s;
    QTest::newRow("passed to Dave as it is") << u"todave"_s;
    QTest::newRow("a later expiry") << u"expiry"_s;
    QTest::newRow("another eid") << u"eid"_s;
    QTest::newRow("replayed") << u"replay"_s;
    QTest::newRow("replayed after a reconnect") << u"replaylater"_s;
}

void tst_Courier::carrierTampers()
{
    QFETCH(QString, how);
    CarryNet net(4, {u"Alice"_s, u"Carol"_s, u"Bob"_s, u"Dave"_s});
    Recorder bob(net, Bob);
    Recorder dave(net, Dave);
    relayLine(net, true);
    QVERIFY(net.courier(Alice).isConnected(net.id(Bob)));

    QList<QByteArray> passed; // what Carol delivered to Bob
    net.tap = [&](CarryNet::Packet &p) {
        auto *env = std::get_if<Protocol::DeliverEnvelope>(&p.message);
        if (!env || p.from != Carol || p.to != Bob)
            return true;
        passed.append(env->envelope);
        if (how == u"byte"_s) {
            env->envelope[env->envelope.size() / 2] ^= 0x01;
        } else if (how == u"last"_s) {
            env->envelope[env->envelope.size() - 1] ^= 0x80;
        } else if (how == u"readdress"_s) {
            net.queue.append(CarryNet::Packet{Carol,
                                              Dave,
                                              Protocol::DeliverEnvelope{
                                                  withField(env->envelope, u"to"_s, net.id(Dave))}});
            return false;
        } else if (how == u"todave"_s) {
            net.queue.append(CarryNet::Packet{Carol, Dave, *env});
            return false;
        } else if (how == u"expiry"_s) {
            env->envelope = withField(env->envelope,
                                      u"exp"_s,
                                      QDateTime::currentMSecsSinceEpoch() + 3 * 24 * 3600 * 1000LL);
        } else if (how == u"eid"_s) {
            env->envelope = withField(env->envelope,
                                      u"eid"_s,
                                      QByteArray(Protocol::EnvelopeIdBytes, '\x42'));
        } else if (how == u"replay"_s && passed.size() == 1) {
            net.queue.append(CarryNet::Packet{Carol, Bob, *env});
            net.queue.append(CarryNet::Packet{Carol, Bob, *env});
        }
        return true;
    };
    const Protocol::Chat hi = chat(u"for Bob only"_s);
    QVERIFY(net.courier(Alice).send(net.id(Bob), hi));
    net.deliverAll();
    QCOMPARE(passed.size(), how == u"replay"_s ? 3 : 1);

    const bool shown = how == u"replay"_s || how == u"replaylater"_s;
    QCOMPARE(bob.received<Protocol::Chat>(net.id(Alice)).size(), shown ? 1 : 0);
    QVERIFY(dave.messages.isEmpty());
    // Nothing of Alice's was shown as from anyone else either.
    for (const auto &[peer, m] : bob.messages)
        QCOMPARE(peer, net.id(Alice));

    if (how == u"replaylater"_s) {
        // Carol kept it, and replays it once Bob is back.
        net.tap = {};
        net.unlink(Bob, Carol);
        net.link(Bob, Carol);
        net.deliverAll();
        QVERIFY(net.courier(Alice).isConnected(net.id(Bob)));
        net.queue.append(CarryNet::Packet{Carol, Bob, Protocol::DeliverEnvelope{passed.first()}});
        net.deliverAll();
        QCOMPARE(bob.received<Protocol::Chat>(net.id(Alice)).size(), 1);
    }

    // The connection stays: the next message arrives.
    net.tap = {};
    const Protocol::Chat next = chat(u"again"_s);
    QVERIFY(net.courier(Alice).send(net.id(Bob), next));
    net.deliverAll();
    QVERIFY(bob.received<Protocol::Chat>(net.id(Alice)).contains(next));
}

void tst_Courier::strangers()
{
    // Dave is connected to Bob but Bob never allowed him to carry: his env is dropped, even a
    // perfectly sealed one. An envelope for someone else is dropped whoever delivers it.
    CarryNet net(4, {u"Alice"_s, u"Carol"_s, u"Bob"_s, u"Dave"_s});
    Recorder bob(net, Bob);
    relayLine(net);
    net.link(Dave, Bob);
    net.deliverAll();

    QString error;
    QByteArray eid;
    Relay::Sealer daveSeals(*net.node(Dave).identity);
    const qint64 exp = QDateTime::currentMSecsSinceEpoch() + 3600 * 1000;
    const QByteArray forBob = daveSeals.seal(net.node(Bob).identity->certificate(),
                                             chat(u"from Dave"_s),
                                             exp,
                                             &eid,
                                             &error);
    QVERIFY2(!forBob.isEmpty(), qPrintable(error));
    net.queue.append(CarryNet::Packet{Dave, Bob, Protocol::DeliverEnvelope{forBob}});
    net.deliverAll();
    QVERIFY(bob.messages.isEmpty());

    // Sealed by Dave for Alice, handed to Bob by Carol (allowed to carry): not Bob's.
    const QByteArray forAlice = daveSeals.seal(net.node(Alice).identity->certificate(),
                                               chat(u"for Alice"_s),
                                               exp,
                                               &eid,
                                               &error);
    QVERIFY2(!forAlice.isEmpty(), qPrintable(error));
    net.queue.append(CarryNet::Packet{Carol, Bob, Protocol::DeliverEnvelope{forAlice}});
    // Garbage in an env, too.
    net.queue.append(
        CarryNet::Packet{Carol, Bob, Protocol::DeliverEnvelope{QByteArray(300, '\xa5')}});
    net.deliverAll();
    QVERIFY(bob.messages.isEmpty());

    // Dave's sealed chat for Bob delivered by Carol is shown as Dave's, never as anyone else's.
    net.queue.append(CarryNet::Packet{Carol, Bob, Protocol::DeliverEnvelope{forBob}});
    net.deliverAll();
    QCOMPARE(bob.messages.size(), 1);
    QCOMPARE(bob.messages.first().first, net.id(Dave));

    // An rly from Dave, who Carol does not relay for, is not passed on.
    Recorder alice(net, Alice);
    const QByteArray forAlice2 = daveSeals.seal(net.node(Alice).identity->certificate(),
                                                chat(u"via Carol?"_s),
                                                exp,
                                                &eid,
                                                &error);
    net.link(Dave, Carol);
    net.deliverAll();
    net.queue.append(CarryNet::Packet{Dave, Carol, Protocol::RelayEnvelope{forAlice2}});
    net.deliverAll();
    QVERIFY(alice.messages.isEmpty());
    for (const CarryNetTransport::Frame &f : net.direct(Alice).received)
        QVERIFY(!std::holds_alternative<Protocol::DeliverEnvelope>(f.message));
}

void tst_Courier::directWins()
{
    CarryNet net(3, {u"Alice"_s, u"Carol"_s, u"Bob"_s});
    Recorder alice(net, Alice);
    relayLine(net);
    QCOMPARE(net.courier(Alice).via(net.id(Bob)), net.id(Carol));
    alice.events.clear();

    // The direct link appears: the relayed session ends before the direct one is reported.
    net.link(Alice, Bob);
    net.deliverAll();
    QCOMPARE(alice.events, (QStringList{u"down Bob"_s, u"via Bob -"_s, u"up Bob direct"_s}));
    QVERIFY(net.courier(Alice).via(net.id(Bob)).isEmpty());
    QVERIFY(net.courier(Alice).isConnected(net.id(Bob)));
    QCOMPARE(alice.addresses.value(net.id(Bob)), u"127.0.0.1:47802"_s);
    // Messages go straight, not through Carol.
    const qsizetype carolSaw = net.direct(Carol).received.size();
    QVERIFY(net.courier(Alice).send(net.id(Bob), chat(u"direct"_s)));
    net.deliverAll();
    QCOMPARE(net.direct(Carol).received.size(), carolSaw);
    QVERIFY(std::holds_alternative<Protocol::Chat>(net.direct(Bob).received.last().message));

    // It goes: relayed again, since Carol still offers the route.
    alice.events.clear();
    net.unlink(Alice, Bob);
    net.deliverAll();
    QCOMPARE(alice.events, (QStringList{u"down Bob"_s, u"up Bob relayed"_s, u"via Bob Carol"_s}));
    QCOMPARE(net.courier(Alice).via(net.id(Bob)), net.id(Carol));
    QVERIFY(net.courier(Alice).send(net.id(Bob), chat(u"relayed again"_s)));
}

void tst_Courier::carrierLeaves()
{
    // Two carriers: when the one in use leaves, the other takes over without a gap (a new
    // session, no disconnect); when both are gone, Bob is disconnected.
    CarryNet net(4, {u"Alice"_s, u"Carol"_s, u"Bob"_s, u"Dave"_s});
    Recorder alice(net, Alice);
    relayLine(net);
    net.allowAll(Alice, Dave, {true, false});
    net.allowAll(Bob, Dave, {true, false});
    net.link(Alice, Dave);
    net.link(Bob, Dave);
    net.deliverAll();
    const QString first = net.courier(Alice).via(net.id(Bob));
    QCOMPARE(first, net.id(Carol)); // offered first, kept
    alice.events.clear();
    net.unlink(Bob, Carol);
    net.deliverAll();
    QCOMPARE(net.courier(Alice).via(net.id(Bob)), net.id(Dave));
    // No disconnect in between, but the services are told that a new session replaced the
    // old one (as when a stream replaces another): what went through Carol and is not answered
    // may be lost with her, and goes again through Dave.
    QCOMPARE(alice.events, (QStringList{u"up Bob relayed"_s, u"via Bob Dave"_s}));
    QCOMPARE(alice.hellos.value(net.id(Bob)).name, u"Bob"_s);
    const Protocol::Chat hi = chat(u"through Dave"_s);
    Recorder bob(net, Bob);
    QVERIFY(net.courier(Alice).send(net.id(Bob), hi));
    net.deliverAll();
    QCOMPARE(bob.received<Protocol::Chat>(net.id(Alice)), QList<Protocol::Chat>{hi});

    alice.events.clear();
    net.unlink(Alice, Dave);
    net.deliverAll();
    QCOMPARE(alice.events, (QStringList{u"down Dave"_s, u"down Bob"_s, u"via Bob -"_s}));
    QVERIFY(!net.courier(Alice).isConnected(net.id(Bob)));
}

void tst_Courier::relayBudget()
{
    CarryNet net(3, {u"Alice"_s, u"Carol"_s, u"Bob"_s});
    Recorder bob(net, Bob);
    relayLine(net);
    qint64 carolNow = QDateTime::currentMSecsSinceEpoch();
    net.courier(Carol).setClock([&carolNow] { return carolNow; });
    // A flood of rly straight from Alice's connection (a peer that does not pace itself, as
    // Alice's courier does): the burst passes at once, the next RelaySlack wait at Carol for
    // the budget, in order, and the rest is dropped.
    Relay::Sealer sealer(*net.node(Alice).identity);
    const QSslCertificate bobCert = net.node(Bob).identity->certificate();
    const auto sendRaw = [&](const Protocol::Message &m) {
        QString error;
        Protocol::RelayEnvelope rly;
        rly.envelope = sealer.seal(bobCert, m, carolNow + 60'000, nullptr, &error);
        QVERIFY2(!rly.envelope.isEmpty(), qPrintable(error));
        QVERIFY(net.direct(Alice).send(net.id(Carol), rly, StreamKind::Chat));
    };
    for (int i = 0; i < Courier::RelayBurst + Courier::RelaySlack + 50; ++i)
        sendRaw(Protocol::Typing{i % 2 == 0});
    net.deliverAll();
    QCOMPARE(bob.received<Protocol::Typing>(net.id(Alice)).size(), Courier::RelayBurst);
    // A second later, a second's worth more of what waits; a second after that, the rest.
    carolNow += 1000;
    QTRY_COMPARE(bob.received<Protocol::Typing>(net.id(Alice)).size(),
                 Courier::RelayBurst + Courier::RelayPerSecond);
    carolNow += 1000;
    QTRY_COMPARE(bob.received<Protocol::Typing>(net.id(Alice)).size(),
                 Courier::RelayBurst + Courier::RelaySlack);
    // What was over the wait is gone: a later rly comes right after the last that waited.
    carolNow += 10'000;
    sendRaw(chat(u"after the flood"_s));
    QTRY_COMPARE(bob.received<Protocol::Chat>(net.id(Alice)).size(), 1);
    QCOMPARE(bob.received<Protocol::Typing>(net.id(Alice)).size(),
             Courier::RelayBurst + Courier::RelaySlack);
    // Bob's own budget is his: untouched by Alice's flood.
    QVERIFY(net.courier(Bob).send(net.id(Alice), chat(u"still here"_s)));
    Recorder alice(net, Alice);
    net.deliverAll();
    QCOMPARE(alice.received<Protocol::Chat>(net.id(Bob)).size(), 1);
}

void tst_Courier::burstPacedUnderBudget()
{
    // A long queue going out at once to a relayed peer (the outbox's flush when Bob comes
    // back): more than the carrier's burst. Carol drops what is over her budget, and the
    // outbox counts what the courier took as sent: nothing may be dropped for an honest sender.
    CarryNet net(3, {u"Alice"_s, u"Carol"_s, u"Bob"_s});
    Recorder bob(net, Bob);
    relayLine(net);
    // Alice's clock stands still while she queues them (sealing 550 may take seconds under a
    // sanitizer on a busy machine, which would let the pace pass them all), then runs.
    bool frozen = true;
    const qint64 queuedAt = QDateTime::currentMSecsSinceEpoch();
    net.courier(Alice).setClock(
        [&] { return frozen ? queuedAt : QDateTime::currentMSecsSinceEpoch(); });
    constexpr int Count = Courier::RelayBurst + 150;
    for (int i = 0; i < Count; ++i)
        QVERIFY(net.courier(Alice).send(net.id(Bob), chat(u"message %1"_s.arg(i))));
    // What waits for the carrier counts as the relayed peer's backlog (the outbox's window).
    QVERIFY(net.courier(Alice).pendingWriteBytes(net.id(Bob)) > 0);
    frozen = false;
    QTRY_COMPARE_WITH_TIMEOUT(bob.received<Protocol::Chat>(net.id(Alice)).size(), Count, 20'000);
    const QList<Protocol::Chat> got = bob.received<Protocol::Chat>(net.id(Alice));
    for (int i = 0; i < Count; ++i)
        QCOMPARE(got.at(i).text, u"message %1"_s.arg(i)); // in order
    QCOMPARE(net.courier(Alice).pendingWriteBytes(net.id(Bob)), qint64(0));
}

void tst_Courier::bunchedByTheNetwork()
{
    // Alice paces her rly, but the link to Carol stalls and then delivers three seconds' worth
    // at once: Carol's budget is exceeded by an honest sender. What is over it waits at Carol
    // and goes on as her budget allows, in order: nothing is lost.
    CarryNet net(3, {u"Alice"_s, u"Carol"_s, u"Bob"_s});
    Recorder bob(net, Bob);
    net.autoDeliver = false; // the stalled link, from the start: relayLine delivers itself
    relayLine(net);
    qint64 aliceNow = QDateTime::currentMSecsSinceEpoch();
    qint64 carolNow = aliceNow;
    net.courier(Alice).setClock([&aliceNow] { return aliceNow; });
    net.courier(Carol).setClock([&carolNow] { return carolNow; });
    const auto inFlight = [&net] {
        return int(
            std::count_if(net.queue.cbegin(), net.queue.cend(), [](const CarryNet::Packet &p) {
                return std::holds_alternative<Protocol::RelayEnvelope>(p.message);
            }));
    };
    constexpr int Count = Courier::PaceBurst + 3 * Courier::PacePerSecond;
    for (int i = 0; i < Count; ++i)
        QVERIFY(net.courier(Alice).send(net.id(Bob), chat(u"message %1"_s.arg(i))));
    QCOMPARE(inFlight(), Courier::PaceBurst);
    for (int s = 1; s <= 3; ++s) {
        aliceNow += 1000;
        QTRY_COMPARE(inFlight(), Courier::PaceBurst + s * Courier::PacePerSecond);
    }
    QVERIFY(Count > Courier::RelayBurst); // more than Carol passes on at once
    net.deliverAll();                     // all at once, Carol's clock standing still
    QCOMPARE(bob.received<Protocol::Chat>(net.id(Alice)).size(), Courier::RelayBurst);
    net.autoDeliver = true;
    carolNow += 1000;
    QTRY_COMPARE(bob.received<Protocol::Chat>(net.id(Alice)).size(),
                 Courier::RelayBurst + Courier::RelayPerSecond);
    carolNow += 1000;
    QTRY_COMPARE(bob.received<Protocol::Chat>(net.id(Alice)).size(), Count);
    const QList<Protocol::Chat> got = bob.received<Protocol::Chat>(net.id(Alice));
    for (int i = 0; i < Count; ++i)
        QCOMPARE(got.at(i).text, u"message %1"_s.arg(i)); // in order
}

void tst_Courier::routesWithWrongCertificate()
{
    // Carol is hostile: she offers Alice routes whose certificates are not those peers'.
    CarryNet net(5, {u"Alice"_s, u"Carol"_s, u"Bob"_s, u"Dave"_s, u"Eve"_s});
    Recorder alice(net, Alice);
    net.allowAll(Alice, Carol, {true, false});
    net.link(Alice, Carol);
    net.deliverAll();
    auto entry = [&](int who, int certOf) {
        Protocol::Routes::Peer p;
        p.id = net.id(who);
        p.name = net.node(who).name;
        p.cert = net.node(certOf).identity->certificate().toDer();
        return p;
    };
    Protocol::Routes routes;
    routes.peers = {entry(Bob, Bob), entry(Dave, Eve), entry(Alice, Alice), entry(Eve, Eve)};
    routes.peers[3].cert[10] ^= 0x01; // Eve's, one bit off
    net.direct(Alice).deliver(net.id(Carol), routes);
    QVERIFY(net.courier(Alice).isConnected(net.id(Bob)));
    QCOMPARE(net.courier(Alice).via(net.id(Bob)), net.id(Carol));
    QVERIFY(!net.courier(Alice).isConnected(net.id(Dave)));
    QVERIFY(!net.courier(Alice).isConnected(net.id(Eve)));
    QVERIFY(!net.courier(Alice).isConnected(net.id(Alice)));
    QCOMPARE(alice.events.filter(u"up "_s),
             (QStringList{u"up Carol direct"_s, u"up Bob relayed"_s}));

    // Routes withdrawn: Bob is gone.
    net.direct(Alice).deliver(net.id(Carol), Protocol::Routes{});
    QVERIFY(!net.courier(Alice).isConnected(net.id(Bob)));

    // Routes from a peer Alice does not allow to relay are ignored.
    net.allow(Alice, Carol, {false, false});
    net.direct(Alice).deliver(net.id(Carol), routes);
    QVERIFY(!net.courier(Alice).isConnected(net.id(Bob)));
}

void tst_Courier::onlyCarriedTypesRelayed()
{
    // Files and group traffic wait for a direct connection: not sealed, not sent.
    CarryNet net(3, {u"Alice"_s, u"Carol"_s, u"Bob"_s});
    relayLine(net);
    QVERIFY(net.courier(Alice).isConnected(net.id(Bob)));
    const qsizetype before = net.direct(Carol).received.size();
    QVERIFY(!net.courier(Alice).send(net.id(Bob), Protocol::Ping{}));
    QVERIFY(!net.courier(Alice).send(net.id(Bob), Protocol::Pex{}));
    QVERIFY(!net.courier(Alice).send(net.id(Bob), chat(u"bulk?"_s), StreamKind::Bulk));
    net.deliverAll();
    QCOMPARE(net.direct(Carol).received.size(), before);
    // A peer neither direct nor relayed: a chat is not sent (the queue keeps it).
    net.unlink(Bob, Carol);
    net.deliverAll();
    QVERIFY(!net.courier(Alice).send(net.id(Bob), chat(u"later"_s)));
}

void tst_Courier::connectionsWriteNothing()
{
    // A crowd of made-up identities connecting (tst_hostile's 512) must cost no disk write each:
    // a write per connection on the event loop's thread stalled handshakes, and relay.sqlite
    // grew with every stranger. A connection's certificate stays in memory while it lasts; an
    // absent peer's comes from the messenger's lookup (the roster's records) when needed.
    CarryNet net(2, {u"Alice"_s, u"Stranger"_s});
    net.link(Alice, 1);
    net.deliverAll();
    QVERIFY(net.courier(Alice).isConnected(net.id(1)));
    QVERIFY(net.node(Alice).store.certificate(net.id(1)).isEmpty());
    net.unlink(Alice, 1);
    net.deliverAll();
    QVERIFY(net.node(Alice).store.certificate(net.id(1)).isEmpty());
}

void tst_Courier::routesComeTooFast()
{
    // Carol, trusted to relay, sends a new list of peers with every frame. Alice applies a
    // few at once, then one per interval: what comes faster waits, and only the latest of it
    // is applied; the lists in between never become peers.
    CarryNet net(2, {u"Alice"_s, u"Carol"_s});
    Recorder alice(net, Alice);
    net.allowAll(Alice, Carol, {true, false});
    net.link(Alice, Carol);
    net.deliverAll();
    qint64 aliceNow = QDateTime::currentMSecsSinceEpoch();
    net.courier(Alice).setClock([&aliceNow] { return aliceNow; });

    const QList<Protocol::Routes::Peer> peers = madeUp(u"fast"_s, 0, 10);
    for (const Protocol::Routes::Peer &p : peers) {
        Protocol::Routes routes;
        routes.peers = {p};
        net.queue.append(CarryNet::Packet{Carol, Alice, routes});
    }
    net.deliverAll();
    constexpr int Burst = Courier::RoutesBurst;
    QVERIFY(net.courier(Alice).isConnected(peers.at(Burst - 1).id));
    for (int i = Burst; i < peers.size(); ++i)
        QVERIFY(!net.courier(Alice).isConnected(peers.at(i).id));

    aliceNow += Courier::RoutesIntervalMs;
    QTRY_VERIFY_WITH_TIMEOUT(net.courier(Alice).isConnected(peers.last().id), 10'000);
    QCOMPARE(net.courier(Alice).via(peers.last().id), net.id(Carol));
    QStringList expected{u"up Carol direct"_s};
    for (int i = 0; i < Burst; ++i)
        expected.append(u"up %1 relayed"_s.arg(peers.at(i).id.left(8)));
    expected.append(u"up %1 relayed"_s.arg(peers.last().id.left(8)));
    QCOMPARE(alice.events.filter(u"up "_s), expected);
    for (int i = 0; i < peers.size() - 1; ++i)
        QVERIFY(!net.courier(Alice).isConnected(peers.at(i).id));
}

void tst_Courier::honestCarrierLosesNothing()
{
    // Eight peers join Carol one after another: her list to Alice changes eight times in a
    // moment, faster than Alice applies it. Alice ends with every one of them, via Carol.
    constexpr int Crowd = 8;
    static_assert(Crowd > Courier::RoutesBurst);
    CarryNet net(2 + Crowd);
    net.allowAll(Alice, Carol, {true, false});
    net.link(Alice, Carol);
    net.deliverAll();
    for (int i = 2; i < 2 + Crowd; ++i) {
        net.allowAll(i, Carol, {true, false});
        net.link(i, Carol);
        net.deliverAll();
    }
    for (int i = 2; i < 2 + Crowd; ++i) {
        QTRY_VERIFY_WITH_TIMEOUT(net.courier(Alice).isConnected(net.id(i)), 10'000);
        QCOMPARE(net.courier(Alice).via(net.id(i)), net.id(Carol));
    }
    // And a message reaches the last of them.
    Recorder last(net, 1 + Crowd);
    const Protocol::Chat hi = chat(u"hello, newcomer"_s);
    QVERIFY(net.courier(Alice).send(net.id(1 + Crowd), hi));
    QTRY_COMPARE(last.received<Protocol::Chat>(net.id(Alice)), QList<Protocol::Chat>{hi});
}

void tst_Courier::newPeersPerHour()
{
    // Carol makes up a new list of peers every time. Each new peer would be a relayed peer of
    // Alice's (a record in her history, a certificate on her disk): Carol may introduce a whole
    // list at once, then NewRoutesPerHour an hour; the rest waits, not relayed and not
    // written, and is offered as the hour goes on. Peers she introduced before come back
    // freely, and a reconnect does not start her budget again.
    CarryNet net(2, {u"Alice"_s, u"Carol"_s});
    net.allowAll(Alice, Carol, {true, false});
    net.link(Alice, Carol);
    net.deliverAll();
    qint64 aliceNow = QDateTime::currentMSecsSinceEpoch();
    net.courier(Alice).setClock([&aliceNow] { return aliceNow; });
    Courier &alice = net.courier(Alice);
    const CarryStore &store = net.node(Alice).store;
    const auto offer = [&](const QList<Protocol::Routes::Peer> &peers) {
        Protocol::Routes routes;
        routes.peers = peers;
        net.queue.append(CarryNet::Packet{Carol, Alice, routes});
        net.deliverAll();
    };
    const auto relayed = [&](const QList<Protocol::Routes::Peer> &peers) {
        int n = 0;
        for (const Protocol::Routes::Peer &p : peers)
            n += alice.isConnected(p.id) ? 1 : 0;
        return n;
    };
    static_assert(Courier::NewRoutesBurst == Protocol::Routes::MaxPeers);
    const QList<Protocol::Routes::Peer> first = madeUp(u"first"_s, 0, Protocol::Routes::MaxPeers);
    const QList<Protocol::Routes::Peer> second = madeUp(u"second"_s, 0, Protocol::Routes::MaxPeers);

    offer(first); // a whole list at once
    QCOMPARE(relayed(first), int(first.size()));
    QCOMPARE(store.certificate(first.first().id), first.first().cert);

    offer(second); // as many new ones again: none
    QCOMPARE(relayed(first), 0);
    QCOMPARE(relayed(second), 0);
    for (const Protocol::Routes::Peer &p : second)
        QVERIFY(store.certificate(p.id).isEmpty());

    offer(first); // introduced before: free
    QCOMPARE(relayed(first), int(first.size()));

    net.unlink(Alice, Carol);
    net.link(Alice, Carol);
    net.deliverAll();
    QCOMPARE(relayed(first), 0);
    offer(second); // the budget outlives the connection
    QCOMPARE(relayed(second), 0);

    // An eighth of an hour: an eighth of the budget, the first of the list first.
    aliceNow += 3600 * 1000 / 8;
    QTRY_COMPARE_WITH_TIMEOUT(relayed(second), Courier::NewRoutesPerHour / 8, 10'000);
    QCOMPARE(relayed(second.first(Courier::NewRoutesPerHour / 8)), Courier::NewRoutesPerHour / 8);
    QVERIFY(store.certificate(second.last().id).isEmpty());
    aliceNow += 3600 * 1000;
    QTRY_COMPARE_WITH_TIMEOUT(relayed(second), int(second.size()), 10'000);
    QCOMPARE(alice.via(second.last().id), net.id(Carol));
    QCOMPARE(store.certificate(second.last().id), second.last().cert);
}

QTEST_GUILESS_MAIN(tst_Courier)
#include "tst_courier.moc"
