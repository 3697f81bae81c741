// SPDX-License-Identifier: GPL-3.0-or-later
#include "groups/grouplimits.h"
#include "protocol/framedecoder.h"
#include "protocol/messages.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QTest>

#include <limits>

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
    void transferMalformed_data();
    void transferMalformed();
    void unknownTransferOpIgnored();
    void transferTextsAreSanitised();
    void groupMalformed_data();
    void groupMalformed();
    void groupHeadsEncodeInOneOrder();
    void pexMalformed_data();
    void pexMalformed();
    void fullPexFitsAFrame();
    void fullGroupPageFitsAFrame();
    void dataFrameSize();
    void dataCodecSpeed_data();
    void dataCodecSpeed();
    // --- Carried delivery (issue 16) ---
    void carriedMalformed_data();
    void carriedMalformed();
    void carriedTextsAreSanitised();
    void fullRoutesAndEnvelopeFitAFrame();
    // --- end carried delivery ---
};

static const QString PeerA = QString(64, u'a');
static const QString PeerB = QString(64, u'b');
static const QString Group = u"0123456789abcdef0123456789abcdef"_s;

static QByteArray cbor(const QCborMap &map)
{
    return map.toCborValue().toCbor();
}

static QCborMap with(QCborMap map, const QString &key, const QCborValue &value)
{
    map.insert(key, value);
    return map;
}

static QCborMap without(QCborMap map, const QString &key)
{
    map.remove(key);
    return map;
}

static const QUuid Xid = QUuid::fromString(u"01938a6e-7f00-7c3a-9d1e-5b2f4a6c8e01"_s);
static const QByteArray HashA(Sha256Bytes, '\xa5');
static const QByteArray HashB = QByteArray::fromHex(
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

static Offer sampleOffer()
{
    return Offer{Xid,
                 QDateTime::fromMSecsSinceEpoch(1'780'000'000'123, Qt::UTC),
                 u"holiday 假期"_s,
                 5'000'000'000,
                 3,
                 5,
                 true,
                 HashA};
}

static QByteArray chunk(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char(i * 131 + 7);
    return bytes;
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

    QTest::newRow("offer folder") << Message(sampleOffer());
    Offer files = sampleOffer();
    files.folder = false;
    files.files = files.entries = 1;
    files.size = 0;
    files.name = u"\uFEFFempty.txt"_s;
    QTest::newRow("offer one empty file") << Message(files);
    Offer largest = sampleOffer();
    largest.size = MaxTransferValue;
    largest.files = largest.entries = MaxManifestEntries;
    largest.name = QString(MaxTransferNameLength, u'n');
    QTest::newRow("offer at every limit") << Message(largest);
    using Op = TransferControl::Op;
    for (const Op op : {Op::Seen,
                        Op::Accept,
                        Op::Decline,
                        Op::Cancel,
                        Op::Pause,
                        Op::Resume,
                        Op::Done,
                        Op::Failed,
                        Op::Unknown}) {
        QTest::addRow("xfer op %d", int(op)) << Message(TransferControl{Xid, op, {}});
    }
    QTest::newRow("xfer failed with reason")
        << Message(TransferControl{Xid, Op::Failed, u"disk full on 小明's side"_s});
    QTest::newRow("mreq") << Message(ManifestRequest{Xid, 0});
    QTest::newRow("mreq far") << Message(ManifestRequest{Xid, MaxTransferValue});
    const QList<ManifestEntry> entries{{u"holiday"_s, 0, true},
                                       {u"holiday/a.jpg"_s, 1234567, false},
                                       {u"holiday/空"_s, 0, true},
                                       {u"holiday/\uFEFFbom.txt"_s, 0, false},
                                       {u"holiday/big.iso"_s, MaxTransferValue, false}};
    QTest::newRow("man") << Message(ManifestPage{Xid, 0, entries, true});
    QTest::newRow("man middle page") << Message(ManifestPage{Xid, 70'000, entries, false});
    QTest::newRow("man empty last") << Message(ManifestPage{Xid, 5, {}, true});
    QList<ManifestEntry> full;
    for (qsizetype i = 0; i < MaxManifestPageEntries; ++i)
        full.append({u"f%1"_s.arg(i), i, false});
    QTest::newRow("man full page") << Message(ManifestPage{Xid, 0, full, false});
    QTest::newRow("get from start") << Message(FileGet{Xid, 1, 0, 0, {}});
    QTest::newRow("get empty prefix hash") << Message(FileGet{Xid, 2, 0, 0, HashB});
    QTest::newRow("get resume") << Message(FileGet{Xid, 0xffffffff, 42, 123'456'789, HashA});
    QTest::newRow("data") << Message(FileData{Xid, 1, 0, 0, chunk(1000)});
    QTest::newRow("data one byte") << Message(FileData{Xid, 7, 3, 999, QByteArray(1, '\0')});
    QTest::newRow("data max chunk")
        << Message(FileData{Xid, 0xffffffff, MaxTransferValue, 0, chunk(MaxChunkBytes)});
    QTest::newRow("data at the last offset")
        << Message(FileData{Xid, 0, 0, MaxTransferValue - 1, chunk(1)});
    QTest::newRow("fend") << Message(FileEnd{Xid, 9, 4, HashA});
    // Groups (docs/protocol.md, "Groups"): bodies and signatures travel as bytes.
    QTest::newRow("gmsg") << Message(GroupMessage{chunk(300), chunk(71)});
    QTest::newRow("gmsg at the limits")
        << Message(GroupMessage{chunk(Groups::MaxGroupBody), chunk(Groups::MaxSignatureBytes)});
    QTest::newRow("grcpt") << Message(GroupReceipt{chunk(120), chunk(70)});
    QTest::newRow("gpage empty, last") << Message(GroupPage{Group, {}, false});
    QTest::newRow("gpage") << Message(
        GroupPage{Group, {{chunk(10), chunk(70)}, {chunk(Groups::MaxGroupBody), chunk(1)}}, true});
    QTest::newRow("gsync empty") << Message(GroupSync{Group, {}});
    QTest::newRow("gsync") << Message(GroupSync{Group, {{PeerA, 0}, {PeerB, Groups::MaxCounter}}});
    QHash<QString, qint64> full256;
    for (int i = 0; i < Groups::MaxHeads; ++i)
        full256.insert(u"%1"_s.arg(i, 64, 16, QLatin1Char('0')), i);
    QTest::newRow("gpull 256 heads") << Message(GroupPull{Group, full256});
    QTest::newRow("gpull empty") << Message(GroupPull{Group, {}});
    // Peer exchange (docs/protocol.md, "Peer exchange").
    QTest::newRow("pex empty") << Message(Pex{});
    QTest::newRow("pex") << Message(
        Pex{{{PeerA, {u"192.168.1.7:47800"_s}}, {PeerB, {u"[fd00::1]:5000"_s, u"10.0.0.2:1"_s}}}});
    // --- Typing and quoting (issue 15) ---
    QTest::newRow("chat reply") << Message(
        Chat{QUuid::createUuid(), ts, u"yes"_s, QUuid::createUuid()});
    QTest::newRow("typing on") << Message(Typing{true});
    QTest::newRow("typing off") << Message(Typing{false});
    // --- end typing and quoting ---
    // --- Carried delivery (issue 16) ---
    QTest::newRow("carry none") << Message(Carry{false, false});
    QTest::newRow("carry relay") << Message(Carry{true, false});
    QTest::newRow("carry hold") << Message(Carry{false, true});
    QTest::newRow("carry both") << Message(Carry{true, true});
    QTest::newRow("routes empty") << Message(Routes{});
    QTest::newRow("routes") << Message(
        Routes{{{PeerA, u"Carol 小红"_s, chunk(600)}, {PeerB, u"\uFEFFDave"_s, chunk(1)}}});
    QTest::newRow("rly") << Message(RelayEnvelope{chunk(300)});
    QTest::newRow("env one byte") << Message(DeliverEnvelope{QByteArray(1, '\0')});
    QTest::newRow("hold at the limit") << Message(HoldEnvelope{chunk(MaxEnvelopeBytes)});
    QTest::newRow("held ok") << Message(Held{chunk(EnvelopeIdBytes), true, {}});
    QTest::newRow("held refused") << Message(Held{chunk(EnvelopeIdBytes), false, u"quota 配额"_s});
    QTest::newRow("got one") << Message(Got{{chunk(EnvelopeIdBytes)}});
    QList<QByteArray> eids;
    for (int i = 0; i < Got::MaxIds; ++i)
        eids.append(QByteArray(EnvelopeIdBytes, char(i)));
    QTest::newRow("got 256") << Message(Got{eids});
    // --- end carried delivery ---
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
    // --- Typing and quoting (issue 15) ---
    const QCborMap chat
        = Chat{QUuid::createUuid(), QDateTime::currentDateTimeUtc(), u"hi"_s}.toCbor();
    const QList<std::pair<const char *, QCborValue>> badRe = {
        {"chat re not a UUID", QCborValue(u"yesterday"_s)},
        {"chat re nil UUID", QCborValue(u"00000000-0000-0000-0000-000000000000"_s)},
        {"chat re int", QCborValue(3)},
        {"chat re bytes", QCborValue(QByteArray(16, 'x'))},
        {"chat re null", QCborValue(nullptr)},
        {"chat re empty", QCborValue(QString(u""_s))},
    };
    for (const auto &[name, re] : badRe) {
        QCborMap m = chat;
        m.insert(u"re"_s, re);
        QTest::newRow(name) << cbor(m);
    }
    QTest::newRow("typing without on") << cbor({{u"t"_s, u"typing"_s}});
    QTest::newRow("typing on is int") << cbor({{u"t"_s, u"typing"_s}, {u"on"_s, 1}});
    QTest::newRow("typing on is text") << cbor({{u"t"_s, u"typing"_s}, {u"on"_s, u"true"_s}});
    QTest::newRow("typing on is null") << cbor({{u"t"_s, u"typing"_s}, {u"on"_s, nullptr}});
    // --- end typing and quoting ---
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

    // File data, the bulk of a transfer, takes the same fast way.
    const QByteArray data = encode(FileData{id, 77, 3, 1'000'000, chunk(300)});
    QTest::newRow("data") << data << true;
    QTest::newRow("data max chunk")
        << encode(FileData{id, 0xffffffff, 0, 0, chunk(MaxChunkBytes)}) << true;
    QTest::newRow("data chunk too large")
        << encode(FileData{id, 0, 0, 0, chunk(MaxChunkBytes + 1)}) << false;
    QTest::newRow("data empty chunk") << encode(FileData{id, 0, 0, 0, {}}) << false;
    QTest::newRow("data truncated") << data.chopped(1) << false;
    QTest::newRow("data trailing byte") << data + '\0' << false;
    QTest::newRow("data request over 32 bits")
        << encode(FileData{id, 0, 0, 0, chunk(3)})
               .replace(QByteArray("\x61g\x00", 3), QByteArray::fromHex("61671b0000000100000000"))
        << false;
    QTest::newRow("data index over 2^53")
        << encode(FileData{id, 0, MaxTransferValue + 1, 0, chunk(3)}) << false;
    QTest::newRow("data offset over 2^53")
        << encode(FileData{id, 0, 0, MaxTransferValue + 1, chunk(3)}) << false;
    QTest::newRow("data ends past 2^53")
        << encode(FileData{id, 0, 0, MaxTransferValue - 2, chunk(3)}) << false;
    QTest::newRow("data negative index") << encode(FileData{id, 0, -1, 0, chunk(3)}) << false;
    QTest::newRow("data nil xid") << encode(FileData{QUuid(), 0, 0, 0, chunk(3)}) << false;
    QByteArray dataUpper = data;
    dataUpper.replace("0f8fad5b", "0F8FAD5B");
    QTest::newRow("data upper-case xid") << dataUpper << true;
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
    QTest::newRow("chat reply (general way)") << Message(Chat{id, ts, u"re"_s, high}); // issue 15
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
    for (const qsizetype n :
         {qsizetype(0), 1LL, 23LL, 24LL, 255LL, 256LL, 65535LL, 65536LL, MaxChunkBytes})
        QTest::addRow("data %lld bytes", qlonglong(n)) << Message(FileData{id, 1, 2, 3, chunk(n)});
    for (const qint64 v : {24LL, 256LL, 65536LL, 4294967295LL, 4294967296LL, MaxTransferValue})
        QTest::addRow("data values %lld", qlonglong(v))
            << Message(FileData{high, quint32(qMin<qint64>(v, 0xffffffff)), v, v, chunk(5)});
    // The longest heads there are: what a broken sender could ask encode() to write.
    QTest::newRow("data widest heads") << Message(FileData{high,
                                                           0xffffffff,
                                                           std::numeric_limits<qint64>::min(),
                                                           std::numeric_limits<qint64>::max(),
                                                           chunk(MaxChunkBytes)});
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

void tst_Messages::transferMalformed_data()
{
    QTest::addColumn<QByteArray>("payload");
    const QCborMap offer = sampleOffer().toCbor();
    for (const char *key : {"xid", "ts", "name", "size", "files", "n", "folder", "mh"})
        QTest::addRow("offer missing %s", key) << cbor(without(offer, QString::fromLatin1(key)));
    QTest::newRow("offer nil xid") << cbor(with(offer, u"xid"_s, QUuid().toString()));
    QTest::newRow("offer xid not a UUID") << cbor(with(offer, u"xid"_s, u"x"_s));
    QTest::newRow("offer ts negative") << cbor(with(offer, u"ts"_s, -1));
    QTest::newRow("offer ts past 9999") << cbor(with(offer, u"ts"_s, qint64(253402300800000)));
    QTest::newRow("offer name not text") << cbor(with(offer, u"name"_s, 5));
    QTest::newRow("offer size negative") << cbor(with(offer, u"size"_s, -1));
    QTest::newRow("offer size over 2^53") << cbor(with(offer, u"size"_s, MaxTransferValue + 1));
    QTest::newRow("offer size is text") << cbor(with(offer, u"size"_s, u"5"_s));
    QTest::newRow("offer size is float") << cbor(with(offer, u"size"_s, 5.0));
    QTest::newRow("offer n zero") << cbor(with(offer, u"n"_s, 0));
    QTest::newRow("offer n over 2^31") << cbor(with(offer, u"n"_s, MaxManifestEntries + 1));
    QTest::newRow("offer more files than entries") << cbor(with(offer, u"files"_s, 6));
    QTest::newRow("offer folder not bool") << cbor(with(offer, u"folder"_s, 1));
    QTest::newRow("offer mh 31 bytes") << cbor(with(offer, u"mh"_s, HashA.left(31)));
    QTest::newRow("offer mh 33 bytes") << cbor(with(offer, u"mh"_s, HashA + 'x'));
    QTest::newRow("offer mh is text") << cbor(with(offer, u"mh"_s, QString::fromLatin1(HashA)));

    const QCborMap xfer = TransferControl{Xid, TransferControl::Op::Accept, {}}.toCbor();
    QTest::newRow("xfer missing op") << cbor(without(xfer, u"op"_s));
    QTest::newRow("xfer op not text") << cbor(with(xfer, u"op"_s, 1));
    QTest::newRow("xfer missing xid") << cbor(without(xfer, u"xid"_s));
    QTest::newRow("xfer nil xid") << cbor(with(xfer, u"xid"_s, QUuid().toString()));
    QTest::newRow("xfer reason not text") << cbor(with(xfer, u"reason"_s, 3));

    const QCborMap mreq = ManifestRequest{Xid, 0}.toCbor();
    QTest::newRow("mreq missing from") << cbor(without(mreq, u"from"_s));
    QTest::newRow("mreq from negative") << cbor(with(mreq, u"from"_s, -1));
    QTest::newRow("mreq from over 2^53") << cbor(with(mreq, u"from"_s, MaxTransferValue + 1));
    QTest::newRow("mreq nil xid") << cbor(with(mreq, u"xid"_s, QUuid().toString()));

    const QCborMap man = ManifestPage{Xid, 0, {{u"a"_s, 1, false}}, true}.toCbor();
    for (const char *key : {"xid", "from", "e", "last"})
        QTest::addRow("man missing %s", key) << cbor(without(man, QString::fromLatin1(key)));
    QTest::newRow("man e not array") << cbor(with(man, u"e"_s, u"a"_s));
    QTest::newRow("man last not bool") << cbor(with(man, u"last"_s, 0));
    QTest::newRow("man empty, not last")
        << cbor(with(with(man, u"e"_s, QCborArray()), u"last"_s, false));
    QTest::newRow("man entry not array") << cbor(with(man, u"e"_s, QCborArray{u"a"_s}));
    QTest::newRow("man entry of 2") << cbor(with(man, u"e"_s, QCborArray{QCborArray{u"a"_s, 1}}));
    QTest::newRow("man entry of 4")
        << cbor(with(man, u"e"_s, QCborArray{QCborArray{u"a"_s, 1, false, 0}}));
    QTest::newRow("man entry path not text")
        << cbor(with(man, u"e"_s, QCborArray{QCborArray{QByteArray("a"), 1, false}}));
    QTest::newRow("man entry size negative")
        << cbor(with(man, u"e"_s, QCborArray{QCborArray{u"a"_s, -1, false}}));
    QTest::newRow("man entry size over 2^53")
        << cbor(with(man, u"e"_s, QCborArray{QCborArray{u"a"_s, MaxTransferValue + 1, false}}));
    QTest::newRow("man entry folder not bool")
        << cbor(with(man, u"e"_s, QCborArray{QCborArray{u"a"_s, 1, 0}}));
    QTest::newRow("man folder with a size")
        << cbor(with(man, u"e"_s, QCborArray{QCborArray{u"a"_s, 1, true}}));
    QCborArray tooMany;
    for (qsizetype i = 0; i <= MaxManifestPageEntries; ++i)
        tooMany.append(QCborArray{u"f"_s, 0, false});
    QTest::newRow("man too many entries") << cbor(with(man, u"e"_s, tooMany));
    QTest::newRow("man from over 2^53") << cbor(with(man, u"from"_s, MaxTransferValue + 1));
    QTest::newRow("man last index over 2^53") << cbor(with(man, u"from"_s, MaxTransferValue));

    const QCborMap get = FileGet{Xid, 1, 2, 100, HashA}.toCbor();
    for (const char *key : {"xid", "g", "i", "off"})
        QTest::addRow("get missing %s", key) << cbor(without(get, QString::fromLatin1(key)));
    QTest::newRow("get resume without h") << cbor(without(get, u"h"_s));
    QTest::newRow("get h short") << cbor(with(get, u"h"_s, HashA.left(16)));
    QTest::newRow("get h empty at 0") << cbor(with(with(get, u"off"_s, 0), u"h"_s, QByteArray()));
    QTest::newRow("get h not bytes") << cbor(with(get, u"h"_s, true));
    QTest::newRow("get g over 32 bits") << cbor(with(get, u"g"_s, 0x100000000LL));
    QTest::newRow("get g negative") << cbor(with(get, u"g"_s, -1));
    QTest::newRow("get i negative") << cbor(with(get, u"i"_s, -1));
    QTest::newRow("get i over 2^53") << cbor(with(get, u"i"_s, MaxTransferValue + 1));
    QTest::newRow("get off over 2^53") << cbor(with(get, u"off"_s, MaxTransferValue + 1));
    QTest::newRow("get nil xid") << cbor(with(get, u"xid"_s, QUuid().toString()));

    const QCborMap data = FileData{Xid, 1, 2, 3, chunk(10)}.toCbor();
    for (const char *key : {"xid", "g", "i", "off", "d"})
        QTest::addRow("data missing %s", key) << cbor(without(data, QString::fromLatin1(key)));
    QTest::newRow("data empty chunk") << cbor(with(data, u"d"_s, QByteArray()));
    QTest::newRow("data oversized chunk") << cbor(with(data, u"d"_s, chunk(MaxChunkBytes + 1)));
    QTest::newRow("data d is text") << cbor(with(data, u"d"_s, u"bytes"_s));
    QTest::newRow("data g over 32 bits") << cbor(with(data, u"g"_s, 0x100000000LL));
    QTest::newRow("data off negative") << cbor(with(data, u"off"_s, -3));
    QTest::newRow("data i is text") << cbor(with(data, u"i"_s, u"2"_s));
    QTest::newRow("data nil xid") << cbor(with(data, u"xid"_s, QUuid().toString()));
    QTest::newRow("data ends past 2^53") << cbor(with(data, u"off"_s, MaxTransferValue - 9));

    const QCborMap fend = FileEnd{Xid, 1, 2, HashA}.toCbor();
    for (const char *key : {"xid", "g", "i", "sha"})
        QTest::addRow("fend missing %s", key) << cbor(without(fend, QString::fromLatin1(key)));
    QTest::newRow("fend sha 31 bytes") << cbor(with(fend, u"sha"_s, HashA.chopped(1)));
    QTest::newRow("fend sha 64 hex")
        << cbor(with(fend, u"sha"_s, QString::fromLatin1(HashA.toHex())));
    QTest::newRow("fend i negative") << cbor(with(fend, u"i"_s, -1));
    QTest::newRow("fend nil xid") << cbor(with(fend, u"xid"_s, QUuid().toString()));
}

void tst_Messages::transferMalformed()
{
    QFETCH(QByteArray, payload);
    QString error;
    const auto decoded = decode(payload, &error);
    QVERIFY2(!decoded, qPrintable(decoded ? toString(*decoded) : QString()));
    QVERIFY(!error.isEmpty());
}

void tst_Messages::groupMalformed_data()
{
    QTest::addColumn<QByteArray>("payload");
    for (const QCborMap &signedMap :
         {GroupMessage{chunk(5), chunk(70)}.toCbor(), GroupReceipt{chunk(5), chunk(70)}.toCbor()}) {
        const QString t = signedMap.value(u"t"_s).toString();
        for (const char *key : {"b", "sig"}) {
            QTest::addRow("%s missing %s", qPrintable(t), key)
                << cbor(without(signedMap, QString::fromLatin1(key)));
        }
        QTest::addRow("%s b empty", qPrintable(t)) << cbor(with(signedMap, u"b"_s, QByteArray()));
        QTest::addRow("%s b over 256 KiB", qPrintable(t))
            << cbor(with(signedMap, u"b"_s, chunk(Groups::MaxGroupBody + 1)));
        QTest::addRow("%s b text", qPrintable(t)) << cbor(with(signedMap, u"b"_s, u"body"_s));
        QTest::addRow("%s sig empty", qPrintable(t))
            << cbor(with(signedMap, u"sig"_s, QByteArray()));
        QTest::addRow("%s sig 81 bytes", qPrintable(t))
            << cbor(with(signedMap, u"sig"_s, chunk(Groups::MaxSignatureBytes + 1)));
    }

    const QCborMap page = GroupPage{Group, {{chunk(5), chunk(70)}}, true}.toCbor();
    for (const char *key : {"g", "m", "more"})
        QTest::addRow("gpage missing %s", key) << cbor(without(page, QString::fromLatin1(key)));
    QTest::newRow("gpage g a peer ID") << cbor(with(page, u"g"_s, PeerA));
    QTest::newRow("gpage g upper case") << cbor(with(page, u"g"_s, Group.toUpper()));
    QTest::newRow("gpage more not bool") << cbor(with(page, u"more"_s, 1));
    QTest::newRow("gpage m a map") << cbor(with(page, u"m"_s, QCborMap()));
    QTest::newRow("gpage pair of 1") << cbor(with(page, u"m"_s, QCborArray{QCborArray{chunk(5)}}));
    QTest::newRow("gpage pair of 3")
        << cbor(with(page, u"m"_s, QCborArray{QCborArray{chunk(5), chunk(5), chunk(5)}}));
    QTest::newRow("gpage body empty")
        << cbor(with(page, u"m"_s, QCborArray{QCborArray{QByteArray(), chunk(5)}}));
    QTest::newRow("gpage sig 81 bytes")
        << cbor(with(page, u"m"_s, QCborArray{QCborArray{chunk(5), chunk(81)}}));
    QTest::newRow("gpage body text")
        << cbor(with(page, u"m"_s, QCborArray{QCborArray{u"b"_s, chunk(5)}}));
    QTest::newRow("gpage body over 256 KiB") << cbor(
        with(page, u"m"_s, QCborArray{QCborArray{chunk(Groups::MaxGroupBody + 1), chunk(5)}}));
    QCborArray tooMany;
    for (int i = 0; i <= Groups::MaxPageMessages; ++i)
        tooMany.append(QCborArray{chunk(1), chunk(1)});
    QTest::newRow("gpage 513 messages") << cbor(with(page, u"m"_s, tooMany));
    QCborArray tooBig;
    for (int i = 0; i < 3; ++i)
        tooBig.append(QCborArray{chunk(Groups::MaxGroupBody), chunk(1)});
    tooBig.append(QCborArray{chunk(1), chunk(1)});
    QTest::newRow("gpage bodies over 768 KiB") << cbor(with(page, u"m"_s, tooBig));

    for (const QCborMap &heads :
         {GroupSync{Group, {{PeerA, 3}}}.toCbor(), GroupPull{Group, {{PeerA, 3}}}.toCbor()}) {
        const QString t = heads.value(u"t"_s).toString();
        const char *name = t == u"gsync"_s ? "gsync" : "gpull";
        for (const char *key : {"g", "h"})
            QTest::addRow("%s missing %s", name, key)
                << cbor(without(heads, QString::fromLatin1(key)));
        QTest::addRow("%s g 31 digits", name) << cbor(with(heads, u"g"_s, Group.chopped(1)));
        QTest::addRow("%s h an array", name) << cbor(with(heads, u"h"_s, QCborArray{PeerA, 3}));
        QTest::addRow("%s h key not a peer ID", name)
            << cbor(with(heads, u"h"_s, QCborMap{{Group, 3}}));
        QTest::addRow("%s h key upper case", name)
            << cbor(with(heads, u"h"_s, QCborMap{{PeerA.toUpper(), 3}}));
        QTest::addRow("%s h key bytes", name)
            << cbor(with(heads, u"h"_s, QCborMap{{PeerA.toLatin1(), 3}}));
        QTest::addRow("%s h value negative", name)
            << cbor(with(heads, u"h"_s, QCborMap{{PeerA, -1}}));
        QTest::addRow("%s h value over 2^53", name)
            << cbor(with(heads, u"h"_s, QCborMap{{PeerA, Groups::MaxCounter + 1}}));
        QTest::addRow("%s h value text", name)
            << cbor(with(heads, u"h"_s, QCborMap{{PeerA, u"3"_s}}));
        QCborMap many;
        for (int i = 0; i <= Groups::MaxHeads; ++i)
            many.insert(u"%1"_s.arg(i, 64, 16, QLatin1Char('0')), 1);
        QTest::addRow("%s 257 heads", name) << cbor(with(heads, u"h"_s, many));
    }
    // One author twice, with two heads: built by hand (QCborMap would not write it).
    QByteArray twice = cbor(GroupSync{Group, {{PeerA, 3}}}.toCbor());
    const QByteArray one = QCborValue(PeerA).toCbor() + QCborValue(3).toCbor();
    const qsizetype at = twice.indexOf(one);
    QVERIFY(at > 0 && quint8(twice.at(at - 1)) == 0xa1);
    twice[at - 1] = char(0xa2);
    twice.insert(at + one.size(), QCborValue(PeerA).toCbor() + QCborValue(9).toCbor());
    QTest::newRow("gsync one author twice") << twice;
}

void tst_Messages::groupMalformed()
{
    QFETCH(QByteArray, payload);
    QString error;
    const auto decoded = decode(payload, &error);
    QVERIFY2(!decoded, qPrintable(decoded ? toString(*decoded) : QString()));
    QVERIFY(!error.isEmpty());
}

static Pex fullPex()
{
    Pex pex;
    for (int i = 0; i < Pex::MaxPeers; ++i) {
        QStringList addresses;
        for (int a = 0; a < Pex::MaxAddresses; ++a)
            addresses.append(u"[%1]:65535"_s.arg(u"ffff:"_s.repeated(7) + QString::number(a))
                                 .leftJustified(Pex::MaxAddressLength, u' ', true));
        pex.peers.append({u"%1"_s.arg(i, 64, 16, QLatin1Char('0')), addresses});
    }
    return pex;
}

void tst_Messages::pexMalformed_data()
{
    QTest::addColumn<QByteArray>("payload");
    const QCborMap pex = Pex{{{PeerA, {u"10.0.0.1:47800"_s}}}}.toCbor();
    const auto peers = [&](const QCborArray &array) { return cbor(with(pex, u"peers"_s, array)); };
    const auto entry = [](const QCborValue &id, const QCborValue &a) {
        QCborMap m;
        if (!id.isUndefined())
            m.insert(u"id"_s, id);
        if (!a.isUndefined())
            m.insert(u"a"_s, a);
        return QCborValue(m);
    };
    const QCborArray one{u"10.0.0.1:1"_s};
    QTest::newRow("missing peers") << cbor(without(pex, u"peers"_s));
    QTest::newRow("peers a map") << cbor(with(pex, u"peers"_s, QCborMap()));
    QTest::newRow("peer not a map") << peers({PeerA});
    QTest::newRow("peer without id") << peers({entry(QCborValue(), one)});
    QTest::newRow("peer id upper case") << peers({entry(PeerA.toUpper(), one)});
    QTest::newRow("peer id short") << peers({entry(PeerA.chopped(1), one)});
    QTest::newRow("peer id bytes") << peers({entry(PeerA.toLatin1(), one)});
    QTest::newRow("peer twice") << peers({entry(PeerA, one), entry(PeerA, one)});
    QTest::newRow("peer without a") << peers({entry(PeerA, QCborValue())});
    QTest::newRow("a empty") << peers({entry(PeerA, QCborArray())});
    QTest::newRow("a text") << peers({entry(PeerA, u"10.0.0.1:1"_s)});
    QTest::newRow("address empty") << peers({entry(PeerA, QCborArray{u""_s})});
    QTest::newRow("address bytes") << peers({entry(PeerA, QCborArray{QByteArray("10.0.0.1:1")})});
    QTest::newRow("address 65 characters")
        << peers({entry(PeerA, QCborArray{QString(Pex::MaxAddressLength + 1, u'1')})});
    QCborArray nine;
    for (int i = 0; i <= Pex::MaxAddresses; ++i)
        nine.append(u"10.0.0.%1:1"_s.arg(i + 1));
    QTest::newRow("9 addresses") << peers({entry(PeerA, nine)});
    QCborArray many;
    for (int i = 0; i <= Pex::MaxPeers; ++i)
        many.append(entry(u"%1"_s.arg(i, 64, 16, QLatin1Char('0')), one));
    QTest::newRow("65 peers") << peers(many);
}

void tst_Messages::pexMalformed()
{
    QFETCH(QByteArray, payload);
    QString error;
    const auto decoded = decode(payload, &error);
    QVERIFY2(!decoded, qPrintable(decoded ? toString(*decoded) : QString()));
    QVERIFY(!error.isEmpty());
}

void tst_Messages::fullPexFitsAFrame()
{
    // The most one pex may say: 64 peers of 8 addresses of 64 characters.
    const Pex pex = fullPex();
    const QByteArray frame = encodeFrame(pex);
    QVERIFY2(frame.size() - 4 <= MaxFrameSize, qPrintable(QString::number(frame.size())));
    QString error;
    const auto decoded = decode(frame.sliced(4), &error);
    QVERIFY2(decoded, qPrintable(error));
    COMPARE_MESSAGE(*decoded, Message(pex));
}

void tst_Messages::groupHeadsEncodeInOneOrder()
{
    // A QHash iterates in an order of its own: the bytes must not follow it.
    QHash<QString, qint64> a;
    QHash<QString, qint64> b;
    QStringList ids;
    for (int i = 0; i < 50; ++i)
        ids.append(u"%1"_s.arg(i * 7919, 64, 16, QLatin1Char('0')));
    for (const QString &id : std::as_const(ids))
        a.insert(id, 1);
    for (auto it = ids.crbegin(); it != ids.crend(); ++it)
        b.insert(*it, 1);
    QCOMPARE(encode(GroupSync{Group, a}), encode(GroupSync{Group, b}));
}

void tst_Messages::fullGroupPageFitsAFrame()
{
    // The most a page may carry: 512 messages, 768 KiB of bodies, the longest signatures.
    GroupPage page{Group, {}, true};
    const qsizetype body = Groups::MaxPageBytes / Groups::MaxPageMessages;
    for (int i = 0; i < Groups::MaxPageMessages; ++i)
        page.messages.append({chunk(body), chunk(Groups::MaxSignatureBytes)});
    const QByteArray frame = encodeFrame(page);
    QVERIFY2(frame.size() - 4 <= MaxFrameSize, qPrintable(QString::number(frame.size())));
    QString error;
    const auto decoded = decode(frame.sliced(4), &error);
    QVERIFY2(decoded, qPrintable(error));
    COMPARE_MESSAGE(*decoded, Message(page));
}

void tst_Messages::unknownTransferOpIgnored()
{
    // A later version's op reaches the service as Unknown (it ignores it); the peer stays.
    QCborMap xfer = TransferControl{Xid, TransferControl::Op::Pause, {}}.toCbor();
    xfer.insert(u"op"_s, u"rewind"_s);
    xfer.insert(u"speed"_s, 2); // and an unknown key
    QString error;
    const auto decoded = decode(cbor(xfer), &error);
    QVERIFY2(decoded, qPrintable(error));
    COMPARE_MESSAGE(*decoded, Message(TransferControl{Xid, TransferControl::Op::Unknown, {}}));
    // Op names are exact: no case folding, no prefix.
    xfer.insert(u"op"_s, u"Accept"_s);
    QCOMPARE(std::get<TransferControl>(*decode(cbor(xfer), &error)).op,
             TransferControl::Op::Unknown);
}

void tst_Messages::transferTextsAreSanitised()
{
    // The offer's name and a failure's reason are shown to people: one line, bounded.
    QCborMap offer = sampleOffer().toCbor();
    offer.insert(u"name"_s, u"\x1b[2Jevil\nname "_s + QString(1000, u'x'));
    QString error;
    const auto decoded = decode(cbor(offer), &error);
    QVERIFY2(decoded, qPrintable(error));
    const QString name = std::get<Offer>(*decoded).name;
    QCOMPARE(name.size(), MaxTransferNameLength);
    QVERIFY2(name.startsWith(u"[2Jevil name xxx"_s), qPrintable(name));

    const TransferControl failed{Xid,
                                 TransferControl::Op::Failed,
                                 u"a\u202Eb\tc\r\n"_s + QString(500, u'y')};
    const auto xfer = decode(encode(failed), &error);
    QVERIFY2(xfer, qPrintable(error));
    const QString reason = std::get<TransferControl>(*xfer).reason;
    QCOMPARE(reason.size(), MaxReasonLength);
    QVERIFY2(reason.startsWith(u"a\u202Eb c y"_s), qPrintable(reason));

    // Paths are not touched here: the manifest's hash is over them exactly as sent, and the
    // files service checks them (OfferCheck).
    const ManifestPage page{Xid, 0, {{u" odd\tname "_s, 1, false}}, true};
    const auto man = decode(encode(page), &error);
    QVERIFY2(man, qPrintable(error));
    QCOMPARE(std::get<ManifestPage>(*man).entries.first().path, u" odd\tname "_s);
}

void tst_Messages::dataFrameSize()
{
    // The largest chunk, with the largest values, fits a frame with room to spare.
    const QByteArray frame = encodeFrame(
        FileData{Xid, 0xffffffff, MaxTransferValue - MaxChunkBytes, 0, chunk(MaxChunkBytes)});
    QVERIFY(frame.size() - 4 <= MaxFrameSize);
    QVERIFY2(frame.size() - MaxChunkBytes < 100, qPrintable(QString::number(frame.size())));
    FrameDecoder d(MaxFrameSize);
    QList<QByteArray> frames;
    QVERIFY(d.feed(frame, &frames));
    QCOMPARE(frames.size(), 1);
    QString error;
    const auto decoded = decode(frames.first(), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(std::get<FileData>(*decoded).data, chunk(MaxChunkBytes));
}

void tst_Messages::dataCodecSpeed_data()
{
    QTest::addColumn<bool>("general");
    QTest::newRow("as sent") << false;
    QTest::newRow("through QCborValue") << true; // for comparison
}

void tst_Messages::dataCodecSpeed()
{
    // Encode a frame of a full chunk and decode its payload, as a sender and a receiver do for
    // every 256 KiB of a file.
    QFETCH(bool, general);
    const FileData message{Xid, 1, 0, 0, chunk(MaxChunkBytes)};
    qsizetype total = 0;
    QBENCHMARK
    {
        const QByteArray frame = general ? FrameDecoder::encode(cbor(message.toCbor()))
                                         : encodeFrame(message);
        const auto payload = QByteArray::fromRawData(frame.constData() + 4, frame.size() - 4);
        QString error;
        const auto decoded = general ? decodeGeneral(payload, &error) : decode(payload, &error);
        total += std::get<FileData>(*decoded).data.size();
    }
    QVERIFY(total >= MaxChunkBytes);
}

// --- Carried delivery (issue 16) ---
void tst_Messages::carriedMalformed_data()
{
    QTest::addColumn<QByteArray>("payload");
    const QByteArray eid = chunk(EnvelopeIdBytes);
    const QCborMap carry = Carry{true, false}.toCbor();
    QTest::newRow("carry without relay") << cbor(without(carry, u"relay"_s));
    QTest::newRow("carry without hold") << cbor(without(carry, u"hold"_s));
    QTest::newRow("carry relay 1") << cbor(with(carry, u"relay"_s, 1));
    QTest::newRow("carry hold text") << cbor(with(carry, u"hold"_s, u"true"_s));

    const QCborMap routes = Routes{{{PeerA, u"Carol"_s, chunk(10)}}}.toCbor();
    const auto peers = [&](const QCborArray &array) {
        return cbor(with(routes, u"peers"_s, array));
    };
    const QCborMap entry{{u"id"_s, PeerA}, {u"name"_s, u"Carol"_s}, {u"cert"_s, chunk(10)}};
    QTest::newRow("routes without peers") << cbor(without(routes, u"peers"_s));
    QTest::newRow("routes peers a map") << cbor(with(routes, u"peers"_s, QCborMap()));
    QTest::newRow("route not a map") << peers({PeerA});
    QTest::newRow("route without id") << peers({without(entry, u"id"_s)});
    QTest::newRow("route id upper case") << peers({with(entry, u"id"_s, PeerA.toUpper())});
    QTest::newRow("route id short") << peers({with(entry, u"id"_s, PeerA.chopped(1))});
    QTest::newRow("route id bytes") << peers({with(entry, u"id"_s, PeerA.toLatin1())});
    QTest::newRow("route twice") << peers({entry, entry});
    QTest::newRow("route without name") << peers({without(entry, u"name"_s)});
    QTest::newRow("route name bytes") << peers({with(entry, u"name"_s, QByteArray("Carol"))});
    QTest::newRow("route without cert") << peers({without(entry, u"cert"_s)});
    QTest::newRow("route cert empty") << peers({with(entry, u"cert"_s, QByteArray())});
    QTest::newRow("route cert text") << peers({with(entry, u"cert"_s, u"cert"_s)});
    QTest::newRow("route cert over 4 KiB")
        << peers({with(entry, u"cert"_s, chunk(MaxRouteCertBytes + 1))});
    QCborArray many;
    for (int i = 0; i <= Routes::MaxPeers; ++i)
        many.append(with(entry, u"id"_s, u"%1"_s.arg(i, 64, 16, QLatin1Char('0'))));
    QTest::newRow("65 routes") << peers(many);

    for (const char *type : {"rly", "env", "hold"}) {
        const QCborMap e{{u"t"_s, QString::fromLatin1(type)}, {u"e"_s, chunk(100)}};
        QTest::addRow("%s without e", type) << cbor(without(e, u"e"_s));
        QTest::addRow("%s e empty", type) << cbor(with(e, u"e"_s, QByteArray()));
        QTest::addRow("%s e text", type) << cbor(with(e, u"e"_s, u"envelope"_s));
        QTest::addRow("%s e over 80 KiB", type)
            << cbor(with(e, u"e"_s, chunk(MaxEnvelopeBytes + 1)));
    }

    const QCborMap held = Held{eid, false, u"quota"_s}.toCbor();
    QTest::newRow("held without eid") << cbor(without(held, u"eid"_s));
    QTest::newRow("held eid 15 bytes") << cbor(with(held, u"eid"_s, eid.chopped(1)));
    QTest::newRow("held eid 17 bytes") << cbor(with(held, u"eid"_s, eid + 'x'));
    QTest::newRow("held eid text") << cbor(with(held, u"eid"_s, QString::fromLatin1(eid.toHex())));
    QTest::newRow("held without ok") << cbor(without(held, u"ok"_s));
    QTest::newRow("held ok 0") << cbor(with(held, u"ok"_s, 0));
    QTest::newRow("held why bytes") << cbor(with(held, u"why"_s, QByteArray("quota")));

    const QCborMap got = Got{{eid}}.toCbor();
    QTest::newRow("got without eids") << cbor(without(got, u"eids"_s));
    QTest::newRow("got eids bytes") << cbor(with(got, u"eids"_s, eid));
    QTest::newRow("got eids empty") << cbor(with(got, u"eids"_s, QCborArray()));
    QTest::newRow("got eid 15 bytes")
        << cbor(with(got, u"eids"_s, QCborArray{eid, eid.chopped(1)}));
    QTest::newRow("got eid text") << cbor(with(got, u"eids"_s, QCborArray{u"0123456789abcdef"_s}));
    QCborArray tooMany;
    for (int i = 0; i <= Got::MaxIds; ++i)
        tooMany.append(eid);
    QTest::newRow("got 257 eids") << cbor(with(got, u"eids"_s, tooMany));
}

void tst_Messages::carriedMalformed()
{
    QFETCH(QByteArray, payload);
    QString error;
    const auto decoded = decode(payload, &error);
    QVERIFY2(!decoded, qPrintable(decoded ? toString(*decoded) : QString()));
    QVERIFY(!error.isEmpty());
}

void tst_Messages::carriedTextsAreSanitised()
{
    // A route's name and a refusal's reason are shown or logged: one line, bounded, no controls.
    const QCborMap entry{{u"id"_s, PeerA},
                         {u"name"_s, u"Ca\x1b[31mrol\n\u202Eevil "_s + QString(100, u'x')},
                         {u"cert"_s, chunk(10)}};
    QString error;
    const auto routes = decode(cbor(with(Routes{}.toCbor(), u"peers"_s, QCborArray{entry})), &error);
    QVERIFY2(routes, qPrintable(error));
    const QString name = std::get<Routes>(*routes).peers.at(0).name;
    QCOMPARE(name.size(), MaxNameLength);
    QVERIFY(name.startsWith(u"Ca[31mrol \u202Eevil x"_s));

    const QCborMap held{{u"t"_s, u"held"_s},
                        {u"eid"_s, chunk(EnvelopeIdBytes)},
                        {u"ok"_s, false},
                        {u"why"_s, u"quota\r\n\u0007"_s + QString(300, u'y')}};
    const auto decoded = decode(cbor(held), &error);
    QVERIFY2(decoded, qPrintable(error));
    const QString why = std::get<Held>(*decoded).why;
    QCOMPARE(why.size(), MaxReasonLength);
    QVERIFY(why.startsWith(u"quota y"_s));
}

void tst_Messages::fullRoutesAndEnvelopeFitAFrame()
{
    Routes routes;
    for (int i = 0; i < Routes::MaxPeers; ++i) {
        routes.peers.append({u"%1"_s.arg(i, 64, 16, QLatin1Char('0')),
                             QString(MaxNameLength, u'名'),
                             chunk(MaxRouteCertBytes)});
    }
    for (const Message &message :
         {Message(routes), Message(RelayEnvelope{chunk(MaxEnvelopeBytes)})}) {
        const QByteArray frame = encodeFrame(message);
        QVERIFY2(frame.size() - 4 <= MaxFrameSize, qPrintable(QString::number(frame.size())));
        QString error;
        const auto decoded = decode(frame.sliced(4), &error);
        QVERIFY2(decoded, qPrintable(error));
        COMPARE_MESSAGE(*decoded, message);
    }
}
// --- end carried delivery ---

QTEST_APPLESS_MAIN(tst_Messages)
#include "tst_messages.moc"
