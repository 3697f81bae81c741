// SPDX-License-Identifier: GPL-3.0-or-later
// Peer exchange without sockets: what is told to whom and when (coalesced), what is believed
// of what peers tell (rate, loopback rule, our own ID), the person's exclusions and switch.
#include "faketransport.h"
#include "ipmsg/ipmsgpacket.h" // issue 17
#include "peers/peerexchange.h"
#include "peers/roster.h"
#include "storage/messagestore.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

static const QString Own = u"0a0a"_s.repeated(16);
static const QString Bob = u"b0b0"_s.repeated(16);
static const QString Carol = u"c0c0"_s.repeated(16);
static const QString Dave = u"d0d0"_s.repeated(16);
static const QString Eve = u"eeee"_s.repeated(16);

class tst_PeerExchange : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void toldWhenStreamComesUpAndWhenSomeoneNewIsOnline();
    void coalescedToOneEveryTenSeconds();
    void onlyPeersThatTakeIt();
    void loopbackAddressesOnlyOverLoopback();
    void excludedAndSwitchedOff();
    void receivedEntriesBecomeHints();
    void moreThanOneInFiveSecondsIgnored();
    void ipmsgUsersNeverToldNorFollowed(); // issue 17
    void relayedPeersNeverTold();          // issue 16

private:
    void connect(const QString &id, const QString &address, bool takesPex = true);
    QList<Protocol::Pex> sentTo(const QString &id) const
    {
        return m_transport->sentOf<Protocol::Pex>(id);
    }
    static QStringList ids(const Protocol::Pex &pex)
    {
        QStringList out;
        for (const auto &p : pex.peers)
            out.append(p.id);
        out.sort();
        return out;
    }

    std::unique_ptr<FakeTransport> m_transport;
    std::unique_ptr<MessageStore> m_store;
    std::unique_ptr<Roster> m_roster;
    std::unique_ptr<PeerExchange> m_pex;
    qint64 m_now = 0;
};

void tst_PeerExchange::init()
{
    m_now = 100'000;
    m_transport = std::make_unique<FakeTransport>();
    m_store = std::make_unique<MessageStore>();
    QString error;
    QVERIFY2(m_store->open(u":memory:"_s, &error), qPrintable(error));
    m_roster = std::make_unique<Roster>(*m_transport, *m_store);
    m_pex = std::make_unique<PeerExchange>(Own, *m_transport, *m_roster);
    m_pex->setClock([this] { return m_now; });
}

void tst_PeerExchange::cleanup()
{
    m_pex.reset();
    m_roster.reset();
    m_store.reset();
    m_transport.reset();
}

void tst_PeerExchange::connect(const QString &id, const QString &address, bool takesPex)
{
    m_transport->helloCapabilities = takesPex
                                         ? QStringList{QString::fromLatin1(Protocol::PexCapability)}
                                         : QStringList();
    m_transport->connectPeer(id, id.left(4), address);
}

void tst_PeerExchange::toldWhenStreamComesUpAndWhenSomeoneNewIsOnline()
{
    connect(Bob, u"127.0.0.1:5001"_s);
    QVERIFY(sentTo(Bob).isEmpty()); // nobody else to tell of: nothing sent
    connect(Carol, u"127.0.0.1:5002"_s);
    // Carol is told of Bob as her stream comes up; Bob of Carol, at once (his first).
    QCOMPARE(sentTo(Carol).size(), 1);
    QCOMPARE(sentTo(Carol).first().peers.size(), 1);
    QCOMPARE(sentTo(Carol).first().peers.first().id, Bob);
    QCOMPARE(sentTo(Carol).first().peers.first().addresses, QStringList{u"127.0.0.1:5001"_s});
    QCOMPARE(sentTo(Bob).size(), 1);
    QCOMPARE(ids(sentTo(Bob).first()), QStringList{Carol});
    // A peer that went is not told of.
    m_transport->disconnectPeer(Carol);
    m_now += PeerExchange::SendIntervalMs;
    connect(Dave, u"127.0.0.1:5003"_s);
    QCOMPARE(ids(sentTo(Dave).first()), QStringList{Bob});
    QCOMPARE(ids(sentTo(Bob).last()), QStringList{Dave});
}

void tst_PeerExchange::coalescedToOneEveryTenSeconds()
{
    connect(Bob, u"127.0.0.1:5001"_s);
    connect(Carol, u"127.0.0.1:5002"_s);
    QCOMPARE(sentTo(Bob).size(), 1);
    // Two more come online within 10 s: Bob is told once, when 10 s have passed.
    m_now += 1000;
    connect(Dave, u"127.0.0.1:5003"_s);
    m_now += 1000;
    connect(Eve, u"127.0.0.1:5004"_s);
    QCOMPARE(sentTo(Bob).size(), 1);
    m_now += PeerExchange::SendIntervalMs - 2001;
    m_pex->sendDue();
    QCOMPARE(sentTo(Bob).size(), 1);
    m_now += 1;
    m_pex->sendDue();
    QCOMPARE(sentTo(Bob).size(), 2);
    QCOMPARE(ids(sentTo(Bob).last()), (QStringList{Carol, Dave, Eve}));
}

void tst_PeerExchange::onlyPeersThatTakeIt()
{
    connect(Bob, u"127.0.0.1:5001"_s, false); // an older Shoal
    connect(Carol, u"127.0.0.1:5002"_s);
    QVERIFY(sentTo(Bob).isEmpty());
    QCOMPARE(ids(sentTo(Carol).first()), QStringList{Bob}); // still told of
}

void tst_PeerExchange::loopbackAddressesOnlyOverLoopback()
{
    m_transport->remoteHosts.insert(Dave, QHostAddress(u"192.168.1.9"_s));
    connect(Bob, u"127.0.0.1:5001"_s);
    connect(Carol, u"192.168.1.7:5002"_s);
    m_now += PeerExchange::SendIntervalMs;
    connect(Dave, u"192.168.1.9:5003"_s);
    // Over a LAN connection 127.0.0.1 would name Dave's own host: Bob is left out.
    QCOMPARE(ids(sentTo(Dave).first()), QStringList{Carol});
    QCOMPARE(ids(sentTo(Bob).last()), (QStringList{Carol, Dave}));

    // And a loopback address told by a peer elsewhere is not believed.
    QSignalSpy hinted(m_pex.get(), &PeerExchange::peerHinted);
    m_pex->onPex(Dave,
                 Protocol::Pex{{{Eve, {u"127.0.0.1:6000"_s, u"192.168.1.20:6000"_s}},
                                {u"ffff"_s.repeated(16), {u"[::1]:6000"_s}}}});
    QCOMPARE(hinted.size(), 1);
    QCOMPARE(hinted.first().at(0).toString(), Eve);
    QCOMPARE(hinted.first().at(1).toStringList(), QStringList{u"192.168.1.20:6000"_s});
}

void tst_PeerExchange::excludedAndSwitchedOff()
{
    m_pex->setExcluded(Carol, true);
    connect(Bob, u"127.0.0.1:5001"_s);
    connect(Carol, u"127.0.0.1:5002"_s);
    connect(Dave, u"127.0.0.1:5003"_s);
    QCOMPARE(ids(sentTo(Dave).first()), QStringList{Bob});    // never Carol
    QCOMPARE(ids(sentTo(Carol).first()), (QStringList{Bob})); // she is told of others
    for (const auto &s : m_transport->sent) {
        for (const auto &p : std::get<Protocol::Pex>(s.message).peers)
            QVERIFY(p.id != Carol);
    }

    // Switched off: nobody is told anything, even of someone new.
    m_pex->setEnabled(false);
    const auto before = m_transport->sent.size();
    m_now += PeerExchange::SendIntervalMs;
    connect(Eve, u"127.0.0.1:5004"_s);
    m_pex->sendDue();
    QCOMPARE(m_transport->sent.size(), before);
    // On again: everyone is told at once (10 s have passed).
    m_pex->setEnabled(true);
    QVERIFY(m_transport->sent.size() > before);
    QCOMPARE(ids(sentTo(Eve).last()), (QStringList{Bob, Dave}));
}

void tst_PeerExchange::receivedEntriesBecomeHints()
{
    connect(Bob, u"127.0.0.1:5001"_s);
    QSignalSpy hinted(m_pex.get(), &PeerExchange::peerHinted);
    m_pex->onPex(Bob,
                 Protocol::Pex{{
                     {Own, {u"127.0.0.1:7000"_s}},                          // us: nothing to do
                     {Bob, {u"127.0.0.1:7001"_s}},                          // itself: it is here
                     {Carol, {u"example.com:80"_s, u"10.0.0.1:0"_s}},       // no name, no port 0
                     {Dave, {u"fe80::1%eth0:7002"_s, u"[fe80::1]:7002"_s}}, // link-local
                     {Eve, {u"127.0.0.1:7003"_s, u"[::ffff:127.0.0.1]:7003"_s}},
                 }});
    QCOMPARE(hinted.size(), 1);
    QCOMPARE(hinted.first().at(0).toString(), Eve);
    QCOMPARE(hinted.first().at(1).toStringList(), QStringList{u"127.0.0.1:7003"_s});
    QCOMPARE(hinted.first().at(2).toString(), Bob);
}

void tst_PeerExchange::moreThanOneInFiveSecondsIgnored()
{
    connect(Bob, u"127.0.0.1:5001"_s);
    QSignalSpy hinted(m_pex.get(), &PeerExchange::peerHinted);
    const Protocol::Pex pex{{{Carol, {u"127.0.0.1:7000"_s}}}};
    m_pex->onPex(Bob, pex);
    QCOMPARE(hinted.size(), 1);
    m_now += PeerExchange::ReceiveIntervalMs - 1;
    m_pex->onPex(Bob, pex);
    QCOMPARE(hinted.size(), 1);
    QCOMPARE(m_pex->ignoredCount(), quint64(1));
    m_now += 1;
    m_pex->onPex(Bob, pex);
    QCOMPARE(hinted.size(), 2);
    QVERIFY(m_transport->isConnected(Bob, StreamKind::Chat)); // not an error
}

// --- IP Messenger (issue 17) ---
void tst_PeerExchange::ipmsgUsersNeverToldNorFollowed()
{
    const QString user = Ipmsg::peerIdFor(QHostAddress(u"10.0.0.9"_s), 2425);
    connect(user, u"10.0.0.9:2425"_s, false);
    connect(Bob, u"10.0.0.2:47800"_s);
    connect(Carol, u"10.0.0.3:47800"_s);
    // Carol hears of Bob, never of the IP Messenger user.
    QVERIFY(!sentTo(Carol).isEmpty());
    for (const Protocol::Pex &pex : sentTo(Carol))
        QVERIFY(!ids(pex).contains(user));
    QVERIFY(ids(sentTo(Carol).constLast()).contains(Bob));
    QCOMPARE(m_pex->buildFor(Carol).peers.size(), 1);

    // What a Shoal peer says of IP Messenger users is not followed: neither a user we know
    // (wherever it is said to be) nor an ID that is an IPMsg user's at the address given.
    QSignalSpy hinted(m_pex.get(), &PeerExchange::peerHinted);
    const QString other = Ipmsg::peerIdFor(QHostAddress(u"10.0.0.7"_s), 2425);
    m_pex->onPex(Bob,
                 Protocol::Pex{{
                     {user, {u"10.0.0.5:47800"_s}},
                     {other, {u"10.0.0.7:2425"_s}},
                     {Dave, {u"10.0.0.4:47800"_s}}, // a Shoal peer: a hint as ever
                 }});
    QCOMPARE(hinted.size(), 1);
    QCOMPARE(hinted.first().at(0).toString(), Dave);
}
// --- end IP Messenger ---

// Issue 16: a peer connected only through a carrier has no address of its own in this session;
// the roster's is where it was reached before (perhaps on a subnet it has left): not told.
void tst_PeerExchange::relayedPeersNeverTold()
{
    connect(Bob, u"10.0.0.2:47800"_s);
    m_transport->disconnectPeer(Bob);
    m_transport->relayed.insert(Bob);
    connect(Bob, QString(), false); // a relayed session: no address, no capabilities
    QVERIFY(m_roster->peer(Bob)->online);
    QCOMPARE(m_roster->peer(Bob)->address, u"10.0.0.2:47800"_s);
    connect(Carol, u"10.0.0.3:47800"_s);
    connect(Dave, u"10.0.0.4:47800"_s);
    QCOMPARE(ids(m_pex->buildFor(Carol)), QStringList{Dave});
    for (const Protocol::Pex &pex : sentTo(Carol))
        QVERIFY(!ids(pex).contains(Bob));
    // Reached directly again: told as ever.
    m_transport->disconnectPeer(Bob);
    m_transport->relayed.remove(Bob);
    connect(Bob, u"10.0.0.2:47800"_s);
    QCOMPARE(ids(m_pex->buildFor(Carol)), (QStringList{Bob, Dave}));
}

QTEST_GUILESS_MAIN(tst_PeerExchange)
#include "tst_peerexchange.moc"
