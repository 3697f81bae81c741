// SPDX-License-Identifier: GPL-3.0-or-later
#include "discovery/announcement.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_Announcement : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void smallEnough();
    void hostile_data();
    void hostile();
    void unknownKeysIgnored();
};

static Announcement sample()
{
    Announcement a;
    a.peerId = QString(64, u'c');
    a.instance = QUuid::createUuid();
    a.name = u"王小明 on a long-named laptop"_s;
    a.port = 47800;
    return a;
}

static QByteArray cbor(const QCborMap &m)
{
    return m.toCborValue().toCbor();
}

void tst_Announcement::roundTrip_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<bool>("reply");
    QTest::newRow("hello") << int(Announcement::Kind::Hello) << false;
    QTest::newRow("hello reply") << int(Announcement::Kind::Hello) << true;
    QTest::newRow("bye") << int(Announcement::Kind::Bye) << false;
}

void tst_Announcement::roundTrip()
{
    QFETCH(int, kind);
    QFETCH(bool, reply);
    Announcement a = sample();
    a.kind = Announcement::Kind(kind);
    a.reply = reply;
    if (a.kind == Announcement::Kind::Bye) {
        a.name.clear();
        a.port = 0;
    }
    QString error;
    const auto b = Announcement::decode(a.encode(), &error);
    QVERIFY2(b, qPrintable(error));
    QCOMPARE(b->toString(), a.toString());
    QVERIFY(*b == a);
}

void tst_Announcement::smallEnough()
{
    Announcement a = sample();
    a.name = QString(64, u'龍'); // the longest name, 3 bytes a character
    QVERIFY2(a.encode().size() <= 400, QByteArray::number(a.encode().size()));
}

void tst_Announcement::hostile_data()
{
    QTest::addColumn<QByteArray>("datagram");
    const QByteArray good = sample().encode();
    QCborMap map = QCborValue::fromCbor(good).toMap();
    auto with = [&](const QString &key, const QCborValue &v) {
        QCborMap m = map;
        m.insert(key, v);
        return cbor(m);
    };
    auto without = [&](const QString &key) {
        QCborMap m = map;
        m.remove(key);
        return cbor(m);
    };
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("truncated") << good.left(good.size() / 2);
    QTest::newRow("oversized") << good + QByteArray(600, 'x');
    QTest::newRow("trailing") << good + QByteArray(1, 0);
    QTest::newRow("garbage") << QByteArray("\xff\x00\x13 hello", 9);
    QTest::newRow("not a map") << QCborValue(QCborArray{1, 2}).toCbor();
    QTest::newRow("wrong magic") << with(u"m"_s, u"shark"_s);
    QTest::newRow("magic as int") << with(u"m"_s, 5);
    QTest::newRow("wrong version") << with(u"v"_s, 2);
    QTest::newRow("version as text") << with(u"v"_s, u"1"_s);
    QTest::newRow("unknown kind") << with(u"t"_s, u"shout"_s);
    QTest::newRow("bad id") << with(u"id"_s, u"not-an-id"_s);
    QTest::newRow("id as bytes") << with(u"id"_s, QByteArray(64, 'c'));
    QTest::newRow("bad instance") << with(u"inst"_s, u"x"_s);
    QTest::newRow("no instance") << without(u"inst"_s);
    QTest::newRow("name as int") << with(u"name"_s, 3);
    QTest::newRow("port 0") << with(u"port"_s, 0);
    QTest::newRow("port too big") << with(u"port"_s, 65536);
    QTest::newRow("port negative") << with(u"port"_s, -1);
    QTest::newRow("re as int") << with(u"re"_s, 1);
    QTest::newRow("no port") << without(u"port"_s);
}

void tst_Announcement::hostile()
{
    QFETCH(QByteArray, datagram);
    QString error;
    QVERIFY(!Announcement::decode(datagram, &error));
    QVERIFY(!error.isEmpty());
}

void tst_Announcement::unknownKeysIgnored()
{
    QCborMap map = QCborValue::fromCbor(sample().encode()).toMap();
    map.insert(u"avatar"_s, QByteArray(10, 'a'));
    QString error;
    QVERIFY2(Announcement::decode(cbor(map), &error), qPrintable(error));
}

QTEST_APPLESS_MAIN(tst_Announcement)
#include "tst_announcement.moc"
