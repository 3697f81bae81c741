// SPDX-License-Identifier: GPL-3.0-or-later
// File transfers between real shoal-cli processes on loopback, with real files: what arrives is
// byte for byte what was sent, whatever is killed on the way.
#include "cliprocess.h"
#include "files/sha256.h"
#include "testfiles.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace {

class CliPeer : public CliProcess
{
public:
    explicit CliPeer(const QString &profile, const QStringList &extra = {})
        : CliProcess(QStringLiteral(SHOAL_CLI_PATH),
                     QStringList{u"--profile"_s,
                                 profile,
                                 u"--listen"_s,
                                 u"127.0.0.1"_s,
                                 u"--port"_s,
                                 u"0"_s,
                                 u"--no-discovery"_s}
                         + extra)
    {}

    // The transfer events of `id`, their states in order.
    QStringList states(const QString &id) const
    {
        QStringList out;
        for (const QJsonObject &e : all(u"transfer"_s)) {
            if (e.value(u"id"_s).toString() == id)
                out.append(e.value(u"state"_s).toString());
        }
        return out;
    }
    QJsonObject lastTransfer(const QString &id) const
    {
        const auto list = all(u"transfer"_s);
        for (auto it = list.crbegin(); it != list.crend(); ++it) {
            if (it->value(u"id"_s).toString() == id)
                return *it;
        }
        return {};
    }
    QString state(const QString &id) const { return lastTransfer(id).value(u"state"_s).toString(); }
    qint64 progress(const QString &id) const
    {
        const auto list = all(u"progress"_s);
        for (auto it = list.crbegin(); it != list.crend(); ++it) {
            if (it->value(u"id"_s).toString() == id)
                return it->value(u"bytes"_s).toInteger();
        }
        return 0;
    }
};

// A file of `size` bytes, sparse but for 4 KiB of random bytes at every MiB, so that a byte
// in the wrong place changes its hash; big enough that a transfer over loopback lasts longer
// than the 250 ms between two progress events.
bool writeSparseFile(const QString &path, qint64 size)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || !f.resize(size))
        return false;
    for (qint64 at = 0; at + 4096 <= size; at += 1024 * 1024) {
        if (!f.seek(at) || f.write(randomBytes(4096)) != 4096)
            return false;
    }
    return true;
}

QByteArray sha256Of(const QString &path)
{
    const auto h = Sha256::ofFile(path, QFileInfo(path).size(), nullptr);
    return h ? h->result() : QByteArray("<unreadable>");
}

// Every file under `dir` (relative path -> content), and the folders.
QMap<QString, QByteArray> tree(const QString &dir)
{
    QMap<QString, QByteArray> out;
    QDirIterator it(dir,
                    QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString rel = QDir(dir).relativeFilePath(path);
        out.insert(rel, it.fileInfo().isDir() ? QByteArray("<dir>") : readFile(path));
    }
    return out;
}

struct Pair
{
    QTemporaryDir dirA, dirB, downloads;
    std::unique_ptr<CliPeer> alice, bob;

    void start(const QStringList &bobExtra = {})
    {
        bob = std::make_unique<CliPeer>(dirB.path(),
                                        QStringList{u"--name"_s,
                                                    u"Bob"_s,
                                                    u"--download-dir"_s,
                                                    downloads.path()}
                                            + bobExtra);
        QTRY_VERIFY(!bob->id().isEmpty());
        alice = std::make_unique<CliPeer>(dirA.path(),
                                          QStringList{u"--name"_s,
                                                      u"Alice"_s,
                                                      u"--connect"_s,
                                                      u"127.0.0.1:%1"_s.arg(bob->port())});
        QTRY_VERIFY(!alice->id().isEmpty());
        QTRY_VERIFY(alice->peerOnline(bob->id(), true) && bob->peerOnline(alice->id(), true));
    }
    // Offers `path` to Bob; returns the transfer's ID (the reply to the command).
    QString offer(const QString &path, int ref = 1)
    {
        alice->send(
            {{u"cmd"_s, u"send-file"_s}, {u"to"_s, bob->id()}, {u"path"_s, path}, {u"ref"_s, ref}});
        const auto reply = [&] {
            return alice->find([&](const QJsonObject &e) { return e.value(u"ref"_s) == ref; });
        };
        if (!QTest::qWaitFor([&] { return !reply().isEmpty(); }, 10000))
            return {};
        return reply().value(u"id"_s).toString();
    }
};

} // namespace

class tst_FilesCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sendsFilesAndAFolderTree();
    void declineAndCancelFromEachSide();
    void offerToAnAbsentPeerArrivesAfterBothRestart();
    void resumesAfterTheReceiverIsKilled();
    void resumesAfterTheSenderIsKilled();
    void aChangedSourceIsNeverDelivered();
    void badCommandsChangeNothing();
    void limitsFromTheSettingsRefuseOffers();
    void aPauseMadeWhileThePeerIsAwayReachesIt();
};

void tst_FilesCli::sendsFilesAndAFolderTree()
{
    Pair p;
    QTemporaryDir src;
    p.start({u"--accept-files"_s, p.downloads.path()});
    const QByteArray big = randomBytes(3 * 1024 * 1024 + 17);
    writeFile(src.filePath(u"empty.txt"_s), {});
    writeFile(src.filePath(u"one.bin"_s), "x");
    writeFile(src.filePath(u"random.bin"_s), big);
    // A folder tree with Chinese and emoji names, an empty folder, nested folders.
    const QString folder = src.filePath(u"照片 📷"_s);
    writeFile(folder + u"/旅行/北京 1.jpg"_s, randomBytes(200'000));
    writeFile(folder + u"/旅行/深/更深/🐟.txt"_s, "shoal");
    writeFile(folder + u"/readme"_s, {});
    QVERIFY(QDir().mkpath(folder + u"/空"_s));

    QStringList ids;
    int ref = 1;
    for (const QString &name : {u"empty.txt"_s, u"one.bin"_s, u"random.bin"_s, u"照片 📷"_s})
        ids.append(p.offer(src.filePath(name), ref++));
    for (const QString &id : ids) {
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(p.alice->state(id), u"done"_s, 20000);
        QTRY_COMPARE(p.bob->state(id), u"done"_s);
    }
    // The receiver was offered each, then accepted, ran and verified it.
    QCOMPARE(p.bob->all(u"offer"_s).size(), 4);
    const QJsonObject offer = p.bob->find([&](const QJsonObject &e) {
        return e.value(u"event"_s) == u"offer"_s && e.value(u"id"_s) == ids.at(3);
    });
    QCOMPARE(offer.value(u"name"_s).toString(), u"照片 📷"_s);
    QCOMPARE(offer.value(u"files"_s).toInt(), 3);
    QCOMPARE(offer.value(u"size"_s).toInteger(), 200'005);
    QCOMPARE(p.alice->states(ids.at(2)).first(), u"offered"_s);
    QCOMPARE(p.alice->states(ids.at(2)).last(), u"done"_s);

    QMap<QString, QByteArray> want = tree(src.path());
    // Nothing else: the temp area goes too. The disk thread removes it just after "done" is
    // reported (FileTransfers::completeSink), so it may still be there for a moment.
    QTRY_COMPARE(tree(p.downloads.path()).keys(), want.keys());
    const auto got = tree(p.downloads.path());
    QCOMPARE(got, want);
    // Never executable.
    for (const QString &rel : got.keys()) {
        const QFileInfo fi(p.downloads.filePath(rel));
        if (fi.isFile())
            QVERIFY2(!(fi.permissions() & (QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther)),
                     qPrintable(rel));
    }
    QCOMPARE(p.bob->lastTransfer(ids.at(2)).value(u"path"_s).toString(),
             p.downloads.filePath(u"random.bin"_s));

    // The same again: names are taken now, so they are numbered, nothing is overwritten.
    const QString again = p.offer(src.filePath(u"random.bin"_s), 10);
    QTRY_COMPARE(p.bob->state(again), u"done"_s);
    QCOMPARE(readFile(p.downloads.filePath(u"random (1).bin"_s)), big);

    // The history keeps the items, and "transfers" lists them all.
    p.bob->send({{u"cmd"_s, u"transfers"_s}, {u"ref"_s, u"t"_s}});
    QTRY_VERIFY(!p.bob->event(u"transfers"_s).isEmpty());
    QCOMPARE(p.bob->event(u"transfers"_s).value(u"transfers"_s).toArray().size(), 5);
    p.bob->send({{u"cmd"_s, u"history"_s}, {u"with"_s, p.alice->id()}});
    QTRY_VERIFY(!p.bob->event(u"history"_s).isEmpty());
    const QJsonArray history = p.bob->event(u"history"_s).value(u"messages"_s).toArray();
    QCOMPARE(history.size(), 5);
    QCOMPARE(history.at(0).toObject().value(u"kind"_s).toString(), u"file"_s);
    // No chat message event was made of an offer.
    QCOMPARE(p.bob->all(u"message"_s).size(), 0);
    QVERIFY(p.alice->badLines.isEmpty() && p.bob->badLines.isEmpty());
}

void tst_FilesCli::declineAndCancelFromEachSide()
{
    Pair p;
    QTemporaryDir src;
    p.start();
    writeFile(src.filePath(u"a.bin"_s), randomBytes(1000));

    // Bob declines: both sides see it; nothing is written.
    const QString declined = p.offer(src.filePath(u"a.bin"_s), 1);
    QTRY_VERIFY(!p.bob->event(u"offer"_s).isEmpty());
    QTRY_VERIFY(p.alice->lastTransfer(declined).value(u"seen"_s).toBool());
    p.bob->send({{u"cmd"_s, u"decline"_s}, {u"id"_s, declined}});
    QTRY_COMPARE(p.alice->state(declined), u"declined"_s);
    QCOMPARE(p.bob->state(declined), u"declined"_s);

    // Alice takes her offer back before Bob decides.
    const QString withdrawn = p.offer(src.filePath(u"a.bin"_s), 2);
    QTRY_COMPARE(p.bob->all(u"offer"_s).size(), 2);
    p.alice->send({{u"cmd"_s, u"cancel"_s}, {u"id"_s, withdrawn}});
    QTRY_COMPARE(p.bob->state(withdrawn), u"cancelled"_s);
    // ... and then it cannot be accepted.
    p.bob->send({{u"cmd"_s, u"accept"_s}, {u"id"_s, withdrawn}, {u"ref"_s, u"late"_s}});
    QTRY_VERIFY(
        !p.bob->find([](const QJsonObject &e) { return e.value(u"ref"_s) == u"late"_s; }).isEmpty());
    QCOMPARE(p.bob->find([](const QJsonObject &e) { return e.value(u"ref"_s) == u"late"_s; })
                 .value(u"event"_s),
             u"error"_s);

    // A big one (a second or more over loopback), accepted, paused by Bob, resumed by Alice,
    // then cancelled by Bob while it runs: each side sees each step.
    QVERIFY(writeSparseFile(src.filePath(u"big.bin"_s), qint64(1) << 30));
    const QString big = p.offer(src.filePath(u"big.bin"_s), 3);
    QTRY_COMPARE(p.bob->all(u"offer"_s).size(), 3);
    p.bob->send({{u"cmd"_s, u"accept"_s}, {u"id"_s, big}});
    p.bob->send({{u"cmd"_s, u"pause"_s}, {u"id"_s, big}});
    QTRY_COMPARE(p.alice->state(big), u"paused"_s);
    QVERIFY(p.alice->lastTransfer(big).value(u"by_peer"_s).toBool());
    p.alice->send({{u"cmd"_s, u"resume"_s}, {u"id"_s, big}});
    QTRY_COMPARE(p.bob->states(big).last(), u"running"_s);
    p.bob->send({{u"cmd"_s, u"cancel"_s}, {u"id"_s, big}});
    QTRY_COMPARE(p.alice->state(big), u"cancelled"_s);
    QCOMPARE(p.bob->state(big), u"cancelled"_s);
    // Nothing of it is left: not the partial file, not the temp area.
    QTRY_COMPARE(tree(p.downloads.path()).size(), 0);

    // Alice cancels one that runs.
    const QString mine = p.offer(src.filePath(u"big.bin"_s), 4);
    QTRY_COMPARE(p.bob->all(u"offer"_s).size(), 4);
    p.bob->send({{u"cmd"_s, u"accept"_s}, {u"id"_s, mine}});
    QTRY_COMPARE(p.alice->state(mine), u"running"_s);
    p.alice->send({{u"cmd"_s, u"cancel"_s}, {u"id"_s, mine}});
    QTRY_COMPARE(p.bob->state(mine), u"cancelled"_s);
    QTRY_COMPARE(tree(p.downloads.path()).size(), 0);

    // The chat went on beside all of it.
    p.alice->send({{u"cmd"_s, u"send"_s}, {u"to"_s, p.bob->id()}, {u"text"_s, u"still here"_s}});
    QTRY_COMPARE(p.bob->event(u"message"_s).value(u"text"_s).toString(), u"still here"_s);
}

void tst_FilesCli::offerToAnAbsentPeerArrivesAfterBothRestart()
{
    Pair p;
    QTemporaryDir src;
    p.start();
    const QString bobId = p.bob->id();
    const QByteArray bytes = randomBytes(300'000);
    writeFile(src.filePath(u"later.bin"_s), bytes);
    // Bob leaves; Alice offers a file meanwhile; then she quits too.
    p.bob->send({{u"cmd"_s, u"quit"_s}});
    QVERIFY(p.bob->process.waitForFinished(5000));
    QTRY_VERIFY(p.alice->peerOnline(bobId, false));
    const QString id = p.offer(src.filePath(u"later.bin"_s));
    QCOMPARE(p.alice->state(id), u"offered"_s);
    QVERIFY(!p.alice->lastTransfer(id).value(u"seen"_s).toBool());
    p.alice->send({{u"cmd"_s, u"quit"_s}});
    QVERIFY(p.alice->process.waitForFinished(5000));

    // Both come back (Bob on a new port: Alice dials him by address).
    CliPeer bob(p.dirB.path(), {u"--download-dir"_s, p.downloads.path()});
    QTRY_VERIFY(!bob.id().isEmpty());
    CliPeer alice(p.dirA.path(), {u"--connect"_s, u"127.0.0.1:%1"_s.arg(bob.port())});
    QTRY_VERIFY(!bob.event(u"offer"_s).isEmpty());
    QCOMPARE(bob.event(u"offer"_s).value(u"id"_s).toString(), id);
    bob.send({{u"cmd"_s, u"accept"_s}, {u"id"_s, id}});
    QTRY_COMPARE_WITH_TIMEOUT(bob.state(id), u"done"_s, 20000);
    QTRY_COMPARE(alice.state(id), u"done"_s);
    QCOMPARE(readFile(p.downloads.filePath(u"later.bin"_s)), bytes);
}

namespace {

// Kills one side with SIGKILL once the receiver holds a random part of a big file, brings it
// back, and checks that the file arrives whole, and that what the receiver held was not sent
// again.
void killAndResume(bool killReceiver)
{
    Pair p;
    QTemporaryDir src;
    p.start({u"--accept-files"_s, p.downloads.path()});
    const qint64 size = qint64(1) << 30;
    const QString source = src.filePath(u"big.bin"_s);
    QVERIFY(writeSparseFile(source, size));
    const QString id = p.offer(source);
    const double fraction = 0.15 + 0.45 * QRandomGenerator::global()->generateDouble();
    QTRY_VERIFY_WITH_TIMEOUT(p.bob->progress(id) >= qint64(fraction * size), 60000);
    QVERIFY2(p.bob->state(id) != u"done"_s, "the transfer ended before the kill");
    CliPeer &victim = killReceiver ? *p.bob : *p.alice;
    victim.process.kill(); // SIGKILL: no bye, no last write
    QVERIFY(victim.process.waitForFinished(5000));
    const qint64 atKill = p.bob->progress(id);

    if (killReceiver) {
        // Back where it listened before: the sender reaches it by itself (it has a transfer
        // for it, as it would with a message waiting), nobody types anything.
        const int port = p.bob->port();
        p.bob = std::make_unique<CliPeer>(p.dirB.path(),
                                          QStringList{u"--accept-files"_s,
                                                      p.downloads.path(),
                                                      u"--port"_s,
                                                      QString::number(port)});
        QTRY_VERIFY(!p.bob->id().isEmpty());
        QCOMPARE(p.bob->port(), port);
    } else {
        p.alice = std::make_unique<CliPeer>(p.dirA.path(),
                                            QStringList{u"--connect"_s,
                                                        u"127.0.0.1:%1"_s.arg(p.bob->port())});
    }
    QTRY_COMPARE_WITH_TIMEOUT(p.bob->state(id), u"done"_s, 120000);
    QTRY_COMPARE(p.alice->state(id), u"done"_s);
    QCOMPARE(tree(p.downloads.path()).keys(), QStringList{u"big.bin"_s}); // no temp area left
    QCOMPARE(QFileInfo(p.downloads.filePath(u"big.bin"_s)).size(), size);
    QCOMPARE(sha256Of(p.downloads.filePath(u"big.bin"_s)), sha256Of(source));
    // Resumed from what the receiver held: the restarted side's first progress is near where
    // the transfer stopped, never back at 0 (what was in flight or not yet written is sent
    // again: at most the send window and the receiver's unwritten bytes).
    const auto progress = (killReceiver ? *p.bob : *p.alice).all(u"progress"_s);
    QVERIFY(!progress.isEmpty());
    const qint64 resumedAt = progress.first().value(u"bytes"_s).toInteger();
    QVERIFY2(resumedAt >= atKill - 48 * 1024 * 1024,
             qPrintable(
                 u"resumed at %1, the receiver had %2 when killed"_s.arg(resumedAt).arg(atKill)));
}

} // namespace

void tst_FilesCli::resumesAfterTheReceiverIsKilled()
{
    killAndResume(true);
}

void tst_FilesCli::resumesAfterTheSenderIsKilled()
{
    killAndResume(false);
}

void tst_FilesCli::aChangedSourceIsNeverDelivered()
{
    Pair p;
    QTemporaryDir src;
    p.start();
    writeFile(src.filePath(u"draft.txt"_s), "first version");
    const QString id = p.offer(src.filePath(u"draft.txt"_s));
    QTRY_VERIFY(!p.bob->event(u"offer"_s).isEmpty());
    // Changed after it was offered (another size and time): refused when it is asked for.
    writeFile(src.filePath(u"draft.txt"_s), "the second, longer version");
    p.bob->send({{u"cmd"_s, u"accept"_s}, {u"id"_s, id}});
    QTRY_COMPARE(p.alice->state(id), u"failed"_s);
    QTRY_COMPARE(p.bob->state(id), u"failed"_s);
    QVERIFY(!p.alice->lastTransfer(id).value(u"error"_s).toString().isEmpty());
    QVERIFY(!p.bob->lastTransfer(id).value(u"error"_s).toString().isEmpty());
    QTRY_COMPARE(tree(p.downloads.path()).size(), 0);
}

void tst_FilesCli::badCommandsChangeNothing()
{
    Pair p;
    p.start();
    const QString bob = p.bob->id();
    p.alice->send({{u"cmd"_s, u"send-file"_s}, {u"to"_s, bob}});
    p.alice->send({{u"cmd"_s, u"send-file"_s}, {u"to"_s, bob}, {u"path"_s, 7}});
    p.alice->send({{u"cmd"_s, u"accept"_s}, {u"id"_s, u"nonsense"_s}});
    p.alice->send({{u"cmd"_s, u"accept"_s}, {u"id"_s, QUuid::createUuid().toString()}});
    p.alice->send({{u"cmd"_s, u"pause"_s}});
    p.alice->send({{u"cmd"_s, u"cancel"_s}, {u"id"_s, QUuid::createUuid().toString()}});
    p.alice->send({{u"cmd"_s, u"transfers"_s}, {u"ref"_s, u"last"_s}});
    QTRY_VERIFY(!p.alice->event(u"transfers"_s).isEmpty());
    QCOMPARE(p.alice->all(u"error"_s).size(), 6);
    // A path that does not exist: the transfer fails at once, with the reason.
    const QString id = p.offer(u"/nonexistent/file"_s, 9);
    QTRY_COMPARE(p.alice->state(id), u"failed"_s);
    QVERIFY(!p.alice->lastTransfer(id).value(u"error"_s).toString().isEmpty());
    QCOMPARE(p.bob->all(u"offer"_s).size(), 0);
}

void tst_FilesCli::limitsFromTheSettingsRefuseOffers()
{
    // Bob takes offers of at most 1,000 bytes, one undecided at a time (shoal.ini, [files]).
    Pair p;
    QFile ini(p.dirB.filePath(u"shoal.ini"_s));
    QVERIFY(ini.open(QIODevice::WriteOnly));
    ini.write("[files]\nmaxOfferBytes=1000\nmaxPendingOffers=1\n");
    ini.close();
    p.start();
    QTemporaryDir src;
    writeFile(src.filePath(u"big.bin"_s), randomBytes(2000));
    writeFile(src.filePath(u"a.txt"_s), "a");
    writeFile(src.filePath(u"b.txt"_s), "b");
    const QString big = p.offer(src.filePath(u"big.bin"_s), 1);
    QTRY_COMPARE(p.alice->state(big), u"failed"_s);
    QVERIFY(!p.alice->lastTransfer(big).value(u"error"_s).toString().isEmpty()); // says why
    const QString first = p.offer(src.filePath(u"a.txt"_s), 2);
    QTRY_VERIFY(p.alice->lastTransfer(first).value(u"seen"_s).toBool());
    const QString second = p.offer(src.filePath(u"b.txt"_s), 3);
    QTRY_COMPARE(p.alice->state(second), u"failed"_s);
    QCOMPARE(p.alice->state(first), u"offered"_s);
    // Only the first reached Bob; the chat goes on.
    QCOMPARE(p.bob->all(u"offer"_s).size(), 1);
    p.alice->send({{u"cmd"_s, u"send"_s}, {u"to"_s, p.bob->id()}, {u"text"_s, u"ok?"_s}});
    QTRY_COMPARE(p.bob->event(u"message"_s).value(u"text"_s).toString(), u"ok?"_s);
}

void tst_FilesCli::aPauseMadeWhileThePeerIsAwayReachesIt()
{
    // Alice pauses while Bob is away: when he is back (on his port, reached by the dialers),
    // his side is paused too, by her; her resume then takes it to the end.
    Pair p;
    QTemporaryDir src;
    p.start({u"--accept-files"_s, p.downloads.path()});
    const QString source = src.filePath(u"big.bin"_s);
    QVERIFY(writeSparseFile(source, qint64(1) << 30));
    const QString id = p.offer(source);
    QTRY_COMPARE(p.bob->state(id), u"running"_s);
    const int port = p.bob->port();
    p.bob->send({{u"cmd"_s, u"quit"_s}});
    QVERIFY(p.bob->process.waitForFinished(5000));
    QTRY_VERIFY(p.alice->peerOnline(p.bob->id(), false));
    p.alice->send({{u"cmd"_s, u"pause"_s}, {u"id"_s, id}});
    QTRY_COMPARE(p.alice->state(id), u"paused"_s);
    p.bob = std::make_unique<CliPeer>(p.dirB.path(),
                                      QStringList{u"--accept-files"_s,
                                                  p.downloads.path(),
                                                  u"--port"_s,
                                                  QString::number(port)});
    QTRY_VERIFY_WITH_TIMEOUT(p.bob->state(id) == u"paused"_s, 20000);
    QVERIFY(p.bob->lastTransfer(id).value(u"by_peer"_s).toBool());
    p.alice->send({{u"cmd"_s, u"resume"_s}, {u"id"_s, id}});
    QTRY_COMPARE_WITH_TIMEOUT(p.bob->state(id), u"done"_s, 60000);
    QTRY_COMPARE(p.alice->state(id), u"done"_s);
    QCOMPARE(sha256Of(p.downloads.filePath(u"big.bin"_s)), sha256Of(source));
}

QTEST_GUILESS_MAIN(tst_FilesCli)
#include "tst_filescli.moc"
