// SPDX-License-Identifier: GPL-3.0-or-later
// The IP Messenger codec (issue 17) against packets real clients send (docs/ipmsg.md and the
// research notes: iptux 0.8.3 observed on the wire, FeiQ from a clone's test).
#include "ipmsg/ipmsgpacket.h"
#include "protocol/messages.h"

#include <QStringEncoder>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Ipmsg;

namespace {

QByteArray bytes(const char *data, qsizetype size)
{
    return QByteArray(data, size);
}

// "你好" in GBK / GB18030.
const QByteArray NihaoGbk = QByteArray::fromHex("c4e3bac3");

} // namespace

class tst_IpmsgPacket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void iptuxEntry();
    void feiqAnswer();
    void iptuxGetFileData();
    void plainIpmsgMessage();
    void trailingNulAddsNoField();
    void extraFieldsBounded();
    void encodeEndsWithNulAndReplacesColons();
    void roundTrip_data();
    void roundTrip();
    void malformed_data();
    void malformed();
    void decodeUtf8();
    void decodeGbk();
    void utf8OptionWins();
    void utf8ThatIsAlsoGb18030();
    void textNeverCrashes();
    void longTextIsCut();
    void encodeTextBothWays();
    void replyEncoding();
    void versions();
    void fileListIpmsgStyle();
    void fileListIptuxStyle();
    void fileListFolderAndColons();
    void fileListExtendedAttributes();
    void fileListRoundTrip();
    void fileListMalformed_data();
    void fileListMalformed();
    void fileListBounded();
    void fileRequest();
    void fileRequestMalformed_data();
    void fileRequestMalformed();
    void peerIds();
};

void tst_IpmsgPacket::iptuxEntry()
{
    // BR_ENTRY from iptux 0.8.3 as observed: nickname, group, icon, encoding, terminating NUL.
    const QByteArray wire = QByteArray("1_iptux 0.8.3:1:root:host:257:") + "小企鹅" + '\0'
                            + "测试组" + '\0' + "icon-tux.png" + '\0' + "utf-8" + '\0';
    QString error;
    const auto p = Packet::decode(wire, &error);
    QVERIFY2(p, qPrintable(error));
    QCOMPARE(p->version, "1_iptux 0.8.3");
    QCOMPARE(p->packetNo, 1u);
    QCOMPARE(p->user, "root");
    QCOMPARE(p->host, "host");
    QCOMPARE(p->command, 257u);
    QCOMPARE(p->mode(), quint32(BrEntry));
    QCOMPARE(p->options(), quint32(AbsenceOpt));
    QCOMPARE(p->extra.size(), 4);
    QCOMPARE(decodeText(p->field(0), false).text, u"小企鹅"_s);
    QCOMPARE(decodeText(p->field(1), false).text, u"测试组"_s);
    QCOMPARE(p->field(2), "icon-tux.png");
    QCOMPARE(p->field(3), "utf-8");
    QCOMPARE(p->field(4), QByteArray()); // past the end: empty, no crash
    QVERIFY(!isShoalVersion(p->version));
    QCOMPARE(p->encode(), wire); // iptux's own bytes come back exactly
}

void tst_IpmsgPacket::feiqAnswer()
{
    const QByteArray wire = "1_lbt6_0#128#5C60BA7361C6#1944#0#0#4001#9:1765442982:T0220165:"
                            "SHIKUN-SH:6291459:ssk";
    QString error;
    const auto p = Packet::decode(wire, &error);
    QVERIFY2(p, qPrintable(error));
    QCOMPARE(p->version, "1_lbt6_0#128#5C60BA7361C6#1944#0#0#4001#9");
    QCOMPARE(p->packetNo, 1765442982u);
    QCOMPARE(p->user, "T0220165");
    QCOMPARE(p->host, "SHIKUN-SH");
    QCOMPARE(p->mode(), quint32(AnsEntry));
    QCOMPARE(p->options(), quint32(FileAttachOpt | EncryptOpt));
    QCOMPARE(p->extra, QList<QByteArray>{"ssk"});
    QCOMPARE(Ipmsg::replyEncoding(p->version, Encoding::Utf8), Encoding::Gb18030);
    // Re-encoded as Shoal sends: the same fields and a terminating NUL.
    QCOMPARE(p->encode(), wire + '\0');
}

void tst_IpmsgPacket::iptuxGetFileData()
{
    // Over TCP, for the offer with PacketNo 0x6b0f412c, file 0, from offset 0.
    const QByteArray wire = bytes("1_iptux 0.8.3:9:root:iptux-host:96:6b0f412c:0:0\0", 48);
    QString error;
    const auto p = Packet::decode(wire, &error);
    QVERIFY2(p, qPrintable(error));
    QCOMPARE(p->mode(), quint32(GetFileData));
    QCOMPARE(p->options(), 0u);
    QCOMPARE(p->extra.size(), 1);
    const auto r = FileRequest::decode(p->field(0), &error);
    QVERIFY2(r, qPrintable(error));
    QCOMPARE(r->packetNo, 1796161836u);
    QCOMPARE(r->fileId, 0u);
    QCOMPARE(r->offset, 0u);
}

void tst_IpmsgPacket::plainIpmsgMessage()
{
    // The spec's example: no trailing NUL, no further fields.
    QString error;
    const auto p = Packet::decode("1:100:shirouzu:jupiter:32:Hello", &error);
    QVERIFY2(p, qPrintable(error));
    QCOMPARE(p->version, "1");
    QCOMPARE(p->mode(), quint32(SendMsg));
    QCOMPARE(p->extra, QList<QByteArray>{"Hello"});
    // ':' in the extra section is text, not a separator.
    const auto q = Packet::decode("1:1:u:h:32:a:b::c", &error);
    QVERIFY2(q, qPrintable(error));
    QCOMPARE(q->field(0), "a:b::c");
}

void tst_IpmsgPacket::trailingNulAddsNoField()
{
    QString error;
    QCOMPARE(Packet::decode(bytes("1:1:u:h:32:hi\0", 14), &error)->extra, QList<QByteArray>{"hi"});
    QCOMPARE(Packet::decode(bytes("1:1:u:h:32:hi\0\0", 15), &error)->extra,
             (QList<QByteArray>{"hi", ""}));
    QCOMPARE(Packet::decode(bytes("1:1:u:h:32:\0", 12), &error)->extra, QList<QByteArray>{""});
    QCOMPARE(Packet::decode("1:1:u:h:32:", &error)->extra, QList<QByteArray>{""});
    QCOMPARE(Packet::decode(bytes("1:1:u:h:32:\0g\0", 14), &error)->extra,
             (QList<QByteArray>{"", "g"}));
}

void tst_IpmsgPacket::extraFieldsBounded()
{
    QByteArray wire = "1:1:u:h:32:";
    for (int i = 0; i < 40; ++i)
        wire += QByteArray::number(i) + '\0';
    QString error;
    const auto p = Packet::decode(wire, &error);
    QVERIFY2(p, qPrintable(error));
    QCOMPARE(p->extra.size(), 16);
    QCOMPARE(p->extra.first(), "0");
    QCOMPARE(p->extra.last(), "15");
}

void tst_IpmsgPacket::encodeEndsWithNulAndReplacesColons()
{
    Packet p;
    p.version = shoalVersion();
    p.packetNo = 4294967295u;
    p.user = "al:ice";
    p.host = "desk:top";
    p.command = SendMsg | SendCheckOpt | Utf8Opt;
    p.extra = {"hi: there", "group"};
    const QByteArray wire = p.encode();
    QVERIFY(wire.endsWith('\0'));
    QCOMPARE(wire,
             shoalVersion() + ":4294967295:al;ice:desk;top:8388896:hi: there" + '\0' + "group"
                 + '\0');
    QString error;
    const auto back = Packet::decode(wire, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->user, "al;ice");
    QCOMPARE(back->host, "desk;top");
    QCOMPARE(back->extra, p.extra);
    QVERIFY(isShoalVersion(back->version));
}

void tst_IpmsgPacket::roundTrip_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::newRow("entry") << QByteArray("1:1:u:h:1:nick") + '\0' + "grp" + '\0';
    QTest::newRow("message") << QByteArray("1_iptux 0.8.3:7:root:box:288:") + "你好" + '\0';
    QTest::newRow("empty extra") << bytes("1:0:u:h:2:\0", 11);
    QTest::newRow("empty names") << bytes("1:5:::3:x\0", 10);
    QTest::newRow("gbk") << QByteArray("1_lbt4_0#128#001122334455#0#0#0:1:a:b:32:") + NihaoGbk
                                + '\0';
    QTest::newRow("max numbers") << bytes("1:4294967295:u:h:4294967295:x\0", 30);
}

void tst_IpmsgPacket::roundTrip()
{
    QFETCH(QByteArray, wire);
    QString error;
    const auto p = Packet::decode(wire, &error);
    QVERIFY2(p, qPrintable(error));
    QCOMPARE(p->encode(), wire);
}

void tst_IpmsgPacket::malformed_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("4 colons") << QByteArray("1:1:u:h:32");
    QTest::newRow("shoal cbor") << QByteArray::fromHex("a2616d6573686f616c");
    QTest::newRow("version 0") << QByteArray("0:1:u:h:32:x");
    QTest::newRow("version 10") << QByteArray("10:1:u:h:32:x");
    QTest::newRow("version 2") << QByteArray("2_x:1:u:h:32:x");
    QTest::newRow("version empty") << QByteArray(":1:u:h:32:x");
    QTest::newRow("version -1") << QByteArray("-1:1:u:h:32:x");
    QTest::newRow("version huge") << QByteArray("100000000000000000000001:1:u:h:32:x");
    QTest::newRow("version too long") << "1" + QByteArray(300, 'v') + ":1:u:h:32:x";
    QTest::newRow("packet empty") << QByteArray("1::u:h:32:x");
    QTest::newRow("packet hex") << QByteArray("1:1a:u:h:32:x");
    QTest::newRow("packet signed") << QByteArray("1:+1:u:h:32:x");
    QTest::newRow("packet space") << QByteArray("1: 1:u:h:32:x");
    QTest::newRow("packet 2^32") << QByteArray("1:4294967296:u:h:32:x");
    QTest::newRow("packet 11 digits") << QByteArray("1:00000000001:u:h:32:x");
    QTest::newRow("command empty") << QByteArray("1:1:u:h::x");
    QTest::newRow("command 2^32") << QByteArray("1:1:u:h:4294967296:x");
    QTest::newRow("command hex") << QByteArray("1:1:u:h:0x20:x");
    QTest::newRow("user 256") << "1:1:" + QByteArray(256, 'u') + ":h:32:x";
    QTest::newRow("host 256") << "1:1:u:" + QByteArray(256, 'h') + ":32:x";
    QTest::newRow("nul in user") << bytes("1:1:u\0v:h:32:x", 14);
    QTest::newRow("nul before header end") << bytes("1:1:u:h:32\0:x", 13);
    QTest::newRow("over 65507 bytes") << "1:1:u:h:32:" + QByteArray(MaxDatagramSize, 'x');
}

void tst_IpmsgPacket::malformed()
{
    QFETCH(QByteArray, wire);
    QString error;
    QVERIFY(!Packet::decode(wire, &error));
    QVERIFY(!error.isEmpty());
}

void tst_IpmsgPacket::decodeUtf8()
{
    const Decoded d = decodeText(u"Grüße, 你好 🐟"_s.toUtf8() + '\0', false);
    QCOMPARE(d.text, u"Grüße, 你好 🐟"_s);
    QCOMPARE(d.encoding, Encoding::Utf8);
    const Decoded ascii = decodeText("hello", false);
    QCOMPARE(ascii.text, u"hello"_s);
    QCOMPARE(ascii.encoding, Encoding::Utf8);
}

void tst_IpmsgPacket::decodeGbk()
{
    // FeiQ and Chinese IPMsg for Windows: GBK without UTF8OPT, not valid UTF-8.
    const Decoded d = decodeText(NihaoGbk, false);
    QCOMPARE(d.text, u"你好"_s);
    QCOMPARE(d.encoding, Encoding::Gb18030);
    QStringEncoder gbk("GBK");
    QVERIFY(gbk.isValid());
    const QByteArray longer = gbk.encode(u"小企鹅发来文件：测试.txt"_s);
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString asUtf8 = utf8.decode(longer); // (decode() is lazy: convert it)
    Q_UNUSED(asUtf8);
    QVERIFY(utf8.hasError()); // the case here: GBK bytes that are not UTF-8
    const Decoded l = decodeText(longer + '\0', false);
    QCOMPARE(l.text, u"小企鹅发来文件：测试.txt"_s);
    QCOMPARE(l.encoding, Encoding::Gb18030);
    // A UTF-8 text cut in the middle of a character is not UTF-8.
    const QByteArray cutUtf8 = u"你好"_s.toUtf8().chopped(1);
    QCOMPARE(decodeText(cutUtf8, false).encoding, Encoding::Gb18030);
}

void tst_IpmsgPacket::utf8OptionWins()
{
    // With UTF8OPT the text is UTF-8 even where it is not valid: U+FFFD, never GB18030.
    const Decoded d = decodeText(NihaoGbk, true);
    QCOMPARE(d.encoding, Encoding::Utf8);
    QVERIFY(d.text.contains(QChar::ReplacementCharacter));
    QVERIFY(!d.text.contains(u"你好"_s));
}

void tst_IpmsgPacket::utf8ThatIsAlsoGb18030()
{
    // iptux's mojibake case: "你好" in UTF-8 (e4 bd a0 e5 a5 bd) is also valid GB18030
    // ("浣犲ソ"). Without UTF8OPT it must still read as UTF-8.
    const QByteArray utf8 = u"你好"_s.toUtf8();
    QCOMPARE(QStringDecoder("GB18030").decode(utf8), u"浣犲ソ"_s);
    QCOMPARE(decodeText(utf8, false).text, u"你好"_s);
    QCOMPARE(decodeText(utf8, false).encoding, Encoding::Utf8);
    QCOMPARE(decodeText(u"你好文件.txt"_s.toUtf8(), false).text, u"你好文件.txt"_s);
}

void tst_IpmsgPacket::textNeverCrashes()
{
    const QList<QByteArray> junk = {
        QByteArray(),
        bytes("\0\0\0", 3),
        QByteArray::fromHex("ff"),
        QByteArray::fromHex("80818283"),
        QByteArray::fromHex("c0af"),         // overlong '/'
        QByteArray::fromHex("eda080"),       // a UTF-16 surrogate in UTF-8
        QByteArray::fromHex("f4908080"),     // past U+10FFFF
        QByteArray::fromHex("81308130"),     // GB18030 four bytes: U+0080
        QByteArray::fromHex("8130"),         // half of one
        QByteArray::fromHex("fe39fe39fe39"), // unassigned four-byte range
    };
    for (const QByteArray &b : junk) {
        for (bool opt : {false, true}) {
            const Decoded d = decodeText(b, opt);
            QVERIFY(!d.text.contains(QChar(0)));
        }
    }
    QCOMPARE(decodeText(bytes("\0\0\0", 3), false).text, QString());
    QCOMPARE(decodeText(QByteArray::fromHex("81308130"), false).text, QString(QChar(0x80)));
}

void tst_IpmsgPacket::longTextIsCut()
{
    const QByteArray big(MaxDatagramSize, 'a');
    QCOMPARE(decodeText(big, false).text.size(), MaxTextLength);
    // A cut never leaves half a surrogate pair.
    const QString fish = u"🐟"_s;
    QString many;
    for (qsizetype i = 0; i < MaxTextLength; ++i)
        many += fish;
    const QString text = decodeText("x" + many.toUtf8(), false).text;
    QVERIFY(text.size() <= MaxTextLength);
    QVERIFY(!text.back().isHighSurrogate());
}

void tst_IpmsgPacket::encodeTextBothWays()
{
    QCOMPARE(encodeText(u"你好"_s, Encoding::Gb18030), NihaoGbk);
    QCOMPARE(encodeText(u"你好"_s, Encoding::Utf8), QByteArray::fromHex("e4bda0e5a5bd"));
    const QString mixed = u"Grüße 你好 🐟 ₤"_s;
    QCOMPARE(decodeText(encodeText(mixed, Encoding::Gb18030), false).text, mixed);
    QCOMPARE(decodeText(encodeText(mixed, Encoding::Utf8), false).text, mixed);
}

void tst_IpmsgPacket::replyEncoding()
{
    QCOMPARE(Ipmsg::replyEncoding("1_lbt6_0#128#5C60BA7361C6#0#0#0#4001#9", Encoding::Utf8),
             Encoding::Gb18030);
    QCOMPARE(Ipmsg::replyEncoding("1_lbt4_0#128#", Encoding::Gb18030), Encoding::Gb18030);
    QCOMPARE(Ipmsg::replyEncoding("1_iptux 0.8.3", Encoding::Utf8), Encoding::Utf8);
    QCOMPARE(Ipmsg::replyEncoding("1_iptux 0.8.3", Encoding::Gb18030), Encoding::Gb18030);
    QCOMPARE(Ipmsg::replyEncoding("1", Encoding::Gb18030), Encoding::Gb18030);
    QCOMPARE(Ipmsg::replyEncoding("1", Encoding::Utf8), Encoding::Utf8);
}

void tst_IpmsgPacket::versions()
{
    const QByteArray v = shoalVersion();
    QVERIFY(v.startsWith("1_shoal "));
    QVERIFY(v.size() > 8);
    QVERIFY(isShoalVersion(v));
    QVERIFY(!isShoalVersion("1_iptux 0.8.3"));
    QVERIFY(!isShoalVersion("1"));
    QVERIFY(!v.contains(':'));
    // FeiQ wants "1_", IPMsg for Windows atoi() == 1: our own packets decode.
    Packet p;
    p.version = v;
    p.command = BrEntry;
    QString error;
    QVERIFY2(Packet::decode(p.encode(), &error), qPrintable(error));
}

void tst_IpmsgPacket::fileListIpmsgStyle()
{
    // IPMsg for Windows: "%d:%s:%llx:%llx:%x%s:%c", entries back to back.
    const QByteArray field = "0:report.pdf:186a0:5f5e1000:1:\a1:notes.txt:0:5f5e1001:1:\a";
    QString error;
    const auto files = decodeFileList(field, &error);
    QVERIFY2(files, qPrintable(error));
    QCOMPARE(files->size(), 2);
    QCOMPARE(files->at(0).fileId, 0u);
    QCOMPARE(files->at(0).name, "report.pdf");
    QCOMPARE(files->at(0).size, 100000u);
    QCOMPARE(files->at(0).mtime, qint64(0x5f5e1000));
    QCOMPARE(files->at(0).type(), FileEntry::Regular);
    QCOMPARE(files->at(1).fileId, 1u);
    QCOMPARE(files->at(1).name, "notes.txt");
    QCOMPARE(files->at(1).size, 0u);
    QCOMPARE(encodeFileList(*files), field);
}

void tst_IpmsgPacket::fileListIptuxStyle()
{
    // iptux: "%u:%s:%llx:%x:%x:\a:", a ':' after every BEL, inside a real offer packet.
    const QByteArray name = u"测试文件.bin"_s.toUtf8();
    const QByteArray wire = "1_iptux 0.8.3:3:root:iptux-host:2097184:" + QByteArray(1, '\0') + "0:"
                            + name + ":186a0:6932a1b0:1:\a:" + "1:b.txt:a:6932a1b1:1:\a:" + '\0';
    QString error;
    const auto p = Packet::decode(wire, &error);
    QVERIFY2(p, qPrintable(error));
    QCOMPARE(p->mode(), quint32(SendMsg));
    QVERIFY(p->options() & FileAttachOpt);
    QCOMPARE(p->field(0), QByteArray()); // iptux offers with an empty text
    const auto files = decodeFileList(p->field(1), &error);
    QVERIFY2(files, qPrintable(error));
    QCOMPARE(files->size(), 2);
    QCOMPARE(decodeText(files->at(0).name, false).text, u"测试文件.bin"_s);
    QCOMPARE(files->at(0).size, 100000u);
    QCOMPARE(files->at(1).fileId, 1u);
    QCOMPARE(files->at(1).size, 10u);
    QCOMPARE(files->at(1).mtime, qint64(0x6932a1b1));
}

void tst_IpmsgPacket::fileListFolderAndColons()
{
    QList<FileEntry> files(3);
    files[0].fileId = 0;
    files[0].name = "a:b.txt";
    files[0].size = 5;
    files[0].mtime = 1;
    files[1].fileId = 7;
    files[1].name = "photos";
    files[1].attributes = FileEntry::Directory;
    files[2].fileId = 4294967295u;
    files[2].name = ":edge:";
    files[2].size = std::numeric_limits<quint64>::max();
    files[2].mtime = std::numeric_limits<qint64>::max();
    files[2].attributes = 0xffffffffu;
    const QByteArray field = encodeFileList(files);
    QVERIFY(field.startsWith("0:a::b.txt:5:1:1:\a7:photos:0:0:2:\a"));
    QVERIFY(!field.contains('\0'));
    QString error;
    const auto back = decodeFileList(field, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->size(), 3);
    QCOMPARE(back->at(0).name, "a:b.txt");
    QCOMPARE(back->at(1).type(), FileEntry::Directory);
    QCOMPARE(back->at(2).name, ":edge:");
    QCOMPARE(back->at(2).fileId, 4294967295u);
    QCOMPARE(back->at(2).size, files[2].size);
    QCOMPARE(back->at(2).mtime, files[2].mtime);
    QCOMPARE(back->at(2).attributes, 0xffffffffu);
}

void tst_IpmsgPacket::fileListExtendedAttributes()
{
    // IPMsg for Windows' extended attributes after attr (k=v, hex) are skipped; upper-case hex
    // is read; the last entry may lack its BEL.
    const QByteArray field = "3:photo.jpg:1F:5F5E1000:1:14=5f5e0f00:16=5f5e1000:\a4:dir:0:0:2";
    QString error;
    const auto files = decodeFileList(field, &error);
    QVERIFY2(files, qPrintable(error));
    QCOMPARE(files->size(), 2);
    QCOMPARE(files->at(0).fileId, 3u);
    QCOMPARE(files->at(0).size, 31u);
    QCOMPARE(files->at(0).mtime, qint64(0x5f5e1000));
    QCOMPARE(files->at(1).name, "dir");
    QCOMPARE(files->at(1).type(), FileEntry::Directory);
}

void tst_IpmsgPacket::fileListRoundTrip()
{
    // Names keep their bytes (GBK here): SafeName judges them later, not the codec.
    FileEntry f;
    f.fileId = 12;
    f.name = NihaoGbk + ".txt";
    f.size = 0x123456789a;
    f.mtime = 1700000000;
    const QByteArray field = encodeFileList({f, f});
    QString error;
    const auto back = decodeFileList(field, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->size(), 2);
    QCOMPARE(back->at(1).name, f.name);
    QCOMPARE(back->at(1).size, f.size);
    QCOMPARE(encodeFileList(*back), field);
    QCOMPARE(decodeText(back->at(0).name, false).text, u"你好.txt"_s);
    // "../x" and "/" are kept as sent: refusing them is SafeName's job.
    QCOMPARE(decodeFileList("1:../x:1:1:1:\a", &error)->at(0).name, "../x");
}

void tst_IpmsgPacket::fileListMalformed_data()
{
    QTest::addColumn<QByteArray>("field");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("bel only") << QByteArray("\a");
    QTest::newRow("id hex") << QByteArray("a:x:1:1:1:\a");
    QTest::newRow("id missing") << QByteArray(":x:1:1:1:\a");
    QTest::newRow("id 2^32") << QByteArray("4294967296:x:1:1:1:\a");
    QTest::newRow("empty name") << QByteArray("0::1:1:1:\a");
    QTest::newRow("name unended") << QByteArray("0:name");
    QTest::newRow("size missing") << QByteArray("0:x::1:1:\a");
    QTest::newRow("size not hex") << QByteArray("0:x:zz:1:1:\a");
    QTest::newRow("size 17 digits") << QByteArray("0:x:10000000000000000:1:1:\a");
    QTest::newRow("mtime over 2^63") << QByteArray("0:x:1:8000000000000000:1:\a");
    QTest::newRow("attr missing") << QByteArray("0:x:1:1:\a");
    QTest::newRow("attr 9 digits") << QByteArray("0:x:1:1:100000000:\a");
    QTest::newRow("ext without =") << QByteArray("0:x:1:1:1:junk:\a");
    QTest::newRow("second bad") << QByteArray("0:x:1:1:1:\a1:y:1:\a");
    QTest::newRow("garbage after") << QByteArray("0:x:1:1:1:\a:\a");
}

void tst_IpmsgPacket::fileListMalformed()
{
    QFETCH(QByteArray, field);
    QString error;
    QVERIFY(!decodeFileList(field, &error));
    QVERIFY(!error.isEmpty());
}

void tst_IpmsgPacket::fileListBounded()
{
    FileEntry f;
    f.name = "f";
    QList<FileEntry> files(MaxFilesPerOffer, f);
    QString error;
    QCOMPARE(decodeFileList(encodeFileList(files), &error)->size(), MaxFilesPerOffer);
    files.append(f);
    QVERIFY(!decodeFileList(encodeFileList(files), &error));
    QVERIFY(error.contains(QString::number(MaxFilesPerOffer)));
}

void tst_IpmsgPacket::fileRequest()
{
    FileRequest r;
    r.packetNo = 0x6b0f412c;
    r.fileId = 3;
    r.offset = 0x10000000000ull;
    QCOMPARE(r.encode(), "6b0f412c:3:10000000000");
    QString error;
    auto back = FileRequest::decode(r.encode(), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->packetNo, r.packetNo);
    QCOMPARE(back->fileId, r.fileId);
    QCOMPARE(back->offset, r.offset);
    // FeiQ's trailing ':' and iptux's LanQQ-style extra fields are ignored; upper case is hex.
    back = FileRequest::decode("6B0F412C:A:800:", &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->fileId, 10u);
    QCOMPARE(back->offset, 0x800u);
    QVERIFY(FileRequest::decode("1:2:3:0:junk", &error));
}

void tst_IpmsgPacket::fileRequestMalformed_data()
{
    QTest::addColumn<QByteArray>("field");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("two fields") << QByteArray("1:2");
    QTest::newRow("empty offset") << QByteArray("1:2:");
    QTest::newRow("not hex") << QByteArray("1:2:xyz");
    QTest::newRow("decimal sign") << QByteArray("-1:2:3");
    QTest::newRow("packet 9 digits") << QByteArray("100000000:2:3");
    QTest::newRow("offset 17 digits") << QByteArray("1:2:10000000000000000");
    QTest::newRow("spaces") << QByteArray("1: 2:3");
}

void tst_IpmsgPacket::fileRequestMalformed()
{
    QFETCH(QByteArray, field);
    QString error;
    QVERIFY(!FileRequest::decode(field, &error));
    QVERIFY(!error.isEmpty());
}

void tst_IpmsgPacket::peerIds()
{
    // Addresses are only hashed here, nothing is sent; documentation ranges anyway.
    const QHostAddress a(u"192.0.2.10"_s);
    const QString id = peerIdFor(a, DefaultPort);
    QVERIFY(Protocol::isValidPeerId(id));
    QCOMPARE(id, peerIdFor(QHostAddress(u"192.0.2.10"_s), 2425)); // stable
    QCOMPARE(id,
             QString::fromLatin1(
                 QCryptographicHash::hash("shoal-ipmsg:192.0.2.10:2425", QCryptographicHash::Sha256)
                     .toHex()));
    QVERIFY(id != peerIdFor(a, 2426));                             // per port
    QVERIFY(id != peerIdFor(QHostAddress(u"192.0.2.11"_s), 2425)); // per address
    // A dual-stack socket's IPv4-mapped address is the same user.
    QCOMPARE(peerIdFor(QHostAddress(u"::ffff:192.0.2.10"_s), 2425), id);
    const QString v6 = peerIdFor(QHostAddress(u"2001:db8::1"_s), 2425);
    QVERIFY(Protocol::isValidPeerId(v6));
    QVERIFY(v6 != id);

    QVERIFY(isPeerIdFor(id, u"192.0.2.10:2425"_s));
    QVERIFY(isPeerIdFor(id, u"[::ffff:192.0.2.10]:2425"_s));
    QVERIFY(!isPeerIdFor(id, u"192.0.2.10:2426"_s));
    QVERIFY(!isPeerIdFor(id, u"192.0.2.11:2425"_s));
    QVERIFY(isPeerIdFor(v6, u"[2001:db8::1]:2425"_s));
    QVERIFY(isPeerIdFor(v6, u"[2001:0db8:0:0::1]:2425"_s));
    QVERIFY(!isPeerIdFor(id, u"192.0.2.10"_s));
    QVERIFY(!isPeerIdFor(id, u"192.0.2.10:99999"_s));
    QVERIFY(!isPeerIdFor(id, u"nonsense:2425"_s));
    QVERIFY(!isPeerIdFor(id, QString()));
}

QTEST_APPLESS_MAIN(tst_IpmsgPacket)
#include "tst_ipmsgpacket.moc"
