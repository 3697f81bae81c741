// SPDX-License-Identifier: GPL-3.0-or-later
// Presence between real peers on loopback (issue 15): a status, its text, a new name and an
// avatar hash reach a connected peer at once and a new one through the hello; a peer that sends
// a malformed pres or hello loses only its own connection; a flood of pres is slowed down and
// its last word still counts.
#include "net/connectionregistry.h"
#include "net/networksafety.h"
#include "protocol/framedecoder.h"
#include "rawpeer.h"
#include "testpeer.h"

#include <QCborMap>
#include <QCborValue>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_PresenceNet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void statusAndTextSeenByPeer();
    void nameChangeReachesConnectedPeer();
    void presenceInHelloOfANewConnection();
    void avatarHashTravels();
    void malformedPresClosesOnlyThatConnection_data();
    void malformedPresClosesOnlyThatConnection();
    void malformedHelloIsRefused();
    void floodIsSlowedButTheLastWordCounts();

private:
    PeerInfo bobSeenByAlice() const { return m_alice->peer(m_bob->id()).value_or(PeerInfo{}); }
    PeerInfo aliceSeenByBob() const { return m_bob->peer(m_alice->id()).value_or(PeerInfo{}); }
    void connectRaw(RawPeer &raw);

    std::unique_ptr<Messenger> m_alice, m_bob;
    QString m_error;
};

void tst_PresenceNet::initTestCase()
{
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_PresenceNet::init()
{
    m_alice = makePeer(u"Alice"_s);
    m_bob = makePeer(u"Bob"_s);
    QVERIFY(m_bob->connectToAddress(u"127.0.0.1:%1"_s.arg(m_alice->port()), &m_error));
    QTRY_VERIFY(aliceSeenByBob().online && bobSeenByAlice().online);
}

void tst_PresenceNet::cleanup()
{
    m_bob.reset();
    m_alice.reset();
}

void tst_PresenceNet::connectRaw(RawPeer &raw)
{
    QVERIFY(raw.connectAndWait(*m_alice));
    raw.send(raw.hello(raw.m_identity.id()));
    QTRY_VERIFY(m_alice->connections().isConnected(raw.m_identity.id()));
}

void tst_PresenceNet::statusAndTextSeenByPeer()
{
    QCOMPARE(aliceSeenByBob().status, PeerInfo::Status::Available);
    QSignalSpy changed(m_alice.get(), &Messenger::statusChanged);
    m_alice->setStatus(PeerInfo::Status::Away, u"at lunch until 13:00"_s);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(m_alice->status(), PeerInfo::Status::Away);
    QTRY_COMPARE(aliceSeenByBob().status, PeerInfo::Status::Away);
    QCOMPARE(aliceSeenByBob().statusText, u"at lunch until 13:00"_s);

    m_alice->setStatus(PeerInfo::Status::Busy, {});
    QTRY_COMPARE(aliceSeenByBob().status, PeerInfo::Status::Busy);
    QCOMPARE(aliceSeenByBob().statusText, QString());

    // A burst of changes: the peer ends up with the last one.
    m_alice->setStatus(PeerInfo::Status::Away, u"1"_s);
    m_alice->setStatus(PeerInfo::Status::Busy, u"2"_s);
    m_alice->setStatus(PeerInfo::Status::Available, u"back"_s);
    QTRY_COMPARE(aliceSeenByBob().statusText, u"back"_s);
    QCOMPARE(aliceSeenByBob().status, PeerInfo::Status::Available);
    // Our own text is one short line too.
    m_alice->setStatus(PeerInfo::Status::Away, u"two\nlines"_s + QString(100, u'x'));
    QCOMPARE(m_alice->statusText().size(), Protocol::MaxStatusTextLength);
    QVERIFY(m_alice->statusText().startsWith(u"two lines"_s));
    QTRY_COMPARE(aliceSeenByBob().statusText, m_alice->statusText());
    // Setting the same again says nothing.
    changed.clear();
    m_alice->setStatus(PeerInfo::Status::Away, m_alice->statusText());
    QCOMPARE(changed.size(), 0);
}

void tst_PresenceNet::nameChangeReachesConnectedPeer()
{
    QCOMPARE(aliceSeenByBob().name, u"Alice"_s);
    m_alice->setName(u"Alicia 李"_s);
    QTRY_COMPARE(aliceSeenByBob().name, u"Alicia 李"_s);
    QVERIFY(aliceSeenByBob().online);
}

void tst_PresenceNet::presenceInHelloOfANewConnection()
{
    MessengerConfig config = testPeerConfig(u"Carol"_s);
    config.status = PeerInfo::Status::Busy;
    config.statusText = u"do not disturb"_s;
    auto carol = startPeer(config);
    QCOMPARE(carol->status(), PeerInfo::Status::Busy);
    m_alice->setStatus(PeerInfo::Status::Away, u"gone fishing"_s);
    QVERIFY(carol->connectToAddress(u"127.0.0.1:%1"_s.arg(m_alice->port()), &m_error));
    QTRY_VERIFY(carol->peer(m_alice->id()).value_or(PeerInfo{}).online);
    const PeerInfo alice = *carol->peer(m_alice->id());
    QCOMPARE(alice.status, PeerInfo::Status::Away);
    QCOMPARE(alice.statusText, u"gone fishing"_s);
    QTRY_VERIFY(m_alice->peer(carol->id()).value_or(PeerInfo{}).online);
    QCOMPARE(m_alice->peer(carol->id())->status, PeerInfo::Status::Busy);
    QCOMPARE(m_alice->peer(carol->id())->statusText, u"do not disturb"_s);
}

void tst_PresenceNet::avatarHashTravels()
{
    const QByteArray hash(Protocol::Sha256Bytes, '\x42');
    m_alice->setAvatarHash(hash);
    QTRY_COMPARE(aliceSeenByBob().avatarHash, hash);
    // Not a SHA-256: not taken.
    m_alice->setAvatarHash(QByteArray(5, 'x'));
    QCOMPARE(m_alice->avatarHash(), hash);
    m_alice->setAvatarHash({});
    QTRY_COMPARE(aliceSeenByBob().avatarHash, QByteArray());
}

void tst_PresenceNet::malformedPresClosesOnlyThatConnection_data()
{
    QTest::addColumn<QByteArray>("payload");
    const QCborMap pres = Protocol::Presence{u"Mallory"_s, Protocol::Status::Busy, {}, {}}.toCbor();
    const auto with = [&](const QString &key, const QCborValue &value) {
        QCborMap m = pres;
        m.insert(key, value);
        return m.toCborValue().toCbor();
    };
    QCborMap noName = pres;
    noName.remove(u"name"_s);
    QTest::newRow("no name") << noName.toCborValue().toCbor();
    QTest::newRow("st number") << with(u"st"_s, 2);
    QTest::newRow("stx bytes") << with(u"stx"_s, QByteArray("x"));
    QTest::newRow("av 31 bytes") << with(u"av"_s, QByteArray(31, 'a'));
    QTest::newRow("av text") << with(u"av"_s, QString(32, u'a'));
}

void tst_PresenceNet::malformedPresClosesOnlyThatConnection()
{
    QFETCH(QByteArray, payload);
    RawPeer raw(*Identity::generate(&m_error));
    connectRaw(raw);
    const QString rawId = raw.m_identity.id();
    QTRY_COMPARE(m_alice->peer(rawId).value_or(PeerInfo{}).name, u"raw"_s);
    m_bob->setStatus(PeerInfo::Status::Away, u"before"_s);
    QTRY_COMPARE(bobSeenByAlice().statusText, u"before"_s);

    raw.sendRaw(FrameDecoder::encode(payload));
    QTRY_VERIFY(!m_alice->connections().isConnected(rawId));
    // Nothing else changed: not the raw peer's row (offline, same name and status), not Bob.
    const PeerInfo rawRow = *m_alice->peer(rawId);
    QCOMPARE(rawRow.name, u"raw"_s);
    QCOMPARE(rawRow.status, PeerInfo::Status::Available);
    QVERIFY(!rawRow.online);
    QVERIFY(bobSeenByAlice().online);
    QCOMPARE(bobSeenByAlice().status, PeerInfo::Status::Away);
    QCOMPARE(bobSeenByAlice().statusText, u"before"_s);
    // And Bob's next change still arrives.
    m_bob->setStatus(PeerInfo::Status::Busy, u"after"_s);
    QTRY_COMPARE(bobSeenByAlice().statusText, u"after"_s);
}

void tst_PresenceNet::malformedHelloIsRefused()
{
    RawPeer raw(*Identity::generate(&m_error));
    QVERIFY(raw.connectAndWait(*m_alice));
    QCborMap hello = raw.hello(raw.m_identity.id()).toCbor();
    hello.insert(u"av"_s, QByteArray(33, 'a'));
    raw.sendRaw(FrameDecoder::encode(hello.toCborValue().toCbor()));
    QTRY_VERIFY(raw.socket.state() == QAbstractSocket::UnconnectedState || raw.receivedBye());
    QVERIFY(!m_alice->connections().isConnected(raw.m_identity.id()));
    QVERIFY(!m_alice->peer(raw.m_identity.id()));
    QVERIFY(bobSeenByAlice().online);
}

void tst_PresenceNet::floodIsSlowedButTheLastWordCounts()
{
    RawPeer raw(*Identity::generate(&m_error));
    connectRaw(raw);
    const QString rawId = raw.m_identity.id();
    QSignalSpy updated(m_alice.get(), &Messenger::peerUpdated);
    constexpr int Count = 200;
    for (int i = 0; i < Count; ++i)
        raw.send(Protocol::Presence{u"n%1"_s.arg(i), Protocol::Status::Busy, {}, {}});
    QTRY_COMPARE_WITH_TIMEOUT(m_alice->peer(rawId).value_or(PeerInfo{}).name,
                              u"n%1"_s.arg(Count - 1),
                              10000);
    QVERIFY(m_alice->connections().isConnected(rawId));
    int rawUpdates = 0;
    for (const auto &args : std::as_const(updated)) {
        if (args.at(0).value<PeerInfo>().id == rawId)
            ++rawUpdates;
    }
    // The burst and a few more, not one per message.
    QVERIFY2(rawUpdates < Count / 4, qPrintable(QString::number(rawUpdates)));
}

QTEST_GUILESS_MAIN(tst_PresenceNet)
#include "tst_presencenet.moc"
