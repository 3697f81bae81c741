// SPDX-License-Identifier: GPL-3.0-or-later
// Dialling without sockets: the back-off after failures (on the clock the dialer is given),
// the lower-ID tie-break, the identity-mismatch warning, heard addresses before the verified
// one.
#include "faketransport.h"
#include "peers/dialer.h"
#include "peers/roster.h"
#include "storage/messagestore.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

static const QString Low = u"1111"_s.repeated(16);
static const QString Bob = u"b0b0"_s.repeated(16);
static const QString High = u"eeee"_s.repeated(16);

class tst_Dialer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void backOffDoublesAfterFailures();
    void lowerIdDialsAtOnce();
    void higherIdWaits();
    void heardAddressesFirstThenVerified();
    void identityMismatchWarns();
    void redialTimerRunsOnlyWhileSomeoneWaits();
    void addressThePersonTypedMakesPeerKnown();
    void rememberedPeersDialledOnce();

private:
    void makeDialer(const QString &ownId);
    // Bob reached once at `address` (verified), then gone.
    void knowBob(const QString &address = u"127.0.0.1:5000"_s);

    std::unique_ptr<FakeTransport> m_transport;
    std::unique_ptr<MessageStore> m_store;
    std::unique_ptr<Roster> m_roster;
    std::unique_ptr<Dialer> m_dialer;
    qint64 m_now = 0;
};

void tst_Dialer::init()
{
    m_now = 100'000;
    m_transport = std::make_unique<FakeTransport>();
    m_store = std::make_unique<MessageStore>();
    QString error;
    QVERIFY2(m_store->open(u":memory:"_s, &error), qPrintable(error));
    m_roster = std::make_unique<Roster>(*m_transport, *m_store);
}

void tst_Dialer::cleanup()
{
    m_dialer.reset();
    m_roster.reset();
    m_store.reset();
    m_transport.reset();
}

void tst_Dialer::makeDialer(const QString &ownId)
{
    m_dialer = std::make_unique<Dialer>(ownId, *m_transport, *m_store, *m_roster);
    m_dialer->setClock([this] { return m_now; });
}

void tst_Dialer::knowBob(const QString &address)
{
    m_transport->connectPeer(Bob, u"Bob"_s, address);
    m_transport->disconnectPeer(Bob);
}

void tst_Dialer::backOffDoublesAfterFailures()
{
    makeDialer(Low);
    knowBob();
    auto &dials = m_transport->dials;
    m_dialer->dial(Bob);
    QCOMPARE(dials.size(), 1);
    QCOMPARE(dials.last().expectedPeerId, Bob); // another key there is refused
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::ConnectionRefused);

    // 2 s after the first try, then 4 s after the second.
    m_now += Dialer::RedialFirstDelayMs - 1;
    m_dialer->dial(Bob);
    QCOMPARE(dials.size(), 1);
    m_now += 1;
    m_dialer->dial(Bob);
    QCOMPARE(dials.size(), 2);
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::Timeout);
    m_now += 2 * Dialer::RedialFirstDelayMs - 1;
    m_dialer->dial(Bob);
    QCOMPARE(dials.size(), 2);
    m_now += 1;
    m_dialer->dial(Bob);
    QCOMPARE(dials.size(), 3);

    // Reached (it dialled us, say): the back-off is over.
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::Timeout);
    m_transport->connectPeer(Bob, u"Bob"_s, u"127.0.0.1:5000"_s);
    m_transport->disconnectPeer(Bob);
    m_dialer->dial(Bob);
    QCOMPARE(dials.size(), 4);
}

void tst_Dialer::lowerIdDialsAtOnce()
{
    makeDialer(Low); // Low < Bob
    m_roster->onPeerSeen(Bob, u"Bob"_s, {u"127.0.0.1:5000"_s});
    m_dialer->onPeerSeen(Bob);
    QCOMPARE(m_transport->dials.size(), 1);
    QCOMPARE(m_transport->dials.first().port, quint16(5000));
}

void tst_Dialer::higherIdWaits()
{
    makeDialer(High); // High > Bob: Bob dials, we only if no connection comes meanwhile
    m_roster->onPeerSeen(Bob, u"Bob"_s, {u"127.0.0.1:5000"_s});
    QElapsedTimer waited;
    waited.start();
    m_dialer->onPeerSeen(Bob);
    QVERIFY(m_transport->dials.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(m_transport->dials.size(), 1, 3 * Dialer::HigherIdDialDelayMs);
    QVERIFY(waited.elapsed() >= Dialer::HigherIdDialDelayMs - 50);
}

void tst_Dialer::heardAddressesFirstThenVerified()
{
    makeDialer(Low);
    knowBob(u"127.0.0.1:5000"_s);
    m_roster->onPeerSeen(Bob, u"Bob"_s, {u"127.0.0.2:6000"_s});
    m_dialer->dial(Bob);
    auto &dials = m_transport->dials;
    QCOMPARE(dials.size(), 1);
    QCOMPARE(dials.last().port, quint16(6000));
    QSignalSpy gaveUp(m_dialer.get(), &Dialer::gaveUp);
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::ConnectionRefused);
    QCOMPARE(dials.size(), 2); // the next address of the same dial
    QCOMPARE(dials.last().port, quint16(5000));
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::ConnectionRefused);
    QCOMPARE(gaveUp.size(), 1);
    QVERIFY(!m_dialer->isDialling(Bob));
}

void tst_Dialer::identityMismatchWarns()
{
    makeDialer(Low);
    knowBob();
    QSignalSpy mismatch(m_dialer.get(), &Dialer::identityMismatch);
    m_dialer->dial(Bob);
    QCOMPARE(m_transport->dials.size(), 1);
    m_transport->finishAttempt(m_transport->dials.last().attempt,
                               High,
                               Net::Error::IdentityMismatch);
    QCOMPARE(mismatch.size(), 1);
    QCOMPARE(mismatch.first().at(0).toString(), Bob);
    QVERIFY(mismatch.first().at(1).toString().contains(u"Bob"_s)); // names who was expected
}

void tst_Dialer::redialTimerRunsOnlyWhileSomeoneWaits()
{
    makeDialer(Low);
    m_dialer->start();
    QVERIFY(m_dialer->isRedialScheduled());
    m_dialer->redial(); // nobody heard, nothing queued
    QVERIFY(!m_dialer->isRedialScheduled());

    // Heard on the LAN but held back: the tick keeps trying.
    m_roster->onPeerSeen(Bob, u"Bob"_s, {u"127.0.0.1:5000"_s});
    m_dialer->onPeerSeen(Bob);
    QVERIFY(m_dialer->isRedialScheduled());
    m_transport->connectPeer(Bob, u"Bob"_s);
    m_transport->finishAttempt(m_transport->dials.last().attempt, Bob, Net::Error::None);
    m_dialer->redial();
    QVERIFY(!m_dialer->isRedialScheduled());
}

void tst_Dialer::addressThePersonTypedMakesPeerKnown()
{
    makeDialer(Low);
    QSignalSpy finished(m_dialer.get(), &Dialer::addressDialFinished);
    const int refused = m_dialer->dialAddress(u"127.0.0.1"_s, 5000);
    QCOMPARE(m_transport->dials.size(), 1);
    QVERIFY(m_transport->dials.last().expectedPeerId.isEmpty()); // whoever answers
    m_transport->finishAttempt(refused, {}, Net::Error::ConnectionRefused);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.last().at(0).toInt(), refused);
    QVERIFY(!finished.last().at(2).toString().isEmpty());
    QVERIFY(m_transport->known.isEmpty());

    const int reached = m_dialer->dialAddress(u"127.0.0.1"_s, 5001);
    m_transport->connectPeer(Bob, u"Bob"_s, u"127.0.0.1:5001"_s);
    m_transport->finishAttempt(reached, Bob, Net::Error::None);
    QCOMPARE(finished.size(), 2);
    QCOMPARE(finished.last().at(1).toString(), Bob);
    QVERIFY(finished.last().at(2).toString().isEmpty()); // no error
    // Someone the person chose: the transport keeps room for it.
    QVERIFY(m_transport->known.contains(Bob));
}

void tst_Dialer::rememberedPeersDialledOnce()
{
    // At start and after a network change: every peer verified before at an address, not
    // connected, is dialled there once (back-off applies); only heard, or connected: not.
    makeDialer(Low);
    knowBob(u"10.0.0.2:47800"_s);
    m_transport->connectPeer(High, u"High"_s, u"10.0.0.3:47800"_s); // connected now
    m_roster->onPeerSeen(u"cccc"_s.repeated(16), u"Heard"_s, {u"10.0.0.4:47800"_s});
    auto &dials = m_transport->dials;
    m_dialer->dialRemembered();
    QCOMPARE(dials.size(), 1);
    QCOMPARE(dials.last().host, u"10.0.0.2"_s);
    QCOMPARE(dials.last().port, quint16(47800));
    QCOMPARE(dials.last().expectedPeerId, Bob);
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::ConnectionRefused);

    // Again at once: held back by the back-off, until the network changes.
    m_dialer->dialRemembered();
    QCOMPARE(dials.size(), 1);
    m_dialer->resetBackOff();
    m_dialer->dialRemembered();
    QCOMPARE(dials.size(), 2);
    QCOMPARE(dials.last().expectedPeerId, Bob);
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::ConnectionRefused);

    // Not a second time where the person is dialling (shoal-cli --connect at start).
    m_dialer->resetBackOff();
    m_dialer->dialAddress(u"10.0.0.2"_s, 47800);
    QCOMPARE(dials.size(), 3);
    m_dialer->dialRemembered();
    QCOMPARE(dials.size(), 3);
}

QTEST_GUILESS_MAIN(tst_Dialer)
#include "tst_dialer.moc"
