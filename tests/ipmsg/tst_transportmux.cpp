// SPDX-License-Identifier: GPL-3.0-or-later
// TransportMux over two fake transports: every call goes to the transport that owns the peer,
// every signal comes out of the mux, and attempt numbers never collide.
#include "faketransport.h"
#include "net/transportmux.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

static const QString Shoal = u"a1"_s.repeated(32);
static const QString Ipm = u"c3"_s.repeated(32);
static const QString Other = u"e5"_s.repeated(32);

class tst_TransportMux : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void callsGoToTheOwner();
    void connectToPeerAsksThePredicate();
    void signalsOfBothComeOut();
    void attemptNumbersDoNotCollide();
    void attemptsStartedElsewhereStillComeOut();
    void flushReachesAll();

private:
    std::unique_ptr<FakeTransport> m_primary;
    std::unique_ptr<FakeTransport> m_secondary;
    std::unique_ptr<TransportMux> m_mux;
    QStringList m_asked; // what the secondary's predicate was asked, "id host port"
};

// Counts flush() calls; nothing else.
class FlushCounter final : public Transport
{
public:
    int connectToPeer(const QString &, quint16, const QString &, StreamKind) override { return 0; }
    bool isConnected(const QString &, StreamKind) const override { return false; }
    bool send(const QString &, const Protocol::Message &, StreamKind) override { return false; }
    void flush() override { ++flushes; }
    qint64 pendingWriteBytes(const QString &, StreamKind) const override { return 0; }
    void setReadingPaused(const QString &, bool, StreamKind) override {}
    void addKnownPeer(const QString &, const QHostAddress &) override {}
    QHostAddress remoteHost(const QString &) const override { return {}; }
    int flushes = 0;
};

void tst_TransportMux::init()
{
    m_primary = std::make_unique<FakeTransport>();
    m_secondary = std::make_unique<FakeTransport>();
    m_mux = std::make_unique<TransportMux>(*m_primary);
    m_asked.clear();
    m_mux->addSecondary(*m_secondary, [this](const QString &id, const QString &host, quint16 port) {
        m_asked.append(u"%1 %2 %3"_s.arg(id.left(4), host).arg(port));
        return id == Ipm || (port == 2425 && host == u"10.1.2.3"_s);
    });
}

void tst_TransportMux::cleanup()
{
    m_mux.reset();
    m_secondary.reset();
    m_primary.reset();
}

void tst_TransportMux::callsGoToTheOwner()
{
    m_primary->connectPeer(Shoal);
    m_secondary->connectPeer(Ipm);

    QVERIFY(m_mux->isConnected(Shoal));
    QVERIFY(m_mux->isConnected(Ipm));
    QVERIFY(!m_mux->isConnected(Other));

    QVERIFY(m_mux->send(Shoal, Protocol::Ack{QUuid::createUuid()}));
    QVERIFY(m_mux->send(Ipm, Protocol::Typing{true}));
    QVERIFY(!m_mux->send(Other, Protocol::Typing{true})); // the primary's, and not connected
    QCOMPARE(m_primary->sent.size(), 1);
    QCOMPARE(m_primary->sent.first().peerId, Shoal);
    QCOMPARE(m_secondary->sent.size(), 1);
    QCOMPARE(m_secondary->sent.first().peerId, Ipm);

    m_mux->setReadingPaused(Ipm, true);
    QVERIFY(m_secondary->isReadingPaused(Ipm));
    QVERIFY(!m_primary->isReadingPaused(Ipm));
    m_mux->setReadingPaused(Shoal, true);
    QVERIFY(m_primary->isReadingPaused(Shoal));

    m_mux->addKnownPeer(Ipm, QHostAddress(u"10.1.2.3"_s));
    m_mux->addKnownPeer(Shoal, QHostAddress(u"10.9.9.9"_s));
    QCOMPARE(m_secondary->known.keys(), QList<QString>{Ipm});
    QCOMPARE(m_primary->known.keys(), QList<QString>{Shoal});

    m_secondary->remoteHosts.insert(Ipm, QHostAddress(u"10.1.2.3"_s));
    QCOMPARE(m_mux->remoteHost(Ipm), QHostAddress(u"10.1.2.3"_s));
    QCOMPARE(m_mux->remoteHost(Shoal), QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(&m_mux->transportFor(Ipm), m_secondary.get());
    QCOMPARE(&m_mux->transportFor(Shoal), m_primary.get());
}

void tst_TransportMux::connectToPeerAsksThePredicate()
{
    // By the expected ID.
    const int a = m_mux->connectToPeer(u"10.7.7.7"_s, 2425, Ipm);
    QVERIFY(a != 0);
    QCOMPARE(m_secondary->dials.size(), 1);
    QCOMPARE(m_secondary->dials.first().expectedPeerId, Ipm);
    QVERIFY(m_asked.contains(u"%1 10.7.7.7 2425"_s.arg(Ipm.left(4))));

    // By the address alone (no ID known yet).
    const int b = m_mux->connectToPeer(u"10.1.2.3"_s, 2425);
    QVERIFY(b != 0);
    QCOMPARE(m_secondary->dials.size(), 2);

    // Anything else: the primary.
    const int c = m_mux->connectToPeer(u"10.1.2.3"_s, 47800, Shoal);
    QVERIFY(c != 0);
    QCOMPARE(m_primary->dials.size(), 1);
    QCOMPARE(m_primary->dials.first().port, quint16(47800));
    QCOMPARE(m_secondary->dials.size(), 2);

    // A stream the transport does not take: 0 from either, and the mux passes the 0 on.
    QCOMPARE(m_mux->connectToPeer(u"10.7.7.7"_s, 2425, Ipm, StreamKind::Bulk), 0);
    QCOMPARE(m_mux->connectToPeer(u"10.1.2.3"_s, 47800, Shoal, StreamKind::Bulk), 0);
    QCOMPARE(m_mux->openStream(Ipm, StreamKind::Bulk), 0);
    QVERIFY(!m_mux->supportsStream(Ipm, StreamKind::Bulk));
    QVERIFY(m_mux->supportsStream(Ipm, StreamKind::Chat));
}

void tst_TransportMux::signalsOfBothComeOut()
{
    QSignalSpy connected(m_mux.get(), &Transport::peerConnected);
    QSignalSpy disconnected(m_mux.get(), &Transport::peerDisconnected);
    QSignalSpy received(m_mux.get(), &Transport::messageReceived);
    QSignalSpy writable(m_mux.get(), &Transport::peerWritable);
    QSignalSpy opened(m_mux.get(), &Transport::streamOpened);
    QSignalSpy closed(m_mux.get(), &Transport::streamClosed);

    m_primary->connectPeer(Shoal, u"Shoal user"_s);
    m_secondary->connectPeer(Ipm, u"iptux user"_s, u"10.1.2.3:2425"_s);
    QCOMPARE(connected.size(), 2);
    QCOMPARE(connected.at(0).at(0).toString(), Shoal);
    QCOMPARE(connected.at(1).at(0).toString(), Ipm);
    QCOMPARE(connected.at(1).at(1).value<Protocol::Hello>().name, u"iptux user"_s);
    QCOMPARE(connected.at(1).at(2).toString(), u"10.1.2.3:2425"_s);

    const Protocol::Chat chat(QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"你好"_s);
    m_secondary->receive(Ipm, chat);
    m_primary->receive(Shoal, Protocol::Ack{chat.id});
    QCOMPARE(received.size(), 2);
    QCOMPARE(received.at(0).at(0).toString(), Ipm);
    QCOMPARE(std::get<Protocol::Chat>(received.at(0).at(1).value<Protocol::Message>()), chat);
    QCOMPARE(received.at(1).at(0).toString(), Shoal);

    m_primary->drain(Shoal);
    m_secondary->drain(Ipm);
    QCOMPARE(writable.size(), 2);

    Q_EMIT m_primary->streamOpened(Shoal, StreamKind::Bulk);
    Q_EMIT m_primary->streamClosed(Shoal, StreamKind::Bulk, u"done"_s);
    QCOMPARE(opened.size(), 1);
    QCOMPARE(closed.size(), 1);

    m_secondary->disconnectPeer(Ipm);
    m_primary->disconnectPeer(Shoal);
    QCOMPARE(disconnected.size(), 2);
    QCOMPARE(disconnected.at(0).at(0).toString(), Ipm);
    QCOMPARE(disconnected.at(1).at(0).toString(), Shoal);
}

void tst_TransportMux::attemptNumbersDoNotCollide()
{
    QSignalSpy finished(m_mux.get(), &Transport::attemptFinished);
    // Both fakes number their attempts from 1: the mux must tell them apart.
    const int p1 = m_mux->connectToPeer(u"10.9.9.9"_s, 47800, Shoal);
    const int s1 = m_mux->connectToPeer(u"10.7.7.7"_s, 2425, Ipm);
    const int p2 = m_mux->connectToPeer(u"10.9.9.8"_s, 47800, Other);
    const int s2 = m_mux->connectToPeer(u"10.1.2.3"_s, 2425);
    const QList<int> all{p1, s1, p2, s2};
    for (int a : all)
        QVERIFY(a > 0);
    QCOMPARE(QSet<int>(all.cbegin(), all.cend()).size(), 4);
    QCOMPARE(m_primary->dials.at(0).attempt, 1);
    QCOMPARE(m_secondary->dials.at(0).attempt, 1);

    // The secondary's first attempt ends: the mux reports it under the number it gave.
    m_secondary->finishAttempt(1, Ipm, Net::Error::None);
    m_primary->finishAttempt(1, Shoal, Net::Error::Timeout);
    m_secondary->finishAttempt(2, QString(), Net::Error::Timeout);
    m_primary->finishAttempt(2, Other, Net::Error::None);
    QCOMPARE(finished.size(), 4);
    QCOMPARE(finished.at(0).at(0).toInt(), s1);
    QCOMPARE(finished.at(0).at(1).toString(), Ipm);
    QCOMPARE(finished.at(0).at(2).value<Net::Error>(), Net::Error::None);
    QCOMPARE(finished.at(1).at(0).toInt(), p1);
    QCOMPARE(finished.at(1).at(2).value<Net::Error>(), Net::Error::Timeout);
    QCOMPARE(finished.at(2).at(0).toInt(), s2);
    QCOMPARE(finished.at(3).at(0).toInt(), p2);

    // A later attempt of the secondary's gets a fresh number, never an old one.
    const int s3 = m_mux->connectToPeer(u"10.7.7.7"_s, 2425, Ipm);
    QVERIFY(!all.contains(s3));
    m_secondary->finishAttempt(3, Ipm, Net::Error::None);
    QCOMPARE(finished.last().at(0).toInt(), s3);
}

void tst_TransportMux::attemptsStartedElsewhereStillComeOut()
{
    QSignalSpy finished(m_mux.get(), &Transport::attemptFinished);
    const int p1 = m_mux->connectToPeer(u"10.9.9.9"_s, 47800, Shoal);
    // An attempt the secondary started on its own (not through the mux): reported, under a
    // number that is neither the primary's nor one handed out.
    m_secondary->finishAttempt(1, Ipm, Net::Error::None);
    QCOMPARE(finished.size(), 1);
    QVERIFY(finished.at(0).at(0).toInt() != p1);
    QVERIFY(finished.at(0).at(0).toInt() >= TransportMux::SecondaryAttemptBase);
}

void tst_TransportMux::flushReachesAll()
{
    FlushCounter primary, first, second;
    TransportMux mux(primary);
    mux.addSecondary(first, [](const QString &, const QString &, quint16) { return false; });
    mux.addSecondary(second, [](const QString &, const QString &, quint16) { return true; });
    mux.flush();
    mux.flush();
    QCOMPARE(primary.flushes, 2);
    QCOMPARE(first.flushes, 2);
    QCOMPARE(second.flushes, 2);
    // The first secondary that takes a peer wins.
    QCOMPARE(&mux.transportFor(Ipm), &second);
}

QTEST_GUILESS_MAIN(tst_TransportMux)
#include "tst_transportmux.moc"
