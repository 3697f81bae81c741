// SPDX-License-Identifier: GPL-3.0-or-later
// The sender holds messages for a peer that is away, across restarts, and delivers them in
// order, exactly once, when the peer is back. Loopback only.
#include "messenger/messenger.h"
#include "net/connectionregistry.h"
#include "net/networksafety.h"
#include "storage/messagestore.h"
#include "testports.h"

#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

using namespace Qt::StringLiterals;

namespace {

struct Profile
{
    QTemporaryDir dir;
    quint16 port = 0;

    std::unique_ptr<Messenger> start(const QString &name, quint16 discoveryPort)
    {
        QString error;
        const auto identity = Identity::loadOrCreate(dir.path(), &error);
        MessengerConfig config;
        config.profileDir = dir.path();
        config.name = name;
        config.listenAddress = QHostAddress::LocalHost;
        config.port = port;
        config.discovery = DiscoveryConfig{discoveryPort,
                                           {QHostAddress(u"127.255.255.255"_s)},
                                           30000};
        auto m = std::make_unique<Messenger>(*identity, config);
        if (!m->start())
            qWarning() << m->errorString();
        port = m->port();
        return m;
    }
};

bool online(Messenger &m, const QString &id)
{
    const auto p = m.peers()->peer(id);
    return p && p->online;
}

QStringList texts(const QList<ChatMessage> &messages, bool outgoing)
{
    QStringList out;
    for (const ChatMessage &m : messages) {
        if (m.outgoing == outgoing)
            out.append(m.text);
    }
    return out;
}

} // namespace

class tst_Offline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void hundredMessagesWaitAcrossRestarts();
    void knownPeerListedOfflineWithHistory();
    void onlyThoseWrittenToAreKnownAfterRestart();
};

void tst_Offline::initTestCase()
{
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_Offline::hundredMessagesWaitAcrossRestarts()
{
    const quint16 lan = freeUdpPort();
    Profile alice, bob;
    auto a = alice.start(u"Alice"_s, lan);
    auto b = bob.start(u"Bob"_s, lan);
    const QString bobId = b->id();
    const QString aliceId = a->id();
    QTRY_VERIFY(a->connections().isConnected(bobId));
    b->shutdown();
    b.reset();
    QTRY_VERIFY(!online(*a, bobId));

    QStringList sent;
    QString error;
    for (int i = 0; i < 100; ++i) {
        sent.append(u"while you were away %1"_s.arg(i));
        QVERIFY(a->sendMessage(bobId, sent.last(), &error));
    }
    QTRY_COMPARE(a->history().undelivered(bobId).size(), 100);

    // Alice's Shoal restarts while Bob is away: the queue is still there.
    a->shutdown();
    a.reset();
    a = alice.start(u"Alice"_s, lan);
    QCOMPARE(a->history().undelivered(bobId).size(), 100);
    QVERIFY(a->peers()->peer(bobId).has_value());

    // Bob is back: everything arrives, in order, once.
    b = bob.start(u"Bob"_s, lan);
    QTRY_VERIFY_WITH_TIMEOUT(a->history().undelivered(bobId).isEmpty(), 10000);
    QTRY_COMPARE(texts(b->history().conversation(aliceId), false), sent);

    // Both restart: both histories still hold the 100.
    a->shutdown();
    b->shutdown();
    a.reset();
    b.reset();
    a = alice.start(u"Alice"_s, lan);
    b = bob.start(u"Bob"_s, lan);
    QCOMPARE(texts(a->history().conversation(bobId), true), sent);
    QCOMPARE(texts(b->history().conversation(aliceId), false), sent);
    for (const ChatMessage &m : a->history().conversation(bobId))
        QCOMPARE(m.state, MessageState::Delivered);
}

void tst_Offline::knownPeerListedOfflineWithHistory()
{
    const quint16 lan = freeUdpPort();
    Profile alice, bob;
    auto a = alice.start(u"Alice"_s, lan);
    auto b = bob.start(u"Bob"_s, lan);
    const QString bobId = b->id();
    QTRY_VERIFY(a->connections().isConnected(bobId));
    QString error;
    b->sendMessage(a->id(), u"remember me"_s, &error);
    QTRY_COMPARE(a->history().count(bobId), 1);
    b->shutdown();
    b.reset();
    a->shutdown();
    a.reset();

    a = alice.start(u"Alice"_s, lan);
    const auto peer = a->peers()->peer(bobId);
    QVERIFY(peer.has_value());
    QVERIFY(!peer->online);
    QCOMPARE(peer->name, u"Bob"_s);
    QVERIFY(peer->lastSeen.isValid());
    QCOMPARE(peer->unread, 1); // not shown to anyone yet
    QCOMPARE(a->history().conversation(bobId).first().text, u"remember me"_s);
}

void tst_Offline::onlyThoseWrittenToAreKnownAfterRestart()
{
    // Bob only wrote to Alice; Alice wrote to Carol. After a restart Alice keeps room for
    // Carol (a known peer for the lock-out rules) but not for Bob: an incoming chat is free to
    // send, so it must not make anyone known.
    const quint16 lan = freeUdpPort();
    Profile alice, bob, carol;
    auto a = alice.start(u"Alice"_s, lan);
    auto b = bob.start(u"Bob"_s, lan);
    auto c = carol.start(u"Carol"_s, lan);
    const QString bobId = b->id();
    const QString carolId = c->id();
    QTRY_VERIFY(a->connections().isConnected(bobId) && a->connections().isConnected(carolId));
    QString error;
    b->sendMessage(a->id(), u"hello from Bob"_s, &error);
    const QUuid toCarol = *a->sendMessage(carolId, u"hello Carol"_s, &error);
    QTRY_COMPARE(a->history().count(bobId), 1);
    QTRY_COMPARE(a->history().message(toCarol)->state, MessageState::Delivered);
    QVERIFY(!a->connections().isKnownPeer(bobId));
    QVERIFY(a->connections().isKnownPeer(carolId));
    a->shutdown();
    a.reset();

    a = alice.start(u"Alice"_s, lan);
    QVERIFY(!a->connections().isKnownPeer(bobId));
    QVERIFY(a->connections().isKnownPeer(carolId));
}

QTEST_GUILESS_MAIN(tst_Offline)
#include "tst_offline.moc"
