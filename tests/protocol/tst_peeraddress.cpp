// SPDX-License-Identifier: GPL-3.0-or-later
#include "net/peeraddress.h"

#include <QTest>

using namespace Qt::StringLiterals;

class tst_PeerAddress : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void valid_data();
    void valid();
    void invalid_data();
    void invalid();
    void format();
    void plain();
};

void tst_PeerAddress::valid_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    // Parsing only, nothing is dialled; still, every address here is loopback.
    QTest::newRow("ipv4") << u"127.0.0.20"_s << u"127.0.0.20"_s << 47800;
    QTest::newRow("ipv4:port") << u"127.10.0.1:5000"_s << u"127.10.0.1"_s << 5000;
    QTest::newRow("spaces") << u"  127.0.0.1:9 "_s << u"127.0.0.1"_s << 9;
    QTest::newRow("name") << u"alice-laptop"_s << u"alice-laptop"_s << 47800;
    QTest::newRow("fqdn:port") << u"alice.example.org:1234"_s << u"alice.example.org"_s << 1234;
    QTest::newRow("[v6]:port") << u"[::1]:4000"_s << u"::1"_s << 4000;
    QTest::newRow("[v6]") << u"[::1]"_s << u"::1"_s << 47800;
    QTest::newRow("bare v6") << u"0:0:0:0:0:0:0:1"_s << u"0:0:0:0:0:0:0:1"_s << 47800;
}

void tst_PeerAddress::valid()
{
    QFETCH(QString, input);
    QFETCH(QString, host);
    QFETCH(int, port);
    QString error;
    const auto a = PeerAddress::parse(input, 47800, &error);
    QVERIFY2(a, qPrintable(error));
    QCOMPARE(a->host, host);
    QCOMPARE(int(a->port), port);
}

void tst_PeerAddress::invalid_data()
{
    QTest::addColumn<QString>("input");
    QTest::newRow("empty") << QString();
    QTest::newRow("blank") << u"   "_s;
    QTest::newRow("port zero") << u"host:0"_s;
    QTest::newRow("port too big") << u"host:70000"_s;
    QTest::newRow("port text") << u"host:abc"_s;
    QTest::newRow("no host") << u":5000"_s;
    QTest::newRow("bad chars") << u"ali ce"_s;
    QTest::newRow("unclosed bracket") << u"[::1:5000"_s;
    QTest::newRow("bracket not v6") << u"[1.2.3.4]:5"_s;
    QTest::newRow("junk after bracket") << u"[::1]x"_s;
    QTest::newRow("bad v6") << u"1:2:3:zz"_s;
    QTest::newRow("underscore") << u"a_b"_s;
}

void tst_PeerAddress::invalid()
{
    QFETCH(QString, input);
    QString error;
    QVERIFY(!PeerAddress::parse(input, 47800, &error));
    QVERIFY(!error.isEmpty());
}

void tst_PeerAddress::format()
{
    QCOMPARE(PeerAddress::format(QHostAddress(u"::ffff:127.1.2.3"_s), 5), u"127.1.2.3:5"_s);
    QCOMPARE(PeerAddress::format(QHostAddress(u"::1"_s), 5), u"[::1]:5"_s);
    QCOMPARE((PeerAddress{u"::1"_s, 7}.toString()), u"[::1]:7"_s);
}

void tst_PeerAddress::plain()
{
    // One host, one key: a dual-stack socket's IPv4-mapped address is the IPv4 address.
    QCOMPARE(PeerAddress::plain(QHostAddress(u"::ffff:127.1.2.3"_s)), QHostAddress(u"127.1.2.3"_s));
    QCOMPARE(PeerAddress::plain(QHostAddress(u"127.1.2.3"_s)), QHostAddress(u"127.1.2.3"_s));
    QCOMPARE(PeerAddress::plain(QHostAddress(u"::1"_s)), QHostAddress(u"::1"_s));
    QCOMPARE(PeerAddress::plain(QHostAddress(u"::ffff:127.1.2.3"_s)).protocol(),
             QAbstractSocket::IPv4Protocol);
}

QTEST_APPLESS_MAIN(tst_PeerAddress)
#include "tst_peeraddress.moc"
