// SPDX-License-Identifier: GPL-3.0-or-later
// What a network change does to connections (docs/protocol.md, "Network changes"). One
// connection per pair when a peer dials again: a quiet old connection is pinged before the
// rule keeps it, so a dead one gives way to the new within LivenessTimeoutMs and a live one
// stays; nothing sent meanwhile is lost or doubled. Connections over a gone address close; after
// a resume every connection must answer. Two real Messengers on loopback.
#include "../common/testpeer.h"
#include "messenger/messenger.h"
#include "net/connectionregistry.h"
#include "net/networksafety.h"
#include "net/peerconnection.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

bool isOnline(Messenger &m, const QString &peerId)
{
    const auto p = m.peers()->peer(peerId);
    return p && p->online;
}

// How many times each text arrived from `peerId`.
QHash<QString, int> received(const Messenger &m, const QString &peerId)
{
    QString error;
    QHash<QString, int> out;
    for (const ChatMessage &c : m.historyPage(peerId, 1000, std::nullopt, &error)) {
        if (!c.outgoing)
            ++out[c.text];
    }
    return out;
}

bool allOnce(const Messenger &m, const QString &peerId, const QStringList &texts)
{
    const QHash<QString, int> got = received(m, peerId);
    if (got.size() != texts.size())
        return false;
    return std::all_of(texts.cbegin(), texts.cend(), [&](const QString &t) {
        return got.value(t) == 1;
    });
}

bool quiet(const PeerConnection *c)
{
    return c && c->msSinceHeard() >= ConnectionRegistry::LivenessQuietMs;
}

} // namespace

class tst_NetworkChanges : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void deadOldConnectionGivesWay();
    void liveOldConnectionStays();
    void simultaneousDialsSettleOnOne();
    void connectionsOverAGoneAddressClose();
    void afterResumeEveryConnectionMustAnswer();

private:
    void connectPair();
    void send(Messenger &from, Messenger &to, const QString &text);
    // The lower ID's: the rule keeps a connection it opened over one the higher ID opened.
    std::unique_ptr<Messenger> m_low;
    std::unique_ptr<Messenger> m_high;
};

void tst_NetworkChanges::initTestCase()
{
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_NetworkChanges::init()
{
    QString error;
    Identity a = *Identity::generate(&error);
    Identity b = *Identity::generate(&error);
    if (b.id() < a.id())
        std::swap(a, b);
    m_low = startPeer(testPeerConfig(u"Low"_s), &a);
    m_high = startPeer(testPeerConfig(u"High"_s), &b);
}

void tst_NetworkChanges::cleanup()
{
    m_low.reset();
    m_high.reset();
}

void tst_NetworkChanges::connectPair()
{
    QString error;
    QVERIFY(m_low->connectToAddress(u"127.0.0.1:%1"_s.arg(m_high->port()), &error));
    QTRY_VERIFY(isOnline(*m_low, m_high->id()) && isOnline(*m_high, m_low->id()));
}

void tst_NetworkChanges::send(Messenger &from, Messenger &to, const QString &text)
{
    QString error;
    QVERIFY2(from.sendMessage(to.id(), text, &error), qPrintable(error));
}

void tst_NetworkChanges::deadOldConnectionGivesWay()
{
    // The higher ID's end of the old connection goes dead (it reads nothing more: what a
    // laptop that changed address sees of its old connection), and it dials again. The rule
    // alone would keep the old one, opened by the lower ID, until keepalive gave up on it.
    connectPair();
    QPointer<PeerConnection> oldLow = m_low->connections().activeConnection(m_high->id());
    QPointer<PeerConnection> oldHigh = m_high->connections().activeConnection(m_low->id());
    QVERIFY(oldLow && oldHigh);
    m_high->connections().setReadingPaused(m_low->id(), true);
    // Arrives, but its acknowledgement is never read: sent again on the new connection.
    send(*m_high, *m_low, u"early"_s);
    QTRY_VERIFY(allOnce(*m_low, m_high->id(), {u"early"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(quiet(oldLow) && quiet(oldHigh), 5000);

    send(*m_low, *m_high, u"before 1"_s); // into the dead connection
    send(*m_low, *m_high, u"before 2"_s);
    QVERIFY(m_high->connections().connectToPeer(u"127.0.0.1"_s, m_low->port(), m_low->id()));
    QElapsedTimer sinceDial;
    sinceDial.start();
    // While the old one is being asked. (The higher ID sends nothing meanwhile: a peer that
    // moved has no old connection to send on.)
    QTRY_COMPARE(m_low->connections().connectionCount(), 2);
    send(*m_low, *m_high, u"gap 1"_s);
    send(*m_low, *m_high, u"gap 2"_s);

    const auto replaced = [](Messenger &m, const QString &peerId, const PeerConnection *old) {
        const PeerConnection *now = m.connections().activeConnection(peerId);
        return now && now != old && now->isReady();
    };
    QTRY_VERIFY_WITH_TIMEOUT(replaced(*m_low, m_high->id(), oldLow)
                                 && replaced(*m_high, m_low->id(), oldHigh),
                             ConnectionRegistry::LivenessTimeoutMs + 3000);
    QVERIFY2(sinceDial.elapsed() < ConnectionRegistry::LivenessTimeoutMs + 1500,
             qPrintable(QString::number(sinceDial.elapsed())));
    QVERIFY(!oldLow || oldLow->isClosed());
    QVERIFY(!oldHigh || oldHigh->isClosed());
    // The one kept is the new one, opened by the higher ID, on both ends.
    QCOMPARE(m_low->connections().activeConnection(m_high->id())->direction(),
             PeerConnection::Direction::Incoming);
    QCOMPARE(m_high->connections().activeConnection(m_low->id())->direction(),
             PeerConnection::Direction::Outgoing);

    send(*m_high, *m_low, u"after"_s);
    QTRY_VERIFY(
        allOnce(*m_high, m_low->id(), {u"before 1"_s, u"before 2"_s, u"gap 1"_s, u"gap 2"_s}));
    QTRY_VERIFY(allOnce(*m_low, m_high->id(), {u"early"_s, u"after"_s}));
    QTRY_COMPARE(m_low->connections().connectionCount(), 1);
    QTRY_COMPARE(m_high->connections().connectionCount(), 1);
    QVERIFY(isOnline(*m_low, m_high->id()) && isOnline(*m_high, m_low->id()));
}

void tst_NetworkChanges::liveOldConnectionStays()
{
    // The same second dial while the old connection is well: it answers the ping, and both
    // ends keep it (the rule as before), closing the new one.
    connectPair();
    QPointer<PeerConnection> oldLow = m_low->connections().activeConnection(m_high->id());
    QPointer<PeerConnection> oldHigh = m_high->connections().activeConnection(m_low->id());
    QTRY_VERIFY_WITH_TIMEOUT(quiet(oldLow) && quiet(oldHigh), 5000);

    QVERIFY(m_high->connections().connectToPeer(u"127.0.0.1"_s, m_low->port(), m_low->id()));
    QTRY_COMPARE(m_low->connections().connectionCount(), 2);
    send(*m_low, *m_high, u"gap 1"_s);
    send(*m_high, *m_low, u"gap 2"_s);
    QElapsedTimer sinceDial;
    sinceDial.start();
    QTRY_VERIFY_WITH_TIMEOUT(m_low->connections().connectionCount() == 1
                                 && m_high->connections().connectionCount() == 1,
                             ConnectionRegistry::LivenessTimeoutMs + 3000);
    // Settled by the pong, not by the time-out.
    QVERIFY2(sinceDial.elapsed() < ConnectionRegistry::LivenessTimeoutMs,
             qPrintable(QString::number(sinceDial.elapsed())));
    QVERIFY(oldLow && !oldLow->isClosed());
    QVERIFY(oldHigh && !oldHigh->isClosed());
    QCOMPARE(m_low->connections().activeConnection(m_high->id()), oldLow.data());
    QCOMPARE(m_high->connections().activeConnection(m_low->id()), oldHigh.data());
    QTRY_VERIFY(allOnce(*m_high, m_low->id(), {u"gap 1"_s}));
    QTRY_VERIFY(allOnce(*m_low, m_high->id(), {u"gap 2"_s}));
}

void tst_NetworkChanges::simultaneousDialsSettleOnOne()
{
    // Both dial at once: the connections are new (not quiet), so no ping; both ends keep the
    // same one, the lower ID's.
    QString error;
    QVERIFY(m_low->connectToAddress(u"127.0.0.1:%1"_s.arg(m_high->port()), &error));
    QVERIFY(m_high->connectToAddress(u"127.0.0.1:%1"_s.arg(m_low->port()), &error));
    QTRY_VERIFY(isOnline(*m_low, m_high->id()) && isOnline(*m_high, m_low->id()));
    QTRY_VERIFY(m_low->connections().connectionCount() == 1
                && m_high->connections().connectionCount() == 1);
    const PeerConnection *low = m_low->connections().activeConnection(m_high->id());
    const PeerConnection *high = m_high->connections().activeConnection(m_low->id());
    QVERIFY(low && high);
    QCOMPARE(low->localPort(), high->remotePort());
    QCOMPARE(low->direction(), PeerConnection::Direction::Outgoing);
    send(*m_low, *m_high, u"hello"_s);
    QTRY_VERIFY(allOnce(*m_high, m_low->id(), {u"hello"_s}));
}

void tst_NetworkChanges::connectionsOverAGoneAddressClose()
{
    // What Messenger does when an address of this host goes: the connections over it close at
    // once (TCP would take minutes to say so), and the peer is offline until reached again.
    connectPair();
    QCOMPARE(m_low->connections().closeIfLocalAddressGone({QHostAddress(u"127.0.0.1"_s)}), 0);
    QVERIFY(isOnline(*m_low, m_high->id()));
    QCOMPARE(m_low->connections().closeIfLocalAddressGone({QHostAddress(u"192.0.2.1"_s)}), 1);
    QVERIFY(!m_low->connections().isConnected(m_high->id()));
    QTRY_VERIFY(!isOnline(*m_high, m_low->id()));
}

void tst_NetworkChanges::afterResumeEveryConnectionMustAnswer()
{
    // The host slept; a peer that still reads is kept, one that does not (it gave up on us
    // meanwhile, in effect) is dropped within deadAfterMs, with nothing sent by anyone.
    MessengerConfig config = testPeerConfig(u"Sleeper"_s);
    config.timeouts.pingIntervalMs = 200;
    config.timeouts.deadAfterMs = 1000;
    auto sleeper = startPeer(config);
    auto reader = makePeer(u"Reader"_s);
    QString error;
    QVERIFY(sleeper->connectToAddress(u"127.0.0.1:%1"_s.arg(reader->port()), &error));
    QVERIFY(sleeper->connectToAddress(u"127.0.0.1:%1"_s.arg(m_high->port()), &error));
    QTRY_VERIFY(isOnline(*sleeper, reader->id()) && isOnline(*sleeper, m_high->id()));
    m_high->connections().setReadingPaused(sleeper->id(), true);

    // Seen going offline, as the list shows it: the dialer may reach it again at once (a new
    // connection reads), and a poll of isOnline() could miss the moment between.
    QSignalSpy updates(sleeper.get(), &Messenger::peerUpdated);
    const auto wentOffline = [&] {
        return std::any_of(updates.cbegin(), updates.cend(), [&](const QList<QVariant> &args) {
            const auto peer = args.at(0).value<PeerInfo>();
            return peer.id == m_high->id() && !peer.online;
        });
    };
    QElapsedTimer sinceResume;
    sinceResume.start();
    sleeper->hostResumed();
    QTRY_VERIFY_WITH_TIMEOUT(wentOffline(), 5000);
    QVERIFY2(sinceResume.elapsed() >= config.timeouts.deadAfterMs - 50,
             qPrintable(QString::number(sinceResume.elapsed())));
    QVERIFY(isOnline(*sleeper, reader->id()));
}

QTEST_GUILESS_MAIN(tst_NetworkChanges)
#include "tst_networkchanges.moc"
