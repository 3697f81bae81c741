// SPDX-License-Identifier: GPL-3.0-or-later
// Presence on the wire (issue 15): the hello's "st", "stx" and "av", the "pres" message and the
// LAN announcement's "st": round trips, what an older or newer peer sends, and what is refused.
#include "discovery/announcement.h"
#include "protocol/messages.h"

#include <QCborMap>
#include <QCborValue>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Protocol;

Q_DECLARE_METATYPE(Protocol::Message)

#define COMPARE_MESSAGE(actual, expected) \
    do { \
        QCOMPARE(Protocol::toString(actual), Protocol::toString(expected)); \
        QVERIFY((actual) == (expected)); \
    } while (false)

class tst_PresenceWire : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void defaultHelloHasNoPresenceKeys();
    void unknownStatusReadsAvailable_data();
    void unknownStatusReadsAvailable();
    void statusTextIsOneShortLine();
    void malformed_data();
    void malformed();
    void announcementStatus_data();
    void announcementStatus();
    void announcementOfVersion1ReadsAvailable();
    void worstAnnouncementFitsADatagram();
};

static const QString PeerA = QString(64, u'a');
static const QByteArray AvatarHash(Sha256Bytes, '\x5a');

static QByteArray cbor(const QCborMap &map)
{
    return map.toCborValue().toCbor();
}

static QCborMap with(QCborMap map, const QString &key, const QCborValue &value)
{
    map.insert(key, value);
    return map;
}

static Hello hello(Status status, const QString &text, const QByteArray &avatar)
{
    Hello h;
    h.peerId = PeerA;
    h.name = u"Alice"_s;
    h.port = 47800;
    h.status = status;
    h.statusText = text;
    h.avatarHash = avatar;
    return h;
}

void tst_PresenceWire::roundTrip_data()
{
    QTest::addColumn<Message>("message");
    QTest::newRow("hello away with text and avatar")
        << Message(hello(Status::Away, u"at lunch until 13:00"_s, AvatarHash));
    QTest::newRow("hello busy") << Message(hello(Status::Busy, {}, {}));
    QTest::newRow("hello available with text") << Message(hello(Status::Available, u"午饭"_s, {}));
    QTest::newRow("pres available") << Message(Presence{u"Alice"_s, Status::Available, {}, {}});
    QTest::newRow("pres away with text")
        << Message(Presence{u"Bob 李"_s, Status::Away, u"back at 3"_s, {}});
    QTest::newRow("pres busy with avatar")
        << Message(Presence{u"Bob"_s, Status::Busy, u"in a meeting"_s, AvatarHash});
    QTest::newRow("pres empty name") << Message(Presence{QString(), Status::Busy, {}, {}});
}

void tst_PresenceWire::roundTrip()
{
    QFETCH(Message, message);
    QString error;
    const auto decoded = decode(encode(message), &error);
    QVERIFY2(decoded, qPrintable(error));
    COMPARE_MESSAGE(*decoded, message);
    // And through the general decoder too (no fast path for these, but the fuzz target checks).
    const auto general = decodeGeneral(encode(message), &error);
    QVERIFY2(general, qPrintable(error));
    COMPARE_MESSAGE(*general, message);
}

void tst_PresenceWire::defaultHelloHasNoPresenceKeys()
{
    // A version 1 peer sees the hello it always saw while the person is simply available.
    const QCborMap map = hello(Status::Available, {}, {}).toCbor();
    QVERIFY(!map.contains(u"st"_s));
    QVERIFY(!map.contains(u"stx"_s));
    QVERIFY(!map.contains(u"av"_s));
    QCOMPARE(hello(Status::Away, {}, {}).toCbor().value(u"st"_s).toString(), u"away"_s);
}

void tst_PresenceWire::unknownStatusReadsAvailable_data()
{
    QTest::addColumn<QByteArray>("payload");
    const QCborMap h = hello(Status::Available, {}, {}).toCbor();
    const QCborMap p = Presence{u"Bob"_s, Status::Available, {}, {}}.toCbor();
    QTest::newRow("hello online") << cbor(with(h, u"st"_s, u"online"_s));
    QTest::newRow("hello dnd") << cbor(with(h, u"st"_s, u"dnd"_s));
    QTest::newRow("hello empty") << cbor(with(h, u"st"_s, u""_s));
    QTest::newRow("hello Away (case)") << cbor(with(h, u"st"_s, u"Away"_s));
    QTest::newRow("pres invisible") << cbor(with(p, u"st"_s, u"invisible"_s));
    QTest::newRow("pres with unknown key") << cbor(with(p, u"mood"_s, u"sunny"_s));
}

void tst_PresenceWire::unknownStatusReadsAvailable()
{
    QFETCH(QByteArray, payload);
    QString error;
    const auto decoded = decode(payload, &error);
    QVERIFY2(decoded, qPrintable(error));
    if (const auto *h = std::get_if<Hello>(&*decoded))
        QCOMPARE(h->status, Status::Available);
    else
        QCOMPARE(std::get<Presence>(*decoded).status, Status::Available);
}

void tst_PresenceWire::statusTextIsOneShortLine()
{
    Presence p{u"Bob\u0007\nthe builder"_s, Status::Away, QString(300, u'z'), {}};
    p.statusText.prepend(u"\u001b[31mred\ttext\n"_s);
    QString error;
    const auto decoded = decode(encode(p), &error);
    QVERIFY2(decoded, qPrintable(error));
    const auto &got = std::get<Presence>(*decoded);
    QCOMPARE(got.name, u"Bob the builder"_s);
    QCOMPARE(got.statusText.size(), MaxStatusTextLength);
    QVERIFY(got.statusText.startsWith(u"[31mred text z"_s));
    // A surrogate pair cut at the limit is dropped whole.
    Presence emoji{u"E"_s, Status::Busy, QString(79, u'x') + u"😀"_s, {}};
    const auto cut = decode(encode(emoji), &error);
    QVERIFY2(cut, qPrintable(error));
    QCOMPARE(std::get<Presence>(*cut).statusText, QString(79, u'x'));
    // Hello: the same limit.
    const auto h = decode(encode(hello(Status::Away, QString(200, u'y'), {})), &error);
    QVERIFY2(h, qPrintable(error));
    QCOMPARE(std::get<Hello>(*h).statusText, QString(MaxStatusTextLength, u'y'));
}

void tst_PresenceWire::malformed_data()
{
    QTest::addColumn<QByteArray>("payload");
    const QCborMap h = hello(Status::Available, {}, {}).toCbor();
    const QCborMap p = Presence{u"Bob"_s, Status::Away, u"x"_s, AvatarHash}.toCbor();
    QTest::newRow("hello st number") << cbor(with(h, u"st"_s, 1));
    QTest::newRow("hello st bytes") << cbor(with(h, u"st"_s, QByteArray("away")));
    QTest::newRow("hello stx number") << cbor(with(h, u"stx"_s, 7));
    QTest::newRow("hello stx array") << cbor(with(h, u"stx"_s, QCborValue(QCborValue::Array)));
    QTest::newRow("hello av text") << cbor(with(h, u"av"_s, QString(32, u'a')));
    QTest::newRow("hello av 31 bytes") << cbor(with(h, u"av"_s, QByteArray(31, 'a')));
    QTest::newRow("hello av 33 bytes") << cbor(with(h, u"av"_s, QByteArray(33, 'a')));
    QTest::newRow("hello av empty") << cbor(with(h, u"av"_s, QByteArray()));
    QCborMap noName = p;
    noName.remove(u"name"_s);
    QTest::newRow("pres without name") << cbor(noName);
    QCborMap noStatus = p;
    noStatus.remove(u"st"_s);
    QTest::newRow("pres without st") << cbor(noStatus);
    QTest::newRow("pres name number") << cbor(with(p, u"name"_s, 3));
    QTest::newRow("pres st null") << cbor(with(p, u"st"_s, QCborValue(nullptr)));
    QTest::newRow("pres st map") << cbor(with(p, u"st"_s, QCborValue(QCborValue::Map)));
    QTest::newRow("pres stx bool") << cbor(with(p, u"stx"_s, true));
    QTest::newRow("pres av text") << cbor(with(p, u"av"_s, u"abc"_s));
    QTest::newRow("pres av 64 bytes") << cbor(with(p, u"av"_s, QByteArray(64, 'a')));
    QTest::newRow("pres av 1 byte") << cbor(with(p, u"av"_s, QByteArray(1, 'a')));
    QTest::newRow("pres truncated") << cbor(p).chopped(3);
}

void tst_PresenceWire::malformed()
{
    QFETCH(QByteArray, payload);
    QString error;
    const auto decoded = decode(payload, &error);
    QVERIFY2(!decoded, qPrintable(decoded ? toString(*decoded) : QString()));
    QVERIFY(!error.isEmpty());
}

void tst_PresenceWire::announcementStatus_data()
{
    QTest::addColumn<Status>("status");
    QTest::newRow("available") << Status::Available;
    QTest::newRow("away") << Status::Away;
    QTest::newRow("busy") << Status::Busy;
}

void tst_PresenceWire::announcementStatus()
{
    QFETCH(Status, status);
    Announcement a;
    a.peerId = PeerA;
    a.instance = QUuid::createUuid();
    a.name = u"Alice"_s;
    a.port = 47800;
    a.status = status;
    QString error;
    const auto decoded = Announcement::decode(a.encode(), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(decoded->status, status);
    QCOMPARE(decoded->toString(), a.toString());
}

void tst_PresenceWire::announcementOfVersion1ReadsAvailable()
{
    // What a version 1 peer sends: "st": "online"; and one without "st" at all; and a status
    // this version does not know.
    Announcement a;
    a.peerId = PeerA;
    a.instance = QUuid::createUuid();
    a.name = u"Old"_s;
    a.port = 47800;
    QCborMap map = QCborValue::fromCbor(a.encode()).toMap();
    for (const QCborValue &st : {QCborValue(u"online"_s), QCborValue(), QCborValue(u"zzz"_s)}) {
        QCborMap m = map;
        if (st.isUndefined())
            m.remove(u"st"_s);
        else
            m.insert(u"st"_s, st);
        QString error;
        const auto decoded = Announcement::decode(cbor(m), &error);
        QVERIFY2(decoded, qPrintable(error));
        QCOMPARE(decoded->status, Status::Available);
        QCOMPARE(decoded->name, u"Old"_s);
    }
}

void tst_PresenceWire::worstAnnouncementFitsADatagram()
{
    // The longest name (64 UTF-16 units of 3-byte UTF-8: more bytes than 32 4-byte characters
    // in the same units), the longest status word, a reply: still within one datagram. The status
    // text (80 units, up to 240 bytes) would not fit beside it, so it travels over TLS only.
    for (const QString &name :
         {QString(MaxNameLength, QChar(0x5348)),
          QString(MaxNameLength / 2, QChar(0xd83d)).replace(QChar(0xd83d), u"😀"_s)}) {
        Announcement a;
        a.peerId = PeerA;
        a.instance = QUuid::createUuid();
        a.name = name;
        a.port = 65535;
        a.reply = true;
        a.status = Status::Available;
        const QByteArray bytes = a.encode();
        QVERIFY2(bytes.size() <= Announcement::MaxDatagramSize,
                 qPrintable(QString::number(bytes.size())));
        QVERIFY(bytes.size() + 3 * MaxStatusTextLength > Announcement::MaxDatagramSize);
        QString error;
        QVERIFY2(Announcement::decode(bytes, &error), qPrintable(error));
    }
}

QTEST_APPLESS_MAIN(tst_PresenceWire)
#include "tst_presencewire.moc"
