// SPDX-License-Identifier: GPL-3.0-or-later
// Dialling without sockets: the back-off after failures (on the clock the dialer is given),
// the lower-ID tie-break, the identity-mismatch warning, heard addresses before the verified
// one; hinted peers (peer exchange, invite links) and the bounds on what a peer's word makes
// us dial.
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
    void failedDialSaysWhy_data();
    void failedDialSaysWhy();
    void mostTellingFailureOfADialIsReported();
    void noProblemWhenItConnectedMeanwhile();
    void toldAddressWithAnotherKeySaysLeast();
    void hintedPeerDialledWithExpectedId();
    void hintAddressesMustBeIpLiterals();
    void higherIdWaitsForHintedPeer();
    void hintFloodFromOneInformantIsBounded();
    void hintedAddressDialledThreeTimesAnHour();
    void networkChangeDialsToldAddressAgain();
    void hintsExpire();
    void inviteHintDialledAtOnce();
    void inviteHintLastsUntilReached();
    void toldAddressAnsweringWithAnotherIdRaisesNoAlarm();
    void rememberedPeersDialledOnce();
    void toldAddressesAfterTheVerifiedOne();
    void relayedPeerStillDialledDirectly(); // issue 16
    void relayedPeerRedialledByTheTick();   // issue 16

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

void tst_Dialer::failedDialSaysWhy_data()
{
    using P = PeerInfo::DialProblem;
    QTest::addColumn<Net::Error>("error");
    QTest::addColumn<QString>("answered");
    QTest::addColumn<P>("problem");
    QTest::newRow("refused") << Net::Error::ConnectionRefused << QString() << P::Refused;
    QTest::newRow("timeout") << Net::Error::Timeout << QString() << P::TimedOut;
    QTest::newRow("unreachable") << Net::Error::Unreachable << QString() << P::Unreachable;
    QTest::newRow("host not found") << Net::Error::HostNotFound << QString() << P::Unreachable;
    QTest::newRow("another key") << Net::Error::IdentityMismatch << High << P::IdentityMismatch;
    // A TLS server whose certificate is no Shoal's, or none at all.
    QTest::newRow("no shoal key") << Net::Error::IdentityMismatch << QString() << P::NotShoal;
    QTest::newRow("tls failed") << Net::Error::TlsFailed << QString() << P::NotShoal;
    QTest::newRow("incompatible") << Net::Error::IncompatibleVersion << QString() << P::Other;
    QTest::newRow("protocol") << Net::Error::ProtocolError << QString() << P::Other;
    QTest::newRow("closed") << Net::Error::RemoteClosed << QString() << P::Other;
}

void tst_Dialer::failedDialSaysWhy()
{
    QFETCH(Net::Error, error);
    QFETCH(QString, answered);
    QFETCH(PeerInfo::DialProblem, problem);
    makeDialer(Low);
    // As Messenger routes it.
    connect(m_dialer.get(), &Dialer::dialProblem, m_roster.get(), &Roster::setDialProblem);
    knowBob(u"127.0.0.1:5000"_s);
    m_roster->onPeerSeen(Bob, u"Bob"_s, {u"127.0.0.1:5000"_s});
    QSignalSpy reported(m_dialer.get(), &Dialer::dialProblem);
    QSignalSpy gaveUp(m_dialer.get(), &Dialer::gaveUp);
    m_dialer->dial(Bob);
    QCOMPARE(m_transport->dials.size(), 1);
    m_transport->finishAttempt(m_transport->dials.last().attempt, answered, error);
    QCOMPARE(reported.size(), 1);
    QCOMPARE(gaveUp.size(), 1);
    QCOMPARE(reported.first().at(1).value<PeerInfo::DialProblem>(), problem);
    const PeerInfo bob = m_roster->peer(Bob).value();
    QCOMPARE(bob.problem, problem);
    QCOMPARE(bob.problemDetail, u"127.0.0.1:5000: as the test says"_s);
    QVERIFY(bob.lan);     // heard...
    QVERIFY(!bob.online); // ...and never online for it

    // It dials us: online, and the problem is gone.
    m_transport->connectPeer(Bob, u"Bob"_s, u"127.0.0.1:5000"_s);
    QCOMPARE(m_roster->peer(Bob)->problem, PeerInfo::DialProblem::None);
    QVERIFY(m_roster->peer(Bob)->problemDetail.isEmpty());
    QVERIFY(m_roster->peer(Bob)->online);
}

void tst_Dialer::mostTellingFailureOfADialIsReported()
{
    using P = PeerInfo::DialProblem;
    makeDialer(Low);
    knowBob(u"127.0.0.1:5000"_s);
    m_roster->onPeerSeen(Bob, u"Bob"_s, {u"127.0.0.2:6000"_s, u"127.0.0.3:7000"_s});
    QSignalSpy reported(m_dialer.get(), &Dialer::dialProblem);
    auto &dials = m_transport->dials;
    // Refused, then unreachable, then timed out: refused says most (its host is up).
    m_dialer->dial(Bob);
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::ConnectionRefused);
    QVERIFY(reported.isEmpty()); // not before every address was tried
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::Unreachable);
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::Timeout);
    QCOMPARE(dials.size(), 3);
    QCOMPARE(reported.size(), 1);
    QCOMPARE(reported.last().at(1).value<P>(), P::Refused);
    QVERIFY(reported.last().at(2).toString().startsWith(u"127.0.0.2:6000: "_s));

    // Another key answering beats everything: it is a warning.
    m_now += Dialer::RedialMaxDelayMs;
    m_dialer->dial(Bob);
    QCOMPARE(dials.size(), 4);
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::Timeout);
    m_transport->finishAttempt(dials.last().attempt, High, Net::Error::IdentityMismatch);
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::ConnectionRefused);
    QCOMPARE(reported.size(), 2);
    QCOMPARE(reported.last().at(1).value<P>(), P::IdentityMismatch);
}

void tst_Dialer::noProblemWhenItConnectedMeanwhile()
{
    makeDialer(Low);
    knowBob(u"127.0.0.1:5000"_s);
    QSignalSpy reported(m_dialer.get(), &Dialer::dialProblem);
    QSignalSpy gaveUp(m_dialer.get(), &Dialer::gaveUp);
    m_dialer->dial(Bob);
    // Bob dialled us while our dial was under way; ours then fails.
    m_transport->connectPeer(Bob, u"Bob"_s, u"127.0.0.1:5000"_s);
    m_transport->finishAttempt(m_transport->dials.last().attempt, {}, Net::Error::Timeout);
    QCOMPARE(gaveUp.size(), 1);
    QVERIFY(reported.isEmpty());
    QCOMPARE(m_roster->peer(Bob)->problem, PeerInfo::DialProblem::None);
}

static const QString Carol = u"c0c0"_s.repeated(16);

void tst_Dialer::hintedPeerDialledWithExpectedId()
{
    makeDialer(Low);
    m_dialer->onPeerHinted(Bob, {u"127.0.0.2:6000"_s}, Dialer::HintSource::Exchange, Carol);
    QCOMPARE(m_transport->dials.size(), 1);
    QCOMPARE(m_transport->dials.last().host, u"127.0.0.2"_s);
    QCOMPARE(m_transport->dials.last().port, quint16(6000));
    QCOMPARE(m_transport->dials.last().expectedPeerId, Bob); // only Bob is believed there
    QVERIFY(!m_roster->peer(Bob));                           // not a contact until verified
    m_transport->connectPeer(Bob, u"Bob"_s, u"127.0.0.2:6000"_s);
    m_transport->finishAttempt(m_transport->dials.last().attempt, Bob, Net::Error::None);
    QVERIFY(m_roster->peer(Bob));
    QCOMPARE(m_dialer->hintCount(), 0); // the roster has it now

    // Nobody is dialled for being hinted about itself or about us.
    m_dialer->onPeerHinted(Low, {u"127.0.0.5:1"_s}, Dialer::HintSource::Exchange, Carol);
    m_dialer->onPeerHinted(Carol, {u"127.0.0.5:1"_s}, Dialer::HintSource::Exchange, Carol);
    QCOMPARE(m_transport->dials.size(), 1);
}

void tst_Dialer::hintAddressesMustBeIpLiterals()
{
    makeDialer(Low);
    // A name would make us look it up and dial wherever it points; port 0 is nowhere.
    m_dialer->onPeerHinted(Bob,
                           {u"example.com:80"_s, u"127.0.0.1:0"_s, u"::::"_s, u""_s},
                           Dialer::HintSource::Exchange,
                           Carol);
    QVERIFY(m_transport->dials.isEmpty());
    QCOMPARE(m_dialer->hintCount(), 0);
    // At most 8 addresses of the 20 told are kept.
    QStringList many;
    for (int i = 0; i < 20; ++i)
        many.append(u"127.0.1.%1:6000"_s.arg(i + 1));
    m_dialer->onPeerHinted(Bob, many, Dialer::HintSource::Exchange, Carol);
    QCOMPARE(m_dialer->hintedAddresses(Bob).size(), Dialer::MaxHintAddresses);
}

void tst_Dialer::higherIdWaitsForHintedPeer()
{
    makeDialer(High); // Bob was told of us too and dials first; we only if he has not
    QElapsedTimer waited;
    waited.start();
    m_dialer->onPeerHinted(Bob, {u"127.0.0.2:6000"_s}, Dialer::HintSource::Exchange, Carol);
    QVERIFY(m_transport->dials.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(m_transport->dials.size(), 1, 3 * Dialer::HigherIdDialDelayMs);
    QVERIFY(waited.elapsed() >= Dialer::HigherIdDialDelayMs - 50);
    QCOMPARE(m_transport->dials.last().expectedPeerId, Bob);
}

void tst_Dialer::hintFloodFromOneInformantIsBounded()
{
    // One informant says, every 5 s for 10 minutes, that 1,000 made-up peers all listen at one
    // port of a host that is no Shoal: we keep at most 256 of its hints, and dial that port
    // one at a time, with a growing back-off.
    makeDialer(Low);
    m_dialer->start();
    QStringList ids;
    for (int i = 0; i < 1000; ++i)
        ids.append(u"%1"_s.arg(i, 64, 10, QChar(u'f')));
    const QString victim = u"127.0.0.9:80"_s;
    auto &dials = m_transport->dials;
    int lastFinished = 0;
    const auto finishAll = [&] {
        for (; lastFinished < dials.size(); ++lastFinished)
            m_transport->finishAttempt(dials.at(lastFinished).attempt,
                                       {},
                                       Net::Error::ConnectionRefused);
    };
    for (int second = 0; second < 600; ++second) {
        if (second % 5 == 0) {
            for (const QString &id : std::as_const(ids))
                m_dialer->onPeerHinted(id, {victim}, Dialer::HintSource::Exchange, Carol);
        }
        m_dialer->redial();
        finishAll();
        QVERIFY(m_dialer->hintCount() <= Dialer::MaxHintsPerInformant);
        m_now += 1000;
    }
    for (const auto &d : std::as_const(dials))
        QCOMPARE(u"%1:%2"_s.arg(d.host).arg(d.port), victim);
    // Back-off 5 s, doubling: 5 + 10 + 20 + ... + 320 s fit in 10 minutes, so 8 dials at most.
    QVERIFY2(dials.size() <= 8, qPrintable(QString::number(dials.size())));
    QVERIFY(!dials.isEmpty());
}

void tst_Dialer::hintedAddressDialledThreeTimesAnHour()
{
    // Bob's hinted address answers with another identity each time (a Shoal is there, not
    // Bob): DialGuard keeps that claim back 10 min; being told again and again gets it dialled
    // at most MaxHintDialsPerAddress times an hour.
    makeDialer(Low);
    m_dialer->start();
    auto &dials = m_transport->dials;
    int lastFinished = 0;
    const qint64 start = m_now;
    while (m_now - start < 2 * qint64(Dialer::HintMemoryMs)) {
        m_dialer->onPeerHinted(Bob, {u"127.0.0.2:6000"_s}, Dialer::HintSource::Exchange, Carol);
        m_dialer->redial();
        for (; lastFinished < dials.size(); ++lastFinished)
            m_transport->finishAttempt(dials.at(lastFinished).attempt,
                                       High,
                                       Net::Error::IdentityMismatch);
        if (m_now - start == Dialer::HintMemoryMs - 1000)
            QCOMPARE(dials.size(), Dialer::MaxHintDialsPerAddress);
        m_now += 1000;
    }
    QCOMPARE(dials.size(), 2 * Dialer::MaxHintDialsPerAddress);
}

void tst_Dialer::networkChangeDialsToldAddressAgain()
{
    // Carol tells where Bob is, but there is no route there: dialled 3 times, then not for the
    // rest of the hour. A network change (a VPN, a cable) may have made a route: dialled again
    // at once, and again at most 3 times until the next change.
    makeDialer(Low);
    m_dialer->start();
    auto &dials = m_transport->dials;
    int lastFinished = 0;
    const auto tick = [&] {
        m_dialer->onPeerHinted(Bob, {u"127.0.0.2:6000"_s}, Dialer::HintSource::Exchange, Carol);
        m_dialer->redial();
        for (; lastFinished < dials.size(); ++lastFinished)
            m_transport->finishAttempt(dials.at(lastFinished).attempt, {}, Net::Error::Unreachable);
        m_now += 1000;
    };
    for (int second = 0; second < 1800; ++second)
        tick();
    QCOMPARE(dials.size(), Dialer::MaxHintDialsPerAddress);
    m_dialer->resetBackOff();
    tick();
    QCOMPARE(dials.size(), Dialer::MaxHintDialsPerAddress + 1);
    for (int second = 0; second < 1200; ++second)
        tick();
    QCOMPARE(dials.size(), 2 * Dialer::MaxHintDialsPerAddress);
}

void tst_Dialer::hintsExpire()
{
    makeDialer(Low);
    m_dialer->start();
    m_dialer->onPeerHinted(Bob, {u"127.0.0.2:6000"_s}, Dialer::HintSource::Exchange, Carol);
    QCOMPARE(m_transport->dials.size(), 1);
    m_transport->finishAttempt(m_transport->dials.last().attempt, {}, Net::Error::Timeout);
    m_now += Dialer::HintExpiryMs - 1;
    m_dialer->redial();
    QCOMPARE(m_dialer->hintCount(), 1);
    QVERIFY(m_dialer->isRedialScheduled()); // still someone to reach
    m_transport->finishAttempt(m_transport->dials.last().attempt, {}, Net::Error::Timeout);
    const int dialled = int(m_transport->dials.size());
    m_now += 1;
    m_dialer->redial();
    QCOMPARE(m_dialer->hintCount(), 0);
    QCOMPARE(m_transport->dials.size(), dialled); // not said again: not dialled again
    QVERIFY(!m_dialer->isRedialScheduled());
}

void tst_Dialer::inviteHintDialledAtOnce()
{
    makeDialer(High); // the person's link: whoever has the lower ID
    m_dialer->onPeerHinted(Bob, {u"127.0.0.2:6000"_s}, Dialer::HintSource::Invite);
    QCOMPARE(m_transport->dials.size(), 1);
    QCOMPARE(m_transport->dials.last().expectedPeerId, Bob);
    m_transport->finishAttempt(m_transport->dials.last().attempt, {}, Net::Error::Timeout);
    // Used again at once: no back-off, no dial guard.
    m_dialer->onPeerHinted(Bob, {u"127.0.0.2:6000"_s}, Dialer::HintSource::Invite);
    QCOMPARE(m_transport->dials.size(), 2);
}

void tst_Dialer::inviteHintLastsUntilReached()
{
    // The person's link to a peer that is away for hours: tried again after any time.
    makeDialer(Low);
    m_dialer->start();
    m_dialer->onPeerHinted(Bob, {u"127.0.0.2:6000"_s}, Dialer::HintSource::Invite);
    QCOMPARE(m_transport->dials.size(), 1);
    m_transport->finishAttempt(m_transport->dials.last().attempt, {}, Net::Error::Timeout);
    m_now += 10 * Dialer::HintExpiryMs;
    m_dialer->redial();
    QCOMPARE(m_dialer->hintedAddresses(Bob), QStringList{u"127.0.0.2:6000"_s});
    QCOMPARE(m_transport->dials.size(), 2);
    QCOMPARE(m_transport->dials.last().expectedPeerId, Bob);
}

void tst_Dialer::toldAddressAnsweringWithAnotherIdRaisesNoAlarm()
{
    makeDialer(Low);
    QSignalSpy mismatch(m_dialer.get(), &Dialer::identityMismatch);
    m_dialer->onPeerHinted(Bob, {u"127.0.0.2:6000"_s}, Dialer::HintSource::Exchange, Carol);
    m_transport->finishAttempt(m_transport->dials.last().attempt,
                               High,
                               Net::Error::IdentityMismatch);
    QCOMPARE(mismatch.size(), 0); // a peer's word was wrong, nothing the person must act on
}

void tst_Dialer::toldAddressWithAnotherKeySaysLeast()
{
    // Another key at an address a peer told us is that peer's claim proved wrong: the dial is
    // reported as failed ("other"), never as "another key answered" for Bob, which would
    // let a liar make Bob look like an impostor.
    using P = PeerInfo::DialProblem;
    makeDialer(Low);
    QSignalSpy reported(m_dialer.get(), &Dialer::dialProblem);
    m_dialer->onPeerHinted(Bob, {u"127.0.0.2:6000"_s}, Dialer::HintSource::Exchange, Carol);
    QCOMPARE(m_transport->dials.size(), 1);
    m_transport->finishAttempt(m_transport->dials.last().attempt,
                               High,
                               Net::Error::IdentityMismatch);
    QCOMPARE(reported.size(), 1);
    QCOMPARE(reported.last().at(1).value<P>(), P::Other);
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

void tst_Dialer::toldAddressesAfterTheVerifiedOne()
{
    // A peer's word cannot keep us from where Bob was verified: that is tried first.
    makeDialer(Low);
    knowBob(u"127.0.0.1:5000"_s);
    m_dialer->onPeerHinted(Bob, {u"127.0.0.2:6000"_s}, Dialer::HintSource::Exchange, Carol);
    auto &dials = m_transport->dials;
    QCOMPARE(dials.size(), 1);
    QCOMPARE(dials.last().port, quint16(5000));
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::ConnectionRefused);
    QCOMPARE(dials.size(), 2); // it moved: where it was told to be
    QCOMPARE(dials.last().port, quint16(6000));
    QCOMPARE(dials.last().expectedPeerId, Bob);
}

// --- Carried delivery (issue 16) ---
void tst_Dialer::relayedPeerStillDialledDirectly()
{
    // Bob was reached at 10.0.0.2, then only through a carrier (a session without an address):
    // he is dialled where he was reached, and heard on the LAN he is dialled there, so that a
    // direct connection replaces the relayed one. Connected directly: not dialled.
    makeDialer(Low);
    knowBob(u"10.0.0.2:47800"_s);
    m_transport->relayed.insert(Bob);
    m_transport->connectPeer(Bob, u"Bob"_s, QString());
    QCOMPARE(m_roster->peer(Bob)->address, u"10.0.0.2:47800"_s);
    auto &dials = m_transport->dials;
    m_dialer->dialRemembered();
    QCOMPARE(dials.size(), 1);
    QCOMPARE(dials.last().host, u"10.0.0.2"_s);
    QCOMPARE(dials.last().expectedPeerId, Bob);
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::Unreachable);
    m_now += Dialer::RedialFirstDelayMs; // the back-off after that failure is over
    m_roster->onPeerSeen(Bob, u"Bob"_s, {u"10.0.1.2:47800"_s});
    m_dialer->onPeerSeen(Bob);
    QCOMPARE(dials.size(), 2);
    QCOMPARE(dials.last().host, u"10.0.1.2"_s);
    // Now directly: nothing more is dialled.
    m_transport->finishAttempt(dials.last().attempt, Bob, Net::Error::None);
    m_transport->relayed.remove(Bob);
    m_transport->connectPeer(Bob, u"Bob"_s, u"10.0.1.2:47800"_s);
    m_dialer->resetBackOff();
    m_dialer->dialRemembered();
    m_dialer->onPeerSeen(Bob);
    QCOMPARE(dials.size(), 2);
}

void tst_Dialer::relayedPeerRedialledByTheTick()
{
    // Nothing waits for Bob (the relay carries it all) and nobody hears him: the redial tick
    // alone still tries him directly while he is only relayed, and stops once he is direct.
    makeDialer(Low);
    knowBob(u"10.0.0.2:47800"_s);
    auto &dials = m_transport->dials;
    m_transport->relayed.insert(Bob);
    m_transport->connectPeer(Bob, u"Bob"_s, QString());
    QTRY_COMPARE_WITH_TIMEOUT(dials.size(), 1, 5'000);
    QCOMPARE(dials.last().host, u"10.0.0.2"_s);
    QCOMPARE(dials.last().expectedPeerId, Bob);
    m_transport->finishAttempt(dials.last().attempt, {}, Net::Error::Unreachable);
    m_now += Dialer::RedialFirstDelayMs; // the back-off after that failure is over
    QTRY_COMPARE_WITH_TIMEOUT(dials.size(), 2, 5'000);
}
// --- end carried delivery ---

QTEST_GUILESS_MAIN(tst_Dialer)
#include "tst_dialer.moc"
