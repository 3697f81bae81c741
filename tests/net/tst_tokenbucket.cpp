// SPDX-License-Identifier: GPL-3.0-or-later
// TokenBucket and ThrottledCount: the rate limits and log throttles every layer shares.
#include "net/throttledcount.h"
#include "net/tokenbucket.h"

#include <QTest>

class tst_TokenBucket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fullUntilFirstUsed();
    void refillsAtItsRateUpToTheBurst();
    void giveBackStopsAtTheBurst();
    void throttledCountLogsFirstThenEveryNth();
};

void tst_TokenBucket::fullUntilFirstUsed()
{
    TokenBucket b(4, 1, 5000);
    QCOMPARE(b.lastUsedMs(), qint64(-1));
    for (int i = 0; i < 4; ++i)
        QVERIFY(b.tryTake(1'000'000));
    QVERIFY(!b.tryTake(1'000'000));
    QCOMPARE(b.lastUsedMs(), qint64(1'000'000));
}

void tst_TokenBucket::refillsAtItsRateUpToTheBurst()
{
    TokenBucket b(2, 20, 1000); // 20 a second, 2 saved up
    QVERIFY(b.tryTake(0));
    QVERIFY(b.tryTake(0));
    QVERIFY(!b.tryTake(0));
    QVERIFY(!b.tryTake(49));
    QVERIFY(b.tryTake(50));
    QCOMPARE(b.available(10'000), 2.0); // not more than the burst, however long
    b.take(10'000);
    b.take(10'000);
    b.take(10'000); // taken although checked by nobody: owed
    QCOMPARE(b.available(10'000), -1.0);
}

void tst_TokenBucket::giveBackStopsAtTheBurst()
{
    TokenBucket b(8, 1, 1000);
    b.take(0);
    b.giveBack(0);
    b.giveBack(0);
    QCOMPARE(b.available(0), 8.0);
}

void tst_TokenBucket::throttledCountLogsFirstThenEveryNth()
{
    ThrottledCount c(100);
    QList<quint64> logged;
    for (int i = 0; i < 250; ++i) {
        if (c.count())
            logged.append(c.total());
    }
    QCOMPARE(logged, (QList<quint64>{1, 101, 201}));
    QCOMPARE(c.total(), quint64(250));
    QCOMPARE(ThrottledCount().count(), true);
}

QTEST_APPLESS_MAIN(tst_TokenBucket)
#include "tst_tokenbucket.moc"
