// SPDX-License-Identifier: GPL-3.0-or-later
// The bounds on what LAN announcements can make Shoal dial, on a clock the test sets.
#include "discovery/dialguard.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QHostAddress host(int n)
{
    // Never dialled: DialGuard only keeps accounts. Loopback all the same.
    return QHostAddress(u"127.0.1.%1"_s.arg(n));
}

} // namespace

class tst_DialGuard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneDialPerAddressAtATime();
    void failedAddressBacksOff();
    void notShoalIsKeptBackLong();
    void networkChangeEndsFailureBackOff();
    void verifiedGivesTheBudgetBack();
    void otherIdentityKeepsBackOnlyThatClaim();
    void budgetPerHost();
    void budgetInAll();
    void dialsUnderWayInAll();
    void tablesStayBounded();
};

void tst_DialGuard::oneDialPerAddressAtATime()
{
    DialGuard g;
    QVERIFY(!g.refusal(host(1), 47800, 0));
    g.started(host(1), 47800, 0);
    QVERIFY(g.refusal(host(1), 47800, 10));
    QVERIFY(!g.refusal(host(1), 47801, 10)); // another port of that host
    g.finished(host(1), 47800, DialGuard::Outcome::Verified, 20);
    QVERIFY(!g.refusal(host(1), 47800, 20));
}

void tst_DialGuard::failedAddressBacksOff()
{
    // 5 s, then 10 s, 20 s, ... up to 10 min.
    DialGuard g;
    qint64 t = 0;
    qint64 expected = DialGuard::FirstBackoffMs;
    for (int i = 0; i < 12; ++i) {
        QVERIFY2(!g.refusal(host(1), 47800, t), qPrintable(QString::number(i)));
        g.started(host(1), 47800, t);
        g.finished(host(1), 47800, DialGuard::Outcome::Failed, t);
        QVERIFY(g.refusal(host(1), 47800, t + expected - 1));
        t += expected;
        expected = std::min<qint64>(expected * 2, DialGuard::MaxBackoffMs);
    }
    QCOMPARE(expected, qint64(DialGuard::MaxBackoffMs));
    // Verified by other means (the peer dialled us from there): the back-off ends.
    g.verified(host(1), 47800);
    QVERIFY(!g.refusal(host(1), 47800, t));
}

void tst_DialGuard::notShoalIsKeptBackLong()
{
    // The TLS handshake failed there: whatever listens is not a Shoal. Not again for 10 min.
    DialGuard g;
    g.started(host(1), 443, 0);
    g.finished(host(1), 443, DialGuard::Outcome::NotShoal, 100);
    QCOMPARE(g.refusal(host(1), 443, 100 + DialGuard::NotShoalBackoffMs - 1),
             "back-off after a failed TLS handshake");
    QVERIFY(!g.refusal(host(1), 443, 100 + DialGuard::NotShoalBackoffMs));
}

void tst_DialGuard::networkChangeEndsFailureBackOff()
{
    // Failed for long (no route): kept back for minutes; the network changed: tried at once,
    // and its back-off starts over. Not a Shoal there, or another identity: still kept back.
    DialGuard g;
    qint64 t = 0;
    for (int i = 0; i < 8; ++i) {
        t += DialGuard::MaxBackoffMs;
        g.started(host(1), 47800, t);
        g.finished(host(1), 47800, DialGuard::Outcome::Failed, t);
    }
    g.started(host(2), 443, t);
    g.finished(host(2), 443, DialGuard::Outcome::NotShoal, t);
    g.started(host(3), 47800, t);
    g.finished(host(3), 47800, DialGuard::Outcome::OtherIdentity, t, u"claimed"_s);
    QVERIFY(g.refusal(host(1), 47800, t + DialGuard::MaxBackoffMs - 1));
    g.networkChanged();
    QVERIFY(!g.refusal(host(1), 47800, t));
    g.started(host(1), 47800, t);
    g.finished(host(1), 47800, DialGuard::Outcome::Failed, t);
    QVERIFY(g.refusal(host(1), 47800, t + DialGuard::FirstBackoffMs - 1));
    QVERIFY(!g.refusal(host(1), 47800, t + DialGuard::FirstBackoffMs));
    QCOMPARE(g.refusal(host(2), 443, t), "back-off after a failed TLS handshake");
    QCOMPARE(g.refusal(host(3), 47800, t, u"claimed"_s), "back-off after another identity answered");
}

void tst_DialGuard::verifiedGivesTheBudgetBack()
{
    // Real peers cost nothing: a hundred of them on one host, one after another, at once.
    DialGuard g;
    for (int i = 0; i < 100; ++i) {
        QVERIFY(!g.refusal(host(1), quint16(47800 + i), 0));
        g.started(host(1), quint16(47800 + i), 0);
        g.finished(host(1), quint16(47800 + i), DialGuard::Outcome::Verified, 0);
    }
    QCOMPARE(g.dialsStarted(), quint64(100));
}

void tst_DialGuard::otherIdentityKeepsBackOnlyThatClaim()
{
    // Forged announcements claim made-up IDs at a real Shoal's address: each dial finds a
    // Shoal with another identity. The address and its host are not backed off, the budget
    // is given back, and only each false claim is kept back.
    DialGuard g;
    const QString real = QString(64, u'a');
    for (int i = 0; i < 2 * DialGuard::HostDialBurst; ++i) {
        const QString forged = QString(64, QChar(u'0' + i));
        QVERIFY2(!g.refusal(host(1), 47800, 0, forged), qPrintable(QString::number(i)));
        g.started(host(1), 47800, 0);
        g.finished(host(1), 47800, DialGuard::Outcome::OtherIdentity, 0, forged);
        QCOMPARE(g.refusal(host(1), 47800, 0, forged), "back-off after another identity answered");
    }
    QVERIFY(!g.refusal(host(1), 47800, 0, real));
    QVERIFY(!g.refusal(host(1), 47800, DialGuard::OtherIdentityBackoffMs, QString(64, u'0')));
}

void tst_DialGuard::budgetPerHost()
{
    DialGuard g;
    for (int i = 0; i < DialGuard::HostDialBurst; ++i) {
        QVERIFY(!g.refusal(host(1), quint16(1 + i), 0));
        g.started(host(1), quint16(1 + i), 0);
        g.finished(host(1), quint16(1 + i), DialGuard::Outcome::Failed, 0);
    }
    QCOMPARE(g.refusal(host(1), 100, 0), "dials to one host");
    QVERIFY(!g.refusal(host(2), 100, 0)); // another host is not affected
    QVERIFY(g.refusal(host(1), 100, DialGuard::HostDialRefillMs - 1));
    QVERIFY(!g.refusal(host(1), 100, DialGuard::HostDialRefillMs));
}

void tst_DialGuard::budgetInAll()
{
    DialGuard g;
    for (int i = 0; i < DialGuard::DialBurst; ++i) {
        QVERIFY(!g.refusal(host(i), 1, 0));
        g.started(host(i), 1, 0);
        g.finished(host(i), 1, DialGuard::Outcome::Failed, 0);
    }
    QCOMPARE(g.refusal(host(100), 1, 0), "dials in all");
    QVERIFY(!g.refusal(host(100), 1, DialGuard::DialRefillMs));
    // A storm of 1,000 addresses over 10 s: the budget in all, and no more.
    int dialled = 0;
    for (int ms = DialGuard::DialRefillMs; ms < 11'000; ms += 10) {
        const QHostAddress h(0x0a010000u + quint32(ms));
        if (!g.refusal(h, 1, ms)) {
            g.started(h, 1, ms);
            g.finished(h, 1, DialGuard::Outcome::Failed, ms);
            ++dialled;
        }
    }
    QVERIFY2(dialled <= 11, qPrintable(QString::number(dialled)));
}

void tst_DialGuard::dialsUnderWayInAll()
{
    // Dials that hang (a host that drops packets) hold their place until they end.
    DialGuard g;
    for (int i = 0; i < DialGuard::MaxDialsInProgress; ++i)
        g.started(host(i), 1, i * 10'000);
    QCOMPARE(g.dialsInProgress(), DialGuard::MaxDialsInProgress);
    QCOMPARE(g.refusal(host(100), 1, 1'000'000), "dials under way in all");
    g.finished(host(0), 1, DialGuard::Outcome::Failed, 1'000'000);
    QVERIFY(!g.refusal(host(100), 1, 1'000'000));
}

void tst_DialGuard::tablesStayBounded()
{
    // More addresses than it tracks, each failing: the oldest are forgotten, nothing grows.
    DialGuard g;
    qint64 t = 0;
    for (int i = 0; i < DialGuard::MaxTrackedAddresses + 500; ++i, t += DialGuard::DialRefillMs) {
        const QHostAddress h(0x0a020000u + quint32(i));
        QVERIFY(!g.refusal(h, 1, t));
        g.started(h, 1, t);
        g.finished(h, 1, DialGuard::Outcome::NotShoal, t);
    }
    QCOMPARE(g.dialsInProgress(), 0);
}

QTEST_APPLESS_MAIN(tst_DialGuard)
#include "tst_dialguard.moc"
