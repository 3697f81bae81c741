// SPDX-License-Identifier: GPL-3.0-or-later
// kill -9 at random moments while 5,000 messages stream from A to B (two shoal-cli processes
// on loopback). Whatever A's history shows as delivered is in B's; whatever A queued is
// delivered after restarts; nothing twice; both databases pass PRAGMA integrity_check.
#include "cliprocess.h"
#include "net/networksafety.h"
#include "testports.h"

#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUdpSocket>

using namespace Qt::StringLiterals;

namespace {

constexpr int Messages = 5000;

struct Node
{
    QTemporaryDir dir;
    QString name;
    QStringList lan;
    quint16 port = 0;
    std::unique_ptr<CliProcess> process;

    void start()
    {
        process = std::make_unique<CliProcess>(QStringLiteral(SHOAL_CLI_PATH),
                                               QStringList{u"--profile"_s,
                                                           dir.path(),
                                                           u"--name"_s,
                                                           name,
                                                           u"--listen"_s,
                                                           u"127.0.0.1"_s,
                                                           u"--port"_s,
                                                           QString::number(port)}
                                                   + lan);
    }
    void kill()
    {
        process->process.kill(); // SIGKILL: no bye, no flush
        process->process.waitForFinished(5000);
    }
    QString db() const { return dir.filePath(u"history.sqlite"_s); }
};

// Reads another process's history (WAL lets a reader in while it writes).
struct History
{
    explicit History(const QString &path)
        : name(u"reader-%1"_s.arg(QUuid::createUuid().toString(QUuid::Id128)))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        db.open();
    }
    ~History() { QSqlDatabase::removeDatabase(name); }
    QSqlDatabase db() const { return QSqlDatabase::database(name); }
    qint64 scalar(const QString &sql) const
    {
        QSqlQuery q(db());
        return q.exec(sql) && q.next() ? q.value(0).toLongLong() : -1;
    }
    QSet<QByteArray> ids(const QString &where) const
    {
        QSqlQuery q(db());
        QSet<QByteArray> out;
        if (q.exec(u"SELECT id FROM messages WHERE "_s + where)) {
            while (q.next())
                out.insert(q.value(0).toByteArray());
        }
        return out;
    }
    QString integrity() const
    {
        QSqlQuery q(db());
        return q.exec(u"PRAGMA integrity_check"_s) && q.next() ? q.value(0).toString() : QString();
    }
    QString name;
};

} // namespace

class tst_Crash : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void killedMidStream();
};

void tst_Crash::initTestCase()
{
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_Crash::killedMidStream()
{
    const QStringList lan{u"--discovery-target"_s,
                          u"127.255.255.255"_s,
                          u"--discovery-port"_s,
                          QString::number(freeUdpPort()),
                          u"--discovery-interval"_s,
                          u"500"_s};
    Node a, b;
    a.name = u"A"_s;
    b.name = u"B"_s;
    a.lan = b.lan = lan;
    a.port = freeTcpPort();
    b.port = freeTcpPort();
    b.start();
    a.start();
    QTRY_VERIFY(!a.process->id().isEmpty() && !b.process->id().isEmpty());
    const QString bId = b.process->id();
    QTRY_VERIFY(a.process->peerOnline(bId, true));

    // A person (or script) typing fast: 25 messages every 10 ms, to whichever A is running.
    int written = 0;
    QTimer feeder;
    connect(&feeder, &QTimer::timeout, &feeder, [&] {
        if (a.process->process.state() != QProcess::Running || a.process->id().isEmpty())
            return;
        QByteArray commands;
        for (int i = 0; i < 25 && written < Messages; ++i, ++written) {
            commands += QJsonDocument(QJsonObject{{u"cmd"_s, u"send"_s},
                                                  {u"to"_s, bId},
                                                  {u"text"_s, u"message %1"_s.arg(written)}})
                            .toJson(QJsonDocument::Compact)
                        + '\n';
        }
        a.process->process.write(commands);
        if (written == Messages)
            feeder.stop();
    });
    feeder.start(10);

    // Kill at moments chosen by a seeded generator, in terms of progress (messages B has
    // reported, across its restarts), so that the test is repeatable and never waits on a
    // clock: B three times, then A twice.
    QRandomGenerator random(20261126);
    QList<int> killPoints;
    for (int i = 0; i < 5; ++i)
        killPoints.append(int(random.bounded(200, Messages - 200)));
    std::sort(killPoints.begin(), killPoints.end());
    int receivedBefore = 0;
    auto received = [&] { return receivedBefore + int(b.process->all(u"message"_s).size()); };
    for (int round = 0; round < 5; ++round) {
        // Past the point, or the stream is over: kill now either way.
        QTRY_VERIFY_WITH_TIMEOUT(received() >= killPoints.at(round) || written == Messages, 30000);
        if (round < 3) {
            receivedBefore = received();
            b.kill();
            {
                // The receiver died mid-batch: what A shows delivered must be in B's store.
                History ha(a.db()), hb(b.db());
                const auto delivered = ha.ids(u"outgoing = 1 AND state >= 2"_s);
                const auto stored = hb.ids(u"outgoing = 0"_s);
                QVERIFY2(stored.contains(delivered),
                         "a message marked delivered is not in B's store");
            }
            b.start();
            QTRY_VERIFY(!b.process->id().isEmpty());
        } else {
            a.kill();
            a.start();
            QTRY_VERIFY(!a.process->id().isEmpty());
        }
    }

    QTRY_VERIFY_WITH_TIMEOUT(written == Messages, 30000);
    // After the restarts everything A has queued reaches B.
    QTRY_VERIFY_WITH_TIMEOUT(History(a.db()).scalar(u"SELECT COUNT(*) FROM messages WHERE"
                                                    u" outgoing = 1 AND state IN (0, 1)"_s)
                                 == 0,
                             60000);
    a.process->send({{u"cmd"_s, u"quit"_s}});
    b.process->send({{u"cmd"_s, u"quit"_s}});
    QVERIFY(a.process->process.waitForFinished(10000));
    QVERIFY(b.process->process.waitForFinished(10000));

    History ha(a.db()), hb(b.db());
    const auto sentByA = ha.ids(u"outgoing = 1"_s);
    const auto deliveredByA = ha.ids(u"outgoing = 1 AND state >= 2"_s);
    const auto storedByB = hb.ids(u"outgoing = 0"_s);
    qInfo() << "A stored" << sentByA.size() << "of" << Messages << "commands before its kills;"
            << "B stored" << storedByB.size();
    QVERIFY(sentByA.size() > Messages / 2); // most commands got in before A was killed
    QCOMPARE(deliveredByA, sentByA);        // every queued one was delivered
    QCOMPARE(storedByB, sentByA);           // exactly those, once each (IDs are unique)
    QCOMPARE(hb.scalar(u"SELECT COUNT(*) FROM messages"_s), qint64(sentByA.size()));
    QCOMPARE(ha.integrity(), u"ok"_s);
    QCOMPARE(hb.integrity(), u"ok"_s);
}

QTEST_GUILESS_MAIN(tst_Crash)
#include "tst_crash.moc"
