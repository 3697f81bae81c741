// SPDX-License-Identifier: GPL-3.0-or-later
// The signed bodies of group messages and receipts (core/groups/groupbody.h): what encodes
// decodes to the same body, and every form the grammar forbids is refused with a reason.
#include "groups/groupbody.h"
#include "groups/grouplimits.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QCryptographicHash>
#include <QTest>

using namespace Qt::StringLiterals;
using Groups::Body;
using Groups::Kind;
using Groups::Member;
using Groups::ReceiptBody;

namespace QTest {
template<>
char *toString(const Body &body)
{
    return qstrdup(body.toString().toUtf8().constData());
}
template<>
char *toString(const ReceiptBody &receipt)
{
    return qstrdup(receipt.toString().toUtf8().constData());
}
} // namespace QTest

namespace {

const QString Group = u"0123456789abcdef0123456789abcdef"_s;
const QString Alice = QString(64, u'a');
const QString Bob = QString(64, u'b');
const QDateTime Ts = QDateTime::fromMSecsSinceEpoch(1'780'000'000'123, Qt::UTC);
const qint64 Max = Groups::MaxCounter;

// A member whose ID is its "certificate"'s hash: decode() checks only that, not X.509.
Member member(const QByteArray &cert, const QString &name)
{
    return {QString::fromLatin1(QCryptographicHash::hash(cert, QCryptographicHash::Sha256).toHex()),
            cert,
            name};
}

Body base(Kind kind, qint64 seq = 2)
{
    Body b;
    b.group = Group;
    b.author = Alice;
    b.seq = seq;
    b.lc = 7;
    b.prev = seq == 1 ? QByteArray(32, '\0') : QByteArray(32, '\x5a');
    b.sentAt = Ts;
    b.kind = kind;
    return b;
}

Body textBody()
{
    Body b = base(Kind::Text);
    b.text = u"hello, 你好 🐟\nsecond line"_s;
    return b;
}

Body createBody()
{
    Body b = base(Kind::Create, 1);
    b.lc = 1;
    b.name = u"Fish 鱼"_s;
    b.nonce = QByteArray(16, '\x11');
    b.members = {member("cert-alice", u"Alice"_s), member("cert-bob", u"Bob"_s)};
    return b;
}

QCborMap mapOf(const QByteArray &bytes)
{
    return QCborValue::fromCbor(bytes).toMap();
}

QByteArray bytesOf(const QCborMap &map)
{
    return map.toCborValue().toCbor();
}

QByteArray with(const Body &body, const QString &key, const QCborValue &value)
{
    QCborMap map = mapOf(Groups::encode(body));
    map.insert(key, value);
    return bytesOf(map);
}

QByteArray without(const Body &body, const QString &key)
{
    QCborMap map = mapOf(Groups::encode(body));
    map.remove(key);
    return bytesOf(map);
}

QCborMap memberMap(const Member &m)
{
    QCborMap map;
    map.insert(u"id"_s, m.id);
    map.insert(u"cert"_s, m.cert);
    map.insert(u"name"_s, m.name);
    return map;
}

ReceiptBody receipt()
{
    return {Group, Bob, Alice, 12, 9, Ts};
}

} // namespace

class tst_GroupBody : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void deterministic();
    void unknownKeysIgnored();
    void replyKeyOnlyWhenReplying();
    void namesSanitised();
    void malformed_data();
    void malformed();
    void duplicateKeyRefused();
    void foreignGroupIdStillDecodes();
    void groupIdForKnownVector();
    void messageIdKnownVector();
    void linkHashKnownVector();
    void receiptRoundTrip();
    void receiptMalformed_data();
    void receiptMalformed();
};

void tst_GroupBody::roundTrip_data()
{
    QTest::addColumn<Body>("body");
    QTest::newRow("text") << textBody();
    Body empty = textBody();
    empty.text.clear();
    QTest::newRow("text empty") << empty;
    Body longest = textBody();
    longest.text = QString(Groups::MaxTextBytes, u'x');
    QTest::newRow("text of MaxTextBytes") << longest;
    Body bom = textBody();
    bom.text = QChar(0xFEFF) + u"starts with U+FEFF"_s;
    QTest::newRow("text starting with U+FEFF") << bom;
    QTest::newRow("create") << createBody();
    Body add = base(Kind::Add, 5);
    add.members = {member("cert-carol", u"Carol"_s)};
    QTest::newRow("add") << add;
    Body full = base(Kind::Add, 5);
    for (int i = 0; i < Groups::MaxMembers; ++i)
        full.members.append(member("cert-" + QByteArray::number(i), u"P%1"_s.arg(i)));
    QTest::newRow("add MaxMembers") << full;
    Body remove = base(Kind::Remove, 3);
    remove.removed = {{Bob, 0}, {QString(64, u'c'), Max}};
    QTest::newRow("remove") << remove;
    QTest::newRow("leave") << base(Kind::Leave, Max);
    Body rename = base(Kind::Rename);
    rename.name = u"Sharks"_s;
    QTest::newRow("rename") << rename;
    Body edges = textBody();
    edges.lc = Max;
    edges.sentAt = QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
    QTest::newRow("counters at 2^53, ts 0") << edges;
    Body reply = textBody(); // issue 15
    reply.replyTo = Groups::messageId(Group, Bob, 3);
    QTest::newRow("text replying") << reply;
}

void tst_GroupBody::roundTrip()
{
    QFETCH(Body, body);
    const QByteArray bytes = Groups::encode(body);
    QVERIFY(bytes.size() <= Groups::MaxGroupBody);
    QString error;
    const auto decoded = Groups::decode(bytes, &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, body);
    QCOMPARE(Groups::encode(*decoded), bytes);
}

void tst_GroupBody::deterministic()
{
    // Signed bytes must not depend on how the body was built.
    Body a = createBody();
    Body b;
    b.kind = Kind::Create;
    b.members = a.members;
    b.nonce = a.nonce;
    b.name = a.name;
    b.sentAt = a.sentAt;
    b.prev = a.prev;
    b.lc = a.lc;
    b.seq = a.seq;
    b.author = a.author;
    b.group = a.group;
    b.text = u"not a create's field: not written"_s;
    QCOMPARE(Groups::encode(b), Groups::encode(a));
    QCOMPARE(Groups::encode(a), Groups::encode(a));
}

void tst_GroupBody::unknownKeysIgnored()
{
    QCborMap map = mapOf(Groups::encode(textBody()));
    map.insert(u"future"_s, QCborArray{1, 2, 3});
    map.insert(42, u"a non-text key"_s);
    map.insert(u"nonce"_s, u"not this kind's field"_s);
    QString error;
    const auto decoded = Groups::decode(bytesOf(map), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, textBody());
}

// Issue 15: a body that quotes nothing is the bytes it always was (older members' signatures
// and link hashes hold); "re" on a kind other than text is an unknown key there.
void tst_GroupBody::replyKeyOnlyWhenReplying()
{
    QVERIFY(!mapOf(Groups::encode(textBody())).contains(u"re"_s));
    Body reply = textBody();
    reply.replyTo = Groups::messageId(Group, Bob, 3);
    QCOMPARE(mapOf(Groups::encode(reply)).value(u"re"_s).toString(),
             reply.replyTo.toString(QUuid::WithoutBraces));
    Body rename = base(Kind::Rename);
    rename.name = u"Sharks"_s;
    rename.replyTo = reply.replyTo; // not a rename's field: not written
    QVERIFY(!mapOf(Groups::encode(rename)).contains(u"re"_s));
    QString error;
    const auto decoded = Groups::decode(with(base(Kind::Leave), u"re"_s, u"not even a UUID"_s),
                                        &error);
    QVERIFY2(decoded, qPrintable(error));
    QVERIFY(decoded->replyTo.isNull());
}

void tst_GroupBody::namesSanitised()
{
    // Names are shown: one line, at most MaxNameLength, as a hello's.
    Body rename = base(Kind::Rename);
    rename.name = u"  two\nlines\x1b[31m "_s + QString(100, u'x');
    QString error;
    const auto decoded = Groups::decode(Groups::encode(rename), &error);
    QVERIFY2(decoded, qPrintable(error));
    QVERIFY(decoded->name.startsWith(u"two lines[31m x"_s));
    QCOMPARE(decoded->name.size(), Groups::MaxNameLength);
    Body create = createBody();
    create.members[1].name = u"Bob\tthe\r\nbuilder"_s;
    const auto c = Groups::decode(Groups::encode(create), &error);
    QVERIFY2(c, qPrintable(error));
    QCOMPARE(c->members.at(1).name, u"Bob the builder"_s);
}

void tst_GroupBody::malformed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason"); // a piece of the error
    const Body text = textBody();
    const Body create = createBody();

    QTest::newRow("empty") << QByteArray() << u"CBOR"_s;
    QTest::newRow("not a map") << QCborValue(u"gbody"_s).toCbor() << u"not a CBOR map"_s;
    QTest::newRow("truncated") << Groups::encode(text).chopped(1) << u"CBOR"_s;
    QTest::newRow("trailing byte") << Groups::encode(text) + '\0' << u"trailing"_s;
    QTest::newRow("over MaxGroupBody")
        << with(text, u"pad"_s, QByteArray(Groups::MaxGroupBody, 'p')) << u"over"_s;
    for (const char *key : {"g", "a", "s", "lc", "p", "ts", "k", "text"})
        QTest::addRow("missing %s", key) << without(text, QString::fromLatin1(key)) << u"missing"_s;
    QTest::newRow("g not text") << with(text, u"g"_s, 5) << u"\"g\""_s;
    QTest::newRow("g upper case") << with(text, u"g"_s, Group.toUpper()) << u"group ID"_s;
    QTest::newRow("g 31 digits") << with(text, u"g"_s, Group.chopped(1)) << u"group ID"_s;
    QTest::newRow("g a peer ID") << with(text, u"g"_s, Bob) << u"group ID"_s;
    QTest::newRow("a not a peer ID") << with(text, u"a"_s, Group) << u"peer ID"_s;
    QTest::newRow("s 0") << with(text, u"s"_s, 0) << u"out of range"_s;
    QTest::newRow("s negative") << with(text, u"s"_s, -1) << u"out of range"_s;
    QTest::newRow("s over 2^53") << with(text, u"s"_s, Max + 1) << u"out of range"_s;
    QTest::newRow("s text") << with(text, u"s"_s, u"1"_s) << u"not an integer"_s;
    QTest::newRow("s float") << with(text, u"s"_s, 1.0) << u"not an integer"_s;
    QTest::newRow("lc 0") << with(text, u"lc"_s, 0) << u"out of range"_s;
    QTest::newRow("lc over 2^53") << with(text, u"lc"_s, Max + 1) << u"out of range"_s;
    QTest::newRow("p 31 bytes") << with(text, u"p"_s, QByteArray(31, 'p')) << u"32 bytes"_s;
    QTest::newRow("p 33 bytes") << with(text, u"p"_s, QByteArray(33, 'p')) << u"32 bytes"_s;
    QTest::newRow("p text") << with(text, u"p"_s, QString(32, u'p')) << u"byte string"_s;
    QTest::newRow("p not zeros at s 1")
        << with(createBody(), u"p"_s, QByteArray(32, '\1')) << u"zeros"_s;
    QTest::newRow("ts negative") << with(text, u"ts"_s, -1) << u"out of range"_s;
    QTest::newRow("ts past 9999") << with(text, u"ts"_s, qint64(253402300800000))
                                  << u"out of range"_s;
    QTest::newRow("k unknown") << with(text, u"k"_s, u"poll"_s) << u"unknown kind"_s;
    QTest::newRow("k upper case") << with(text, u"k"_s, u"TEXT"_s) << u"unknown kind"_s;
    QTest::newRow("k integer") << with(text, u"k"_s, 0) << u"\"k\""_s;
    QTest::newRow("text over MaxTextBytes")
        << with(text, u"text"_s, QString(Groups::MaxTextBytes + 1, u'x')) << u"longer"_s;
    QTest::newRow("text bytes") << with(text, u"text"_s, QByteArray("hi")) << u"\"text\""_s;
    // Issue 15: "re", present, is one canonical UUID text.
    const QString re = Groups::messageId(Group, Bob, 3).toString(QUuid::WithoutBraces);
    QTest::newRow("re integer") << with(text, u"re"_s, 5) << u"\"re\""_s;
    QTest::newRow("re bytes") << with(text, u"re"_s, QUuid::createUuid().toRfc4122())
                              << u"\"re\""_s;
    QTest::newRow("re null") << with(text, u"re"_s, QCborValue(nullptr)) << u"\"re\""_s;
    QTest::newRow("re empty") << with(text, u"re"_s, QString()) << u"not a UUID"_s;
    QTest::newRow("re garbage") << with(text, u"re"_s, u"reply"_s) << u"not a UUID"_s;
    QTest::newRow("re nil") << with(text, u"re"_s, QUuid().toString(QUuid::WithoutBraces))
                            << u"not a UUID"_s;
    QTest::newRow("re braces") << with(text, u"re"_s, u"{"_s + re + u"}"_s) << u"not a UUID"_s;
    QTest::newRow("re upper case") << with(text, u"re"_s, re.toUpper()) << u"not a UUID"_s;
    QTest::newRow("re one digit short") << with(text, u"re"_s, re.chopped(1)) << u"not a UUID"_s;
    for (const char *key : {"name", "nonce", "m"})
        QTest::addRow("create missing %s", key)
            << without(create, QString::fromLatin1(key)) << u"missing"_s;
    QTest::newRow("create name blank") << with(create, u"name"_s, u" \n\t "_s) << u"empty"_s;
    QTest::newRow("create nonce 15 bytes")
        << with(create, u"nonce"_s, QByteArray(15, 'n')) << u"16 bytes"_s;
    QTest::newRow("create m empty") << with(create, u"m"_s, QCborArray()) << u"1..256"_s;
    QTest::newRow("create m a map") << with(create, u"m"_s, QCborMap()) << u"not an array"_s;
    QCborArray tooMany;
    for (int i = 0; i <= Groups::MaxMembers; ++i)
        tooMany.append(memberMap(member("c" + QByteArray::number(i), u"x"_s)));
    QTest::newRow("create 257 members") << with(create, u"m"_s, tooMany) << u"1..256"_s;
    Member forged = member("cert-mallory", u"Bob"_s);
    forged.id = create.members.at(1).id;
    QTest::newRow("member cert not its ID")
        << with(create, u"m"_s, QCborArray{memberMap(create.members.at(0)), memberMap(forged)})
        << u"not the ID's"_s;
    const Member big = member(QByteArray(Groups::MaxCertBytes + 1, 'c'), u"Big"_s);
    QTest::newRow("member cert over 4 KiB")
        << with(create, u"m"_s, QCborArray{memberMap(big)}) << u"1..4096"_s;
    const Member noCert = member(QByteArray(), u"Nobody"_s);
    QTest::newRow("member cert empty")
        << with(create, u"m"_s, QCborArray{memberMap(noCert)}) << u"1..4096"_s;
    QCborMap noName = memberMap(create.members.at(0));
    noName.remove(u"name"_s);
    QTest::newRow("member without name")
        << with(create, u"m"_s, QCborArray{noName}) << u"missing field \"name\""_s;
    QTest::newRow("member not a map")
        << with(create, u"m"_s, QCborArray{create.members.at(0).id}) << u"not a map"_s;
    QTest::newRow("member twice") << with(create,
                                          u"m"_s,
                                          QCborArray{memberMap(create.members.at(0)),
                                                     memberMap(create.members.at(0))})
                                  << u"twice"_s;
    QTest::newRow("add without m") << without(base(Kind::Add), u"m"_s) << u"missing"_s;
    QTest::newRow("rename without name") << without(base(Kind::Rename), u"name"_s) << u"missing"_s;
    Body remove = base(Kind::Remove);
    remove.removed = {{Bob, 3}};
    QTest::newRow("remove without r") << without(remove, u"r"_s) << u"missing"_s;
    QTest::newRow("remove r empty") << with(remove, u"r"_s, QCborArray()) << u"1..256"_s;
    QTest::newRow("remove entry of 1")
        << with(remove, u"r"_s, QCborArray{QCborArray{Bob}}) << u"[peer-id, cut]"_s;
    QTest::newRow("remove entry of 3")
        << with(remove, u"r"_s, QCborArray{QCborArray{Bob, 1, 2}}) << u"[peer-id, cut]"_s;
    QTest::newRow("remove cut negative")
        << with(remove, u"r"_s, QCborArray{QCborArray{Bob, -1}}) << u"[peer-id, cut]"_s;
    QTest::newRow("remove cut over 2^53")
        << with(remove, u"r"_s, QCborArray{QCborArray{Bob, Max + 1}}) << u"[peer-id, cut]"_s;
    QTest::newRow("remove a group ID")
        << with(remove, u"r"_s, QCborArray{QCborArray{Group, 1}}) << u"[peer-id, cut]"_s;
    QTest::newRow("remove twice") << with(remove,
                                          u"r"_s,
                                          QCborArray{QCborArray{Bob, 1}, QCborArray{Bob, 2}})
                                  << u"twice"_s;
}

void tst_GroupBody::malformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    QString error;
    const auto decoded = Groups::decode(bytes, &error);
    QVERIFY2(!decoded, qPrintable(decoded ? decoded->toString() : QString()));
    QVERIFY2(error.contains(reason), qPrintable(error));
}

void tst_GroupBody::duplicateKeyRefused()
{
    // A second "k" after the first: readers that take the last would see a create where others
    // see a text. Built by hand: QCborMap would not write it.
    QByteArray bytes = Groups::encode(textBody());
    QCOMPARE(quint8(bytes.at(0)), quint8(0xa8)); // a map of 8
    bytes[0] = char(0xa9);
    bytes += QCborValue(u"k"_s).toCbor() + QCborValue(u"leave"_s).toCbor();
    QString error;
    QVERIFY(!Groups::decode(bytes, &error));
    QVERIFY2(error.contains(u"twice"_s), qPrintable(error));
}

void tst_GroupBody::foreignGroupIdStillDecodes()
{
    // Whether a create's group ID is its author's and nonce's is the service's to judge (and to
    // log): the codec only reads.
    const Body create = createBody();
    QVERIFY(create.group != Groups::groupIdFor(create.author, create.nonce));
    QString error;
    const auto decoded = Groups::decode(Groups::encode(create), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(decoded->group, Group);
}

void tst_GroupBody::groupIdForKnownVector()
{
    // hashlib.sha256(b"a" * 64 + bytes(range(16))).digest()[:16].hex()
    QByteArray nonce;
    for (char c = 0; c < 16; ++c)
        nonce += c;
    const QString id = Groups::groupIdFor(Alice, nonce);
    QCOMPARE(id, u"966363f91f217db835fe2cadfebd6402"_s);
    QVERIFY(Groups::isValidGroupId(id));
    QVERIFY(Groups::groupIdFor(Bob, nonce) != id);
    QVERIFY(Groups::groupIdFor(Alice, QByteArray(16, '\0')) != id);
}

void tst_GroupBody::messageIdKnownVector()
{
    // Python: sha256(b"shoal-gmsg" + g + a + struct.pack(">Q", s)), first 16 bytes, version 8.
    const QUuid first = Groups::messageId(Group, Bob, 1);
    QCOMPARE(first, QUuid::fromString(u"fd5861a5-f8c5-831f-b306-59b7d8ff842a"_s));
    QCOMPARE(first.data3 >> 12, 8); // version 8: QUuid::version() knows only 1..5
    QCOMPARE(first.variant(), QUuid::DCE);
    QCOMPARE(Groups::messageId(Group, Bob, Max),
             QUuid::fromString(u"d3a03937-c2d8-8696-ae9e-d560743215e5"_s));
    QCOMPARE(Groups::messageId(Group, Bob, 1), first); // stable
    QVERIFY(Groups::messageId(Group, Bob, 2) != first);
    QVERIFY(Groups::messageId(Group, Alice, 1) != first);
    QVERIFY(Groups::messageId(u"fedcba9876543210fedcba9876543210"_s, Bob, 1) != first);
}

void tst_GroupBody::linkHashKnownVector()
{
    QCOMPARE(Groups::linkHash("body", "sig").toHex(),
             QByteArray("185bb4ed0d241c3af842275c1ff7186f19c5e5dddcfbc89ef19b5c366d693b1b"));
    QCOMPARE(Groups::linkHash("body", "sig").size(), Groups::LinkBytes);
}

void tst_GroupBody::receiptRoundTrip()
{
    for (const ReceiptBody &r : {receipt(),
                                 ReceiptBody{Group, Bob, Alice, 0, 0, Ts},
                                 ReceiptBody{Group, Bob, Bob, Max, Max, Ts}}) {
        const QByteArray bytes = Groups::encodeReceipt(r);
        QVERIFY(bytes.size() <= Groups::MaxReceiptBody);
        QString error;
        const auto decoded = Groups::decodeReceipt(bytes, &error);
        QVERIFY2(decoded, qPrintable(error));
        QCOMPARE(*decoded, r);
        QCOMPARE(Groups::encodeReceipt(*decoded), bytes);
    }
}

void tst_GroupBody::receiptMalformed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    const QCborMap good = mapOf(Groups::encodeReceipt(receipt()));
    auto withR = [&](const QString &key, const QCborValue &value) {
        QCborMap map = good;
        map.insert(key, value);
        return bytesOf(map);
    };
    for (const char *key : {"g", "m", "a", "d", "r", "ts"}) {
        QCborMap map = good;
        map.remove(QString::fromLatin1(key));
        QTest::addRow("missing %s", key) << bytesOf(map) << u"missing"_s;
    }
    QTest::newRow("read beyond delivered") << withR(u"r"_s, 13) << u"beyond"_s;
    QTest::newRow("d over 2^53") << withR(u"d"_s, Max + 1) << u"out of range"_s;
    QTest::newRow("d negative") << withR(u"d"_s, -1) << u"out of range"_s;
    QTest::newRow("m a group ID") << withR(u"m"_s, Group) << u"peer ID"_s;
    QTest::newRow("g a peer ID") << withR(u"g"_s, Bob) << u"group ID"_s;
    QTest::newRow("over MaxReceiptBody")
        << withR(u"pad"_s, QByteArray(Groups::MaxReceiptBody, 'p')) << u"over"_s;
    QTest::newRow("truncated") << Groups::encodeReceipt(receipt()).chopped(2) << u"CBOR"_s;
    QTest::newRow("array") << QCborValue(QCborArray{1}).toCbor() << u"not a CBOR map"_s;
}

void tst_GroupBody::receiptMalformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    QString error;
    QVERIFY(!Groups::decodeReceipt(bytes, &error));
    QVERIFY2(error.contains(reason), qPrintable(error));
}

QTEST_APPLESS_MAIN(tst_GroupBody)
#include "tst_groupbody.moc"
