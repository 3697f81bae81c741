// SPDX-License-Identifier: GPL-3.0-or-later
#include "files/safename.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString repeated(const QString &s, int times)
{
    QString out;
    for (int i = 0; i < times; ++i)
        out += s;
    return out;
}

// n components "aaa...a" of the given length each, joined by '/'.
QString pathOf(int components, int length)
{
    QStringList parts;
    for (int i = 0; i < components; ++i)
        parts << QString(length, u'a');
    return parts.join(u'/');
}

bool touch(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly);
}

} // namespace

class tst_SafeName : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accepted_data();
    void accepted();
    void refused_data();
    void refused();
    void slashRefusedInAName();
    void numbered_data();
    void numbered();
    void uniqueFreeNameKept();
    void uniqueCountsUp();
    void uniqueFolder();
    void uniqueSymlinksTaken();
    void uniqueRefusesInvalidNames();
    void uniqueGivesUp();
};

void tst_SafeName::accepted_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("file") << u"a.txt"_s << QStringList{u"a.txt"_s};
    QTest::newRow("nested") << u"dir/sub/file.txt"_s
                            << QStringList{u"dir"_s, u"sub"_s, u"file.txt"_s};
    QTest::newRow("chinese") << u"文件夹/报告 2024.docx"_s
                             << QStringList{u"文件夹"_s, u"报告 2024.docx"_s};
    QTest::newRow("emoji") << u"📷 照片/🎉.png"_s << QStringList{u"📷 照片"_s, u"🎉.png"_s};
    // Emoji sequences need the zero-width joiner, which is a format character, not a control.
    QTest::newRow("emoji zwj") << u"👨‍👩‍👧.txt"_s
                               << QStringList{u"👨‍👩‍👧.txt"_s};
    QTest::newRow("accents") << u"Café/Ünïcödé.md"_s << QStringList{u"Café"_s, u"Ünïcödé.md"_s};
    QTest::newRow("hidden") << u".config/.bashrc"_s << QStringList{u".config"_s, u".bashrc"_s};
    QTest::newRow("dots inside") << u"a..b/..hidden"_s << QStringList{u"a..b"_s, u"..hidden"_s};
    QTest::newRow("spaces") << u" leading/with space.txt"_s
                            << QStringList{u" leading"_s, u"with space.txt"_s};
    QTest::newRow("not reserved") << u"COM10.txt/CONSOLE/con-x/NULL/aux_data/LPT"_s
                                  << QStringList{u"COM10.txt"_s,
                                                 u"CONSOLE"_s,
                                                 u"con-x"_s,
                                                 u"NULL"_s,
                                                 u"aux_data"_s,
                                                 u"LPT"_s};
    const QString han255 = repeated(u"中"_s, 85); // 3 bytes each
    QTest::newRow("255 bytes") << han255 << QStringList{han255};
    const QString emoji252 = repeated(u"😀"_s, 63); // 4 bytes each
    QTest::newRow("252 bytes emoji") << emoji252 << QStringList{emoji252};
    const QString deepest = pathOf(SafeName::MaxDepth, 1);
    QTest::newRow("deepest") << deepest << deepest.split(u'/');
    // 12 components of 255 bytes and their 11 slashes: 3071 bytes.
    const QString longest = pathOf(12, 255);
    QTest::newRow("longest") << longest << longest.split(u'/');
}

void tst_SafeName::accepted()
{
    QFETCH(QString, path);
    QFETCH(QStringList, expected);
    QString error;
    const auto components = SafeName::components(path, &error);
    QVERIFY2(components, qPrintable(error));
    QCOMPARE(*components, expected);
}

void tst_SafeName::refused_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("reason"); // a piece of the message, to see which rule refused

    QTest::newRow("empty") << QString() << u"empty name"_s;
    QTest::newRow("root") << u"/etc/passwd"_s << u"absolute"_s;
    QTest::newRow("unc /") << u"//server/share/x"_s << u"absolute"_s;
    QTest::newRow("unc \\") << u"\\\\server\\share"_s << u"absolute"_s;
    QTest::newRow("drive") << u"C:/Windows/x"_s << u"absolute"_s;
    QTest::newRow("drive relative") << u"c:x"_s << u"absolute"_s;

    QTest::newRow("..") << u".."_s << u"outside"_s;
    QTest::newRow("../x") << u"../x"_s << u"outside"_s;
    QTest::newRow("a/../../x") << u"a/../../x"_s << u"outside"_s;
    QTest::newRow("a/..") << u"a/.."_s << u"outside"_s;
    QTest::newRow(".") << u"."_s << u"outside"_s;
    QTest::newRow("./a") << u"./a"_s << u"outside"_s;
    QTest::newRow("a/./b") << u"a/./b"_s << u"outside"_s;

    QTest::newRow("a//b") << u"a//b"_s << u"empty folder name"_s;
    QTest::newRow("a/") << u"a/"_s << u"empty folder name"_s;

    QTest::newRow("backslash") << u"a\\b"_s << u"backslash"_s;
    QTest::newRow("..\\x") << u"..\\x"_s << u"backslash"_s;
    QTest::newRow("dir/..\\..\\x") << u"dir/..\\..\\x"_s << u"backslash"_s;

    QTest::newRow("NUL") << (u"a"_s + QChar(0) + u"b.txt"_s) << u"NUL character"_s;
    QTest::newRow("NUL at end") << (u"a.txt"_s + QChar(0)) << u"NUL character"_s;
    QTest::newRow("newline") << u"a\nb"_s << u"control character"_s;
    QTest::newRow("tab") << u"a\tb"_s << u"control character"_s;
    QTest::newRow("escape") << u"\x1b[31mred"_s << u"control character"_s;
    QTest::newRow("DEL") << u"a\x7f"_s << u"control character"_s;
    QTest::newRow("C1 NEL") << u"a\u0085b"_s << u"control character"_s;
    QTest::newRow("line separator") << u"a\u2028b"_s << u"control character"_s;
    QTest::newRow("right-to-left override") << u"photo\u202Egpj.exe"_s << u"direction mark"_s;
    QTest::newRow("right-to-left isolate") << u"dir/a\u2067b"_s << u"direction mark"_s;

    QTest::newRow("CON") << u"CON"_s << u"reserved"_s;
    QTest::newRow("con") << u"con"_s << u"reserved"_s;
    QTest::newRow("Con.txt") << u"Con.txt"_s << u"reserved"_s;
    QTest::newRow("NUL.tar.gz") << u"NUL.tar.gz"_s << u"reserved"_s;
    QTest::newRow("aux .txt") << u"aux .txt"_s << u"reserved"_s;
    QTest::newRow("PRN in a folder") << u"dir/PRN/x"_s << u"reserved"_s;
    QTest::newRow("COM1") << u"COM1"_s << u"reserved"_s;
    QTest::newRow("com9.log") << u"com9.log"_s << u"reserved"_s;
    QTest::newRow("LPT1") << u"LPT1"_s << u"reserved"_s;
    QTest::newRow("lpt5.x") << u"lpt5.x"_s << u"reserved"_s;
    QTest::newRow("COM superscript") << u"COM\u00B9.txt"_s << u"reserved"_s;
    QTest::newRow("CONOUT$") << u"conout$"_s << u"reserved"_s;

    QTest::newRow("trailing dot") << u"a."_s << u"ends with a dot"_s;
    QTest::newRow("trailing space") << u"a.txt "_s << u"ends with a dot"_s;
    QTest::newRow("folder trailing dot") << u"dir./x"_s << u"ends with a dot"_s;
    QTest::newRow("...") << u"x/..."_s << u"ends with a dot"_s;

    QTest::newRow("colon") << u"ab:c"_s << u"Windows does not allow"_s;
    QTest::newRow("stream") << u"file.txt::$DATA"_s << u"Windows does not allow"_s;
    QTest::newRow("question") << u"what?.txt"_s << u"Windows does not allow"_s;
    QTest::newRow("star") << u"a*b"_s << u"Windows does not allow"_s;
    QTest::newRow("pipe") << u"a|b"_s << u"Windows does not allow"_s;
    QTest::newRow("angle") << u"<b>"_s << u"Windows does not allow"_s;
    QTest::newRow("quote") << u"\"q\""_s << u"Windows does not allow"_s;

    QTest::newRow("lone high surrogate")
        << (u"a"_s + QChar(0xD83D) + u"b"_s) << u"not valid Unicode"_s;
    QTest::newRow("lone low surrogate") << (u"a"_s + QChar(0xDE00)) << u"not valid Unicode"_s;
    QTest::newRow("reversed pair")
        << (QString(QChar(0xDE00)) + QChar(0xD83D)) << u"not valid Unicode"_s;
    QTest::newRow("high at end") << (u"a/b"_s + QChar(0xD83D)) << u"not valid Unicode"_s;

    QTest::newRow("256 bytes") << QString(256, u'a') << u"longer than 255 bytes"_s;
    QTest::newRow("258 bytes chinese") << repeated(u"中"_s, 86) << u"longer than 255 bytes"_s;
    QTest::newRow("256 bytes emoji") << repeated(u"😀"_s, 64) << u"longer than 255 bytes"_s;
    // 13 components of 236 bytes and 12 slashes: 3080 bytes.
    QTest::newRow("path over limit") << pathOf(13, 236) << u"longer than 3072 bytes"_s;
    QTest::newRow("path over limit in UTF-8")
        << repeated(u"中中中/"_s, 342) << u"longer than 3072 bytes"_s;
    QTest::newRow("huge") << QString(1 << 20, u'a') << u"longer than 3072 bytes"_s;
    QTest::newRow("too deep") << pathOf(SafeName::MaxDepth + 1, 1) << u"more than 64 folders"_s;
}

void tst_SafeName::refused()
{
    QFETCH(QString, path);
    QFETCH(QString, reason);
    QString error;
    const auto components = SafeName::components(path, &error);
    QVERIFY2(!components, "accepted");
    QVERIFY2(error.contains(reason), qPrintable(error));
    // The message quotes the hostile name: nothing in it may reach a log or a window raw.
    for (const QChar c : std::as_const(error)) {
        QVERIFY2(c.category() != QChar::Other_Control
                     && !(c.unicode() >= 0x202A && c.unicode() <= 0x202E)
                     && !(c.unicode() >= 0x2066 && c.unicode() <= 0x2069),
                 qPrintable(QString::number(c.unicode(), 16)));
    }
    // Emoji come back whole; half a pair does not come back at all.
    QCOMPARE(QString::fromUtf8(error.toUtf8()), error);
    QVERIFY2(error.size() < 400, qPrintable(error));
}

void tst_SafeName::slashRefusedInAName()
{
    QString error;
    QVERIFY(!SafeName::isValidName(u"a/b"_s, &error));
    QVERIFY2(error.contains(u"slash"_s), qPrintable(error));
    QVERIFY(SafeName::isValidName(u"报告.docx"_s, &error));
}

void tst_SafeName::numbered_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("n");
    QTest::addColumn<bool>("folder");
    QTest::addColumn<QString>("expected");
    QTest::newRow("extension") << u"photo.jpg"_s << 1 << false << u"photo (1).jpg"_s;
    QTest::newRow("second") << u"photo.jpg"_s << 2 << false << u"photo (2).jpg"_s;
    QTest::newRow("none") << u"README"_s << 1 << false << u"README (1)"_s;
    QTest::newRow("tar.gz") << u"archive.tar.gz"_s << 1 << false << u"archive (1).tar.gz"_s;
    QTest::newRow("TAR.XZ") << u"ARCHIVE.TAR.XZ"_s << 3 << false << u"ARCHIVE (3).TAR.XZ"_s;
    QTest::newRow("tar") << u"notes.tar"_s << 1 << false << u"notes (1).tar"_s;
    QTest::newRow("last dot only")
        << u"my.report.v2.pdf"_s << 1 << false << u"my.report.v2 (1).pdf"_s;
    QTest::newRow("hidden") << u".bashrc"_s << 1 << false << u".bashrc (1)"_s;
    QTest::newRow("hidden with extension")
        << u".config.json"_s << 1 << false << u".config (1).json"_s;
    QTest::newRow("hidden tar") << u".tar.gz"_s << 1 << false << u".tar (1).gz"_s;
    QTest::newRow("not an extension: space") << u"Mr. Smith"_s << 1 << false << u"Mr. Smith (1)"_s;
    QTest::newRow("not an extension: long")
        << u"a.thisisnotanextension"_s << 1 << false << u"a.thisisnotanextension (1)"_s;
    QTest::newRow("chinese") << u"报告.docx"_s << 1 << false << u"报告 (1).docx"_s;
    QTest::newRow("folder") << u"Photos"_s << 1 << true << u"Photos (1)"_s;
    QTest::newRow("folder with dot") << u"v1.2"_s << 1 << true << u"v1.2 (1)"_s;
    QTest::newRow("folder tar.gz") << u"x.tar.gz"_s << 1 << true << u"x.tar.gz (1)"_s;
    // Still at most 255 bytes: the stem gives way, the extension and the number stay.
    QTest::newRow("255 bytes") << (QString(251, u'a') + u".txt"_s) << 1 << false
                               << (QString(247, u'a') + u" (1).txt"_s);
    QTest::newRow("255 bytes, 9999") << (QString(251, u'a') + u".txt"_s) << 9999 << false
                                     << (QString(244, u'a') + u" (9999).txt"_s);
    // Never half a character: 4-byte emoji go whole.
    QTest::newRow("emoji cut") << (repeated(u"😀"_s, 62) + u".txt"_s) << 1 << false
                               << (repeated(u"😀"_s, 61) + u" (1).txt"_s);
    QTest::newRow("chinese cut") << repeated(u"中"_s, 85) << 1 << true
                                 << (repeated(u"中"_s, 83) + u" (1)"_s);
}

void tst_SafeName::numbered()
{
    QFETCH(QString, name);
    QFETCH(int, n);
    QFETCH(bool, folder);
    QFETCH(QString, expected);
    const QString result
        = SafeName::numbered(name, n, folder ? SafeName::Kind::Folder : SafeName::Kind::File);
    QCOMPARE(result, expected);
    QString error;
    QVERIFY2(SafeName::isValidName(result, &error), qPrintable(error));
}

void tst_SafeName::uniqueFreeNameKept()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QDir dir(tmp.path());
    QCOMPARE(SafeName::unique(dir, u"报告.docx"_s), u"报告.docx"_s);
    QVERIFY(dir.isEmpty()); // looked, made nothing
}

void tst_SafeName::uniqueCountsUp()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QDir dir(tmp.path());
    QVERIFY(touch(dir.filePath(u"a.txt"_s)));
    QCOMPARE(SafeName::unique(dir, u"a.txt"_s), u"a (1).txt"_s);
    QVERIFY(touch(dir.filePath(u"a (1).txt"_s)));
    QCOMPARE(SafeName::unique(dir, u"a.txt"_s), u"a (2).txt"_s);
    // A folder of the same name takes the name from a file too.
    QVERIFY(dir.mkdir(u"b.tar.gz"_s));
    QCOMPARE(SafeName::unique(dir, u"b.tar.gz"_s), u"b (1).tar.gz"_s);
    QCOMPARE(dir.entryList(QDir::AllEntries | QDir::NoDotAndDotDot).size(), 3);
}

void tst_SafeName::uniqueFolder()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QDir dir(tmp.path());
    QVERIFY(dir.mkdir(u"v1.2"_s));
    QCOMPARE(SafeName::unique(dir, u"v1.2"_s, SafeName::Kind::Folder), u"v1.2 (1)"_s);
}

void tst_SafeName::uniqueSymlinksTaken()
{
    QTemporaryDir tmp;
    QTemporaryDir elsewhere;
    QVERIFY(tmp.isValid() && elsewhere.isValid());
    const QDir dir(tmp.path());
    // A dangling link: following it would call the name free, and a writer would create
    // its target outside the folder.
    QVERIFY(QFile::link(QDir(elsewhere.path()).filePath(u"missing"_s),
                        dir.filePath(u"dangling.txt"_s)));
    QCOMPARE(SafeName::unique(dir, u"dangling.txt"_s), u"dangling (1).txt"_s);
    QVERIFY(QFile::link(elsewhere.path(), dir.filePath(u"sub"_s)));
    QCOMPARE(SafeName::unique(dir, u"sub"_s, SafeName::Kind::Folder), u"sub (1)"_s);
    QVERIFY(QDir(elsewhere.path()).isEmpty());
}

void tst_SafeName::uniqueRefusesInvalidNames()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QDir dir(tmp.path());
    QCOMPARE(SafeName::unique(dir, u"../x"_s), QString());
    QCOMPARE(SafeName::unique(dir, u".."_s), QString());
    QCOMPARE(SafeName::unique(dir, u"CON"_s), QString());
    QCOMPARE(SafeName::unique(dir, QString()), QString());
}

void tst_SafeName::uniqueGivesUp()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QDir dir(tmp.path());
    QVERIFY(touch(dir.filePath(u"a"_s)));
    for (int n = 1; n <= SafeName::MaxCollisions; ++n)
        QVERIFY(touch(dir.filePath(u"a (%1)"_s.arg(n))));
    QCOMPARE(SafeName::unique(dir, u"a"_s), QString());
    QVERIFY(QFile::remove(dir.filePath(u"a (5000)"_s)));
    QCOMPARE(SafeName::unique(dir, u"a"_s), u"a (5000)"_s);
}

QTEST_APPLESS_MAIN(tst_SafeName)
#include "tst_safename.moc"
