// SPDX-License-Identifier: GPL-3.0-or-later
// TransportSlot without sockets (issue 17): the IP Messenger transport's place in the mux,
// filled and emptied while Shoal runs. Calls and signals pass through; without a target dials
// fail (each with an outcome) and nobody is connected; the peers of a target that goes are
// reported gone; attempt numbers stay unique across targets.
#include "faketransport.h"
#include "messenger/transportslot.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

static const QString Li = u"1111"_s.repeated(16);

class tst_TransportSlot : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyFailsDials();
    void forwardsCallsAndSignals();
    void targetGoneTakesItsPeers();
    void attemptNumbersStayUnique();
};

void tst_TransportSlot::emptyFailsDials()
{
    TransportSlot slot(u"off"_s);
    QSignalSpy finished(&slot, &Transport::attemptFinished);
    const int attempt = slot.connectToPeer(u"10.0.0.9"_s, 2425, Li);
    QVERIFY(attempt != 0);
    QCOMPARE(finished.size(), 0); // never from within the call
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(finished.first().at(0).toInt(), attempt);
    QCOMPARE(finished.first().at(2).value<Net::Error>(), Net::Error::Unreachable);
    QCOMPARE(finished.first().at(3).toString(), u"off"_s);
    QVERIFY(!slot.isConnected(Li));
    QVERIFY(!slot.send(Li, Protocol::Chat{}));
    QCOMPARE(slot.connectToPeer(u"10.0.0.9"_s, 2425, Li, StreamKind::Bulk), 0);
}

void tst_TransportSlot::forwardsCallsAndSignals()
{
    FakeTransport target;
    TransportSlot slot(u"off"_s);
    slot.setTarget(&target);
    QSignalSpy connected(&slot, &Transport::peerConnected);
    QSignalSpy received(&slot, &Transport::messageReceived);
    QSignalSpy finished(&slot, &Transport::attemptFinished);
    const int attempt = slot.connectToPeer(u"10.0.0.9"_s, 2425, Li);
    QCOMPARE(target.dials.size(), 1);
    QCOMPARE(target.dials.first().expectedPeerId, Li);
    target.connectPeer(Li, u"Li"_s, u"10.0.0.9:2425"_s);
    target.finishAttempt(target.dials.first().attempt, Li, Net::Error::None);
    QCOMPARE(connected.size(), 1);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().at(0).toInt(), attempt);
    QVERIFY(slot.isConnected(Li));
    QVERIFY(slot.send(Li, Protocol::Chat{}));
    QCOMPARE(target.sent.size(), 1);
    target.receive(Li, Protocol::Ack{});
    QCOMPARE(received.size(), 1);
}

void tst_TransportSlot::targetGoneTakesItsPeers()
{
    FakeTransport target;
    TransportSlot slot(u"IP Messenger is turned off."_s);
    slot.setTarget(&target);
    target.connectPeer(Li, u"Li"_s, u"10.0.0.9:2425"_s);
    QSignalSpy gone(&slot, &Transport::peerDisconnected);
    slot.setTarget(nullptr);
    QCOMPARE(gone.size(), 1);
    QCOMPARE(gone.first().at(0).toString(), Li);
    QVERIFY(!slot.isConnected(Li));
    // Nothing of the old target comes through any more.
    target.receive(Li, Protocol::Ack{});
    target.disconnectPeer(Li);
    QCOMPARE(gone.size(), 1);
    // A peer the target itself reported gone is not reported twice.
    FakeTransport next;
    slot.setTarget(&next);
    next.connectPeer(Li, u"Li"_s, u"10.0.0.9:2425"_s);
    next.disconnectPeer(Li);
    QCOMPARE(gone.size(), 2);
    slot.setTarget(nullptr);
    QCOMPARE(gone.size(), 2);
}

void tst_TransportSlot::attemptNumbersStayUnique()
{
    // A new target counts from 1 again; the slot's numbers never repeat, and an outcome of
    // the old target's attempt is not taken for the new one's.
    TransportSlot slot(u"off"_s);
    QSignalSpy finished(&slot, &Transport::attemptFinished);
    FakeTransport first;
    slot.setTarget(&first);
    const int a = slot.connectToPeer(u"10.0.0.9"_s, 2425, Li);
    FakeTransport second;
    slot.setTarget(&second);
    // The old target's dial ends with it, never silently: a dialler waits for it.
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().at(0).toInt(), a);
    QCOMPARE(finished.first().at(2).value<Net::Error>(), Net::Error::Unreachable);
    const int b = slot.connectToPeer(u"10.0.0.9"_s, 2425, Li);
    QVERIFY(a != b);
    QCOMPARE(first.dials.first().attempt, second.dials.first().attempt);
    first.finishAttempt(first.dials.first().attempt, Li, Net::Error::None);
    QCOMPARE(finished.size(), 1);
    second.finishAttempt(second.dials.first().attempt, {}, Net::Error::Timeout);
    QCOMPARE(finished.size(), 2);
    QCOMPARE(finished.last().at(0).toInt(), b);
}

QTEST_GUILESS_MAIN(tst_TransportSlot)
#include "tst_transportslot.moc"
