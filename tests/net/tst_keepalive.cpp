// SPDX-License-Identifier: GPL-3.0-or-later
// Keepalive over real loopback TLS (docs/protocol.md, "Keepalive"): an idle connection costs
// nothing on the wire, a peer that stops reading is still dropped once something is sent to it,
// and between probes the kernel's TCP keepalive watches the connection.
#include "../common/rawpeer.h"
#include "identity/identity.h"
#include "net/connectionregistry.h"
#include "net/networksafety.h"
#include "net/peerconnection.h"
#include "net/tlsconfiguration.h"

#include <QSignalSpy>
#include <QSslServer>
#include <QTest>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

ConnectionLimits shortLimits()
{
    ConnectionLimits limits;
    limits.pingIntervalMs = 100;
    limits.deadAfterMs = 600;
    return limits;
}

template<typename Predicate>
qsizetype countOf(const RawPeer &raw, Predicate isIt)
{
    return std::count_if(raw.received.cbegin(), raw.received.cend(), [&](const auto &m) {
        return isIt(m);
    });
}

qsizetype pings(const RawPeer &raw)
{
    return countOf(raw, [](const auto &m) { return std::holds_alternative<Protocol::Ping>(m); });
}

bool ponged(const RawPeer &raw, quint64 seq)
{
    return countOf(raw,
                   [seq](const auto &m) {
                       const auto *pong = std::get_if<Protocol::Pong>(&m);
                       return pong && pong->seq == seq;
                   })
           > 0;
}

int intOption(QSslSocket *socket, int level, int name)
{
    int value = -1;
    socklen_t size = sizeof value;
    if (::getsockopt(int(socket->socketDescriptor()), level, name, &value, &size) != 0)
        return -1;
    return value;
}

Protocol::Hello helloOf(const Identity &identity, Protocol::Stream stream)
{
    Protocol::Hello hello;
    hello.peerId = identity.id();
    hello.name = u"t"_s;
    hello.port = 1;
    hello.stream = stream;
    return hello;
}

} // namespace

class tst_Keepalive : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void idleConnectionSendsNothing();
    void dialerProbesAtOnce();
    void socketOptions_data();
    void socketOptions();
};

void tst_Keepalive::initTestCase()
{
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_Keepalive::idleConnectionSendsNothing()
{
    // A peer of this version dials, says hello and pings at once; Alice answers. From then on
    // neither side sends anything, for many times the ping interval and the dead-after time,
    // and Alice keeps the peer. Once Alice sends it a chat, the peer owes an answer: it gives
    // none, so Alice pings it and drops it after deadAfterMs, with a bye.
    QString error;
    const Identity alice = *Identity::generate(&error);
    ConnectionRegistry registry(alice, shortLimits());
    QVERIFY(registry.listen(QHostAddress::LocalHost, 0));
    QSignalSpy gone(&registry, &ConnectionRegistry::peerDisconnected);
    RawPeer raw(*Identity::generate(&error));
    raw.socket.connectToHostEncrypted(u"127.0.0.1"_s, registry.listeningPort());
    QVERIFY(QTest::qWaitFor([&] { return raw.socket.isEncrypted(); }));
    raw.send(raw.hello(raw.m_identity.id()));
    raw.send(Protocol::Ping{1});
    QTRY_VERIFY(ponged(raw, 1) && registry.isConnected(raw.m_identity.id()));

    // Watched for absence: 20 ping intervals, 3 dead-after times.
    QTest::qWait(2000);
    QCOMPARE(pings(raw), 0);
    QVERIFY(registry.isConnected(raw.m_identity.id()));
    QCOMPARE(raw.socket.state(), QAbstractSocket::ConnectedState);
    QCOMPARE(gone.size(), 0);

    // The long silence before is not held against the peer: the chat goes out, and only then
    // does the clock start.
    QElapsedTimer sent;
    sent.start();
    QVERIFY(registry.send(raw.m_identity.id(),
                          Protocol::Chat{QUuid::createUuid(),
                                         QDateTime::currentDateTimeUtc(),
                                         u"hi"_s}));
    QTRY_VERIFY(
        countOf(raw, [](const auto &m) { return std::holds_alternative<Protocol::Chat>(m); }) == 1);
    QTRY_VERIFY(pings(raw) >= 1);
    QTRY_VERIFY_WITH_TIMEOUT(gone.size() == 1, 5000);
    QVERIFY2(sent.elapsed() >= 550, qPrintable(QString::number(sent.elapsed())));
    QCOMPARE(gone.at(0).at(0).toString(), raw.m_identity.id());
    QTRY_VERIFY(raw.receivedBye());
}

void tst_Keepalive::dialerProbesAtOnce()
{
    // The dialling side pings as soon as the connection is up, not after the ping interval:
    // between two of this version the first probe is over before the connection is in use.
    QString error;
    const Identity alice = *Identity::generate(&error);
    const Identity bob = *Identity::generate(&error);
    ConnectionLimits limits;
    limits.pingIntervalMs = 30'000;
    limits.deadAfterMs = 90'000;
    ConnectionRegistry registry(alice, limits);
    QVERIFY(registry.listen(QHostAddress::LocalHost, 0));
    QSslServer server;
    server.setSslConfiguration(Tls::configuration(bob));
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QList<Protocol::Message> received;
    FrameDecoder decoder{Protocol::MaxFrameSize};
    QSslSocket *accepted = nullptr;
    connect(&server, &QSslServer::pendingConnectionAvailable, this, [&] {
        accepted = qobject_cast<QSslSocket *>(server.nextPendingConnection());
        accepted->write(Protocol::encodeFrame(helloOf(bob, Protocol::Stream::Chat)));
        connect(accepted, &QSslSocket::readyRead, this, [&] {
            QList<QByteArray> frames;
            decoder.feed(accepted->readAll(), &frames);
            for (const QByteArray &f : std::as_const(frames)) {
                if (auto m = Protocol::decode(f, &error))
                    received.append(*m);
            }
        });
    });
    QVERIFY(registry.connectToPeer(u"127.0.0.1"_s, server.serverPort(), bob.id()));
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(received.cbegin(),
                                         received.cend(),
                                         [](const auto &m) {
                                             return std::holds_alternative<Protocol::Ping>(m);
                                         }),
                             5000);
    QVERIFY(registry.isConnected(bob.id()));
}

void tst_Keepalive::socketOptions_data()
{
    QTest::addColumn<int>("stream");
    QTest::addColumn<bool>("noDelay");
    QTest::newRow("chat") << int(Protocol::Stream::Chat) << true;
    QTest::newRow("bulk") << int(Protocol::Stream::Bulk) << false;
}

void tst_Keepalive::socketOptions()
{
    // Both ends of a stream: Nagle off for chat (each message waits for its answer), on for
    // bulk; TCP keepalive on, on the connection's own clocks (here 2 s, then every 2 s, 3
    // probes: a vanished peer is noticed 8 s after it was last heard).
    QFETCH(int, stream);
    QFETCH(bool, noDelay);
    QString error;
    const Identity alice = *Identity::generate(&error);
    const Identity bob = *Identity::generate(&error);
    ConnectionLimits limits;
    limits.pingIntervalMs = 2000;
    limits.deadAfterMs = 8000;
    QSslServer server;
    server.setSslConfiguration(Tls::configuration(bob));
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QSslSocket *incomingSocket = nullptr;
    std::unique_ptr<PeerConnection> incoming;
    connect(&server, &QSslServer::pendingConnectionAvailable, this, [&] {
        incomingSocket = qobject_cast<QSslSocket *>(server.nextPendingConnection());
        incoming = std::make_unique<PeerConnection>(incomingSocket,
                                                    PeerConnection::Direction::Incoming,
                                                    helloOf(bob, Protocol::Stream::Chat),
                                                    limits);
    });
    auto *outgoingSocket = new QSslSocket;
    outgoingSocket->setSslConfiguration(Tls::configuration(alice));
    PeerConnection outgoing(outgoingSocket,
                            PeerConnection::Direction::Outgoing,
                            helloOf(alice, Protocol::Stream(stream)),
                            limits);
    outgoing.connectTo(u"127.0.0.1"_s, server.serverPort(), bob.id());
    QTRY_VERIFY(outgoing.isReady() && incoming && incoming->isReady());
    QCOMPARE(int(incoming->kind()), stream);
    for (QSslSocket *socket : {outgoingSocket, incomingSocket}) {
        QCOMPARE(intOption(socket, IPPROTO_TCP, TCP_NODELAY) != 0, noDelay);
        QCOMPARE(intOption(socket, SOL_SOCKET, SO_KEEPALIVE) != 0, true);
        QCOMPARE(intOption(socket, IPPROTO_TCP, TCP_KEEPIDLE), 2);
        QCOMPARE(intOption(socket, IPPROTO_TCP, TCP_KEEPINTVL), 2);
        QCOMPARE(intOption(socket, IPPROTO_TCP, TCP_KEEPCNT), 3);
    }
}

QTEST_MAIN(tst_Keepalive)
#include "tst_keepalive.moc"
