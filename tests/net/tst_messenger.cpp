// SPDX-License-Identifier: GPL-3.0-or-later
// Two (or more) real peers in one process, over loopback TLS.
#include "../common/rawpeer.h"
#include "../common/testpeer.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "net/connectionregistry.h"
#include "net/networksafety.h"
#include "net/tlsconfiguration.h"
#include "protocol/framedecoder.h"
#include "storage/messagestore.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QSslServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QHostAddress Loopback = QHostAddress::LocalHost;

// makePeer(name), from testpeer.h, with a given identity and port.
std::unique_ptr<Messenger> makePeer(const QString &name, const Identity *identity, quint16 port = 0)
{
    MessengerConfig config = testPeerConfig(name);
    config.port = port;
    return startPeer(config, identity);
}

QString addressOf(Messenger &m)
{
    return u"127.0.0.1:%1"_s.arg(m.port());
}

// How many times the raw peer received the chat with this ID.
qsizetype chatsReceived(const RawPeer &raw, const QUuid &id)
{
    return std::count_if(raw.received.cbegin(), raw.received.cend(), [&](const auto &m) {
        const auto *chat = std::get_if<Protocol::Chat>(&m);
        return chat && chat->id == id;
    });
}

// Whether the raw peer got the pong to its ping `seq`: everything sent to it before is there.
bool ponged(const RawPeer &raw, quint64 seq)
{
    return std::any_of(raw.received.cbegin(), raw.received.cend(), [&](const auto &m) {
        const auto *pong = std::get_if<Protocol::Pong>(&m);
        return pong && pong->seq == seq;
    });
}

bool isOnline(Messenger &m, const QString &peerId)
{
    const auto p = m.peers()->peer(peerId);
    return p && p->online;
}

// A hand-driven peer speaking the wire protocol directly, to say what a real peer never would.
// A TLS listener with `identity`'s certificate that greets every caller with `hello`.
struct FakeListener
{
    FakeListener(const Identity &identity, std::function<Protocol::Hello(quint16 port)> hello)
    {
        server.setSslConfiguration(Tls::configuration(identity));
        server.listen(Loopback);
        QObject::connect(&server, &QSslServer::pendingConnectionAvailable, &server, [this, hello] {
            QTcpSocket *s = server.nextPendingConnection();
            s->write(Protocol::encodeFrame(hello(server.serverPort())));
        });
    }
    QString address() const { return u"127.0.0.1:%1"_s.arg(server.serverPort()); }
    QSslServer server;
};

} // namespace

class tst_Messenger : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void connectAndVerifyIdentities();
    void thousandMessagesEachWay();
    void simultaneousConnectKeepsOne();
    void selfConnectRefused();
    void certificateNotMatchingClaimedIdRefused();
    void incomingCertificateMismatchRefused();
    void incompatibleVersionReported();
    void garbageClosesOnlyThatConnection();
    void unknownMessageTypeIgnored();
    void queuedMessageDeliveredWhenPeerReturns();
    void duplicateChatShownOnceAckedTwice();
    void noAckWithoutCommit();
    void oneAddressCannotTakeEverySlot();
    void connectErrors_data();
    void connectErrors();
    void tooLongMessageRejected();
    void deadPeerNoticed();
    void silentTcpClientClosed();
    void helloNeverSentClosed();
    void stalledFrameClosed();
    void outgoingIncompatibleVersionExplained();
    void textArrivesAndIsStoredExactly();
    void anotherPeersIdCannotSuppressAMessage();
    void orderFollowsArrivalNotSenderClock();
    void fullDiskShowsNotSavedAndRecovers();
    void writesToACaughtUpPeerAskNothing();
    void resendFromPeerOwedNothingAsksNothing();
    void resendServedOncePerSecondNeverDropped();
    void resendLimitForgottenWithTheConnection();
    void damagedHistoryWarnsAtStart();
    void outgoingLeavesFromListenAddress();
    void incomingPeerRedialledAtItsListeningPort();
};

namespace {

Messenger *makeImpatientPeer(QObject *parent)
{
    QString error;
    MessengerConfig config;
    config.name = u"Alice"_s;
    config.listenAddress = Loopback;
    config.port = 0;
    config.timeouts.handshakeMs = 500;
    config.timeouts.stallMs = 500;
    auto *m = new Messenger(*Identity::generate(&error), config, parent);
    m->start();
    return m;
}

} // namespace

void tst_Messenger::connectAndVerifyIdentities()
{
    auto a = makePeer(u"Alice"_s);
    auto b = makePeer(u"Bob"_s);
    QSignalSpy finished(a.get(), &Messenger::connectFinished);
    QString error;
    const int attempt = a->connectToAddress(addressOf(*b), &error);
    QVERIFY2(attempt, qPrintable(error));
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(0).toInt(), attempt);
    QCOMPARE(finished.at(0).at(1).toString(), b->id());
    QCOMPARE(finished.at(0).at(2).toString(), QString());

    QTRY_VERIFY(isOnline(*b, a->id()));
    QVERIFY(isOnline(*a, b->id()));
    QCOMPARE(a->peers()->peer(b->id())->name, u"Bob"_s);
    QCOMPARE(b->peers()->peer(a->id())->name, u"Alice"_s);
    // Mutual TLS 1.3; each side's certificate hashes to the ID the other one lists.
    PeerConnection *ab = a->connections().activeConnection(b->id());
    PeerConnection *ba = b->connections().activeConnection(a->id());
    QVERIFY(ab && ba);
    QCOMPARE(Identity::fingerprint(ab->peerCertificate()), b->id());
    QCOMPARE(Identity::fingerprint(ba->peerCertificate()), a->id());
    // The address A lists for B is B's listening port, not the ephemeral one.
    QCOMPARE(a->peers()->peer(b->id())->address, addressOf(*b));
}

void tst_Messenger::thousandMessagesEachWay()
{
    auto a = makePeer(u"Alice"_s);
    auto b = makePeer(u"Bob"_s);
    QString error;
    a->connectToAddress(addressOf(*b), &error);
    QTRY_VERIFY(isOnline(*a, b->id()) && isOnline(*b, a->id()));

    constexpr int Count = 1000;
    QList<QUuid> fromA, fromB;
    for (int i = 0; i < Count; ++i) {
        fromA.append(*a->sendMessage(b->id(), u"a→b %1"_s.arg(i), &error));
        fromB.append(*b->sendMessage(a->id(), u"b→a %1"_s.arg(i), &error));
    }
    auto allDelivered = [](const Messenger &m, const QString &peer) {
        const auto &conv = m.history().conversation(peer);
        return std::all_of(conv.cbegin(), conv.cend(), [](const ChatMessage &c) {
            return c.state == MessageState::Delivered;
        });
    };
    QTRY_COMPARE_WITH_TIMEOUT(b->history().conversation(a->id()).size(), 2 * Count, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(a->history().conversation(b->id()).size(), 2 * Count, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(allDelivered(*a, b->id()) && allDelivered(*b, a->id()), 20000);

    // Exactly once and in order, per direction.
    QList<QUuid> receivedByB, receivedByA;
    for (const ChatMessage &m : b->history().conversation(a->id())) {
        if (!m.outgoing) {
            QCOMPARE(m.text, u"a→b %1"_s.arg(receivedByB.size()));
            receivedByB.append(m.id);
        }
    }
    for (const ChatMessage &m : a->history().conversation(b->id())) {
        if (!m.outgoing)
            receivedByA.append(m.id);
    }
    QCOMPARE(receivedByB, fromA);
    QCOMPARE(receivedByA, fromB);
}

void tst_Messenger::simultaneousConnectKeepsOne()
{
    auto a = makePeer(u"Alice"_s);
    auto b = makePeer(u"Bob"_s);
    QString error;
    // Messages sent before and during the switch must arrive exactly once.
    a->connectToAddress(addressOf(*b), &error);
    b->connectToAddress(addressOf(*a), &error);
    QTRY_VERIFY(isOnline(*a, b->id()) && isOnline(*b, a->id()));
    for (int i = 0; i < 50; ++i) {
        a->sendMessage(b->id(), u"x%1"_s.arg(i), &error);
        b->sendMessage(a->id(), u"y%1"_s.arg(i), &error);
    }
    QTRY_COMPARE(a->connections().connectionCount(), 1);
    QTRY_COMPARE(b->connections().connectionCount(), 1);
    QTRY_VERIFY(isOnline(*a, b->id()) && isOnline(*b, a->id()));
    // Both kept the same TCP connection.
    PeerConnection *ab = a->connections().activeConnection(b->id());
    PeerConnection *ba = b->connections().activeConnection(a->id());
    QVERIFY(ab && ba);
    QCOMPARE(ab->localPort(), ba->remotePort());
    QCOMPARE(ab->remotePort(), ba->localPort());
    // The kept one was opened by the lower ID.
    const bool aIsLower = a->id() < b->id();
    QCOMPARE(ab->direction() == PeerConnection::Direction::Outgoing, aIsLower);

    QTRY_COMPARE(b->history().conversation(a->id()).size(), 100);
    QTRY_COMPARE(a->history().conversation(b->id()).size(), 100);
    QStringList texts;
    for (const ChatMessage &m : b->history().conversation(a->id())) {
        if (!m.outgoing)
            texts.append(m.text);
    }
    QCOMPARE(texts.size(), 50);
    QCOMPARE(texts.first(), u"x0"_s);
    QCOMPARE(texts.last(), u"x49"_s);
}

void tst_Messenger::selfConnectRefused()
{
    auto a = makePeer(u"Alice"_s);
    QSignalSpy finished(a.get(), &Messenger::connectFinished);
    QString error;
    a->connectToAddress(addressOf(*a), &error);
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(1).toString(), QString());
    QCOMPARE(finished.at(0).at(2).toString(),
             PeerConnection::describe(PeerConnection::Error::SelfConnection));
    QCOMPARE(a->peers()->rowCount(), 0);
    QTRY_COMPARE(a->connections().connectionCount(), 0);
}

void tst_Messenger::certificateNotMatchingClaimedIdRefused()
{
    // A listener whose certificate is Mallory's but whose hello claims Bob's ID.
    auto a = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    QString error;
    const Identity mallory = *Identity::generate(&error);
    FakeListener fake(mallory, [&](quint16 port) {
        Protocol::Hello h;
        h.peerId = bob->id();
        h.name = u"Bob"_s;
        h.port = port;
        return h;
    });
    QSignalSpy finished(a.get(), &Messenger::connectFinished);
    a->connectToAddress(fake.address(), &error);
    QTRY_COMPARE(finished.size(), 1);
    const QString reason = finished.at(0).at(2).toString();
    QVERIFY2(reason.contains(bob->id()) && reason.contains(mallory.id()), qPrintable(reason));
    QCOMPARE(a->peers()->rowCount(), 0);
    // Nothing can be sent to the impersonated peer.
    QVERIFY(!a->sendMessage(bob->id(), u"secret"_s, &error));
}

void tst_Messenger::incomingCertificateMismatchRefused()
{
    auto a = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    QString error;
    RawPeer mallory(*Identity::generate(&error));
    QVERIFY(mallory.connectAndWait(*a));
    mallory.send(mallory.hello(bob->id()));
    QTRY_VERIFY(mallory.receivedBye());
    QTRY_COMPARE(mallory.socket.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(a->peers()->rowCount(), 0);
}

void tst_Messenger::incompatibleVersionReported()
{
    auto a = makePeer(u"Alice"_s);
    QString error;
    RawPeer future(*Identity::generate(&error));
    QVERIFY(future.connectAndWait(*a));
    Protocol::Hello h = future.hello(future.m_identity.id());
    h.version = 3;
    h.minVersion = 2;
    future.send(h);
    QTRY_VERIFY(future.receivedBye());
    QString reason;
    for (const auto &m : future.received) {
        if (const auto *bye = std::get_if<Protocol::Bye>(&m))
            reason = bye->reason;
    }
    QVERIFY2(reason.contains(u"2 to 3"_s), qPrintable(reason));
    QCOMPARE(a->peers()->rowCount(), 0);
}

void tst_Messenger::garbageClosesOnlyThatConnection()
{
    auto a = makePeer(u"Alice"_s);
    auto b = makePeer(u"Bob"_s);
    QString error;
    a->connectToAddress(addressOf(*b), &error);
    QTRY_VERIFY(isOnline(*a, b->id()) && isOnline(*b, a->id()));

    const QList<QByteArray> junk = {QByteArray(4, '\xff'),
                                    QByteArray(4, '\0'),
                                    FrameDecoder::encode("\xa1\x61t")};
    for (const QByteArray &bytes : junk) {
        RawPeer eve(*Identity::generate(&error));
        QVERIFY(eve.connectAndWait(*b));
        eve.send(eve.hello(eve.m_identity.id()));
        QTRY_VERIFY(isOnline(*b, eve.m_identity.id()));
        eve.sendRaw(bytes);
        QTRY_COMPARE(eve.socket.state(), QAbstractSocket::UnconnectedState);
        QTRY_VERIFY(!isOnline(*b, eve.m_identity.id()));
    }

    // Alice and Bob carry on.
    QVERIFY(isOnline(*b, a->id()));
    const QUuid id = *a->sendMessage(b->id(), u"still here"_s, &error);
    QTRY_COMPARE(a->history().message(id)->state, MessageState::Delivered);
    QCOMPARE(b->history().conversation(a->id()).last().text, u"still here"_s);
}

void tst_Messenger::unknownMessageTypeIgnored()
{
    auto a = makePeer(u"Alice"_s);
    QString error;
    RawPeer newer(*Identity::generate(&error));
    QVERIFY(newer.connectAndWait(*a));
    newer.send(newer.hello(newer.m_identity.id()));
    QCborMap sticker{{u"t"_s, u"sticker"_s}, {u"id"_s, 5}};
    newer.sendRaw(FrameDecoder::encode(sticker.toCborValue().toCbor()));
    const QUuid id = QUuid::createUuid();
    newer.send(Protocol::Chat{id, QDateTime::currentDateTimeUtc(), u"after sticker"_s});
    QTRY_VERIFY(a->history().contains(id));
    QVERIFY(newer.socket.state() == QAbstractSocket::ConnectedState);
    // And acked.
    QTRY_VERIFY(newer.acked(id));
}

void tst_Messenger::queuedMessageDeliveredWhenPeerReturns()
{
    QString error;
    const Identity bobId = *Identity::generate(&error);
    auto a = makePeer(u"Alice"_s);
    auto b = makePeer(u"Bob"_s, &bobId);
    const quint16 bobPort = b->port();
    a->connectToAddress(addressOf(*b), &error);
    QTRY_VERIFY(isOnline(*a, b->id()));

    b->shutdown();
    b.reset();
    QTRY_VERIFY(!isOnline(*a, bobId.id()));
    QList<QUuid> ids;
    for (int i = 0; i < 5; ++i)
        ids.append(*a->sendMessage(bobId.id(), u"while away %1"_s.arg(i), &error));
    for (const QUuid &id : ids)
        QCOMPARE(a->history().message(id)->state, MessageState::Queued);

    // Bob returns at his old address; Alice's Shoal redials and delivers, in order.
    b = makePeer(u"Bob"_s, &bobId, bobPort);
    QTRY_VERIFY_WITH_TIMEOUT(isOnline(*a, bobId.id()), 15000);
    QTRY_COMPARE(a->history().message(ids.last())->state, MessageState::Delivered);
    QStringList texts;
    for (const ChatMessage &m : b->history().conversation(a->id()))
        texts.append(m.text);
    QCOMPARE(texts,
             (QStringList{u"while away 0"_s,
                          u"while away 1"_s,
                          u"while away 2"_s,
                          u"while away 3"_s,
                          u"while away 4"_s}));
}

void tst_Messenger::duplicateChatShownOnceAckedTwice()
{
    auto a = makePeer(u"Alice"_s);
    QString error;
    RawPeer raw(*Identity::generate(&error));
    QVERIFY(raw.connectAndWait(*a));
    raw.send(raw.hello(raw.m_identity.id()));
    QSignalSpy received(a.get(), &Messenger::messageReceived);
    const Protocol::Chat chat{QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"once"_s};
    raw.send(chat);
    raw.send(chat);
    auto acks = [&] {
        return std::count_if(raw.received.cbegin(), raw.received.cend(), [&](const auto &m) {
            const auto *ack = std::get_if<Protocol::Ack>(&m);
            return ack && ack->id == chat.id;
        });
    };
    QTRY_COMPARE(acks(), 2);
    QCOMPARE(received.size(), 1);
    QCOMPARE(a->history().conversation(raw.m_identity.id()).size(), 1);
}

void tst_Messenger::noAckWithoutCommit()
{
    // The receiver acknowledges only what is on disk: when the write fails, the sender gets
    // no ack and keeps the message for its next try.
    auto a = makePeer(u"Alice"_s);
    QString error;
    RawPeer raw(*Identity::generate(&error));
    QVERIFY(raw.connectAndWait(*a));
    raw.send(raw.hello(raw.m_identity.id()));
    QTRY_VERIFY(a->peers()->peer(raw.m_identity.id()).has_value());
    // Let the peer record reach the disk first, so that the only failing write is the chat.
    QTRY_COMPARE(a->history().peers().size(), 1);

    // Every new message now fails to be stored (a trigger binds the writer's connection too).
    QSqlDatabase db = a->history().database();
    QVERIFY(QSqlQuery(db).exec(u"CREATE TRIGGER refuse BEFORE INSERT ON messages"
                               u" BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END"_s));
    const Protocol::Chat chat{QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"x"_s};
    raw.send(chat);
    QTRY_VERIFY(!a->warnings().isEmpty()); // the failed write is reported...
    QVERIFY(!raw.acked(chat.id));          // ...and nothing was acknowledged
    QVERIFY(!a->history().contains(chat.id));

    QVERIFY(QSqlQuery(db).exec(u"DROP TRIGGER refuse"_s));
    raw.send(chat); // the sender's next try
    QTRY_VERIFY(raw.acked(chat.id));
    QCOMPARE(a->history().count(raw.m_identity.id()), 1);
}

void tst_Messenger::oneAddressCannotTakeEverySlot()
{
    // Forty TLS connections from 127.0.0.1: sixteen are taken, the rest refused at once; a
    // peer from another address still gets in and is acknowledged.
    auto a = makePeer(u"Alice"_s);
    QString error;
    std::vector<std::unique_ptr<RawPeer>> crowd;
    for (int i = 0; i < 40; ++i) {
        crowd.push_back(std::make_unique<RawPeer>(*Identity::generate(&error)));
        crowd.back()->connectTo(*a);
    }
    auto settled = [&] {
        return std::all_of(crowd.cbegin(), crowd.cend(), [](const auto &p) {
            return p->socket.isEncrypted()
                   || p->socket.state() == QAbstractSocket::UnconnectedState;
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(settled(), 20000);
    // Taken ones got Alice's hello; refused ones were closed without a word.
    QTRY_COMPARE(std::count_if(crowd.cbegin(),
                               crowd.cend(),
                               [](const auto &p) { return !p->received.isEmpty(); }),
                 qsizetype(ConnectionRegistry::MaxIncomingPerAddress));

    RawPeer other(*Identity::generate(&error));
    QVERIFY(other.socket.bind(QHostAddress(u"127.0.0.2"_s)));
    QVERIFY(other.connectAndWait(*a));
    other.send(other.hello(other.m_identity.id()));
    const Protocol::Chat chat{QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"hi"_s};
    other.send(chat);
    QTRY_VERIFY(other.acked(chat.id));
}

void tst_Messenger::connectErrors_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("error");
    // A port nobody listens on: bind one, read its number, close it.
    QTcpServer probe;
    probe.listen(Loopback);
    const quint16 closedPort = probe.serverPort();
    probe.close();
    QTest::newRow("refused") << u"127.0.0.1:%1"_s.arg(closedPort)
                             << int(PeerConnection::Error::ConnectionRefused);
    // No host-not-found row: resolving a name would send a DNS query off this machine.
}

void tst_Messenger::connectErrors()
{
    QFETCH(QString, address);
    QFETCH(int, error);
    auto a = makePeer(u"Alice"_s);
    QSignalSpy finished(a.get(), &Messenger::connectFinished);
    QString parseError;
    QVERIFY(a->connectToAddress(address, &parseError));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000);
    QCOMPARE(finished.at(0).at(2).toString(),
             PeerConnection::describe(PeerConnection::Error(error)));
}

void tst_Messenger::tooLongMessageRejected()
{
    auto a = makePeer(u"Alice"_s);
    auto b = makePeer(u"Bob"_s);
    QString error;
    a->connectToAddress(addressOf(*b), &error);
    QTRY_VERIFY(isOnline(*a, b->id()));
    QVERIFY(!a->sendMessage(b->id(), QString(Protocol::MaxTextBytes + 1, u'x'), &error));
    QVERIFY(error.contains(u"64 KiB"_s));
    QVERIFY(!a->sendMessage(b->id(), u"   "_s, &error));
    QCOMPARE(a->history().conversation(b->id()).size(), 0);
    // 64 KiB of multi-byte text counts bytes, not characters.
    QVERIFY(!a->sendMessage(b->id(), QString(Protocol::MaxTextBytes / 2, u'张'), &error));
    QVERIFY(a->sendMessage(b->id(), QString(Protocol::MaxTextBytes, u'x'), &error));
}

void tst_Messenger::deadPeerNoticed()
{
    // A peer that stops answering (no FIN, no data) is dropped by the keepalive.
    QString error;
    MessengerConfig config;
    config.name = u"Alice"_s;
    config.listenAddress = Loopback;
    config.port = 0;
    config.timeouts.pingIntervalMs = 200;
    config.timeouts.deadAfterMs = 1000;
    Messenger a(*Identity::generate(&error), config);
    QVERIFY(a.start());
    RawPeer silent(*Identity::generate(&error));
    silent.socket.connectToHostEncrypted(u"127.0.0.1"_s, a.port());
    QVERIFY(QTest::qWaitFor([&] { return silent.socket.isEncrypted(); }));
    silent.send(silent.hello(silent.m_identity.id()));
    QTRY_VERIFY(isOnline(a, silent.m_identity.id()));
    // The raw peer never answers pings.
    QTRY_VERIFY_WITH_TIMEOUT(!isOnline(a, silent.m_identity.id()), 5000);
    QVERIFY(silent.receivedBye());
}

void tst_Messenger::silentTcpClientClosed()
{
    // Connects, never starts TLS: the listener gives up after the handshake timeout.
    QObject owner;
    Messenger *a = makeImpatientPeer(&owner);
    QTcpSocket idle;
    idle.connectToHost(Loopback, a->port());
    QVERIFY(idle.waitForConnected(5000));
    QTRY_COMPARE_WITH_TIMEOUT(idle.state(), QAbstractSocket::UnconnectedState, 5000);
}

void tst_Messenger::helloNeverSentClosed()
{
    // Finishes TLS, then says nothing.
    QObject owner;
    Messenger *a = makeImpatientPeer(&owner);
    QString error;
    RawPeer mute(*Identity::generate(&error));
    QVERIFY(mute.connectAndWait(*a));
    QTRY_COMPARE_WITH_TIMEOUT(mute.socket.state(), QAbstractSocket::UnconnectedState, 5000);
    QCOMPARE(a->peers()->rowCount(), 0);
}

void tst_Messenger::stalledFrameClosed()
{
    // A header announcing 100 bytes, then nothing: closed after the stall timeout, while a
    // peer that is merely quiet (no partial frame) stays.
    QObject owner;
    Messenger *a = makeImpatientPeer(&owner);
    QString error;
    RawPeer staller(*Identity::generate(&error));
    RawPeer quiet(*Identity::generate(&error));
    for (RawPeer *p : {&staller, &quiet}) {
        QVERIFY(p->connectAndWait(*a));
        p->send(p->hello(p->m_identity.id()));
        QTRY_VERIFY(isOnline(*a, p->m_identity.id()));
    }
    staller.sendRaw(QByteArray::fromHex("00000064") + "only part of the body");
    QTRY_COMPARE_WITH_TIMEOUT(staller.socket.state(), QAbstractSocket::UnconnectedState, 5000);
    QVERIFY(!isOnline(*a, staller.m_identity.id()));
    QVERIFY(isOnline(*a, quiet.m_identity.id()));
}

void tst_Messenger::outgoingIncompatibleVersionExplained()
{
    // The person who dials a peer speaking only version 2 and up is told why it failed.
    auto a = makePeer(u"Alice"_s);
    QString error;
    const Identity future = *Identity::generate(&error);
    FakeListener fake(future, [&](quint16 port) {
        Protocol::Hello h;
        h.version = 3;
        h.minVersion = 2;
        h.peerId = future.id();
        h.port = port;
        return h;
    });
    QSignalSpy finished(a.get(), &Messenger::connectFinished);
    a->connectToAddress(fake.address(), &error);
    QTRY_COMPARE(finished.size(), 1);
    const QString reason = finished.at(0).at(2).toString();
    QVERIFY2(reason.contains(u"2 to 3"_s) && reason.contains(u"1 to 1"_s), qPrintable(reason));
}

void tst_Messenger::textArrivesAndIsStoredExactly()
{
    // Over the wire and through the store, a text keeps every code unit: the live event, the
    // history and the other side's history hold exactly what was typed (a leading U+FEFF was
    // dropped by the store, a leading U+FFFE byte-swapped the whole text).
    auto a = makePeer(u"Alice"_s);
    auto b = makePeer(u"Bob"_s);
    QString error;
    a->connectToAddress(addressOf(*b), &error);
    QTRY_VERIFY(isOnline(*a, b->id()) && isOnline(*b, a->id()));
    QSignalSpy received(b.get(), &Messenger::messageReceived);
    const QStringList sent{u"\uFEFFbom"_s, u"\uFFFEswapped"_s, u"\uFEFF"_s, u"a\uFEFFb"_s};
    QList<QUuid> ids;
    for (const QString &text : sent)
        ids.append(*a->sendMessage(b->id(), text, &error));
    QTRY_COMPARE(received.size(), sent.size());
    QTRY_COMPARE(a->history().message(ids.last())->state, MessageState::Delivered);
    QStringList live, theirs, ours;
    for (const QList<QVariant> &args : std::as_const(received))
        live.append(args.at(0).value<ChatMessage>().text);
    for (const ChatMessage &m : b->history().conversation(a->id()))
        theirs.append(m.text);
    for (const ChatMessage &m : a->history().conversation(b->id()))
        ours.append(m.text);
    QCOMPARE(live, sent);
    QCOMPARE(theirs, sent);
    QCOMPARE(ours, sent);
}

void tst_Messenger::anotherPeersIdCannotSuppressAMessage()
{
    // Mallory, who learnt the ID of a message Bob is about to send, sends a message with that ID
    // first. Bob's message is still stored, shown and acknowledged (before, it was neither, and
    // Bob sent it again forever); each is in its own conversation.
    auto a = makePeer(u"Alice"_s);
    QString error;
    RawPeer mallory(*Identity::generate(&error));
    RawPeer bob(*Identity::generate(&error));
    QVERIFY(mallory.connectAndWait(*a));
    QVERIFY(bob.connectAndWait(*a));
    mallory.send(mallory.hello(mallory.m_identity.id()));
    bob.send(bob.hello(bob.m_identity.id()));
    QSignalSpy received(a.get(), &Messenger::messageReceived);
    const QUuid id = newMessageId();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    mallory.send(Protocol::Chat{id, now, u"shadow"_s});
    QTRY_VERIFY(mallory.acked(id));
    bob.send(Protocol::Chat{id, now, u"the real one"_s});
    QTRY_VERIFY(bob.acked(id));
    QTRY_COMPARE(received.size(), 2);
    QCOMPARE(received.at(1).at(0).value<ChatMessage>().text, u"the real one"_s);
    QCOMPARE(a->history().conversation(bob.m_identity.id()).size(), 1);
    QCOMPARE(a->history().conversation(bob.m_identity.id()).first().text, u"the real one"_s);
    QCOMPARE(a->history().conversation(mallory.m_identity.id()).first().text, u"shadow"_s);

    // And the same while both are still on their way to the disk.
    const QUuid second = newMessageId();
    mallory.send(Protocol::Chat{second, now, u"shadow 2"_s});
    bob.send(Protocol::Chat{second, now, u"real 2"_s});
    QTRY_VERIFY(bob.acked(second) && mallory.acked(second));
    QCOMPARE(a->history().conversation(bob.m_identity.id()).last().text, u"real 2"_s);

    // Mallory cannot acknowledge or mark read Alice's messages to Bob either.
    const QUuid toBob = *a->sendMessage(bob.m_identity.id(), u"for Bob"_s, &error);
    mallory.send(Protocol::Ack{toBob});
    mallory.send(Protocol::Read{toBob});
    QTRY_VERIFY(std::any_of(bob.received.cbegin(), bob.received.cend(), [&](const auto &m) {
        const auto *chat = std::get_if<Protocol::Chat>(&m);
        return chat && chat->id == toBob;
    }));
    QTRY_COMPARE(a->history().message(toBob)->state, MessageState::Sent);
    bob.send(Protocol::Ack{toBob});
    QTRY_COMPARE(a->history().message(toBob)->state, MessageState::Delivered);
}

void tst_Messenger::orderFollowsArrivalNotSenderClock()
{
    // A peer's clock a year behind does not put its message at the top of the conversation,
    // and 9999-12-31 does not pin one below everything that follows: messages are in the order
    // they arrived. The sender's time is kept, and marked when far from the arrival.
    auto a = makePeer(u"Alice"_s);
    QString error;
    RawPeer raw(*Identity::generate(&error));
    const QString peer = raw.m_identity.id();
    QVERIFY(raw.connectAndWait(*a));
    raw.send(raw.hello(peer));
    QTRY_VERIFY(a->peers()->peer(peer).has_value());
    std::unique_ptr<ConversationModel> model(a->createConversationModel(nullptr));
    model->setPeer(peer);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto chat = [&](const QDateTime &at, const QString &text) {
        const Protocol::Chat c{newMessageId(), at, text};
        raw.send(c);
        QTRY_VERIFY(raw.acked(c.id));
    };
    chat(now, u"one"_s);
    chat(now.addYears(-1), u"a year behind"_s);
    const QUuid mine = *a->sendMessage(peer, u"mine"_s, &error);
    QTRY_VERIFY(a->history().message(mine)->seq != 0);
    chat(QDateTime::fromMSecsSinceEpoch(253402300799999, Qt::UTC), u"9999-12-31"_s);
    chat(now, u"last"_s);
    const QStringList order{u"one"_s, u"a year behind"_s, u"mine"_s, u"9999-12-31"_s, u"last"_s};
    QStringList stored, shown;
    for (const ChatMessage &m : a->history().conversation(peer))
        stored.append(m.text);
    QCOMPARE(stored, order);
    QTRY_COMPARE(model->rowCount(), 5);
    for (int row = 0; row < model->rowCount(); ++row)
        shown.append(model->messageAt(row).text);
    QCOMPARE(shown, order);
    model->setPeer(peer); // reopened from the history
    shown.clear();
    for (int row = 0; row < model->rowCount(); ++row)
        shown.append(model->messageAt(row).text);
    QCOMPARE(shown, order);
    auto farOff = [&](int row) {
        return model->data(model->index(row), ConversationModel::SenderTimeFarOffRole).toBool();
    };
    QVERIFY(!farOff(0));
    QVERIFY(farOff(1));
    QVERIFY(!farOff(2));
    QVERIFY(farOff(3));
    QCOMPARE(model->data(model->index(3), ConversationModel::SentAtRole).toDateTime().date(),
             QDate(9999, 12, 31));
}

void tst_Messenger::fullDiskShowsNotSavedAndRecovers()
{
    // Alice's history cannot grow (SQLite's max_page_count on her writers' connections: every
    // write that needs a page fails with SQLITE_FULL, as on a full disk). What she types is
    // shown "not saved" (Failed), is not sent, and is never reported queued; Retry saves and
    // sends it once there is room; Delete drops it. What Bob sends her meanwhile is not
    // acknowledged, and she asks for it again once she can store it, on the same connection.
    auto a = makePeer(u"Alice"_s);
    auto b = makePeer(u"Bob"_s);
    QString error;
    a->connectToAddress(addressOf(*b), &error);
    QTRY_VERIFY(isOnline(*a, b->id()) && isOnline(*b, a->id()));
    QTRY_COMPARE(a->history().peers().size(), 1); // the peer record is on disk first
    MessageStore *store = a->findChild<MessageStore *>();
    QVERIFY(store);
    std::unique_ptr<ConversationModel> model(a->createConversationModel(nullptr));
    model->setPeer(b->id());
    QSignalSpy failed(a.get(), &Messenger::messageFailed);
    QSignalSpy states(a.get(), &Messenger::messageStateChanged);
    QSignalSpy bobReceived(b.get(), &Messenger::messageReceived);
    QSignalSpy notSaved(store, &MessageStore::notSaved);
    QSignalSpy offline(a.get(), &Messenger::peerUpdated);
    // Needs more pages than the file has free (the migration to schema 4 freed a few).
    const QString big = QString(60000, u'x');

    store->setGrowthLimited(true); // the file cannot grow
    const QUuid mine = *a->sendMessage(b->id(), big + u'1', &error);
    const QUuid dropped = *a->sendMessage(b->id(), big + u'2', &error);
    QTRY_COMPARE(failed.size(), 2);
    QCOMPARE(failed.at(0).at(0).value<ChatMessage>().id, mine);
    QVERIFY2(failed.at(0).at(1).toString().contains(u"full"_s),
             qPrintable(failed.at(0).at(1).toString())); // SQLite: "database or disk is full"
    QVERIFY(states.isEmpty());                           // never "queued"
    QCOMPARE(a->history().message(mine)->state, MessageState::Failed);
    QVERIFY(!a->warnings().isEmpty());
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(model->data(model->index(0), ConversationModel::StateRole).toInt(),
             int(MessageState::Failed));
    QCOMPARE(model->messageAt(0).id, mine);
    QVERIFY(a->deleteMessage(dropped, &error));
    QTRY_COMPARE(model->rowCount(), 1);
    QVERIFY(!a->history().message(dropped));

    // Bob writes meanwhile: it reaches Alice but cannot be stored, so it is not acknowledged.
    const QUuid his = *b->sendMessage(a->id(), big + u'b', &error);
    const auto hisNotSaved = [&] {
        for (const QList<QVariant> &args : std::as_const(notSaved)) {
            for (const ChatMessage &m : args.at(0).value<QList<ChatMessage>>()) {
                if (m.id == his && !m.outgoing)
                    return true;
            }
        }
        return false;
    };
    QTRY_VERIFY(hisNotSaved());
    QCOMPARE(b->history().message(his)->state, MessageState::Sent);
    QCOMPARE(a->history().count(b->id()), 0);

    // Room again. Nothing else is written, yet Alice asks for Bob's message again and stores it.
    store->setGrowthLimited(false);
    QTRY_COMPARE_WITH_TIMEOUT(b->history().message(his)->state, MessageState::Delivered, 15000);
    QCOMPARE(a->history().conversation(b->id()).size(), 1);
    QCOMPARE(model->rowCount(), 2); // Bob's, then Alice's not-saved one at the end
    QCOMPARE(model->messageAt(1).id, mine);

    // Retry: saved, sent, delivered, in the row where it now belongs.
    QVERIFY(a->retryMessage(mine, &error));
    QTRY_COMPARE(a->history().message(mine)->state, MessageState::Delivered);
    QCOMPARE(states.first().at(0).value<ChatMessage>().state, MessageState::Queued);
    QTRY_COMPARE(bobReceived.size(), 1);
    QCOMPARE(bobReceived.first().at(0).value<ChatMessage>().text, big + u'1');
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(model->messageAt(1).id, mine);
    QTRY_COMPARE(model->data(model->index(1), ConversationModel::StateRole).toInt(),
                 int(MessageState::Delivered));
    // All of it on one connection.
    for (const QList<QVariant> &args : std::as_const(offline))
        QVERIFY(args.at(0).value<PeerInfo>().online);
}

void tst_Messenger::writesToACaughtUpPeerAskNothing()
{
    // Nothing waits for this peer: the pongs, acks and receipts written to it (each a
    // bytesWritten on its socket) ask the history nothing (before, each read the queue).
    auto a = makePeer(u"Alice"_s);
    QString error;
    RawPeer raw(*Identity::generate(&error));
    QVERIFY(raw.connectAndWait(*a));
    raw.send(raw.hello(raw.m_identity.id()));
    QTRY_VERIFY(isOnline(*a, raw.m_identity.id()));
    raw.send(Protocol::Ping{1});
    QTRY_VERIFY(ponged(raw, 1)); // the writes of the connection's start are over
    const qint64 reads = a->history().readCount();
    for (quint64 n = 2; n <= 50; ++n) {
        raw.send(Protocol::Ping{n});
        QTRY_VERIFY(ponged(raw, n)); // one write each
    }
    QCOMPARE(a->history().readCount(), reads);

    // And what is typed meanwhile still goes out at once.
    const QUuid id = *a->sendMessage(raw.m_identity.id(), u"still sent"_s, &error);
    QTRY_COMPARE(chatsReceived(raw, id), 1);
}

void tst_Messenger::resendFromPeerOwedNothingAsksNothing()
{
    // A peer we have sent nothing unacknowledged may ask for a resend as often as it likes:
    // it is ignored without a single read of the history (before, each ran three queries on
    // this thread: the queue, the read receipts, the unread messages).
    auto a = makePeer(u"Alice"_s);
    QString error;
    RawPeer stranger(*Identity::generate(&error));
    QVERIFY(stranger.connectAndWait(*a));
    stranger.send(stranger.hello(stranger.m_identity.id()));
    QTRY_VERIFY(isOnline(*a, stranger.m_identity.id()));
    stranger.send(Protocol::Ping{1});
    QTRY_VERIFY(ponged(stranger, 1)); // the connection's start is over
    const qint64 reads = a->history().readCount();
    for (int i = 0; i < 200; ++i)
        stranger.send(Protocol::Resend{});
    stranger.send(Protocol::Ping{7}); // answered after every resend before it was handled
    QTRY_VERIFY(ponged(stranger, 7));
    QCOMPARE(a->history().readCount(), reads);
    QVERIFY(std::none_of(stranger.received.cbegin(), stranger.received.cend(), [](const auto &m) {
        return std::holds_alternative<Protocol::Chat>(m);
    }));
    QVERIFY(stranger.socket.state() == QAbstractSocket::ConnectedState);
}

void tst_Messenger::resendServedOncePerSecondNeverDropped()
{
    // Alice's message to a peer that does not acknowledge it: a resend has it written again at
    // once; more resends within the second are served once, when the second is over.
    auto a = makePeer(u"Alice"_s);
    QString error;
    RawPeer raw(*Identity::generate(&error));
    const QString peer = raw.m_identity.id();
    QVERIFY(raw.connectAndWait(*a));
    raw.send(raw.hello(peer));
    QTRY_VERIFY(isOnline(*a, peer));
    const QUuid id = *a->sendMessage(peer, u"not acknowledged"_s, &error);
    QTRY_COMPARE(chatsReceived(raw, id), 1);

    raw.send(Protocol::Resend{});
    QTRY_COMPARE(chatsReceived(raw, id), 2);
    raw.send(Protocol::Resend{}); // within the second: waits for it to be over
    raw.send(Protocol::Resend{}); // and is served together with this one
    raw.send(Protocol::Ping{1});
    QTRY_VERIFY(ponged(raw, 1));
    QCOMPARE(chatsReceived(raw, id), 2);
    QTRY_COMPARE_WITH_TIMEOUT(chatsReceived(raw, id), 3, 5000); // served, not dropped
    raw.send(Protocol::Ping{2});
    QTRY_VERIFY(ponged(raw, 2));
    QCOMPARE(chatsReceived(raw, id), 3); // once

    // Acknowledged: nothing is owed, so a resend sends nothing.
    raw.send(Protocol::Ack{id});
    QTRY_COMPARE(a->history().message(id)->state, MessageState::Delivered);
    raw.send(Protocol::Resend{});
    raw.send(Protocol::Ping{3});
    QTRY_VERIFY(ponged(raw, 3));
    QCOMPARE(chatsReceived(raw, id), 3);
}

void tst_Messenger::resendLimitForgottenWithTheConnection()
{
    // What the limit keeps per peer goes when its connection ends (it grew by one entry per
    // peer that ever asked): on the next connection, a resend is served at once.
    auto a = makePeer(u"Alice"_s);
    QString error;
    const Identity identity = *Identity::generate(&error);
    const QString peer = identity.id();
    auto raw = std::make_unique<RawPeer>(identity);
    QVERIFY(raw->connectAndWait(*a));
    raw->send(raw->hello(peer));
    QTRY_VERIFY(isOnline(*a, peer));
    const QUuid id = *a->sendMessage(peer, u"not acknowledged"_s, &error);
    QTRY_COMPARE(chatsReceived(*raw, id), 1);
    raw->send(Protocol::Resend{});
    QTRY_COMPARE(chatsReceived(*raw, id), 2);

    raw.reset();
    QTRY_VERIFY(!isOnline(*a, peer));
    raw = std::make_unique<RawPeer>(identity);
    QVERIFY(raw->connectAndWait(*a));
    raw->send(raw->hello(peer));
    QTRY_COMPARE(chatsReceived(*raw, id), 1); // the new connection sends it again
    raw->send(Protocol::Resend{});
    raw->send(Protocol::Ping{1});
    QTRY_VERIFY(ponged(*raw, 1));
    QCOMPARE(chatsReceived(*raw, id), 2); // at once, not when the old connection's second ends
}

void tst_Messenger::damagedHistoryWarnsAtStart()
{
    // A profile whose history has damaged pages: Shoal starts as before (the window opens),
    // and the person is told through the warnings (status bar, shoal-cli's network command),
    // with the file's path; the file is kept.
    QTemporaryDir profile;
    const QString path = QDir(profile.path()).filePath(u"history.sqlite"_s);
    {
        MessageStore store;
        QString error;
        QVERIFY(store.open(path, &error));
        for (int i = 0; i < 400; ++i) {
            ChatMessage m;
            m.id = newMessageId();
            m.peerId = QString(64, u'b');
            m.sentAt = m.receivedAt = QDateTime::currentDateTimeUtc();
            m.text = u"message %1 "_s.arg(i).repeated(20);
            m.state = MessageState::Delivered;
            store.addReceived(m);
        }
        QVERIFY(store.flush());
    }
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    file.seek(file.size() / 2 / 4096 * 4096);
    file.write(QByteArray(3 * 4096, '\x5a'));
    file.close();

    QString error;
    MessengerConfig config;
    config.name = u"Alice"_s;
    config.profileDir = profile.path();
    config.listenAddress = Loopback;
    config.port = 0;
    Messenger a(*Identity::generate(&error), config);
    QSignalSpy warned(&a, &Messenger::warningAdded);
    QVERIFY2(a.start(), qPrintable(a.errorString()));
    QTRY_COMPARE(warned.size(), 1);
    const QString warning = warned.first().first().toString();
    QVERIFY2(warning.contains(u"damaged"_s) && warning.contains(path) && warning.contains(u"Page"_s),
             qPrintable(warning));
    QVERIFY(a.warnings().contains(warning));
    QVERIFY(QFile::exists(path));
}

void tst_Messenger::initTestCase()
{
    // Network safety: whatever this test does, Shoal sends nothing beyond this host.
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_Messenger::outgoingLeavesFromListenAddress()
{
    // Alice listens on 127.0.0.2 only: her dials leave from there too, so that Bob records
    // (and later redials) an address where she listens.
    const QHostAddress aliceHost(u"127.0.0.2"_s);
    QString error;
    MessengerConfig config;
    config.name = u"Alice"_s;
    config.listenAddress = aliceHost;
    config.port = 0;
    Messenger a(*Identity::generate(&error), config);
    QVERIFY2(a.start(), qPrintable(a.errorString()));
    auto b = makePeer(u"Bob"_s);
    a.connectToAddress(addressOf(*b), &error);
    QTRY_VERIFY(isOnline(*b, a.id()));
    PeerConnection *ba = b->connections().activeConnection(a.id());
    QVERIFY(ba);
    QCOMPARE(ba->remoteAddress(), aliceHost);
    QCOMPARE(b->peers()->peer(a.id())->address, u"127.0.0.2:%1"_s.arg(a.port()));
}

void tst_Messenger::incomingPeerRedialledAtItsListeningPort()
{
    // Bob connects to Alice; both quit. Alice comes back with a message for Bob: she redials
    // him where he listens (what she recorded), not at the port his connection came from.
    QString error;
    const Identity aliceId = *Identity::generate(&error);
    const Identity bobId = *Identity::generate(&error);
    QTemporaryDir aliceDir;
    QVERIFY(aliceDir.isValid());
    auto makeAlice = [&] {
        MessengerConfig config;
        config.name = u"Alice"_s;
        config.profileDir = aliceDir.path();
        config.listenAddress = Loopback;
        config.port = 0;
        auto m = std::make_unique<Messenger>(aliceId, config);
        if (!m->start())
            qWarning() << "start failed:" << m->errorString();
        return m;
    };
    auto a = makeAlice();
    auto b = makePeer(u"Bob"_s, &bobId);
    const quint16 bobPort = b->port();
    b->connectToAddress(addressOf(*a), &error);
    QTRY_VERIFY(isOnline(*a, bobId.id()));
    QCOMPARE(a->peers()->peer(bobId.id())->address, addressOf(*b));
    // Something to remember Bob by across the restart.
    const QUuid first = *a->sendMessage(bobId.id(), u"hello"_s, &error);
    QTRY_COMPARE(a->history().message(first)->state, MessageState::Delivered);

    b->shutdown();
    b.reset();
    a->shutdown();
    a.reset();

    b = makePeer(u"Bob"_s, &bobId, bobPort);
    QCOMPARE(b->port(), bobPort);
    a = makeAlice();
    QCOMPARE(a->peers()->peer(bobId.id())->address, u"127.0.0.1:%1"_s.arg(bobPort));
    const QUuid later = *a->sendMessage(bobId.id(), u"after the restart"_s, &error);
    QTRY_VERIFY_WITH_TIMEOUT(isOnline(*a, bobId.id()), 15000);
    QTRY_COMPARE(a->history().message(later)->state, MessageState::Delivered);
    QCOMPARE(b->history().conversation(aliceId.id()).constLast().text, u"after the restart"_s);
}

QTEST_GUILESS_MAIN(tst_Messenger)
#include "tst_messenger.moc"
