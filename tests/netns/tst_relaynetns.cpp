// SPDX-License-Identifier: GPL-3.0-or-later
// Relay (issue 16, "Online proxy") in network namespaces made by the test: Alice and Bob on two
// subnets with no route between them, Carol on both. With every switch on, Alice and Bob talk
// through Carol ("via"), and what Carol keeps, on disk or in memory, never holds their words;
// once a cable joins them they talk directly, and via Carol again when it is pulled.
#include "cliprocess.h"
#include "netnstopology.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

QJsonObject lastPeer(const CliProcess &cli, const QString &id)
{
    for (auto it = cli.events.crbegin(); it != cli.events.crend(); ++it) {
        if (it->value(u"event"_s) == u"peer"_s && it->value(u"id"_s) == id)
            return *it;
    }
    return {};
}

bool onlineVia(const CliProcess &cli, const QString &id, const QString &carrier)
{
    const QJsonObject p = lastPeer(cli, id);
    return p.value(u"online"_s).toBool() && p.value(u"via"_s).toString() == carrier;
}

bool received(const CliProcess &cli, const QString &from, const QString &text)
{
    return !cli.find([&](const QJsonObject &e) {
                   return e.value(u"event"_s) == u"message"_s && e.value(u"from"_s) == from
                          && e.value(u"text"_s) == text;
               })
                .isEmpty();
}

// Whether a state event of message `id` said it went out through `carrier`, and the last
// state it reached.
bool sentVia(const CliProcess &cli, const QString &id, const QString &carrier)
{
    return !cli.find([&](const QJsonObject &e) {
                   return e.value(u"event"_s) == u"state"_s && e.value(u"id"_s) == id
                          && e.value(u"via"_s) == carrier;
               })
                .isEmpty();
}

QString stateOf(const CliProcess &cli, const QString &id)
{
    QString state;
    for (const QJsonObject &e : cli.all(u"state"_s)) {
        if (e.value(u"id"_s) == id)
            state = e.value(u"state"_s).toString();
    }
    return state;
}

// A text as UTF-8 and as UTF-16LE (QString's own layout in memory on this machine).
QList<QByteArray> encodings(const QString &text)
{
    QByteArray utf16(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
    return {text.toUtf8(), utf16};
}

// Searches `data` for every pattern; sets found[i] for those present.
void scan(const QByteArray &data, const QList<QByteArray> &patterns, QList<bool> &found)
{
    for (qsizetype i = 0; i < patterns.size(); ++i) {
        if (!found.at(i) && data.contains(patterns.at(i)))
            found[i] = true;
    }
}

// Every file under `dir` (history.sqlite, relay.sqlite, their WAL and shared-memory files...).
QList<bool> searchFiles(const QString &dir, const QList<QByteArray> &patterns, int *files)
{
    QList<bool> found(patterns.size(), false);
    *files = 0;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        if (!f.open(QIODevice::ReadOnly))
            continue;
        ++*files;
        scan(f.readAll(), patterns, found);
    }
    return found;
}

// The shoal-cli process under `pid` (ip netns exec and env exec it in place; a fork is
// followed to its child).
qint64 shoalPid(qint64 pid)
{
    for (int depth = 0; depth < 4 && pid > 0; ++depth) {
        if (QFile::symLinkTarget(u"/proc/%1/exe"_s.arg(pid)).endsWith(u"shoal-cli"_s))
            return pid;
        QFile children(u"/proc/%1/task/%1/children"_s.arg(pid));
        if (!children.open(QIODevice::ReadOnly))
            return -1;
        pid = children.readAll().trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// Every readable mapping of the process, read through /proc/PID/mem (as root).
QList<bool> searchMemory(qint64 pid, const QList<QByteArray> &patterns, qint64 *bytes)
{
    QList<bool> found(patterns.size(), false);
    *bytes = 0;
    QFile maps(u"/proc/%1/maps"_s.arg(pid));
    QFile mem(u"/proc/%1/mem"_s.arg(pid));
    if (!maps.open(QIODevice::ReadOnly) || !mem.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return found;
    qsizetype longest = 0;
    for (const QByteArray &p : patterns)
        longest = qMax(longest, p.size());
    constexpr qint64 Chunk = 4 * 1024 * 1024;
    for (const QByteArray &line : maps.readAll().split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() < 2 || !fields.at(1).startsWith('r'))
            continue;
        if (fields.size() >= 6 && (fields.at(5) == "[vvar]" || fields.at(5) == "[vsyscall]"))
            continue;
        const QList<QByteArray> range = fields.at(0).split('-');
        bool ok1 = false, ok2 = false;
        const quint64 start = range.value(0).toULongLong(&ok1, 16);
        const quint64 end = range.value(1).toULongLong(&ok2, 16);
        if (!ok1 || !ok2 || end <= start)
            continue;
        QByteArray carry; // the tail of the last chunk: a text across the boundary
        for (quint64 at = start; at < end; at += Chunk) {
            if (!mem.seek(qint64(at)))
                break;
            const QByteArray data = mem.read(qint64(qMin<quint64>(Chunk, end - at)));
            if (data.isEmpty())
                break;
            *bytes += data.size();
            scan(carry + data, patterns, found);
            carry = data.right(longest);
        }
    }
    return found;
}

} // namespace

class tst_RelayNetns : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void conversationThroughCarol();
    void switchesToDirectAndBack();

private:
    struct Trio
    {
        NetnsTopology net{u"relay"_s};
        QTemporaryDir dirA, dirB, dirC;
        std::unique_ptr<CliProcess> alice, bob, carol;
        QString aliceId, bobId, carolId;
        int ref = 0;
    };
    // Alice and Bob on two subnets with no route between them, Carol on both, every relay
    // switch on: returns when each sees the other online via Carol.
    void startThroughCarol(Trio &t);
    std::unique_ptr<CliProcess> start(NetnsTopology &net, const QString &host, QTemporaryDir &dir);
};

void tst_RelayNetns::initTestCase()
{
    const QString why = NetnsTopology::unavailable();
    if (!why.isEmpty())
        QSKIP(qPrintable(why + u"; skipped"_s));
}

std::unique_ptr<CliProcess> tst_RelayNetns::start(NetnsTopology &net,
                                                  const QString &host,
                                                  QTemporaryDir &dir)
{
    return std::make_unique<CliProcess>(
        net.ipPath(),
        net.shoalArguments(host, QStringLiteral(SHOAL_CLI_PATH), dir.path(), host)
            << u"--no-ipmsg"_s);
}

void tst_RelayNetns::startThroughCarol(Trio &t)
{
    NetnsTopology &net = t.net;
    QVERIFY(net.addSwitch(u"lan1"_s) && net.addSwitch(u"lan2"_s));
    QVERIFY(net.addHost(u"alice"_s));
    QVERIFY(net.plug(u"alice"_s, u"eth0"_s, u"lan1"_s, {u"10.80.1.1/24"_s}));
    QVERIFY(net.addHost(u"bob"_s));
    QVERIFY(net.plug(u"bob"_s, u"eth0"_s, u"lan2"_s, {u"10.80.2.2/24"_s}));
    // Carol on both subnets, forwarding nothing: Alice and Bob have no route to each other.
    QVERIFY(net.addHost(u"carol"_s));
    QVERIFY(net.plug(u"carol"_s, u"eth0"_s, u"lan1"_s, {u"10.80.1.3/24"_s}));
    QVERIFY(net.plug(u"carol"_s, u"eth1"_s, u"lan2"_s, {u"10.80.2.3/24"_s}));
    QVERIFY(net.exec(u"carol"_s, {u"sysctl"_s, u"-qw"_s, u"net.ipv4.ip_forward=0"_s}));

    t.carol = start(net, u"carol"_s, t.dirC);
    t.alice = start(net, u"alice"_s, t.dirA);
    t.bob = start(net, u"bob"_s, t.dirB);
    for (auto *h : {t.carol.get(), t.alice.get(), t.bob.get()})
        QTRY_VERIFY(!h->id().isEmpty());
    t.aliceId = t.alice->id();
    t.bobId = t.bob->id();
    t.carolId = t.carol->id();
    QTRY_VERIFY_WITH_TIMEOUT(t.alice->peerOnline(t.carolId, true)
                                 && t.carol->peerOnline(t.aliceId, true),
                             10000);
    QTRY_VERIFY_WITH_TIMEOUT(t.bob->peerOnline(t.carolId, true)
                                 && t.carol->peerOnline(t.bobId, true),
                             10000);

    // Every switch on, for relay: each endpoint allows Carol, Carol allows both.
    const struct
    {
        CliProcess *who;
        QString allows;
    } switches[] = {{t.alice.get(), t.carolId},
                    {t.bob.get(), t.carolId},
                    {t.carol.get(), t.aliceId},
                    {t.carol.get(), t.bobId}};
    for (const auto &s : switches) {
        const int ref = ++t.ref;
        s.who->send({{u"cmd"_s, u"allow-relay"_s},
                     {u"peer"_s, s.allows},
                     {u"relay"_s, true},
                     {u"ref"_s, ref}});
        QTRY_COMPARE(s.who->find([&](const QJsonObject &e) { return e.value(u"ref"_s) == ref; })
                         .value(u"relay"_s),
                     QJsonValue(true));
    }
    // Each sees the other online, through Carol.
    QTRY_VERIFY_WITH_TIMEOUT(onlineVia(*t.alice, t.bobId, t.carolId), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(onlineVia(*t.bob, t.aliceId, t.carolId), 15000);
    QVERIFY(!lastPeer(*t.carol, t.aliceId).contains(u"via"_s)); // Carol has them directly
}

void tst_RelayNetns::conversationThroughCarol()
{
    Trio t;
    startThroughCarol(t);
    if (QTest::currentTestFailed())
        return;
    CliProcess *const alice = t.alice.get(), *const bob = t.bob.get(), *const carol = t.carol.get();
    const QString aliceId = t.aliceId, bobId = t.bobId, carolId = t.carolId;
    QTemporaryDir &dirC = t.dirC;
    int &ref = t.ref;

    // A conversation both ways, with texts found nowhere else.
    const auto unique = [](const QString &what) {
        return u"%1 %2"_s.arg(what, QUuid::createUuid().toString(QUuid::WithoutBraces));
    };
    QStringList secrets;
    QStringList aliceIds, bobIds;
    for (int i = 0; i < 3; ++i) {
        const QString toBob = unique(u"Alice to Bob, for Bob's eyes only"_s);
        const QString toAlice = unique(
            u"Bob to Alice: \u4e0d\u8981\u544a\u8bc9\u5361\u7f57\u5c14"_s);
        secrets << toBob << toAlice;
        const int a = ++ref, b = ++ref;
        alice->send({{u"cmd"_s, u"send"_s}, {u"to"_s, bobId}, {u"text"_s, toBob}, {u"ref"_s, a}});
        bob->send({{u"cmd"_s, u"send"_s}, {u"to"_s, aliceId}, {u"text"_s, toAlice}, {u"ref"_s, b}});
        QTRY_VERIFY_WITH_TIMEOUT(received(*bob, aliceId, toBob), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(received(*alice, bobId, toAlice), 10000);
        aliceIds << alice->find([&](const QJsonObject &e) { return e.value(u"ref"_s) == a; })
                        .value(u"id"_s)
                        .toString();
        bobIds << bob->find([&](const QJsonObject &e) { return e.value(u"ref"_s) == b; })
                      .value(u"id"_s)
                      .toString();
    }
    for (const QString &id : std::as_const(aliceIds)) {
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(*alice, id), u"delivered"_s, 10000);
        QVERIFY(sentVia(*alice, id, carolId));
    }
    for (const QString &id : std::as_const(bobIds)) {
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(*bob, id), u"delivered"_s, 10000);
        QVERIFY(sentVia(*bob, id, carolId));
    }

    // The search's own check: a text Carol sent herself, delivered (so committed to her disk).
    const QString own = unique(u"Carol's own words"_s);
    carol->send({{u"cmd"_s, u"send"_s}, {u"to"_s, aliceId}, {u"text"_s, own}, {u"ref"_s, ++ref}});
    QTRY_VERIFY_WITH_TIMEOUT(received(*alice, carolId, own), 10000);
    const QString ownId = carol->find([&](const QJsonObject &e) { return e.value(u"ref"_s) == ref; })
                              .value(u"id"_s)
                              .toString();
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*carol, ownId), u"delivered"_s, 10000);

    QList<QByteArray> patterns;
    for (const QString &s : std::as_const(secrets))
        patterns << encodings(s);
    const qsizetype secretPatterns = patterns.size();
    patterns << encodings(own);

    // Carol's profile: history.sqlite, relay.sqlite, their WAL files, everything.
    int files = 0;
    QList<bool> found = searchFiles(dirC.path(), patterns, &files);
    QVERIFY2(QFile::exists(dirC.filePath(u"relay.sqlite"_s)), "Carol has no relay.sqlite");
    qInfo("searched %d files of Carol's profile", files);
    QVERIFY2(found.at(secretPatterns) || found.at(secretPatterns + 1),
             "the file search does not find Carol's own text: it would find nothing");
    for (qsizetype i = 0; i < secretPatterns; ++i)
        QVERIFY2(!found.at(i), qPrintable(u"Carol's profile holds \"%1\""_s.arg(secrets.at(i / 2))));

    // Carol's memory, while she runs.
    const qint64 pid = shoalPid(carol->process.processId());
    QVERIFY2(pid > 0, "Carol's shoal-cli process not found");
    qint64 bytes = 0;
    found = searchMemory(pid, patterns, &bytes);
    qInfo("searched %lld MiB of Carol's memory", bytes / (1024 * 1024));
    QVERIFY2(found.at(secretPatterns) || found.at(secretPatterns + 1),
             "the memory search does not find Carol's own text: it would find nothing");
    for (qsizetype i = 0; i < secretPatterns; ++i)
        QVERIFY2(!found.at(i), qPrintable(u"Carol's memory holds \"%1\""_s.arg(secrets.at(i / 2))));
}

// Issue 16: "When a direct connection becomes possible, Shoal switches to it." While Alice and
// Bob write to each other without pause through Carol, a cable is laid between them: they meet
// directly and Carol is out of it; the cable is pulled: back via Carol. Nothing written is lost
// or shown twice across either switch.
void tst_RelayNetns::switchesToDirectAndBack()
{
    Trio t;
    startThroughCarol(t);
    if (QTest::currentTestFailed())
        return;
    CliProcess &alice = *t.alice, &bob = *t.bob;
    const QString aliceId = t.aliceId, bobId = t.bobId, carolId = t.carolId;

    // Both write every 100 ms: texts numbered, ids by the send's ref.
    struct Sent
    {
        int ref = 0;
        QString text;
    };
    QList<Sent> fromAlice, fromBob;
    const QString run = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QTimer writer;
    int n = 0;
    QObject::connect(&writer, &QTimer::timeout, &writer, [&] {
        ++n;
        const struct
        {
            CliProcess &who;
            const QString &to;
            QList<Sent> &log;
            const char *name;
        } sides[] = {{alice, bobId, fromAlice, "Alice"}, {bob, aliceId, fromBob, "Bob"}};
        for (const auto &side : sides) {
            const Sent s{++t.ref, u"%1 %2 %3"_s.arg(QLatin1StringView(side.name), run).arg(n)};
            side.who.send(
                {{u"cmd"_s, u"send"_s}, {u"to"_s, side.to}, {u"text"_s, s.text}, {u"ref"_s, s.ref}});
            side.log.append(s);
        }
    });
    writer.start(100);
    const auto idOf = [](const CliProcess &cli, int ref) {
        return cli.find([&](const QJsonObject &e) { return e.value(u"ref"_s) == ref; })
            .value(u"id"_s)
            .toString();
    };
    const auto noVia = [](const CliProcess &cli, const QString &id) {
        return cli
            .find([&](const QJsonObject &e) {
                return e.value(u"event"_s) == u"state"_s && e.value(u"id"_s) == id
                       && e.contains(u"via"_s);
            })
            .isEmpty();
    };
    const auto direct = [](const CliProcess &cli, const QString &id) {
        const QJsonObject p = lastPeer(cli, id);
        return p.value(u"online"_s).toBool() && !p.contains(u"via"_s);
    };
    // The last message each side sent is delivered, and how it went: `carrier`, or directly.
    const auto lastDelivered = [&](const QString &carrier) {
        const Sent a = fromAlice.constLast(), b = fromBob.constLast();
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(alice, idOf(alice, a.ref)), u"delivered"_s, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(bob, idOf(bob, b.ref)), u"delivered"_s, 10000);
        if (carrier.isEmpty()) {
            QVERIFY2(noVia(alice, idOf(alice, a.ref)), qPrintable(a.text));
            QVERIFY2(noVia(bob, idOf(bob, b.ref)), qPrintable(b.text));
        } else {
            QVERIFY2(sentVia(alice, idOf(alice, a.ref), carrier), qPrintable(a.text));
            QVERIFY2(sentVia(bob, idOf(bob, b.ref), carrier), qPrintable(b.text));
        }
    };
    QTRY_VERIFY_WITH_TIMEOUT(fromAlice.size() >= 5, 5000);
    lastDelivered(carolId);
    if (QTest::currentTestFailed())
        return;

    // A cable between Alice and Bob: each hears the other on it and they connect directly.
    QElapsedTimer clock;
    clock.start();
    QVERIFY(t.net.link(u"alice"_s,
                       u"eth1"_s,
                       {u"10.80.3.1/24"_s},
                       u"bob"_s,
                       u"eth1"_s,
                       {u"10.80.3.2/24"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(direct(alice, bobId) && direct(bob, aliceId), 15000);
    qInfo("direct %lld ms after the cable was laid", clock.elapsed());
    const int met = n;
    QTRY_VERIFY_WITH_TIMEOUT(n >= met + 3, 5000); // written since
    lastDelivered({});
    if (QTest::currentTestFailed())
        return;

    // The cable pulled: both lose the address it had, and Carol carries again.
    clock.restart();
    QVERIFY(t.net.unplug(u"alice"_s, u"eth1"_s));
    QTRY_VERIFY_WITH_TIMEOUT(onlineVia(alice, bobId, carolId) && onlineVia(bob, aliceId, carolId),
                             15000);
    qInfo("via Carol %lld ms after the cable was pulled", clock.elapsed());
    const int back = n;
    QTRY_VERIFY_WITH_TIMEOUT(n >= back + 3, 5000);
    writer.stop();
    lastDelivered(carolId);
    if (QTest::currentTestFailed())
        return;

    // Every message, each once, and delivered.
    const auto check = [&](const CliProcess &sender,
                           const CliProcess &recipient,
                           const QString &senderId,
                           const QList<Sent> &log) {
        for (const Sent &s : log)
            QTRY_COMPARE_WITH_TIMEOUT(stateOf(sender, idOf(sender, s.ref)), u"delivered"_s, 10000);
        for (const Sent &s : log) {
            const qsizetype shown = std::count_if(recipient.events.cbegin(),
                                                  recipient.events.cend(),
                                                  [&](const QJsonObject &e) {
                                                      return e.value(u"event"_s) == u"message"_s
                                                             && e.value(u"from"_s) == senderId
                                                             && e.value(u"text"_s) == s.text;
                                                  });
            QVERIFY2(shown == 1, qPrintable(u"\"%1\" shown %2 times"_s.arg(s.text).arg(shown)));
        }
    };
    check(alice, bob, aliceId, fromAlice);
    if (QTest::currentTestFailed())
        return;
    check(bob, alice, bobId, fromBob);
    qInfo("%lld messages each way", qint64(fromAlice.size()));
}

QTEST_GUILESS_MAIN(tst_RelayNetns)
#include "tst_relaynetns.moc"
