// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/invitelink.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborStreamWriter>
#include <QCborValue>
#include <QTest>
#include <QtEndian>

#include <functional>

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(InviteLink)

// The sentences a person sees (no translation is loaded in tests).
static const QString NotAnInvite = u"This is not a Shoal invite link."_s;
static const QString Newer = u"This invite link is from a newer Shoal; update Shoal to use it."_s;
static const QString Damaged = u"This invite link is damaged or incomplete; copy all of it "
                               "again, or ask for a new one."_s;

static const QString PeerId = u"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"_s;

static InviteLink sample(QList<QHostAddress> addresses = {QHostAddress(u"192.168.1.20"_s)})
{
    InviteLink link;
    link.peerId = PeerId;
    link.name = u"Alice's laptop"_s;
    link.addresses = std::move(addresses);
    link.port = 47800;
    return link;
}

static QString linkOf(const QByteArray &cbor)
{
    return u"shoal:invite?v=1&d="_s
           + QString::fromLatin1(
               cbor.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

static QByteArray addr4(const char *text)
{
    const quint32 v4 = QHostAddress(QString::fromLatin1(text)).toIPv4Address();
    QByteArray b(4, Qt::Uninitialized);
    qToBigEndian(v4, b.data());
    return b;
}

static QByteArray addr6(const char *text)
{
    const Q_IPV6ADDR v6 = QHostAddress(QString::fromLatin1(text)).toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(v6.c), 16);
}

// A well-formed invite map, for the malformed rows to change one thing in.
static QCborMap goodMap()
{
    QCborMap map;
    map.insert("id"_L1, QByteArray::fromHex(PeerId.toLatin1()));
    map.insert("n"_L1, u"Alice"_s);
    map.insert("a"_L1, QCborArray{addr4("192.168.1.20")});
    map.insert("p"_L1, 47800);
    return map;
}

static QString withMap(const std::function<void(QCborMap &)> &change)
{
    QCborMap map = goodMap();
    change(map);
    return linkOf(map.toCborValue().toCbor());
}

class tst_InviteLink : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void whitespaceIgnored();
    void schemeCaseIgnored();
    void shortEnoughForMail();
    void encodeKeepsEightPlainDistinctAddresses();
    void nameIsCleaned();
    void unknownCborKeysIgnored();
    void malformed_data();
    void malformed();
    void hugePasteIsRefused();
};

void tst_InviteLink::roundTrip_data()
{
    QTest::addColumn<InviteLink>("link");
    QTest::newRow("ipv4") << sample();
    QTest::newRow("ipv6") << sample({QHostAddress(u"fd00:1234::20"_s)});
    QTest::newRow("mixed") << sample({QHostAddress(u"10.0.0.7"_s),
                                      QHostAddress(u"2001:db8::1"_s),
                                      QHostAddress(u"172.16.5.9"_s)});
    QList<QHostAddress> eight;
    for (int i = 1; i <= 8; ++i)
        eight.append(QHostAddress(u"10.1.0.%1"_s.arg(i)));
    QTest::newRow("eight addresses") << sample(eight);
    InviteLink unicode = sample();
    unicode.name = u"Zoë 🐟 张伟"_s;
    unicode.port = 1;
    QTest::newRow("unicode name, port 1") << unicode;
    InviteLink unnamed = sample();
    unnamed.name.clear();
    unnamed.port = 65535;
    QTest::newRow("no name, port 65535") << unnamed;
}

void tst_InviteLink::roundTrip()
{
    QFETCH(InviteLink, link);
    const QString text = link.encode();
    QVERIFY2(text.startsWith(u"shoal:invite?v=1&d="_s), qPrintable(text));
    QString error;
    const auto back = InviteLink::decode(text, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->toString(), link.toString());
    QVERIFY(*back == link);
}

void tst_InviteLink::whitespaceIgnored()
{
    const InviteLink link = sample({QHostAddress(u"10.0.0.7"_s), QHostAddress(u"fd00::7"_s)});
    const QString text = link.encode();
    // As a mail client wraps it, and as pasted with the text around it.
    QString wrapped = u"  \r\n\t"_s;
    for (qsizetype i = 0; i < text.size(); i += 13)
        wrapped += text.mid(i, 13) + (i % 2 ? u"\r\n"_s : u"\n "_s);
    wrapped += u" \u00a0\n"_s;
    QString error;
    const auto back = InviteLink::decode(wrapped, &error);
    QVERIFY2(back, qPrintable(error));
    QVERIFY(*back == link);
}

void tst_InviteLink::schemeCaseIgnored()
{
    QString text = sample().encode();
    text.replace(0, 13, u"SHOAL:Invite?"_s);
    QString error;
    QVERIFY2(InviteLink::decode(text, &error), qPrintable(error));
}

void tst_InviteLink::shortEnoughForMail()
{
    // Three addresses, the worst kind (IPv6), and an ordinary name: one line of a mail.
    const QString text = sample({QHostAddress(u"2001:db8::1"_s),
                                 QHostAddress(u"2001:db8:0:1::2"_s),
                                 QHostAddress(u"fd00:1234:5678::9"_s)})
                             .encode();
    QVERIFY2(text.size() < 200, qPrintable(QString::number(text.size())));
    // And the longest a v1 link can be is far below the limit.
    InviteLink longest = sample();
    longest.name = QString(64, QChar(0x4e2d)); // 3 bytes each in UTF-8
    longest.addresses.clear();
    for (int i = 1; i <= 8; ++i)
        longest.addresses.append(QHostAddress(u"2001:db8::%1"_s.arg(i)));
    QVERIFY(longest.encode().size() < InviteLink::MaxLength / 2);
}

void tst_InviteLink::encodeKeepsEightPlainDistinctAddresses()
{
    QList<QHostAddress> given{QHostAddress(u"::ffff:10.0.0.1"_s),
                              QHostAddress(u"10.0.0.1"_s),
                              QHostAddress(),
                              QHostAddress(u"0.0.0.0"_s)};
    for (int i = 2; i <= 12; ++i)
        given.append(QHostAddress(u"10.0.0.%1"_s.arg(i)));
    QString error;
    const auto back = InviteLink::decode(sample(given).encode(), &error);
    QVERIFY2(back, qPrintable(error));
    QList<QHostAddress> expected;
    for (int i = 1; i <= 8; ++i)
        expected.append(QHostAddress(u"10.0.0.%1"_s.arg(i)));
    QCOMPARE(back->addresses, expected);
}

void tst_InviteLink::nameIsCleaned()
{
    const QString text = withMap(
        [](QCborMap &m) { m.insert("n"_L1, u"\x1b[31mEvil\nName "_s + QString(100, u'x')); });
    QString error;
    const auto link = InviteLink::decode(text, &error);
    QVERIFY2(link, qPrintable(error));
    QCOMPARE(link->name.size(), 64);
    QVERIFY(link->name.startsWith(u"[31mEvil Name xxx"_s));
}

void tst_InviteLink::unknownCborKeysIgnored()
{
    const QString text = withMap([](QCborMap &m) { m.insert("later"_L1, 42); });
    QString error;
    const auto link = InviteLink::decode(text, &error);
    QVERIFY2(link, qPrintable(error));
    QCOMPARE(link->port, 47800);
}

void tst_InviteLink::malformed_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    const QString good = linkOf(goodMap().toCborValue().toCbor());
    const QString d = good.sliced(good.indexOf(u"d="_s) + 2);

    QTest::newRow("empty") << QString() << NotAnInvite;
    QTest::newRow("spaces") << u" \n "_s << NotAnInvite;
    QTest::newRow("web address") << u"https://example.org/invite?v=1"_s << NotAnInvite;
    QTest::newRow("host:port") << u"192.168.1.20:47800"_s << NotAnInvite;
    QTest::newRow("scheme only") << u"shoal:"_s << NotAnInvite;
    QTest::newRow("other shoal link") << u"shoal:group?v=1&d=AA"_s << NotAnInvite;
    QTest::newRow("scheme slashes") << u"shoal://invite?v=1&d="_s + d << NotAnInvite;

    QTest::newRow("v=2") << u"shoal:invite?v=2&d="_s + d << Newer;
    QTest::newRow("v=10, other keys") << u"shoal:invite?v=10&x=y&z"_s << Newer;
    QTest::newRow("v=2 last") << u"shoal:invite?d=%1&v=2"_s.arg(d) << Newer;

    QTest::newRow("no query") << u"shoal:invite?"_s << Damaged;
    QTest::newRow("no v") << u"shoal:invite?d="_s + d << Damaged;
    QTest::newRow("no d") << u"shoal:invite?v=1"_s << Damaged;
    QTest::newRow("empty d") << u"shoal:invite?v=1&d="_s << Damaged;
    QTest::newRow("v=0") << u"shoal:invite?v=0&d="_s + d << Damaged;
    QTest::newRow("v=01") << u"shoal:invite?v=01&d="_s + d << Damaged;
    QTest::newRow("v=1.0") << u"shoal:invite?v=1.0&d="_s + d << Damaged;
    QTest::newRow("v=") << u"shoal:invite?v=&d="_s + d << Damaged;
    QTest::newRow("v twice") << u"shoal:invite?v=1&v=1&d="_s + d << Damaged;
    QTest::newRow("d twice") << u"shoal:invite?v=1&d=%1&d=%1"_s.arg(d) << Damaged;
    QTest::newRow("unknown key") << u"shoal:invite?v=1&x=1&d="_s + d << Damaged;
    QTest::newRow("pair without =") << u"shoal:invite?v=1&d=%1&x"_s.arg(d) << Damaged;
    QTest::newRow("trailing &") << u"shoal:invite?v=1&d=%1&"_s.arg(d) << Damaged;
    QTest::newRow("padding") << u"shoal:invite?v=1&d=%1=="_s.arg(d.chopped(2)) << Damaged;
    QTest::newRow("base64 +") << u"shoal:invite?v=1&d=+"_s + d.sliced(1) << Damaged;
    QTest::newRow("base64 /") << u"shoal:invite?v=1&d=/"_s + d.sliced(1) << Damaged;
    QTest::newRow("percent-encoded") << u"shoal:invite?v=1&d=%41"_s + d.sliced(1) << Damaged;
    QTest::newRow("truncated by one") << good.chopped(1) << Damaged;
    QTest::newRow("truncated by half") << good.first(good.size() / 2 + 10) << Damaged;
    QTest::newRow("one char too many") << good + u"A"_s << Damaged;

    // A base64 length of 4k+1 is no length at all; unused bits set is a second spelling.
    {
        const QByteArray cbor = goodMap().toCborValue().toCbor();
        QString text = linkOf(cbor);
        if (cbor.size() % 3 != 0) {
            // The last character carries unused low bits: set one.
            const QChar last = text.back();
            const QString alphabet
                = u"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"_s;
            text.back() = alphabet.at(alphabet.indexOf(last) | 1);
            QTest::newRow("non-canonical base64") << text << Damaged;
        }
    }

    const auto raw = [](const QByteArray &cbor) { return linkOf(cbor); };
    const QByteArray goodCbor = goodMap().toCborValue().toCbor();
    QTest::newRow("garbage after the map") << raw(goodCbor + '\0') << Damaged;
    QTest::newRow("truncated cbor") << raw(goodCbor.chopped(3)) << Damaged;
    QTest::newRow("not a map") << raw(QCborValue(QCborArray{1, 2}).toCbor()) << Damaged;
    QTest::newRow("a number") << raw(QCborValue(7).toCbor()) << Damaged;
    QTest::newRow("empty map") << raw(QCborValue(QCborMap()).toCbor()) << Damaged;
    {
        QByteArray dup;
        QCborStreamWriter w(&dup);
        w.startMap(5);
        w.append("id"_L1);
        w.append(QByteArray::fromHex(PeerId.toLatin1()));
        w.append("n"_L1);
        w.append("Alice"_L1);
        w.append("a"_L1);
        w.startArray(1);
        w.append(addr4("192.168.1.20"));
        w.endArray();
        w.append("p"_L1);
        w.append(47800);
        w.append("p"_L1);
        w.append(1);
        w.endMap();
        QTest::newRow("duplicate key") << raw(dup) << Damaged;
    }
    {
        QCborMap map = goodMap();
        map.insert(1, 2);
        QTest::newRow("integer key") << raw(map.toCborValue().toCbor()) << Damaged;
    }

    for (const char *key : {"id", "n", "a", "p"})
        QTest::newRow(qPrintable(u"no %1"_s.arg(QLatin1StringView(key))))
            << withMap([key](QCborMap &m) { m.remove(QLatin1StringView(key)); }) << Damaged;
    QTest::newRow("id as text") << withMap([](QCborMap &m) { m.insert("id"_L1, PeerId); })
                                << Damaged;
    QTest::newRow("id 31 bytes") << withMap([](QCborMap &m) {
        m.insert("id"_L1, QByteArray(31, 'x'));
    }) << Damaged;
    QTest::newRow("id 33 bytes") << withMap([](QCborMap &m) {
        m.insert("id"_L1, QByteArray(33, 'x'));
    }) << Damaged;
    QTest::newRow("name as bytes")
        << withMap([](QCborMap &m) { m.insert("n"_L1, QByteArray("Alice")); }) << Damaged;
    QTest::newRow("port 0") << withMap([](QCborMap &m) { m.insert("p"_L1, 0); }) << Damaged;
    QTest::newRow("port 65536") << withMap([](QCborMap &m) { m.insert("p"_L1, 65536); }) << Damaged;
    QTest::newRow("port -1") << withMap([](QCborMap &m) { m.insert("p"_L1, -1); }) << Damaged;
    QTest::newRow("port as text") << withMap([](QCborMap &m) { m.insert("p"_L1, u"80"_s); })
                                  << Damaged;
    QTest::newRow("port as float")
        << withMap([](QCborMap &m) { m.insert("p"_L1, 80.0); }) << Damaged;
    QTest::newRow("addresses not an array")
        << withMap([](QCborMap &m) { m.insert("a"_L1, addr4("10.0.0.1")); }) << Damaged;
    QTest::newRow("no address") << withMap([](QCborMap &m) { m.insert("a"_L1, QCborArray()); })
                                << Damaged;
    QTest::newRow("nine addresses") << withMap([](QCborMap &m) {
        QCborArray list;
        for (int i = 1; i <= 9; ++i)
            list.append(addr4(qPrintable(u"10.0.0.%1"_s.arg(i))));
        m.insert("a"_L1, list);
    }) << Damaged;
    const auto oneAddress = [](const QCborValue &a) {
        return withMap([a](QCborMap &m) { m.insert("a"_L1, QCborArray{a}); });
    };
    QTest::newRow("address as text") << oneAddress(u"10.0.0.1"_s) << Damaged;
    QTest::newRow("address 5 bytes") << oneAddress(QByteArray(5, '\1')) << Damaged;
    QTest::newRow("address 0 bytes") << oneAddress(QByteArray()) << Damaged;
    QTest::newRow("0.0.0.0") << oneAddress(addr4("0.0.0.0")) << Damaged;
    QTest::newRow("::") << oneAddress(addr6("::")) << Damaged;
    QTest::newRow("broadcast") << oneAddress(addr4("255.255.255.255")) << Damaged;
    QTest::newRow("multicast v4") << oneAddress(addr4("239.255.0.1")) << Damaged;
    QTest::newRow("multicast v6") << oneAddress(addr6("ff02::1")) << Damaged;
    QTest::newRow("v4-mapped v6") << oneAddress(addr6("::ffff:10.0.0.1")) << Damaged;
    QTest::newRow("repeated address") << withMap([](QCborMap &m) {
        m.insert("a"_L1, QCborArray{addr4("10.0.0.1"), addr4("10.0.0.1")});
    }) << Damaged;

    QTest::newRow("too long") << withMap([](QCborMap &m) { m.insert("n"_L1, QString(1600, u'x')); })
                              << Damaged;
}

void tst_InviteLink::malformed()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    QString actual;
    const auto link = InviteLink::decode(text, &actual);
    QVERIFY2(!link, qPrintable(link ? link->toString() : QString()));
    QCOMPARE(actual, error);
}

void tst_InviteLink::hugePasteIsRefused()
{
    // A whole mail pasted by mistake: refused, whatever is in it.
    const QString huge = sample().encode() + QString(10'000'000, u'A');
    QString error;
    QVERIFY(!InviteLink::decode(huge, &error));
    QCOMPARE(error, Damaged);
}

QTEST_APPLESS_MAIN(tst_InviteLink)
#include "tst_invitelink.moc"
