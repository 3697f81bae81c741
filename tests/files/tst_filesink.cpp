// SPDX-License-Identifier: GPL-3.0-or-later
// What arrives lands where the person expects it, byte for byte: under free names, never through
// a link planted in the download folder, never executable, and after a crash at any step the
// transfer goes on from exactly where it stopped, with no file missing and none twice.
#include "files/filesink.h"
#include "testfiles.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

// An offer and the bytes of its files, as the sender has them.
struct Offer
{
    QList<OfferEntry> entries;
    QList<QByteArray> data; // per entry; empty for a folder

    void file(const QString &path, const QByteArray &bytes)
    {
        entries.append({path, SafeName::Kind::File, bytes.size()});
        data.append(bytes);
    }
    void folder(const QString &path)
    {
        entries.append({path, SafeName::Kind::Folder, 0});
        data.append(QByteArray());
    }
};

// A Folder offer with Chinese and emoji names, an empty folder, and 0-, 1- and 3 MiB files.
Offer photos()
{
    Offer offer;
    offer.folder(u"Photos"_s);
    offer.file(u"Photos/a.bin"_s, randomBytes(3 * 1024 * 1024 + 11));
    offer.folder(u"Photos/中文"_s);
    offer.file(u"Photos/中文/😀.txt"_s, "!");
    offer.file(u"Photos/中文/空.txt"_s, {});
    offer.folder(u"Photos/empty"_s);
    offer.file(u"Photos/z.bin"_s, randomBytes(100 * 1024));
    return offer;
}

// Every file and folder under dir, relative, folders with a '/', files with their size:
// anything left over or missing shows.
QStringList tree(const QString &dir)
{
    QStringList names;
    QDirIterator it(dir,
                    QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo info = it.fileInfo();
        const QString relative = QDir(dir).relativeFilePath(it.filePath());
        if (info.isSymLink())
            names << relative + u" -> link"_s;
        else if (info.isDir())
            names << relative + u'/';
        else
            names << u"%1 %2"_s.arg(relative).arg(info.size());
    }
    names.sort();
    return names;
}

QStringList sorted(QStringList names)
{
    names.sort();
    return names;
}

QStringList photosTree(const QString &top = u"Photos"_s)
{
    QStringList names = {top + u"/"_s,
                         top + u"/a.bin 3145739"_s,
                         top + u"/empty/"_s,
                         top + u"/z.bin 102400"_s,
                         top + u"/中文/"_s,
                         top + u"/中文/空.txt 0"_s,
                         top + u"/中文/😀.txt 1"_s};
    names.sort();
    return names;
}

// The sender's side of the rest of the transfer: from the sink's resume point to the end, the
// prefix checked as the sender would, in chunks, each file ended with its checksum.
bool deliver(FileSink &sink, const Offer &offer, QString *error, qsizetype chunk = 64 * 1024)
{
    const auto point = sink.resumePoint(error);
    if (!point)
        return false;
    for (qint64 i = point->index; i < offer.entries.size(); ++i) {
        if (offer.entries[i].kind == SafeName::Kind::Folder)
            continue;
        const QByteArray &data = offer.data[i];
        qint64 offset = i == point->index ? point->offset : 0;
        if (offset > 0 && point->prefixHash != Sha256::hash(data.left(offset))) {
            *error = u"prefix hash of entry %1 differs"_s.arg(i);
            return false;
        }
        FileSink::Error failure;
        for (; offset < data.size(); offset += chunk) {
            if (!sink.write(i, offset, data.mid(offset, chunk), &failure)) {
                *error = failure.message;
                return false;
            }
        }
        if (sink.finishFile(i, Sha256::hash(data), &failure).isEmpty()) {
            *error = failure.message;
            return false;
        }
    }
    return true;
}

bool writeSome(FileSink &sink, const Offer &offer, qint64 index, qint64 bytes)
{
    FileSink::Error failure;
    return sink.write(index, 0, offer.data[index].left(bytes), &failure);
}

bool finish(FileSink &sink, const Offer &offer, qint64 index)
{
    FileSink::Error failure;
    return writeSome(sink, offer, index, offer.data[index].size())
           && !sink.finishFile(index, Sha256::hash(offer.data[index]), &failure).isEmpty();
}

bool rename(const QString &from, const QString &to)
{
    return ::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) == 0;
}

QByteArray journal(const FileSink &sink)
{
    return readFile(sink.tempDir() + u"/journal"_s);
}

void setJournal(const FileSink &sink, const QByteArray &text)
{
    writeFile(sink.tempDir() + u"/journal"_s, text);
}

} // namespace

class tst_FileSink : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { m_openFiles = openFiles(); }
    // A sink gone leaves no descriptor open: the messenger runs for weeks.
    void cleanup() { QCOMPARE(openFiles(), m_openFiles); }

    void folderOffer();
    void filesOfferWithCollisions();
    void resumeAtOffset();
    void crashAtEveryStep_data();
    void crashAtEveryStep();
    void journalOfAnotherOfferRefused();
    void mismatchDropsTheFile();
    void senderRestartsAFile();
    void unexpectedBytesRefused();
    void plantedLinkAtTheTop();
    void plantedLinkForAFolder();
    void plantedLinkForAFile();
    void plantedPartialFolder();
    void noExecuteBit();
    void errorMapping_data();
    void errorMapping();
    void fileSizeLimit();
    void discardKeepsFinishedFiles();
    void discardAfterRestart();
    void refusedOfferWritesNothing();
    void transfersShareThePartialFolder();

private:
    static qsizetype openFiles()
    {
        return QDir(u"/proc/self/fd"_s).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).size();
    }
    QString newDest();
    QTemporaryDir m_dir;
    int m_dests = 0;
    qsizetype m_openFiles = 0;
};

QString tst_FileSink::newDest()
{
    const QString dest = m_dir.filePath(u"dest-%1"_s.arg(++m_dests));
    QDir().mkpath(dest);
    return dest;
}

void tst_FileSink::folderOffer()
{
    const QString dest = newDest();
    const Offer offer = photos();
    FileSink sink(dest, QUuid::createUuid(), offer.entries, OfferShape::Folder);
    QString error;
    QVERIFY2(sink.prepare(&error), qPrintable(error));
    QCOMPARE(sink.savedPath(), dest + u"/Photos"_s);
    QVERIFY(QFileInfo(sink.tempDir()).isDir());
    QVERIFY2(deliver(sink, offer, &error), qPrintable(error));
    QCOMPARE(sink.bytesDone(), 3 * 1024 * 1024 + 11 + 1 + 100 * 1024);
    QVERIFY(sink.isComplete());
    QVERIFY2(sink.done(&error), qPrintable(error));
    // The temp area went, and .shoal-partial with it.
    QCOMPARE(tree(dest), photosTree());
    for (qsizetype i = 0; i < offer.entries.size(); ++i) {
        if (offer.entries[i].kind == SafeName::Kind::File)
            QVERIFY(readFile(dest + u'/' + offer.entries[i].path) == offer.data[i]);
    }
}

void tst_FileSink::filesOfferWithCollisions()
{
    const QString dest = newDest();
    writeFile(dest + u"/one.bin"_s, "theirs");
    writeFile(dest + u"/Docs/theirs.txt"_s, "theirs");
    Offer offer;
    offer.file(u"one.bin"_s, "1");
    offer.file(u"empty.txt"_s, {});
    offer.file(u"Docs/报告 📄.pdf"_s, randomBytes(5000));
    FileSink sink(dest, QUuid::createUuid(), offer.entries, OfferShape::Files);
    QString error;
    QVERIFY2(sink.prepare(&error), qPrintable(error));
    // Each top name beside the others, each free: a folder taken gets a number too.
    QVERIFY2(deliver(sink, offer, &error), qPrintable(error));
    QVERIFY(sink.done(&error));
    QCOMPARE(tree(dest),
             sorted({u"Docs (1)/"_s,
                     u"Docs (1)/报告 📄.pdf 5000"_s,
                     u"Docs/"_s,
                     u"Docs/theirs.txt 6"_s,
                     u"empty.txt 0"_s,
                     u"one (1).bin 1"_s,
                     u"one.bin 6"_s}));
    QCOMPARE(readFile(dest + u"/one.bin"_s), "theirs");
    QCOMPARE(sink.savedPath(), dest + u"/one (1).bin"_s);
}

void tst_FileSink::resumeAtOffset()
{
    const QString dest = newDest();
    const Offer offer = photos();
    const QUuid xid = QUuid::createUuid();
    QString error;
    {
        FileSink first(dest, xid, offer.entries, OfferShape::Folder);
        QVERIFY(first.prepare(&error));
        QVERIFY(writeSome(first, offer, 1, 1024 * 1024 + 7));
        QCOMPARE(first.bytesDone(), 1024 * 1024 + 7);
    } // stopped, as by a restart
    FileSink second(dest, xid, offer.entries, OfferShape::Folder);
    QVERIFY2(second.prepare(&error), qPrintable(error));
    const auto point = second.resumePoint(&error);
    QVERIFY(point);
    QCOMPARE(point->index, 1);
    QCOMPARE(point->offset, 1024 * 1024 + 7);
    QCOMPARE(point->prefixHash, Sha256::hash(offer.data[1].left(point->offset)));
    QVERIFY2(deliver(second, offer, &error), qPrintable(error));
    QVERIFY(second.done(&error));
    QCOMPARE(tree(dest), photosTree());
    QVERIFY(readFile(dest + u"/Photos/a.bin"_s) == offer.data[1]);
}

using Step = std::function<bool(FileSink &, const Offer &, const QString &dest)>;
Q_DECLARE_METATYPE(Step)
Q_DECLARE_METATYPE(FileSink::Error::Kind)

void tst_FileSink::crashAtEveryStep_data()
{
    QTest::addColumn<Step>("step");
    QTest::addColumn<QStringList>("expected");
    const auto moveTopBack = [](FileSink &sink, const Offer &, const QString &dest) {
        return rename(dest + u"/Photos"_s, sink.tempDir() + u"/dir.0"_s);
    };
    QTest::newRow("temp area made, nothing journalled")
        << Step([](FileSink &sink, const Offer &, const QString &) {
               setJournal(sink, {});
               return rename(sink.savedPath(), sink.tempDir() + u"/dir.0"_s);
           })
        << photosTree();
    QTest::newRow("top folder made, before its journal line")
        << Step([moveTopBack](FileSink &sink, const Offer &offer, const QString &dest) {
               QByteArray text = journal(sink);
               text.truncate(text.indexOf("top\t"));
               setJournal(sink, text);
               return moveTopBack(sink, offer, dest);
           })
        << photosTree();
    QTest::newRow("top journalled, not yet moved into place") << Step(moveTopBack) << photosTree();
    QTest::newRow("top journalled, its name taken meanwhile")
        << Step([moveTopBack](FileSink &sink, const Offer &offer, const QString &dest) {
               const bool moved = moveTopBack(sink, offer, dest);
               writeFile(dest + u"/Photos/theirs.txt"_s, "theirs");
               return moved;
           })
        << (photosTree(u"Photos (1)"_s) << u"Photos/"_s << u"Photos/theirs.txt 6"_s);
    QTest::newRow("file half written")
        << Step([](FileSink &sink, const Offer &offer, const QString &) {
               return writeSome(sink, offer, 1, 2 * 1024 * 1024);
           })
        << photosTree();
    QTest::newRow("file write torn by the kill")
        << Step([](FileSink &sink, const Offer &offer, const QString &) {
               return writeSome(sink, offer, 1, 2 * 1024 * 1024)
                      && QFile::resize(sink.tempDir() + u"/part.1"_s, 1234567);
           })
        << photosTree();
    QTest::newRow("file whole, before its journal line")
        << Step([](FileSink &sink, const Offer &offer, const QString &) {
               return writeSome(sink, offer, 1, offer.data[1].size());
           })
        << photosTree();
    QTest::newRow("file journalled, not yet renamed")
        << Step([](FileSink &sink, const Offer &offer, const QString &dest) {
               return finish(sink, offer, 1)
                      && rename(dest + u"/Photos/a.bin"_s, sink.tempDir() + u"/part.1"_s);
           })
        << photosTree();
    QTest::newRow("file journalled, its name taken meanwhile")
        << Step([](FileSink &sink, const Offer &offer, const QString &dest) {
               const bool ok = finish(sink, offer, 1)
                               && rename(dest + u"/Photos/a.bin"_s, sink.tempDir() + u"/part.1"_s);
               writeFile(dest + u"/Photos/a.bin"_s, "theirs");
               return ok;
           })
        << [] {
               QStringList names = photosTree();
               names.removeOne(u"Photos/a.bin 3145739"_s);
               return names << u"Photos/a (1).bin 3145739"_s << u"Photos/a.bin 6"_s;
           }();
    QTest::newRow("file linked, not yet unlinked (no renameat2)")
        << Step([](FileSink &sink, const Offer &offer, const QString &dest) {
               return finish(sink, offer, 1)
                      && ::link(QFile::encodeName(dest + u"/Photos/a.bin"_s).constData(),
                                QFile::encodeName(sink.tempDir() + u"/part.1"_s).constData())
                             == 0;
           })
        << photosTree();
    QTest::newRow("journal line torn by the kill")
        << Step([](FileSink &sink, const Offer &offer, const QString &) {
               const bool ok = finish(sink, offer, 1) && finish(sink, offer, 3);
               setJournal(sink, journal(sink) + "file\t4\tPhotos/中");
               return ok;
           })
        << photosTree();
    QTest::newRow("every file in place, before the clean-up")
        << Step([](FileSink &sink, const Offer &offer, const QString &) {
               QString error;
               return deliver(sink, offer, &error);
           })
        << photosTree();
}

void tst_FileSink::crashAtEveryStep()
{
    QFETCH(Step, step);
    QFETCH(QStringList, expected);
    const QString dest = newDest();
    const Offer offer = photos();
    const QUuid xid = QUuid::createUuid();
    QString error;
    {
        FileSink before(dest, xid, offer.entries, OfferShape::Folder);
        QVERIFY2(before.prepare(&error), qPrintable(error));
        QVERIFY(step(before, offer, dest));
    } // killed: nothing more of it runs
    FileSink after(dest, xid, offer.entries, OfferShape::Folder);
    QVERIFY2(after.prepare(&error), qPrintable(error));
    QVERIFY2(deliver(after, offer, &error), qPrintable(error));
    QVERIFY2(after.done(&error), qPrintable(error));
    QCOMPARE(tree(dest), sorted(expected));
    const QString top = after.savedPath();
    const QString name = QFileInfo(dest + u"/Photos/a.bin"_s).size() == 6 ? u"a (1).bin"_s
                                                                          : u"a.bin"_s;
    QVERIFY(readFile(top + u'/' + name) == offer.data[1]);
    QVERIFY(readFile(top + u"/z.bin"_s) == offer.data[6]);
    QCOMPARE(readFile(top + u"/中文/😀.txt"_s), "!");
}

void tst_FileSink::journalOfAnotherOfferRefused()
{
    const QString dest = newDest();
    const QUuid xid = QUuid::createUuid();
    Offer offer = photos();
    QString error;
    {
        FileSink first(dest, xid, offer.entries, OfferShape::Folder);
        QVERIFY(first.prepare(&error));
    }
    offer.entries[1].size += 1;
    FileSink second(dest, xid, offer.entries, OfferShape::Folder);
    QVERIFY(!second.prepare(&error));
    QVERIFY2(error.contains(u"damaged"_s), qPrintable(error));
}

void tst_FileSink::mismatchDropsTheFile()
{
    const QString dest = newDest();
    const Offer offer = photos();
    FileSink sink(dest, QUuid::createUuid(), offer.entries, OfferShape::Folder);
    QString error;
    QVERIFY(sink.prepare(&error));
    QVERIFY(writeSome(sink, offer, 1, offer.data[1].size()));
    FileSink::Error failure;
    QVERIFY(sink.finishFile(1, Sha256::hash("something else"), &failure).isEmpty());
    QCOMPARE(failure.kind, FileSink::Error::Kind::Mismatch);
    QVERIFY2(failure.message.contains(u"a.bin"_s), qPrintable(failure.message));
    QVERIFY(!QFile::exists(sink.tempDir() + u"/part.1"_s));
    QVERIFY(!QFile::exists(dest + u"/Photos/a.bin"_s));
    const auto point = sink.resumePoint(&error);
    QCOMPARE(point->index, 1);
    QCOMPARE(point->offset, 0);
    QVERIFY(point->prefixHash.isEmpty());
    QVERIFY2(deliver(sink, offer, &error), qPrintable(error));
    QVERIFY(sink.done(&error));
    QCOMPARE(tree(dest), photosTree());
}

void tst_FileSink::senderRestartsAFile()
{
    // The sender found the prefix hash different and sends the file from its start.
    const QString dest = newDest();
    Offer offer = photos();
    const QUuid xid = QUuid::createUuid();
    QString error;
    {
        FileSink first(dest, xid, offer.entries, OfferShape::Folder);
        QVERIFY(first.prepare(&error));
        QVERIFY(writeSome(first, offer, 1, 1000));
    }
    offer.data[1][10] = char(offer.data[1][10] ^ 1); // the source differs from what was held
    FileSink second(dest, xid, offer.entries, OfferShape::Folder);
    QVERIFY(second.prepare(&error));
    const auto point = second.resumePoint(&error);
    QCOMPARE(point->offset, 1000);
    QVERIFY(point->prefixHash != Sha256::hash(offer.data[1].left(1000)));
    QVERIFY(finish(second, offer, 1));
    QVERIFY(readFile(dest + u"/Photos/a.bin"_s) == offer.data[1]);
}

void tst_FileSink::unexpectedBytesRefused()
{
    const QString dest = newDest();
    const Offer offer = photos();
    FileSink sink(dest, QUuid::createUuid(), offer.entries, OfferShape::Folder);
    QString error;
    QVERIFY(sink.prepare(&error));
    FileSink::Error failure;
    QVERIFY(!sink.write(0, 0, "x", &failure)); // a folder
    QCOMPARE(failure.kind, FileSink::Error::Kind::Unexpected);
    QVERIFY(!sink.write(7, 0, "x", &failure)); // no such entry
    QCOMPARE(failure.kind, FileSink::Error::Kind::Unexpected);
    QVERIFY(!sink.write(1, 5, "x", &failure)); // not where the file stands
    QCOMPARE(failure.kind, FileSink::Error::Kind::Unexpected);
    QVERIFY(!sink.write(3, 0, "xy", &failure)); // more than offered
    QCOMPARE(failure.kind, FileSink::Error::Kind::Unexpected);
    QVERIFY(writeSome(sink, offer, 1, 100));
    QVERIFY(sink.finishFile(1, Sha256::hash(offer.data[1]), &failure).isEmpty()); // ended early
    QCOMPARE(failure.kind, FileSink::Error::Kind::Unexpected);
    QVERIFY(finish(sink, offer, 1));
    QVERIFY(!sink.write(1, 0, "x", &failure)); // already in place
    QCOMPARE(failure.kind, FileSink::Error::Kind::Unexpected);
}

void tst_FileSink::plantedLinkAtTheTop()
{
    const QString dest = newDest();
    const QString outside = m_dir.filePath(u"outside-top"_s);
    QDir().mkpath(outside);
    QVERIFY(QFile::link(outside, dest + u"/Photos"_s));
    const Offer offer = photos();
    FileSink sink(dest, QUuid::createUuid(), offer.entries, OfferShape::Folder);
    QString error;
    QVERIFY2(sink.prepare(&error), qPrintable(error));
    QVERIFY2(deliver(sink, offer, &error), qPrintable(error));
    QVERIFY(sink.done(&error));
    QCOMPARE(tree(dest), sorted(photosTree(u"Photos (1)"_s) << u"Photos -> link"_s));
    QCOMPARE(tree(outside), QStringList());
}

void tst_FileSink::plantedLinkForAFolder()
{
    const QString dest = newDest();
    const QString outside = m_dir.filePath(u"outside-folder"_s);
    QDir().mkpath(outside);
    const Offer offer = photos();
    FileSink sink(dest, QUuid::createUuid(), offer.entries, OfferShape::Folder);
    QString error;
    QVERIFY(sink.prepare(&error));
    // Someone with write access swaps a folder the sink made for a link out.
    QVERIFY(QDir(dest + u"/Photos/中文"_s).removeRecursively());
    QVERIFY(QFile::link(outside, dest + u"/Photos/中文"_s));
    QVERIFY(finish(sink, offer, 1));
    FileSink::Error failure;
    QVERIFY(sink.write(3, 0, "!", &failure));
    QVERIFY(sink.finishFile(3, Sha256::hash("!"), &failure).isEmpty());
    QCOMPARE(failure.kind, FileSink::Error::Kind::Io);
    QVERIFY2(failure.message.contains(u"link"_s), qPrintable(failure.message));
    QCOMPARE(tree(outside), QStringList());
}

void tst_FileSink::plantedLinkForAFile()
{
    const QString dest = newDest();
    const QString victim = m_dir.filePath(u"victim.txt"_s);
    writeFile(victim, "keep me");
    const Offer offer = photos();
    FileSink sink(dest, QUuid::createUuid(), offer.entries, OfferShape::Folder);
    QString error;
    QVERIFY(sink.prepare(&error));
    QVERIFY(QFile::link(victim, dest + u"/Photos/a.bin"_s));
    QVERIFY(QFile::link(m_dir.filePath(u"nowhere"_s), dest + u"/Photos/z.bin"_s)); // dangling
    QVERIFY2(deliver(sink, offer, &error), qPrintable(error));
    QVERIFY(sink.done(&error));
    QCOMPARE(readFile(victim), "keep me");
    QVERIFY(!QFile::exists(m_dir.filePath(u"nowhere"_s)));
    QVERIFY(readFile(dest + u"/Photos/a (1).bin"_s) == offer.data[1]);
    QVERIFY(readFile(dest + u"/Photos/z (1).bin"_s) == offer.data[6]);
}

void tst_FileSink::plantedPartialFolder()
{
    const QString dest = newDest();
    const QString outside = m_dir.filePath(u"outside-partial"_s);
    QDir().mkpath(outside);
    QVERIFY(QFile::link(outside, dest + u'/' + FileSink::partialDirName()));
    const Offer offer = photos();
    FileSink sink(dest, QUuid::createUuid(), offer.entries, OfferShape::Folder);
    QString error;
    QVERIFY(!sink.prepare(&error));
    QVERIFY2(error.contains(FileSink::partialDirName()), qPrintable(error));
    QCOMPARE(tree(outside), QStringList());
}

void tst_FileSink::noExecuteBit()
{
    const QString dest = newDest();
    const mode_t saved = ::umask(0);
    const Offer offer = photos();
    FileSink sink(dest, QUuid::createUuid(), offer.entries, OfferShape::Folder);
    QString error;
    const bool ok = sink.prepare(&error) && deliver(sink, offer, &error) && sink.done(&error);
    ::umask(saved);
    QVERIFY2(ok, qPrintable(error));
    for (const QString &name : {u"a.bin"_s, u"中文/空.txt"_s, u"中文/😀.txt"_s}) {
        struct stat st;
        QCOMPARE(::stat(QFile::encodeName(dest + u"/Photos/"_s + name).constData(), &st), 0);
        QCOMPARE(st.st_mode & 07777, mode_t(0666));
    }
    struct stat st;
    QCOMPARE(::stat(QFile::encodeName(dest + u"/Photos/empty"_s).constData(), &st), 0);
    QCOMPARE(st.st_mode & 07777, mode_t(0777));
}

void tst_FileSink::errorMapping_data()
{
    QTest::addColumn<int>("errnoValue");
    QTest::addColumn<FileSink::Error::Kind>("kind");
    QTest::newRow("ENOSPC") << ENOSPC << FileSink::Error::Kind::DiskFull;
    QTest::newRow("EDQUOT") << EDQUOT << FileSink::Error::Kind::DiskFull;
    // Freeing space would not help: a failure, not a pause.
    QTest::newRow("EFBIG") << EFBIG << FileSink::Error::Kind::Io;
    QTest::newRow("EIO") << EIO << FileSink::Error::Kind::Io;
    QTest::newRow("EROFS") << EROFS << FileSink::Error::Kind::Io;
}

void tst_FileSink::errorMapping()
{
    QFETCH(int, errnoValue);
    QFETCH(FileSink::Error::Kind, kind);
    const FileSink::Error error = FileSink::errorForErrno(errnoValue, u"/x/y.bin"_s);
    QCOMPARE(error.kind, kind);
    QVERIFY2(error.message.contains(u"/x/y.bin"_s), qPrintable(error.message));
}

void tst_FileSink::fileSizeLimit()
{
    // A real write failure on the real path: the file size limit makes write() fail with EFBIG
    // halfway through a chunk, as a full disk would with ENOSPC. (A small full tmpfs needs
    // root.)
    const QString dest = newDest();
    const Offer offer = photos();
    const QUuid xid = QUuid::createUuid();
    FileSink sink(dest, xid, offer.entries, OfferShape::Folder);
    QString error;
    QVERIFY(sink.prepare(&error));
    rlimit saved;
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto savedSignal = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved;
    limit.rlim_cur = 1024 * 1024 + 100;
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &limit), 0);
    FileSink::Error failure;
    bool failed = false;
    for (qint64 offset = 0; offset < offer.data[1].size() && !failed; offset += 256 * 1024)
        failed = !sink.write(1, offset, offer.data[1].mid(offset, 256 * 1024), &failure);
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, savedSignal);
    QVERIFY(failed);
    QCOMPARE(failure.kind, FileSink::Error::Kind::Io);
    QVERIFY2(failure.message.contains(u"larger than"_s), qPrintable(failure.message));
    // What did get written is kept and resumed from.
    const auto point = sink.resumePoint(&error);
    QCOMPARE(point->index, 1);
    QCOMPARE(point->offset, 1024 * 1024 + 100);
    QVERIFY2(deliver(sink, offer, &error), qPrintable(error));
    QVERIFY(sink.done(&error));
    QCOMPARE(tree(dest), photosTree());
}

void tst_FileSink::discardKeepsFinishedFiles()
{
    const QString dest = newDest();
    const Offer offer = photos();
    FileSink sink(dest, QUuid::createUuid(), offer.entries, OfferShape::Folder);
    QString error;
    QVERIFY(sink.prepare(&error));
    QVERIFY(finish(sink, offer, 1));
    QVERIFY(writeSome(sink, offer, 3, 0));
    sink.discard();
    // The finished file stays; the partial one, the temp area and the empty folders go.
    QCOMPARE(tree(dest), QStringList({u"Photos/"_s, u"Photos/a.bin 3145739"_s}));
}

void tst_FileSink::discardAfterRestart()
{
    const QString dest = newDest();
    const Offer offer = photos();
    const QUuid xid = QUuid::createUuid();
    QString error;
    {
        FileSink first(dest, xid, offer.entries, OfferShape::Folder);
        QVERIFY(first.prepare(&error));
        QVERIFY(writeSome(first, offer, 1, 5000));
    }
    FileSink second(dest, xid, offer.entries, OfferShape::Folder);
    second.discard();
    QCOMPARE(tree(dest), QStringList());
    // Declined before anything was made: nothing is made to be removed.
    FileSink never(dest, QUuid::createUuid(), offer.entries, OfferShape::Folder);
    never.discard();
    QCOMPARE(tree(dest), QStringList());
}

void tst_FileSink::refusedOfferWritesNothing()
{
    const QString dest = newDest();
    Offer offer;
    offer.file(u"../escape.txt"_s, "x");
    FileSink sink(dest, QUuid::createUuid(), offer.entries, OfferShape::Files);
    QString error;
    QVERIFY(!sink.prepare(&error));
    QVERIFY2(error.contains(u".."_s), qPrintable(error));
    QCOMPARE(tree(dest), QStringList());
    QVERIFY(!QFile::exists(m_dir.filePath(u"escape.txt"_s)));
}

void tst_FileSink::transfersShareThePartialFolder()
{
    const QString dest = newDest();
    const Offer offer = photos();
    FileSink first(dest, QUuid::createUuid(), offer.entries, OfferShape::Folder);
    FileSink second(dest, QUuid::createUuid(), offer.entries, OfferShape::Folder);
    QString error;
    QVERIFY(first.prepare(&error));
    QVERIFY(second.prepare(&error));
    QCOMPARE(second.savedPath(), dest + u"/Photos (1)"_s);
    QVERIFY(deliver(first, offer, &error));
    QVERIFY(first.done(&error));
    // The other transfer's partial files are still there.
    QVERIFY(QFileInfo(second.tempDir()).isDir());
    QVERIFY2(deliver(second, offer, &error), qPrintable(error));
    QVERIFY(second.done(&error));
    QCOMPARE(tree(dest), sorted(photosTree() + photosTree(u"Photos (1)"_s)));
}

QTEST_APPLESS_MAIN(tst_FileSink)
#include "tst_filesink.moc"
