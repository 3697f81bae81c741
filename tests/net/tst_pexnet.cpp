// SPDX-License-Identifier: GPL-3.0-or-later
// Peer exchange between real Messengers on loopback, without LAN discovery: peers introduced
// by a common contact connect by themselves; what the person excludes or switches off is not
// told; a hostile peer's pex makes a bounded number of dials, and a malformed one closes only
// its own connection.
#include "../common/rawpeer.h"
#include "../common/testpeer.h"
#include "discovery/dialguard.h"
#include "messenger/messenger.h"
#include "net/connectionregistry.h"
#include "net/networksafety.h"
#include "peers/dialer.h"
#include "protocol/framedecoder.h"
#include "storage/messagestore.h"

#include <QCborArray>
#include <QCborMap>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

bool isOnline(const Messenger &m, const QString &peerId)
{
    const auto p = m.peer(peerId);
    return p && p->online && p->verified;
}

QString addressOf(const Messenger &m)
{
    return u"127.0.0.1:%1"_s.arg(m.port());
}

// Connects `from` to `to` by address, as a person would, and waits for both to see it.
bool introduce(Messenger &from, Messenger &to)
{
    QString error;
    if (!from.connectToAddress(addressOf(to), &error))
        return false;
    return QTest::qWaitFor([&] { return isOnline(from, to.id()) && isOnline(to, from.id()); },
                           10'000);
}

QList<Protocol::Pex> pexReceived(const RawPeer &raw)
{
    QList<Protocol::Pex> out;
    for (const auto &m : raw.received) {
        if (const auto *p = std::get_if<Protocol::Pex>(&m))
            out.append(*p);
    }
    return out;
}

bool pongReceived(const RawPeer &raw, quint64 n)
{
    for (const auto &m : raw.received) {
        if (const auto *p = std::get_if<Protocol::Pong>(&m); p && p->seq == n)
            return true;
    }
    return false;
}

} // namespace

class tst_PexNet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void introducedPeersConnectByThemselves();
    void excludedContactIsNeverTold();
    void nothingToldWhenSwitchedOff();
    void hostileHintsMakeBoundedDials();
    void malformedPexClosesOnlyThatConnection();

private:
    // A raw peer that takes pex, connected to `m` and known to it.
    bool connectRaw(RawPeer &raw, Messenger &m);
    QString m_error;
};

void tst_PexNet::initTestCase()
{
    // Network safety: whatever this test does, Shoal sends nothing beyond this host.
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

bool tst_PexNet::connectRaw(RawPeer &raw, Messenger &m)
{
    if (!raw.connectAndWait(m))
        return false;
    Protocol::Hello hello = raw.hello(raw.m_identity.id());
    hello.capabilities = {QString::fromLatin1(Protocol::PexCapability)};
    raw.send(hello);
    return QTest::qWaitFor([&] { return isOnline(m, raw.m_identity.id()); }, 5000);
}

void tst_PexNet::introducedPeersConnectByThemselves()
{
    // Carol knows Dave; Alice is given Carol's address. Nothing else is done: Alice and Dave
    // learn of each other from Carol and connect, each verifying the other's key.
    auto alice = makePeer(u"Alice"_s);
    auto carol = makePeer(u"Carol"_s);
    auto dave = makePeer(u"Dave"_s);
    QVERIFY(introduce(*carol, *dave));
    QVERIFY(introduce(*alice, *carol));
    QTRY_VERIFY_WITH_TIMEOUT(isOnline(*alice, dave->id()) && isOnline(*dave, alice->id()), 10'000);
    QCOMPARE(alice->peer(dave->id())->address, addressOf(*dave));
    QCOMPARE(dave->peer(alice->id())->address, addressOf(*alice));
    // One connection for the pair, and a conversation over it.
    QString error;
    const auto sent = alice->sendMessage(dave->id(), u"found you"_s, &error);
    QVERIFY2(sent, qPrintable(error));
    QTRY_COMPARE(dave->history().count(alice->id()), 1);
}

void tst_PexNet::excludedContactIsNeverTold()
{
    // Carol knows Dave and Erin, and keeps Dave's address to herself.
    auto carol = makePeer(u"Carol"_s);
    auto dave = makePeer(u"Dave"_s);
    auto erin = makePeer(u"Erin"_s);
    carol->setSharedWithOthers(dave->id(), false);
    QVERIFY(!carol->isSharedWithOthers(dave->id()));
    QVERIFY(introduce(*carol, *dave));
    QVERIFY(introduce(*carol, *erin));
    // Only Dave's address is kept back: Dave is told of Erin, and they meet.
    QTRY_VERIFY_WITH_TIMEOUT(isOnline(*dave, erin->id()), 10'000);

    RawPeer alice(*Identity::generate(&m_error));
    QVERIFY(connectRaw(alice, *carol));
    QTRY_VERIFY(!pexReceived(alice).isEmpty());
    const Protocol::Pex told = pexReceived(alice).first();
    QCOMPARE(told.peers.size(), 1);
    QCOMPARE(told.peers.first().id, erin->id());
    QCOMPARE(told.peers.first().addresses, QStringList{addressOf(*erin)});
}

void tst_PexNet::nothingToldWhenSwitchedOff()
{
    MessengerConfig config = testPeerConfig(u"Carol"_s);
    config.peerExchange = false;
    auto carol = startPeer(config);
    auto dave = makePeer(u"Dave"_s);
    QVERIFY(!carol->peerExchange());
    QVERIFY(introduce(*carol, *dave));
    RawPeer alice(*Identity::generate(&m_error));
    QVERIFY(connectRaw(alice, *carol));
    // A pex would be sent as the stream comes up, before Carol answers anything sent after.
    alice.send(Protocol::Ping{7});
    QTRY_VERIFY(pongReceived(alice, 7));
    QVERIFY(pexReceived(alice).isEmpty());

    // Switched on: Alice is told of Dave at once.
    carol->setPeerExchange(true);
    QTRY_COMPARE(pexReceived(alice).size(), 1);
    QCOMPARE(pexReceived(alice).first().peers.first().id, dave->id());
}

void tst_PexNet::hostileHintsMakeBoundedDials()
{
    // Something that is not a Shoal listens on a port; Mallory says 64 made-up peers are
    // there, again and again. Alice dials it only as DialGuard allows one host.
    QTcpServer victim;
    QVERIFY(victim.listen(QHostAddress::LocalHost, 0));
    int accepted = 0;
    connect(&victim, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *s = victim.nextPendingConnection()) {
            ++accepted;
            s->close();
            s->deleteLater();
        }
    });
    auto alice = makePeer(u"Alice"_s);
    RawPeer mallory(*Identity::generate(&m_error));
    QVERIFY(connectRaw(mallory, *alice));
    Protocol::Pex lie;
    for (int i = 0; i < Protocol::Pex::MaxPeers; ++i)
        lie.peers.append({u"%1"_s.arg(i * 7919 + 1, 64, 16, QLatin1Char('0')),
                          {u"127.0.0.1:%1"_s.arg(victim.serverPort())}});
    for (int i = 0; i < 20; ++i)
        mallory.send(lie);
    QTRY_VERIFY(accepted >= 1);
    // Long enough for every made-up peer to be dialled (higher IDs wait 1.5 s), were the
    // bounds not there: what is observed is that nothing more comes.
    QTest::qWait(2 * Dialer::HigherIdDialDelayMs + 500);
    QVERIFY2(accepted <= DialGuard::HostDialBurst, qPrintable(QString::number(accepted)));
    // None of them became a contact, and Mallory's pex was no error.
    for (const auto &p : std::as_const(lie.peers))
        QVERIFY(!alice->peer(p.id));
    QVERIFY(alice->connections().isConnected(mallory.m_identity.id()));
    QVERIFY(!mallory.receivedBye());
}

void tst_PexNet::malformedPexClosesOnlyThatConnection()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    QVERIFY(introduce(*bob, *alice));
    RawPeer mallory(*Identity::generate(&m_error));
    QVERIFY(connectRaw(mallory, *alice));
    // 65 peers: one more than a pex may carry.
    QCborArray peers;
    for (int i = 0; i <= Protocol::Pex::MaxPeers; ++i)
        peers.append(QCborMap{{u"id"_s, u"%1"_s.arg(i + 1, 64, 16, QLatin1Char('0'))},
                              {u"a"_s, QCborArray{u"127.0.0.1:9"_s}}});
    const QCborMap map{{u"t"_s, u"pex"_s}, {u"peers"_s, peers}};
    mallory.sendRaw(FrameDecoder::encode(map.toCborValue().toCbor()));
    QTRY_VERIFY(!alice->connections().isConnected(mallory.m_identity.id()));
    QVERIFY(alice->dialer().hintCount() == 0);
    // Bob's conversation goes on.
    QVERIFY(alice->connections().isConnected(bob->id()));
    QString error;
    QVERIFY(bob->sendMessage(alice->id(), u"still here"_s, &error));
    QTRY_COMPARE(alice->history().count(bob->id()), 1);
}

QTEST_GUILESS_MAIN(tst_PexNet)
#include "tst_pexnet.moc"
