// SPDX-License-Identifier: GPL-3.0-or-later
// Several streams per peer over real loopback TLS: a bulk stream beside the chat one, keyed by
// peer and kind, so that neither is taken for a duplicate of the other and bulk data never
// delays the conversation (docs/protocol.md, "Streams").
#include "../common/rawpeer.h"
#include "identity/identity.h"
#include "net/connectionregistry.h"
#include "net/networksafety.h"

#include <QCborMap>
#include <QSignalSpy>
#include <QTest>
#include <QtEndian>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

// Small for the chat stream, so that a bulk stream holding megabytes shows its own limit.
constexpr qint64 ChatLimit = 256 * 1024;

ConnectionLimits testLimits()
{
    ConnectionLimits limits;
    limits.maxPendingWriteBytes = ChatLimit;
    return limits;
}

// One side: an identity and a registry listening on loopback, with what it received.
struct Node
{
    explicit Node(const Identity &id)
        : identity(id)
    {}
    Identity identity;
    QList<std::pair<Protocol::Message, StreamKind>> received;
    QStringList disconnected;                     // peerDisconnected
    QList<std::pair<StreamKind, QString>> closed; // streamClosed: kind, reason
    int opened = 0;                               // streamOpened
    int connected = 0;                            // peerConnected
    // Last, so that it goes first: nothing it emits on the way out finds the lists gone.
    std::unique_ptr<ConnectionRegistry> registry;

    QString id() const { return identity.id(); }
    quint16 port() const { return registry->listeningPort(); }
    int count(StreamKind kind) const
    {
        return int(std::count_if(received.cbegin(), received.cend(), [kind](const auto &r) {
            return r.second == kind;
        }));
    }
    bool receivedText(const QString &text, StreamKind kind) const
    {
        return std::any_of(received.cbegin(), received.cend(), [&](const auto &r) {
            const auto *chat = std::get_if<Protocol::Chat>(&r.first);
            return chat && chat->text == text && r.second == kind;
        });
    }
};

std::unique_ptr<Node> makeNode(ConnectionLimits limits = testLimits())
{
    QString error;
    auto node = std::make_unique<Node>(*Identity::generate(&error));
    node->registry = std::make_unique<ConnectionRegistry>(node->identity, limits);
    if (!node->registry->listen(QHostAddress::LocalHost, 0))
        qWarning() << "listen:" << node->registry->errorString();
    Node *n = node.get();
    QObject::connect(n->registry.get(),
                     &ConnectionRegistry::messageReceived,
                     [n](const QString &, const Protocol::Message &m, StreamKind kind) {
                         n->received.append({m, kind});
                     });
    QObject::connect(n->registry.get(),
                     &ConnectionRegistry::peerDisconnected,
                     [n](const QString &peerId, const QString &) {
                         n->disconnected.append(peerId);
                     });
    QObject::connect(n->registry.get(),
                     &ConnectionRegistry::streamClosed,
                     [n](const QString &, StreamKind kind, const QString &reason) {
                         n->closed.append({kind, reason});
                     });
    QObject::connect(n->registry.get(),
                     &ConnectionRegistry::streamOpened,
                     [n](const QString &, StreamKind) { ++n->opened; });
    QObject::connect(n->registry.get(), &ConnectionRegistry::peerConnected, [n] { ++n->connected; });
    return node;
}

Protocol::Chat chat(const QString &text)
{
    return Protocol::Chat{QUuid::createUuid(), QDateTime::currentDateTimeUtc(), text};
}

QByteArray frame(const QCborMap &map)
{
    const QByteArray payload = map.toCborValue().toCbor();
    QByteArray header(4, '\0');
    qToBigEndian(quint32(payload.size()), header.data());
    return header + payload;
}

} // namespace

class tst_Streams : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void bulkOpensBesideChat();
    void bothDialBulkAtOnceEndWithOne();
    void chatIsNotQueuedBehindBulk();
    void bulkHasItsOwnWriteLimit();
    void idleBulkClosesAndPeerStaysConnected();
    void bulkEndsWithTheChatStream();
    void olderPeerIsNeverDialledForBulk();
    void unknownStreamKindIsRefused();
    void bulkWithoutChatIsRefused();

private:
    void openBulk();
    // Neither side saw the other go offline (a node replaced in a test is another peer).
    bool nobodyWentOffline() const
    {
        return !m_a->disconnected.contains(m_b->id()) && !m_b->disconnected.contains(m_a->id());
    }

    std::unique_ptr<Node> m_a;
    std::unique_ptr<Node> m_b;
};

void tst_Streams::initTestCase()
{
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_Streams::init()
{
    m_a = makeNode();
    m_b = makeNode();
    QVERIFY(m_a->registry->connectToPeer(u"127.0.0.1"_s, m_b->port(), m_b->id()));
    QTRY_VERIFY(m_a->registry->isConnected(m_b->id()) && m_b->registry->isConnected(m_a->id()));
}

void tst_Streams::cleanup()
{
    m_a.reset();
    m_b.reset();
}

void tst_Streams::openBulk()
{
    QVERIFY(m_a->registry->supportsStream(m_b->id(), StreamKind::Bulk));
    QVERIFY(m_a->registry->openStream(m_b->id(), StreamKind::Bulk) != 0);
    QTRY_VERIFY(m_a->registry->isConnected(m_b->id(), StreamKind::Bulk)
                && m_b->registry->isConnected(m_a->id(), StreamKind::Bulk));
}

void tst_Streams::bulkOpensBesideChat()
{
    PeerConnection *chatA = m_a->registry->activeConnection(m_b->id());
    PeerConnection *chatB = m_b->registry->activeConnection(m_a->id());
    openBulk();
    QCOMPARE(m_a->opened, 1);
    QTRY_COMPARE(m_b->opened, 1);
    // Neither was taken for a duplicate of the other: the chat connections are the same ones.
    QCOMPARE(m_a->registry->connectionCount(), 2);
    QCOMPARE(m_b->registry->connectionCount(), 2);
    QCOMPARE(m_a->registry->activeConnection(m_b->id()), chatA);
    QCOMPARE(m_b->registry->activeConnection(m_a->id()), chatB);
    QVERIFY(nobodyWentOffline());

    // Each message arrives on the stream it was sent on, both ways.
    QVERIFY(m_a->registry->send(m_b->id(), chat(u"on bulk"_s), StreamKind::Bulk));
    QVERIFY(m_a->registry->send(m_b->id(), chat(u"on chat"_s)));
    QVERIFY(m_b->registry->send(m_a->id(), chat(u"back on bulk"_s), StreamKind::Bulk));
    QTRY_VERIFY(m_b->receivedText(u"on bulk"_s, StreamKind::Bulk)
                && m_b->receivedText(u"on chat"_s, StreamKind::Chat)
                && m_a->receivedText(u"back on bulk"_s, StreamKind::Bulk));
    QCOMPARE(m_b->received.size(), 2);
}

void tst_Streams::bothDialBulkAtOnceEndWithOne()
{
    QSignalSpy aDone(m_a->registry.get(), &ConnectionRegistry::attemptFinished);
    QSignalSpy bDone(m_b->registry.get(), &ConnectionRegistry::attemptFinished);
    QVERIFY(m_a->registry->openStream(m_b->id(), StreamKind::Bulk) != 0);
    QVERIFY(m_b->registry->openStream(m_a->id(), StreamKind::Bulk) != 0);
    QTRY_VERIFY(aDone.size() == 1 && bDone.size() == 1);
    // Both sides keep the same one (the lower ID's), and close the other: one chat, one bulk.
    QTRY_COMPARE(m_a->registry->connectionCount(), 2);
    QTRY_COMPARE(m_b->registry->connectionCount(), 2);
    const PeerConnection *ab = m_a->registry->activeConnection(m_b->id(), StreamKind::Bulk);
    const PeerConnection *ba = m_b->registry->activeConnection(m_a->id(), StreamKind::Bulk);
    QVERIFY(ab && ba);
    QCOMPARE(ab->localPort(), ba->remotePort());
    QCOMPARE(ab->remotePort(), ba->localPort());
    const bool aDialled = m_a->id() < m_b->id();
    QCOMPARE(ab->direction() == PeerConnection::Direction::Outgoing, aDialled);
    // The loser's close was a stream's business: nobody went offline, chat is untouched.
    QVERIFY(nobodyWentOffline());
    QVERIFY(m_a->registry->isConnected(m_b->id()) && m_b->registry->isConnected(m_a->id()));
    QVERIFY(m_a->registry->send(m_b->id(), chat(u"after the race"_s), StreamKind::Bulk));
    QTRY_VERIFY(m_b->receivedText(u"after the race"_s, StreamKind::Bulk));
}

void tst_Streams::chatIsNotQueuedBehindBulk()
{
    openBulk();
    // B takes nothing from the bulk stream: what A writes there stays queued at A.
    m_b->registry->setReadingPaused(m_a->id(), true, StreamKind::Bulk);
    const QString block(int(Protocol::MaxTextBytes), u'x');
    constexpr int Blocks = 384; // 24 MiB: more than the kernel's buffers on both ends hold
    for (int i = 0; i < Blocks; ++i)
        QVERIFY2(m_a->registry->send(m_b->id(), chat(block), StreamKind::Bulk),
                 qPrintable(QString::number(i)));
    QVERIFY(m_a->registry->pendingWriteBytes(m_b->id(), StreamKind::Bulk) > 0);

    QVERIFY(m_a->registry->send(m_b->id(), chat(u"typed meanwhile"_s)));
    QTRY_VERIFY(m_b->receivedText(u"typed meanwhile"_s, StreamKind::Chat));
    // Arrived while megabytes of bulk still wait at the sender: not queued behind them.
    const qint64 stillPending = m_a->registry->pendingWriteBytes(m_b->id(), StreamKind::Bulk);
    qInfo() << "bulk bytes still pending when the chat arrived:" << stillPending;
    QVERIFY(stillPending > 0);
    QVERIFY(m_b->count(StreamKind::Bulk) < Blocks);

    // Nothing of the bulk data was lost: it all arrives once B reads again.
    m_b->registry->setReadingPaused(m_a->id(), false, StreamKind::Bulk);
    QTRY_COMPARE_WITH_TIMEOUT(m_b->count(StreamKind::Bulk), Blocks, 30000);
    QVERIFY(nobodyWentOffline() && m_a->closed.isEmpty());
}

void tst_Streams::bulkHasItsOwnWriteLimit()
{
    // A bulk limit of 4 MiB here: a peer that stops reading bulk loses its bulk stream, and
    // only that; the chat stream's own (smaller) limit was never in play.
    ConnectionLimits limits = testLimits();
    limits.maxPendingBulkWriteBytes = 4 * 1024 * 1024;
    m_a = makeNode(limits);
    QVERIFY(m_a->registry->connectToPeer(u"127.0.0.1"_s, m_b->port(), m_b->id()));
    QTRY_VERIFY(m_a->registry->isConnected(m_b->id()) && m_b->registry->isConnected(m_a->id()));
    openBulk();
    m_b->registry->setReadingPaused(m_a->id(), true, StreamKind::Bulk);
    const QString block(int(Protocol::MaxTextBytes), u'x');
    int sent = 0;
    while (sent < 1000 && m_a->registry->send(m_b->id(), chat(block), StreamKind::Bulk))
        ++sent;
    QVERIFY2(sent > ChatLimit / Protocol::MaxTextBytes, qPrintable(QString::number(sent)));
    QVERIFY(sent < 1000);
    QCOMPARE(m_a->closed.size(), 1);
    QCOMPARE(m_a->closed.first().first, StreamKind::Bulk);
    QVERIFY2(m_a->closed.first().second.contains(u"unread"_s),
             qPrintable(m_a->closed.first().second));
    QVERIFY(!m_a->registry->isConnected(m_b->id(), StreamKind::Bulk));
    QVERIFY(m_a->registry->isConnected(m_b->id()));
    QVERIFY(nobodyWentOffline());
    QVERIFY(m_a->registry->send(m_b->id(), chat(u"still here"_s)));
    QTRY_VERIFY(m_b->receivedText(u"still here"_s, StreamKind::Chat));
}

void tst_Streams::idleBulkClosesAndPeerStaysConnected()
{
    ConnectionLimits limits = testLimits();
    limits.bulkIdleMs = 1500;
    m_a = makeNode(limits);
    QVERIFY(m_a->registry->connectToPeer(u"127.0.0.1"_s, m_b->port(), m_b->id()));
    QTRY_VERIFY(m_a->registry->isConnected(m_b->id()) && m_b->registry->isConnected(m_a->id()));
    openBulk();
    QVERIFY(m_a->registry->send(m_b->id(), chat(u"one block"_s), StreamKind::Bulk));
    QTRY_VERIFY(m_b->receivedText(u"one block"_s, StreamKind::Bulk));
    // Nothing more to send: A closes it after its idle time, and both sides see the stream
    // go, never the peer.
    QTRY_VERIFY_WITH_TIMEOUT(!m_a->registry->isConnected(m_b->id(), StreamKind::Bulk), 10000);
    QTRY_VERIFY(!m_b->registry->isConnected(m_a->id(), StreamKind::Bulk));
    QCOMPARE(m_a->closed.size(), 1);
    QVERIFY2(m_a->closed.first().second.contains(u"idle"_s), qPrintable(m_a->closed.first().second));
    QCOMPARE(m_b->closed.size(), 1);
    QCOMPARE(m_b->closed.first().first, StreamKind::Bulk);
    QVERIFY(nobodyWentOffline());
    QVERIFY(m_a->registry->isConnected(m_b->id()) && m_b->registry->isConnected(m_a->id()));
    QVERIFY(m_b->registry->send(m_a->id(), chat(u"still talking"_s)));
    QTRY_VERIFY(m_a->receivedText(u"still talking"_s, StreamKind::Chat));
    QCOMPARE(m_a->registry->connectionCount(), 1);
}

void tst_Streams::bulkEndsWithTheChatStream()
{
    openBulk();
    // A bulk stream lives beside a chat stream only: when the peer goes, its bulk stream goes
    // too, said before the peer is reported gone.
    QStringList order;
    connect(m_a->registry.get(), &ConnectionRegistry::streamClosed, this, [&order] {
        order.append(u"stream"_s);
    });
    connect(m_a->registry.get(), &ConnectionRegistry::peerDisconnected, this, [&order] {
        order.append(u"peer"_s);
    });
    m_a->registry->activeConnection(m_b->id())->close(PeerConnection::Error::LocalClose,
                                                      u"going away"_s);
    QCOMPARE(order, QStringList({u"stream"_s, u"peer"_s}));
    QCOMPARE(m_a->closed.size(), 1);
    QCOMPARE(m_a->closed.first().second, u"chat stream closed"_s);
    QVERIFY(!m_a->registry->isConnected(m_b->id(), StreamKind::Bulk));
    QTRY_VERIFY(!m_b->registry->isConnected(m_a->id())
                && !m_b->registry->isConnected(m_a->id(), StreamKind::Bulk));
    QTRY_COMPARE(m_b->closed.size(), 1);
    QCOMPARE(m_b->disconnected, QStringList{m_a->id()});
    disconnect(m_a->registry.get(), nullptr, this, nullptr);
}

void tst_Streams::olderPeerIsNeverDialledForBulk()
{
    // A version 1 peer: its hello has no "stream" key and no capabilities.
    QString error;
    RawPeer old(*Identity::generate(&error));
    old.socket.connectToHostEncrypted(u"127.0.0.1"_s, m_a->port());
    QTRY_VERIFY(old.socket.isEncrypted());
    Protocol::Hello hello = old.hello(old.m_identity.id());
    QVERIFY(!hello.toCbor().contains(u"stream"_s));
    old.send(hello);
    // Taken as chat, as before streams existed.
    QTRY_COMPARE(m_a->connected, 2); // B in init(), then the old peer
    QVERIFY(m_a->registry->isConnected(old.m_identity.id()));
    QVERIFY(!m_a->registry->isConnected(old.m_identity.id(), StreamKind::Bulk));
    QCOMPARE(m_a->opened, 0);
    // Our hello offered streams to it; its hello offered none to us.
    QTRY_VERIFY(!old.received.isEmpty());
    const auto *ours = std::get_if<Protocol::Hello>(&old.received.first());
    QVERIFY(ours && ours->hasCapability(QLatin1StringView(Protocol::StreamsCapability)));
    QVERIFY(!m_a->registry->supportsStream(old.m_identity.id(), StreamKind::Bulk));
    QCOMPARE(m_a->registry->openStream(old.m_identity.id(), StreamKind::Bulk), 0);
    QCOMPARE(m_a->registry->connectToPeer(u"127.0.0.1"_s, 1, old.m_identity.id(), StreamKind::Bulk),
             0);
    QCOMPARE(m_a->registry->connectionCount(), 2); // B's chat and the old peer's: nothing dialled
    // Without an expected ID there is no peer to open a stream beside.
    QCOMPARE(m_a->registry->connectToPeer(u"127.0.0.1"_s, m_b->port(), {}, StreamKind::Bulk), 0);
}

void tst_Streams::unknownStreamKindIsRefused()
{
    // B's identity, on a second connection, asks for a kind A does not know.
    RawPeer raw(m_b->identity);
    raw.socket.connectToHostEncrypted(u"127.0.0.1"_s, m_a->port());
    QTRY_VERIFY(raw.socket.isEncrypted());
    QCborMap hello = raw.hello(m_b->id()).toCbor();
    hello.insert(u"stream"_s, u"voice"_s);
    raw.sendRaw(frame(hello));
    QTRY_VERIFY(raw.receivedBye());
    const auto &bye = std::get<Protocol::Bye>(raw.received.last());
    QVERIFY2(bye.reason.contains(u"stream"_s) && bye.reason.contains(u"voice"_s),
             qPrintable(bye.reason));
    QTRY_VERIFY(raw.socket.state() == QAbstractSocket::UnconnectedState);
    // Nothing else changed: B is still connected for chat, on the same connection.
    QTRY_COMPARE(m_a->registry->connectionCount(), 1);
    QVERIFY(nobodyWentOffline() && m_a->closed.isEmpty());
    QVERIFY(m_a->registry->isConnected(m_b->id()));
    QVERIFY(m_b->registry->send(m_a->id(), chat(u"still here"_s)));
    QTRY_VERIFY(m_a->receivedText(u"still here"_s, StreamKind::Chat));
}

void tst_Streams::bulkWithoutChatIsRefused()
{
    // A verified peer that has no chat stream to A gets no bulk stream either.
    QString error;
    RawPeer stranger(*Identity::generate(&error));
    stranger.socket.connectToHostEncrypted(u"127.0.0.1"_s, m_a->port());
    QTRY_VERIFY(stranger.socket.isEncrypted());
    Protocol::Hello hello = stranger.hello(stranger.m_identity.id());
    hello.stream = Protocol::Stream::Bulk;
    stranger.send(hello);
    QTRY_VERIFY(stranger.receivedBye());
    const auto &bye = std::get<Protocol::Bye>(stranger.received.last());
    QVERIFY2(bye.reason.contains(u"chat stream"_s), qPrintable(bye.reason));
    QCOMPARE(m_a->opened, 0);
    QVERIFY(!m_a->registry->isConnected(stranger.m_identity.id(), StreamKind::Bulk));
    QTRY_COMPARE(m_a->registry->connectionCount(), 1);
}

QTEST_MAIN(tst_Streams)
#include "tst_streams.moc"
