// SPDX-License-Identifier: GPL-3.0-or-later
#include "files/offercheck.h"

#include <QElapsedTimer>
#include <QTest>

#include <limits>

using namespace Qt::StringLiterals;

namespace {

using Entries = QList<OfferEntry>;

OfferEntry file(const QString &path, qint64 size = 1)
{
    return {path, SafeName::Kind::File, size};
}

OfferEntry folder(const QString &path, qint64 size = 0)
{
    return {path, SafeName::Kind::Folder, size};
}

// A folder offer of exactly `nodes` files and folders: the top folder, `folders` folders in
// it and the rest files spread over them.
Entries bigFolder(int folders, int filesEach)
{
    Entries entries;
    entries.reserve(1 + folders * (1 + filesEach));
    entries << folder(u"大文件夹"_s);
    for (int d = 0; d < folders; ++d) {
        const QString dir = u"大文件夹/第 %1 卷 📁"_s.arg(d);
        entries << folder(dir);
        for (int f = 0; f < filesEach; ++f)
            entries << file(dir + u"/照片 %1.jpg"_s.arg(f), 4096);
    }
    return entries;
}

} // namespace

class tst_OfferCheck : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accepted_data();
    void accepted();
    void refused_data();
    void refused();
    void defaultLimits();
    void largeOfferIsLinear();
};

void tst_OfferCheck::accepted_data()
{
    QTest::addColumn<Entries>("entries");
    QTest::addColumn<OfferShape>("shape");

    QTest::newRow("one file") << Entries{file(u"a.txt"_s)} << OfferShape::Files;
    QTest::newRow("empty file") << Entries{file(u"empty"_s, 0)} << OfferShape::Files;
    QTest::newRow("several files and a folder")
        << Entries{file(u"a.txt"_s), file(u"b.txt"_s), file(u"dir/c.txt"_s)} << OfferShape::Files;
    QTest::newRow("folder tree, chinese and emoji")
        << Entries{folder(u"照片 📷"_s),
                   file(u"照片 📷/2024 春节/🎉 烟花.jpg"_s, 3'500'000),
                   file(u"照片 📷/家人 👨‍👩‍👧/妈妈.png"_s, 1'200'000),
                   folder(u"照片 📷/家人 👨‍👩‍👧"_s),
                   folder(u"照片 📷/空文件夹"_s),
                   file(u"照片 📷/说明.txt"_s, 0)}
        << OfferShape::Folder;
    QTest::newRow("folder implied by its files")
        << Entries{file(u"dir/a"_s), file(u"dir/sub/b"_s)} << OfferShape::Folder;
    QTest::newRow("empty folder") << Entries{folder(u"dir"_s)} << OfferShape::Folder;
    QTest::newRow("folder listed after its files")
        << Entries{file(u"dir/sub/a"_s), folder(u"dir/sub"_s), folder(u"dir"_s)}
        << OfferShape::Folder;
    QTest::newRow("same name in two folders")
        << Entries{file(u"a/readme.txt"_s), file(u"b/README.txt"_s)} << OfferShape::Files;
    QTest::newRow("names that only start alike")
        << Entries{file(u"a"_s), file(u"a b"_s), file(u"a.txt"_s), file(u"ab/a"_s)}
        << OfferShape::Files;
    QTest::newRow("different accents")
        << Entries{file(u"resume.txt"_s), file(u"résumé.txt"_s), file(u"rèsumé.txt"_s)}
        << OfferShape::Files;
}

void tst_OfferCheck::accepted()
{
    QFETCH(Entries, entries);
    QFETCH(OfferShape, shape);
    const auto problem = OfferCheck::problem(entries, shape);
    QVERIFY2(!problem, qPrintable(problem.value_or(QString())));
}

void tst_OfferCheck::refused_data()
{
    QTest::addColumn<Entries>("entries");
    QTest::addColumn<OfferShape>("shape");
    QTest::addColumn<int>("maxEntries");
    QTest::addColumn<qint64>("maxTotalBytes");
    QTest::addColumn<QString>("reason"); // a piece of the message, to see which rule refused

    constexpr int MaxEntries = OfferLimits::DefaultMaxEntries;
    constexpr qint64 Bytes = OfferLimits::DefaultMaxTotalBytes;
    constexpr qint64 Max = std::numeric_limits<qint64>::max();
    const auto files = OfferShape::Files;
    const auto folderShape = OfferShape::Folder;

    QTest::newRow("nothing") << Entries{} << files << MaxEntries << Bytes << u"no files"_s;
    QTest::newRow("too many entries")
        << Entries{file(u"a"_s), file(u"b"_s), file(u"c"_s), file(u"d"_s)} << files << 3 << Bytes
        << u"more than 3 files and folders"_s;
    QTest::newRow("too many implied folders")
        << Entries{file(u"a/b/c/d"_s)} << files << 3 << Bytes << u"more than 3 files and folders"_s;
    QTest::newRow("too large") << Entries{file(u"a"_s, 600), file(u"b"_s, 500)} << files
                               << MaxEntries << qint64(1000) << u"in total"_s;
    QTest::newRow("too large, one file")
        << Entries{file(u"a"_s, Bytes + 1)} << files << MaxEntries << Bytes << u"in total"_s;
    QTest::newRow("sum overflows") << Entries{file(u"a"_s, Max), file(u"b"_s, Max)} << files
                                   << MaxEntries << Max << u"in total"_s;
    QTest::newRow("negative size") << Entries{file(u"a"_s, 10), file(u"b"_s, -5)} << files
                                   << MaxEntries << Bytes << u"negative size"_s;
    QTest::newRow("negative size hiding a large one")
        << Entries{file(u"a"_s, -Max), file(u"b"_s, Max)} << files << MaxEntries << Bytes
        << u"negative size"_s;
    QTest::newRow("folder with a size") << Entries{folder(u"dir"_s, 4096)} << files << MaxEntries
                                        << Bytes << u"no size of its own"_s;
    QTest::newRow("folder with a negative size")
        << Entries{folder(u"dir"_s, -1)} << files << MaxEntries << Bytes << u"no size of its own"_s;

    // SafeName's reasons come through as they are.
    QTest::newRow("path climbs out")
        << Entries{file(u"ok"_s), file(u"../x"_s)} << files << MaxEntries << Bytes << u"outside"_s;
    QTest::newRow("absolute path")
        << Entries{file(u"/etc/passwd"_s)} << files << MaxEntries << Bytes << u"absolute"_s;
    QTest::newRow("reserved name")
        << Entries{file(u"dir/CON.txt"_s)} << files << MaxEntries << Bytes << u"reserved"_s;

    QTest::newRow("file twice") << Entries{file(u"a/b.txt"_s), file(u"a/b.txt"_s)} << files
                                << MaxEntries << Bytes << u"lists \"a/b.txt\" twice"_s;
    QTest::newRow("folder twice") << Entries{folder(u"a"_s), folder(u"a"_s)} << files << MaxEntries
                                  << Bytes << u"twice"_s;
    QTest::newRow("case") << Entries{file(u"Photo.JPG"_s), file(u"photo.jpg"_s)} << files
                          << MaxEntries << Bytes << u"upper and lower case"_s;
    QTest::newRow("case, chinese around")
        << Entries{file(u"文件夹/Ä.txt"_s), file(u"文件夹/ä.txt"_s)} << files << MaxEntries << Bytes
        << u"upper and lower case"_s;
    // One folder on Windows, two on Linux: the tree would differ between receivers.
    QTest::newRow("case of a folder")
        << Entries{file(u"Docs/a.txt"_s), file(u"docs/b.txt"_s)} << files << MaxEntries << Bytes
        << u"\"Docs\" and \"docs\", which differ only in upper and lower case"_s;
    QTest::newRow("case, file and folder")
        << Entries{file(u"readme"_s), folder(u"README"_s)} << files << MaxEntries << Bytes
        << u"upper and lower case"_s;
    QTest::newRow("NFC") << Entries{file(u"caf\u00e9.txt"_s), file(u"cafe\u0301.txt"_s)} << files
                         << MaxEntries << Bytes << u"encoded in two ways"_s;
    QTest::newRow("NFC, hangul") << Entries{file(u"\uD55C.txt"_s), file(u"\u1112\u1161\u11AB.txt"_s)}
                                 << files << MaxEntries << Bytes << u"encoded in two ways"_s;
    QTest::newRow("NFC of a folder") << Entries{file(u"Mu\u0308ller/a"_s), file(u"M\u00fcller/b"_s)}
                                     << files << MaxEntries << Bytes << u"encoded in two ways"_s;
    // U+0345 folds to iota only once the precomposed letter is taken apart.
    QTest::newRow("NFC, greek ypogegrammeni")
        << Entries{file(u"\u1FB3"_s), file(u"\u03B1\u0345"_s)} << files << MaxEntries << Bytes
        << u"encoded in two ways"_s;
    // Neither case folding nor NFC alone makes these equal; macOS does both at once.
    QTest::newRow("case and NFC together")
        << Entries{file(u"\u00C9t\u00E9"_s), file(u"e\u0301t\u00E9"_s)} << files << MaxEntries
        << Bytes << u"upper and lower case"_s;
    QTest::newRow("file and folder") << Entries{file(u"x/a"_s), folder(u"x/a"_s)} << files
                                     << MaxEntries << Bytes << u"both as a file and as a folder"_s;
    QTest::newRow("folder and file") << Entries{folder(u"a"_s), file(u"a"_s)} << files << MaxEntries
                                     << Bytes << u"both as a file and as a folder"_s;
    QTest::newRow("file as a folder, file first")
        << Entries{file(u"a"_s), file(u"a/b"_s)} << files << MaxEntries << Bytes
        << u"file \"a\" is also used as the folder of \"a/b\""_s;
    QTest::newRow("file as a folder, file last")
        << Entries{file(u"a/b/c"_s), file(u"a/b"_s)} << files << MaxEntries << Bytes
        << u"file \"a/b\" is also used as the folder of \"a/b/c\""_s;
    QTest::newRow("file as a grandparent") << Entries{file(u"a"_s), folder(u"a/b/c"_s)} << files
                                           << MaxEntries << Bytes << u"also used as the folder"_s;
    QTest::newRow("folder offer, two tops")
        << Entries{file(u"a/x"_s), file(u"b/y"_s)} << folderShape << MaxEntries << Bytes
        << u"\"a\" and \"b\" are two names at its top"_s;
    QTest::newRow("folder offer, folder and file at the top")
        << Entries{folder(u"a"_s), file(u"b"_s)} << folderShape << MaxEntries << Bytes
        << u"two names at its top"_s;
    QTest::newRow("folder offer of a file")
        << Entries{file(u"a.txt"_s)} << folderShape << MaxEntries << Bytes
        << u"\"a.txt\" at its top is a file"_s;
}

void tst_OfferCheck::refused()
{
    QFETCH(Entries, entries);
    QFETCH(OfferShape, shape);
    QFETCH(int, maxEntries);
    QFETCH(qint64, maxTotalBytes);
    QFETCH(QString, reason);
    const auto problem = OfferCheck::problem(entries, shape, OfferLimits{maxEntries, maxTotalBytes});
    QVERIFY2(problem, "accepted");
    QVERIFY2(problem->contains(reason), qPrintable(*problem));
}

void tst_OfferCheck::defaultLimits()
{
    const OfferLimits limits;
    QCOMPARE(limits.maxEntries, 100'000);
    QCOMPARE(limits.maxTotalBytes, qint64(1) << 40);
    QVERIFY(!OfferCheck::problem({file(u"a"_s, limits.maxTotalBytes)}, OfferShape::Files));
    QVERIFY(OfferCheck::problem({file(u"a"_s, limits.maxTotalBytes), file(u"b"_s, 1)},
                                OfferShape::Files));
}

void tst_OfferCheck::largeOfferIsLinear()
{
    // 1 + 369 + 369 * 270 = 100,000: the most the default limits allow.
    const Entries entries = bigFolder(369, 270);
    QCOMPARE(entries.size(), OfferLimits::DefaultMaxEntries);
    QElapsedTimer timer;
    timer.start();
    const auto problem = OfferCheck::problem(entries, OfferShape::Folder);
    const qint64 elapsed = timer.elapsed();
    QVERIFY2(!problem, qPrintable(problem.value_or(QString())));
    // Well under a second here; comparing every pair would take minutes.
    QVERIFY2(elapsed < 10'000, qPrintable(u"%1 ms"_s.arg(elapsed)));

    // One more, and a collision in the last entry: both found at the end of the walk.
    Entries more = entries;
    more << file(u"大文件夹/第 0 卷 📁/one more"_s);
    QVERIFY(OfferCheck::problem(more, OfferShape::Folder)->contains(u"files and folders"_s));
    Entries clash = entries;
    clash.last() = file(u"大文件夹/第 368 卷 📁/照片 0.JPG"_s);
    QVERIFY(OfferCheck::problem(clash, OfferShape::Folder)->contains(u"upper and lower case"_s));
    qDebug("100,000 entries checked in %lld ms", elapsed);
}

QTEST_APPLESS_MAIN(tst_OfferCheck)
#include "tst_offercheck.moc"
