// SPDX-License-Identifier: GPL-3.0-or-later
// Relay (issue 16, "Online proxy") in network namespaces made by the test: Alice and Bob on two
// subnets with no route between them, Carol on both. With every switch on, Alice and Bob talk
// through Carol ("via"), and what Carol keeps, on disk or in memory, never holds their words;
// once a direct path exists, they use it.
#include "cliprocess.h"
#include "netnstopology.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

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

private:
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

void tst_RelayNetns::conversationThroughCarol()
{
    NetnsTopology net(u"relay"_s);
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

    QTemporaryDir dirA, dirB, dirC;
    auto carol = start(net, u"carol"_s, dirC);
    auto alice = start(net, u"alice"_s, dirA);
    auto bob = start(net, u"bob"_s, dirB);
    for (auto *h : {carol.get(), alice.get(), bob.get()})
        QTRY_VERIFY(!h->id().isEmpty());
    const QString aliceId = alice->id(), bobId = bob->id(), carolId = carol->id();
    QTRY_VERIFY_WITH_TIMEOUT(alice->peerOnline(carolId, true) && carol->peerOnline(aliceId, true),
                             10000);
    QTRY_VERIFY_WITH_TIMEOUT(bob->peerOnline(carolId, true) && carol->peerOnline(bobId, true),
                             10000);

    // Every switch on, for relay: each endpoint allows Carol, Carol allows both.
    int ref = 0;
    const struct
    {
        CliProcess *who;
        QString allows;
    } switches[] = {{alice.get(), carolId},
                    {bob.get(), carolId},
                    {carol.get(), aliceId},
                    {carol.get(), bobId}};
    for (const auto &s : switches) {
        s.who->send({{u"cmd"_s, u"allow-relay"_s},
                     {u"peer"_s, s.allows},
                     {u"relay"_s, true},
                     {u"ref"_s, ++ref}});
        QTRY_COMPARE(s.who->find([&](const QJsonObject &e) { return e.value(u"ref"_s) == ref; })
                         .value(u"relay"_s),
                     QJsonValue(true));
    }
    // Each sees the other online, through Carol.
    QTRY_VERIFY_WITH_TIMEOUT(onlineVia(*alice, bobId, carolId), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(onlineVia(*bob, aliceId, carolId), 15000);
    QVERIFY(!lastPeer(*carol, aliceId).contains(u"via"_s)); // Carol has them directly

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

    // A cable between Alice and Bob's subnet: they meet directly, and Carol is out of it.
    QVERIFY(net.plug(u"alice"_s, u"eth1"_s, u"lan2"_s, {u"10.80.2.1/24"_s}));
    const auto direct = [](const CliProcess &cli, const QString &id) {
        const QJsonObject p = lastPeer(cli, id);
        return p.value(u"online"_s).toBool() && !p.contains(u"via"_s);
    };
    QTRY_VERIFY_WITH_TIMEOUT(direct(*alice, bobId) && direct(*bob, aliceId), 30000);
    const QString after = unique(u"face to face"_s);
    alice->send({{u"cmd"_s, u"send"_s}, {u"to"_s, bobId}, {u"text"_s, after}, {u"ref"_s, ++ref}});
    QTRY_VERIFY_WITH_TIMEOUT(received(*bob, aliceId, after), 10000);
    const QString afterId
        = alice->find([&](const QJsonObject &e) { return e.value(u"ref"_s) == ref; })
              .value(u"id"_s)
              .toString();
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(*alice, afterId), u"delivered"_s, 10000);
    QVERIFY(!sentVia(*alice, afterId, carolId));
}

QTEST_GUILESS_MAIN(tst_RelayNetns)
#include "tst_relaynetns.moc"
