// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/framedecoder.h"
#include "protocol/messages.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Protocol;

Q_DECLARE_METATYPE(Protocol::Message)

// QCOMPARE on the printed form first, so that a failure shows both messages.
#define COMPARE_MESSAGE(actual, expected) \
    do { \
        QCOMPARE(Protocol::toString(actual), Protocol::toString(expected)); \
        QVERIFY((actual) == (expected)); \
    } while (false)

class tst_Messages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void unknownTypeAndKeysIgnored();
    void malformed_data();
    void malformed();
    void fastPathAgreesWithGeneral_data();
    void fastPathAgreesWithGeneral();
    void fastEncodingAgreesWithGeneral_data();
    void fastEncodingAgreesWithGeneral();
    void nameIsSanitised();
    void controlCharactersLeaveNames_data();
    void controlCharactersLeaveNames();
    void quotedForLog_data();
    void quotedForLog();
    void frameOfMessage();
    void streamKindInHello();
};

static const QString PeerA = QString(64, u'a');

static QByteArray cbor(const QCborMap &map)
{
    return map.toCborValue().toCbor();
}

void tst_Messages::roundTrip_data()
{
    QTest::addColumn<Message>("message");
    Hello hello;
    hello.peerId = PeerA;
    hello.name = u"Zhang Wei 张伟"_s;
    hello.port = 47800;
    hello.capabilities = {u"chat"_s};
    QTest::newRow("hello") << Message(hello);
    Hello bulkHello = hello;
    bulkHello.capabilities = {QString::fromLatin1(StreamsCapability)};
    bulkHello.stream = Stream::Bulk;
    QTest::newRow("hello bulk stream") << Message(bulkHello);
    const auto ts = QDateTime::fromMSecsSinceEpoch(1'780'000'000'123, Qt::UTC);
    QTest::newRow("chat") << Message(Chat{QUuid::createUuid(), ts, u"你好, world\n2nd line"_s});
    QTest::newRow("chat max text")
        << Message(Chat{QUuid::createUuid(), ts, QString(MaxTextBytes, u'x')});
    // A leading U+FEFF is text, not a byte-order mark (QString::fromUtf8() drops it).
    QTest::newRow("chat leading BOM") << Message(Chat{QUuid::createUuid(), ts, u"\uFEFFhi"_s});
    QTest::newRow("chat BOM only") << Message(Chat{QUuid::createUuid(), ts, u"\uFEFF"_s});
    QTest::newRow("chat two BOMs") << Message(Chat{QUuid::createUuid(), ts, u"\uFEFF\uFEFFx"_s});
    QTest::newRow("chat swapped BOM") << Message(Chat{QUuid::createUuid(), ts, u"\uFFFEhi"_s});
    QTest::newRow("ack") << Message(Ack{QUuid::createUuid()});
    QTest::newRow("read") << Message(Read{QUuid::createUuid()});
    QTest::newRow("resend") << Message(Resend{});
    QTest::newRow("ping") << Message(Ping{42});
    QTest::newRow("pong") << Message(Pong{42});
    QTest::newRow("bye") << Message(Bye{u"shutting down"_s});
    QTest::newRow("bye no reason") << Message(Bye{});
    // Found by fuzz_protocol: every text, not only a chat's, keeps a leading U+FEFF (a reason
    // that began with controls and then U+FEFF lost it once the controls were stripped).
    QTest::newRow("bye leading BOM") << Message(Bye{u"\uFEFFbye"_s});
    Hello bomHello = hello;
    bomHello.name = u"\uFEFFZhang"_s;
    bomHello.capabilities = {u"\uFEFFchat"_s};
    QTest::newRow("hello leading BOM") << Message(bomHello);
}

void tst_Messages::roundTrip()
{
    QFETCH(Message, message);
    QString error;
    const auto decoded = decode(encode(message), &error);
    QVERIFY2(decoded, qPrintable(error));
    COMPARE_MESSAGE(*decoded, message);
}

void tst_Messages::unknownTypeAndKeysIgnored()
{
    QString error;
    const auto unknown = decode(cbor({{u"t"_s, u"sticker"_s}, {u"x"_s, 1}}), &error);
    QVERIFY2(unknown, qPrintable(error));
    QVERIFY(std::holds_alternative<Unknown>(*unknown));

    const QUuid id = QUuid::createUuid();
    QCborMap ack = Ack{id}.toCbor();
    ack.insert(u"future"_s, QCborArray{1, 2, 3});
    const auto decoded = decode(cbor(ack), &error);
    QVERIFY2(decoded, qPrintable(error));
    COMPARE_MESSAGE(*decoded, Message(Ack{id}));
}

void tst_Messages::malformed_data()
{
    QTest::addColumn<QByteArray>("payload");
    const QByteArray goodChat = cbor(
        Chat{QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"hi"_s}.toCbor());
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("garbage") << QByteArray("\xff\xfe\x00garbage", 10);
    QTest::newRow("truncated chat") << goodChat.left(goodChat.size() - 3);
    QTest::newRow("trailing bytes") << goodChat + QByteArray(1, 0);
    QTest::newRow("array not map") << QCborValue(QCborArray{1, 2}).toCbor();
    QTest::newRow("no type") << cbor({{u"mid"_s, 1}});
    QTest::newRow("type is int") << cbor({{u"t"_s, 7}});
    QTest::newRow("chat text is int") << cbor({{u"t"_s, u"chat"_s},
                                               {u"mid"_s, QUuid::createUuid().toString()},
                                               {u"ts"_s, 1},
                                               {u"text"_s, 5}});
    QTest::newRow("chat bad uuid")
        << cbor({{u"t"_s, u"chat"_s}, {u"mid"_s, u"nope"_s}, {u"ts"_s, 1}, {u"text"_s, u"x"_s}});
    QTest::newRow("chat negative ts") << cbor({{u"t"_s, u"chat"_s},
                                               {u"mid"_s, QUuid::createUuid().toString()},
                                               {u"ts"_s, -5},
                                               {u"text"_s, u"x"_s}});
    QTest::newRow("chat text too long") << cbor({{u"t"_s, u"chat"_s},
                                                 {u"mid"_s, QUuid::createUuid().toString()},
                                                 {u"ts"_s, 1},
                                                 {u"text"_s, QString(MaxTextBytes + 1, u'x')}});
    QTest::newRow("ack missing mid") << cbor({{u"t"_s, u"ack"_s}});
    QTest::newRow("read bad mid") << cbor({{u"t"_s, u"read"_s}, {u"mid"_s, 7}});
    QTest::newRow("ping negative") << cbor({{u"t"_s, u"ping"_s}, {u"n"_s, -1}});
    QTest::newRow("ping as text") << cbor({{u"t"_s, u"ping"_s}, {u"n"_s, u"1"_s}});
    QTest::newRow("bye reason int") << cbor({{u"t"_s, u"bye"_s}, {u"reason"_s, 3}});
    QCborMap hello = Hello{1, 1, PeerA, u"a"_s, 1, {}}.toCbor();
    QCborMap badId = hello;
    badId.insert(u"id"_s, u"ABC"_s);
    QTest::newRow("hello bad id") << cbor(badId);
    QCborMap badPort = hello;
    badPort.insert(u"port"_s, 70000);
    QTest::newRow("hello port out of range") << cbor(badPort);
    QCborMap badVersion = hello;
    badVersion.insert(u"vmin"_s, 5);
    QTest::newRow("hello vmin above v") << cbor(badVersion);
    QCborMap badCaps = hello;
    badCaps.insert(u"caps"_s, u"chat"_s);
    QTest::newRow("hello caps not array") << cbor(badCaps);
    QCborMap noName = hello;
    noName.remove(u"name"_s);
    QTest::newRow("hello no name") << cbor(noName);
    QCborMap unknownStream = hello;
    unknownStream.insert(u"stream"_s, u"voice"_s);
    QTest::newRow("hello unknown stream kind") << cbor(unknownStream);
    QCborMap streamNotText = hello;
    streamNotText.insert(u"stream"_s, 1);
    QTest::newRow("hello stream not text") << cbor(streamNotText);
}

void tst_Messages::malformed()
{
    QFETCH(QByteArray, payload);
    QString error;
    QVERIFY(!decode(payload, &error));
    QVERIFY(!error.isEmpty());
}

void tst_Messages::fastPathAgreesWithGeneral_data()
{
    // Chat, ack and read laid out byte for byte as encode() writes them are read without
    // building a QCborValue. Valid or not, such a payload must decode (or be refused) exactly as
    // the general way decodes it.
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("valid");
    const QUuid id = QUuid::fromString(u"0f8fad5b-d9cb-469f-a165-70867728950e"_s);
    const auto ts = QDateTime::fromMSecsSinceEpoch(1'780'000'000'123, Qt::UTC);
    const QByteArray chat = encode(Chat{id, ts, u"héllo"_s});
    QTest::newRow("chat") << chat << true;
    QTest::newRow("chat leading BOM") << encode(Chat{id, ts, u"\uFEFFx"_s}) << true;
    QTest::newRow("chat empty text") << encode(Chat{id, ts, QString()}) << true;
    QTest::newRow("chat max text") << encode(Chat{id, ts, QString(MaxTextBytes, u'x')}) << true;
    QTest::newRow("chat text too long")
        << encode(Chat{id, ts, QString(MaxTextBytes + 1, u'x')}) << false;
    QTest::newRow("chat ts 0") << encode(
        Chat{id, QDateTime::fromMSecsSinceEpoch(0, Qt::UTC), u"x"_s})
                               << true;
    QByteArray upper = chat;
    upper.replace("0f8fad5b", "0F8FAD5B");
    QTest::newRow("chat upper-case mid") << upper << true;
    QByteArray badUtf8 = chat;
    badUtf8[badUtf8.size() - 4] = char(0xff); // inside "héllo"
    QTest::newRow("chat invalid UTF-8") << badUtf8 << false;
    QByteArray surrogate = chat;
    surrogate.replace("h\xC3\xA9l", "\xED\xA0\x80l"); // U+D800, in UTF-8
    QTest::newRow("chat UTF-8 surrogate") << surrogate << false;
    QByteArray badMid = chat;
    badMid.replace("-469f-", "x469f-");
    QTest::newRow("chat mid not a UUID") << badMid << false;
    QTest::newRow("chat truncated") << chat.chopped(1) << false;
    QTest::newRow("chat trailing byte") << chat + '\0' << false;
    QByteArray tsTooBig = chat;
    const qsizetype at = tsTooBig.indexOf("\x62ts") + 3;
    tsTooBig.replace(at, 9, QByteArray::fromHex("1b0000e677d21fdc00")); // past the year 9999
    QTest::newRow("chat ts past 9999") << tsTooBig << false;
    QByteArray tsNegative = chat;
    tsNegative.replace(at, 9, QByteArray::fromHex("3b0000019eb0a3b8ff"));
    QTest::newRow("chat ts negative") << tsNegative << false;
    QByteArray tsShort = chat;
    tsShort.replace(at, 9, QByteArray::fromHex("05")); // a shorter head reads the same
    QTest::newRow("chat ts short head") << tsShort << true;
    const QByteArray ack = encode(Ack{id});
    QTest::newRow("ack") << ack << true;
    QTest::newRow("read") << encode(Read{id}) << true;
    QTest::newRow("ack truncated") << ack.chopped(2) << false;
    QTest::newRow("ack trailing byte") << ack + '\0' << false;
    QByteArray nullMid = ack;
    nullMid.replace(id.toByteArray(QUuid::WithoutBraces), QUuid().toByteArray(QUuid::WithoutBraces));
    QTest::newRow("ack null mid") << nullMid << false;
    QByteArray notHex = ack;
    notHex.replace("0f8fad5b", "0f8fad5g");
    QTest::newRow("ack mid not hex") << notHex << false;
    QByteArray dashMoved = ack;
    dashMoved.replace("d9cb-469f", "d9cb4-69f");
    QTest::newRow("ack mid dash moved") << dashMoved << false;
    QByteArray mixedCase = ack;
    mixedCase.replace("a165-70867728950e", "A165-70867728950E");
    QTest::newRow("ack mid mixed case") << mixedCase << true;
}

void tst_Messages::fastPathAgreesWithGeneral()
{
    QFETCH(QByteArray, payload);
    QFETCH(bool, valid);
    QString error, generalError;
    const auto decoded = decode(payload, &error);
    const auto general = decodeGeneral(payload, &generalError);
    QCOMPARE(decoded.has_value(), valid);
    QCOMPARE(general.has_value(), valid);
    if (valid)
        COMPARE_MESSAGE(*decoded, *general);
    else
        QCOMPARE(error, generalError); // the general way explains it
}

void tst_Messages::fastEncodingAgreesWithGeneral_data()
{
    // Chat, ack and read are written straight into their frame; an older peer reads them the
    // way QCborValue writes them, so the bytes must be the same, head lengths included.
    QTest::addColumn<Protocol::Message>("message");
    const QUuid id = QUuid::fromString(u"0f8fad5b-d9cb-469f-a165-70867728950e"_s);
    const QUuid high = QUuid::fromString(u"ffffffff-fedc-ba98-f0e1-d2c3b4a59687"_s);
    const auto at = [](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC); };
    const auto ts = at(1'780'000'000'123);
    QTest::newRow("chat") << Message(Chat{id, ts, u"hello"_s});
    QTest::newRow("chat non-ASCII") << Message(Chat{id, ts, u"h\u00e9llo \u4f60\u597d"_s});
    QTest::newRow("chat emoji") << Message(Chat{high, ts, u"\U0001F600"_s});
    QTest::newRow("chat lone surrogate") << Message(Chat{id, ts, QString(QChar(0xD800))});
    QTest::newRow("chat leading BOM") << Message(Chat{id, ts, u"\uFEFFx"_s});
    QTest::newRow("chat empty") << Message(Chat{id, ts, QString()});
    for (const qsizetype n : {23, 24, 255, 256, 65535, 65536})
        QTest::addRow("chat text %lld", qlonglong(n)) << Message(Chat{id, ts, QString(n, u'x')});
    for (const qint64 ms : {0LL, 23LL, 24LL, 255LL, 256LL, 65536LL, 4294967296LL, -1LL, -25LL})
        QTest::addRow("chat ts %lld", qlonglong(ms)) << Message(Chat{id, at(ms), u"x"_s});
    QTest::newRow("ack") << Message(Ack{id});
    QTest::newRow("ack high bytes") << Message(Ack{high});
    QTest::newRow("ack null") << Message(Ack{QUuid()});
    QTest::newRow("read") << Message(Read{high});
}

void tst_Messages::fastEncodingAgreesWithGeneral()
{
    QFETCH(Protocol::Message, message);
    const QByteArray general = std::visit(
        [](const auto &m) {
            if constexpr (std::is_same_v<std::decay_t<decltype(m)>, Unknown>)
                return QByteArray();
            else
                return cbor(m.toCbor());
        },
        message);
    QCOMPARE(encode(message).toHex(), general.toHex());
    QCOMPARE(encodeFrame(message).toHex(), FrameDecoder::encode(general).toHex());
}

void tst_Messages::nameIsSanitised()
{
    QCborMap hello = Hello{1, 1, PeerA, {}, 1, {}}.toCbor();
    hello.insert(u"name"_s, u"  Eve\n\n"_s + QString(500, u'e'));
    QString error;
    const auto decoded = decode(cbor(hello), &error);
    QVERIFY2(decoded, qPrintable(error));
    const QString name = std::get<Hello>(*decoded).name;
    QCOMPARE(name.size(), MaxNameLength);
    QVERIFY(name.startsWith(u"Eve e"_s));
}

void tst_Messages::controlCharactersLeaveNames_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("NUL, BEL, ESC, DEL") << u"E\0v\ae\x1b\x7f"_s << u"Eve"_s;
    QTest::newRow("terminal escapes")
        << u"\x1b[2J\x1b]0;owned\x07Mallory"_s << u"[2J]0;ownedMallory"_s;
    QTest::newRow("C1 controls (NEL is a line break)") << u"a\u009b2Jb\u0085c"_s << u"a2Jb c"_s;
    QTest::newRow("tabs and newlines fold") << u"\tEve\r\nthe\vgreat "_s << u"Eve the great"_s;
    QTest::newRow("a control between spaces") << u"Eve \x1b Smith"_s << u"Eve Smith"_s;
    QTest::newRow("only controls") << u"\x1b\x07\0"_s << QString();
    QTest::newRow("emoji and CJK kept") << u"小明 👩‍💻"_s << u"小明 👩‍💻"_s;
}

void tst_Messages::controlCharactersLeaveNames()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(singleLine(input, MaxNameLength), expected);
    QCOMPARE(singleLine(expected, MaxNameLength), expected); // stable
    // Through the decoders too: a hello's name and a bye's reason.
    QCborMap hello = Hello{1, 1, PeerA, {}, 1, {}}.toCbor();
    hello.insert(u"name"_s, input);
    QString error;
    const auto decoded = decode(cbor(hello), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(std::get<Hello>(*decoded).name, expected);
    const auto bye = decode(encode(Bye{input}), &error);
    QVERIFY2(bye, qPrintable(error));
    QCOMPARE(std::get<Bye>(*bye).reason, expected);
}

void tst_Messages::quotedForLog_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << u"duplicate connection"_s << u"\"duplicate connection\""_s;
    QTest::newRow("terminal escapes")
        << u"\x1b[2J\x1b]0;x\x07"_s << u"\"\\x1b[2J\\x1b]0;x\\x07\""_s;
    QTest::newRow("NUL, DEL, C1") << u"a\0b\x7f\u009b"_s << u"\"a\\x00b\\x7f\\x9b\""_s;
    QTest::newRow("newline") << u"a\nb"_s << u"\"a\\x0ab\""_s;
    QTest::newRow("quotes and backslashes") << u"say \"\\\""_s << u"\"say \\\"\\\\\\\"\""_s;
    QTest::newRow("bidi override, line separator")
        << u"a\u202Eb\u2028c"_s << u"\"a\\u202eb\\u2028c\""_s;
    QTest::newRow("lone surrogate") << QString(QChar(0xd800)) << u"\"\\ud800\""_s;
    QTest::newRow("CJK and emoji kept") << u"小明 😀"_s << u"\"小明 😀\""_s;
}

void tst_Messages::quotedForLog()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(quoted(input), expected);
}

void tst_Messages::frameOfMessage()
{
    const QByteArray frame = encodeFrame(Ping{7});
    FrameDecoder d(MaxFrameSize);
    QList<QByteArray> frames;
    QVERIFY(d.feed(frame, &frames));
    QCOMPARE(frames.size(), 1);
    QString error;
    COMPARE_MESSAGE(*decode(frames.first(), &error), Message(Ping{7}));
}

void tst_Messages::streamKindInHello()
{
    // A chat hello is what a version 1 peer sends and expects: no "stream" key at all.
    const Hello chat{1, 1, PeerA, u"a"_s, 1, {}};
    QVERIFY(!chat.toCbor().contains(u"stream"_s));
    QString error;
    const auto old = decode(cbor(chat.toCbor()), &error);
    QVERIFY2(old, qPrintable(error));
    QCOMPARE(std::get<Hello>(*old).stream, Stream::Chat);

    Hello bulk = chat;
    bulk.stream = Stream::Bulk;
    QCOMPARE(bulk.toCbor().value(u"stream"_s).toString(), u"bulk"_s);

    QCborMap named = chat.toCbor();
    named.insert(u"stream"_s, u"chat"_s);
    const auto explicitChat = decode(cbor(named), &error);
    QVERIFY2(explicitChat, qPrintable(error));
    QCOMPARE(std::get<Hello>(*explicitChat).stream, Stream::Chat);

    // Refused with a reason that names what was asked for, so the dialler's log says why.
    named.insert(u"stream"_s, u"voice"_s);
    QVERIFY(!decode(cbor(named), &error));
    QVERIFY2(error.contains(u"stream"_s) && error.contains(u"voice"_s), qPrintable(error));
}

QTEST_APPLESS_MAIN(tst_Messages)
#include "tst_messages.moc"
