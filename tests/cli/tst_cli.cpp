// SPDX-License-Identifier: GPL-3.0-or-later
// Two shoal-cli processes on loopback, driven through their JSON-lines interface.
#include "cliprocess.h"
#include "discovery/announcement.h"
#include "net/networksafety.h"
#include "protocol/invitelink.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <csignal>
#include <sys/resource.h>

using namespace Qt::StringLiterals;

namespace {

class CliPeer : public CliProcess
{
public:
    explicit CliPeer(const QString &profile, const QStringList &extra = {})
        : CliProcess(QStringLiteral(SHOAL_CLI_PATH), arguments(profile, extra))
    {}

private:
    static QStringList arguments(const QString &profile, const QStringList &extra)
    {
        QStringList args{u"--profile"_s, profile, u"--listen"_s, u"127.0.0.1"_s, u"--port"_s, u"0"_s};
        // Network safety: discovery only ever goes to loopback here; without a loopback
        // target it is off. (SHOAL_LOOPBACK_ONLY, set by ctest, backs this up.)
        if (!extra.contains(u"--discovery-target"_s))
            args.append(u"--no-discovery"_s);
        return args + extra;
    }
};

} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void twoPeersChat();
    void badCommandsChangeNothing();
    void knownPeersListedAfterRestart();
    void versionAndHelp();
    void secondProcessOnProfileRefused();
    void threePeersDiscoverEachOther();
    void forgedAnnouncementIsHeardNotOnline();
    void anotherKeyAnsweringIsHeardNotOnline();
    void invitedPeerThatRefusesIsNotOnline();
    void fullDiskFailsAndRecovers();
    void peerExchangeIntroducesAndSettingsKept();
};

void tst_Cli::forgedAnnouncementIsHeardNotOnline()
{
    // A made-up peer announced at a port where nothing listens: a `peer` event says where it
    // was heard ("source": "lan") and "online": false, and no event ever says it is online.
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    const quint16 discoveryPort = probe.localPort();
    probe.close();
    QTemporaryDir dir;
    CliPeer ann(dir.path(),
                {u"--discovery-target"_s,
                 u"127.255.255.255"_s,
                 u"--discovery-port"_s,
                 QString::number(discoveryPort)});
    QTRY_VERIFY(!ann.id().isEmpty());
    Announcement forged;
    forged.peerId = QString(64, u'e');
    forged.instance = QUuid::createUuid();
    forged.name = u"Mallory"_s;
    forged.port = 9; // discard: nothing listens
    QUdpSocket eve;
    QVERIFY(eve.bind(QHostAddress::LocalHost, 0));
    eve.writeDatagram(forged.encode(), QHostAddress(u"127.255.255.255"_s), discoveryPort);
    auto heard = [&] {
        return ann.find([&](const QJsonObject &e) {
            return e.value(u"event"_s) == u"peer"_s && e.value(u"id"_s) == forged.peerId;
        });
    };
    QTRY_VERIFY(!heard().isEmpty());
    QCOMPARE(heard().value(u"source"_s).toString(), u"lan"_s);
    QCOMPARE(heard().value(u"online"_s).toBool(), false);
    QCOMPARE(heard().value(u"name"_s).toString(), u"Mallory"_s);
    QCOMPARE(heard().value(u"addresses"_s).toArray().first().toString(), u"127.0.0.1:9"_s);
    // Its dial fails (refused); it stays heard, and is never online.
    auto everOnline = [&] {
        const auto events = ann.all(u"peer"_s);
        return std::any_of(events.cbegin(), events.cend(), [&](const QJsonObject &e) {
            return e.value(u"id"_s) == forged.peerId && e.value(u"online"_s).toBool();
        });
    };
    QVERIFY(!QTest::qWaitFor(everOnline, 1000));
    // Honest presence: heard, can't connect, and why.
    auto unreachable = [&] {
        return ann.find([&](const QJsonObject &e) {
            return e.value(u"event"_s) == u"peer"_s && e.value(u"id"_s) == forged.peerId
                   && e.value(u"reachable"_s) == false;
        });
    };
    QTRY_VERIFY(!unreachable().isEmpty());
    QCOMPARE(unreachable().value(u"reason"_s).toString(), u"refused"_s);
    QCOMPARE(unreachable().value(u"source"_s).toString(), u"lan"_s);
    QVERIFY(unreachable().value(u"detail"_s).toString().startsWith(u"127.0.0.1:9: "_s));
    QVERIFY(!everOnline());
    // Every peer event says whether it is reachable: the one first heard was, as far as known.
    QCOMPARE(heard().value(u"reachable"_s).toBool(), true);
    QVERIFY(!heard().contains(u"reason"_s));
}

void tst_Cli::anotherKeyAnsweringIsHeardNotOnline()
{
    // An announcement names a made-up ID at the port where another Shoal (Bob) listens: the
    // dial to it meets Bob's key, is refused, and the peer is shown "identity-mismatch".
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    const quint16 discoveryPort = probe.localPort();
    probe.close();
    QTemporaryDir dirA, dirB;
    CliPeer bob(dirB.path(), {u"--name"_s, u"Bob"_s});
    CliPeer ann(dirA.path(),
                {u"--discovery-target"_s,
                 u"127.255.255.255"_s,
                 u"--discovery-port"_s,
                 QString::number(discoveryPort)});
    QTRY_VERIFY(!bob.id().isEmpty());
    QTRY_VERIFY(!ann.id().isEmpty());
    Announcement forged;
    forged.peerId = QString(64, u'0'); // lower than any real ID: Ann dials it at once
    forged.instance = QUuid::createUuid();
    forged.name = u"Not Bob"_s;
    forged.port = quint16(bob.port());
    QUdpSocket eve;
    QVERIFY(eve.bind(QHostAddress::LocalHost, 0));
    eve.writeDatagram(forged.encode(), QHostAddress(u"127.255.255.255"_s), discoveryPort);
    auto unreachable = [&] {
        return ann.find([&](const QJsonObject &e) {
            return e.value(u"event"_s) == u"peer"_s && e.value(u"id"_s) == forged.peerId
                   && e.value(u"reachable"_s) == false;
        });
    };
    QTRY_VERIFY(!unreachable().isEmpty());
    QCOMPARE(unreachable().value(u"reason"_s).toString(), u"identity-mismatch"_s);
    QCOMPARE(unreachable().value(u"online"_s).toBool(), false);
    QVERIFY(unreachable().value(u"detail"_s).toString().contains(bob.id()));
    for (const QJsonObject &e : ann.all(u"peer"_s))
        QVERIFY(!e.value(u"online"_s).toBool()); // neither the claim nor Bob
}

void tst_Cli::invitedPeerThatRefusesIsNotOnline()
{
    // An invite link whose port refuses: listed at once (invited), then "reachable": false
    // with the reason, and never online.
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    InviteLink invite;
    invite.peerId = QString(64, u'c');
    invite.name = u"Carol"_s;
    invite.addresses = {QHostAddress::LocalHost};
    invite.port = closed.serverPort();
    closed.close(); // nothing listens there now
    QTemporaryDir dir;
    CliPeer ann(dir.path());
    QTRY_VERIFY(!ann.id().isEmpty());
    ann.send({{u"cmd"_s, u"connect"_s}, {u"invite"_s, invite.encode()}});
    auto unreachable = [&] {
        return ann.find([&](const QJsonObject &e) {
            return e.value(u"event"_s) == u"peer"_s && e.value(u"id"_s) == invite.peerId
                   && e.value(u"reachable"_s) == false;
        });
    };
    QTRY_VERIFY(!unreachable().isEmpty());
    QCOMPARE(unreachable().value(u"reason"_s).toString(), u"refused"_s);
    QCOMPARE(unreachable().value(u"invited"_s).toBool(), true);
    QVERIFY(
        unreachable().value(u"detail"_s).toString().startsWith(u"127.0.0.1:%1: "_s.arg(invite.port)));
    for (const QJsonObject &e : ann.all(u"peer"_s))
        QVERIFY(!e.value(u"online"_s).toBool());
}

void tst_Cli::twoPeersChat()
{
    QTemporaryDir dirA, dirB;
    CliPeer bob(dirB.path(), {u"--name"_s, u"Bob"_s});
    QTRY_VERIFY(!bob.id().isEmpty());
    CliPeer alice(dirA.path(),
                  {u"--name"_s, u"Alice"_s, u"--connect"_s, u"127.0.0.1:%1"_s.arg(bob.port())});
    QTRY_VERIFY(!alice.id().isEmpty());
    QCOMPARE(alice.id().size(), 64);
    QTRY_VERIFY(alice.peerOnline(bob.id(), true));
    QTRY_VERIFY(bob.peerOnline(alice.id(), true));
    QCOMPARE(alice.event(u"peer"_s).value(u"name"_s).toString(), u"Bob"_s);
    QCOMPARE(alice.event(u"peer"_s).value(u"address"_s).toString(),
             u"127.0.0.1:%1"_s.arg(bob.port()));

    alice.send(
        {{u"cmd"_s, u"send"_s}, {u"to"_s, bob.id()}, {u"text"_s, u"你好 Bob"_s}, {u"ref"_s, 7}});
    QTRY_VERIFY(!bob.event(u"message"_s).isEmpty());
    const QJsonObject msg = bob.event(u"message"_s);
    QCOMPARE(msg.value(u"from"_s).toString(), alice.id());
    QCOMPARE(msg.value(u"text"_s).toString(), u"你好 Bob"_s);
    QVERIFY(QDateTime::fromString(msg.value(u"sent_at"_s).toString(), Qt::ISODateWithMs).isValid());
    const QString msgId = msg.value(u"id"_s).toString();
    // The reply to the command carries its ref; delivery follows.
    const QJsonObject first = alice.find(
        [](const QJsonObject &e) { return e.value(u"ref"_s).toInt() == 7; });
    QCOMPARE(first.value(u"event"_s).toString(), u"state"_s);
    QCOMPARE(first.value(u"id"_s).toString(), msgId);
    QTRY_VERIFY(!alice
                     .find([&](const QJsonObject &e) {
                         return e.value(u"event"_s) == u"state"_s
                                && e.value(u"id"_s).toString() == msgId
                                && e.value(u"state"_s) == u"delivered"_s;
                     })
                     .isEmpty());

    // Each state is reported once, in order: queued (the reply: on disk, nothing sent yet),
    // sent, delivered.
    QStringList states;
    for (const QJsonObject &e : alice.all(u"state"_s)) {
        if (e.value(u"id"_s).toString() == msgId)
            states.append(e.value(u"state"_s).toString());
    }
    QCOMPARE(states, (QStringList{u"queued"_s, u"sent"_s, u"delivered"_s}));

    // Bob reads it: Alice sees "read".
    bob.send({{u"cmd"_s, u"read"_s}, {u"with"_s, alice.id()}});
    QTRY_VERIFY(!alice
                     .find([&](const QJsonObject &e) {
                         return e.value(u"id"_s).toString() == msgId
                                && e.value(u"state"_s) == u"read"_s;
                     })
                     .isEmpty());

    bob.send({{u"cmd"_s, u"send"_s}, {u"to"_s, alice.id()}, {u"text"_s, u"hi Alice"_s}});
    QTRY_COMPARE(alice.event(u"message"_s).value(u"text"_s).toString(), u"hi Alice"_s);

    // A clean quit shows the peer offline at once on the other side.
    bob.send({{u"cmd"_s, u"quit"_s}});
    QVERIFY(bob.process.waitForFinished(5000));
    QCOMPARE(bob.process.exitCode(), 0);
    // "bye" is the last line: what the shutdown does (Alice going offline) is not reported.
    QTRY_COMPARE(bob.events.constLast().value(u"event"_s).toString(), u"bye"_s);
    QTRY_VERIFY(alice.peerOnline(bob.id(), false));
    alice.process.closeWriteChannel(); // EOF on stdin also ends the session
    QVERIFY(alice.process.waitForFinished(5000));
    QCOMPARE(alice.process.exitCode(), 0);
    QVERIFY(alice.badLines.isEmpty());
    QVERIFY(bob.badLines.isEmpty());
}

void tst_Cli::badCommandsChangeNothing()
{
    QTemporaryDir dir;
    CliPeer peer(dir.path());
    QTRY_VERIFY(!peer.id().isEmpty());
    peer.process.write("this is not json\n");
    peer.process.write("[1,2]\n");
    peer.send({{u"ref"_s, u"r1"_s}});
    peer.send({{u"cmd"_s, u"fly"_s}, {u"ref"_s, u"r2"_s}});
    peer.send({{u"cmd"_s, u"send"_s}, {u"to"_s, QString(64, u'a')}, {u"text"_s, u"x"_s}});
    peer.send({{u"cmd"_s, u"send"_s}, {u"to"_s, 5}});
    peer.send({{u"cmd"_s, u"connect"_s}, {u"address"_s, u"host:99999"_s}, {u"ref"_s, u"r3"_s}});
    peer.send({{u"cmd"_s, u"peers"_s}, {u"ref"_s, u"last"_s}});
    QTRY_VERIFY(!peer.event(u"peers"_s).isEmpty());
    QCOMPARE(peer.all(u"error"_s).size(), 7);
    for (const QJsonObject &e : peer.all(u"error"_s))
        QVERIFY(!e.value(u"message"_s).toString().isEmpty());
    QCOMPARE(peer.find([](const QJsonObject &e) { return e.value(u"ref"_s) == u"r3"_s; })
                 .value(u"event"_s)
                 .toString(),
             u"error"_s);
    QCOMPARE(peer.event(u"peers"_s).value(u"ref"_s).toString(), u"last"_s);
    QCOMPARE(peer.event(u"peers"_s).value(u"peers"_s).toArray().size(), 0);
    QCOMPARE(peer.process.state(), QProcess::Running);
}

void tst_Cli::knownPeersListedAfterRestart()
{
    QTemporaryDir dirA, dirB;
    QString bobId;
    {
        CliPeer bob(dirB.path(), {u"--name"_s, u"Bob"_s});
        QTRY_VERIFY(!bob.id().isEmpty());
        bobId = bob.id();
        CliPeer alice(dirA.path(), {u"--connect"_s, u"127.0.0.1:%1"_s.arg(bob.port())});
        QTRY_VERIFY(alice.peerOnline(bobId, true));
        alice.send({{u"cmd"_s, u"quit"_s}});
        QVERIFY(alice.process.waitForFinished(5000));
    }
    CliPeer alice(dirA.path());
    QTRY_VERIFY(!alice.id().isEmpty());
    alice.send({{u"cmd"_s, u"peers"_s}});
    QTRY_VERIFY(!alice.event(u"peers"_s).isEmpty());
    const QJsonArray peers = alice.event(u"peers"_s).value(u"peers"_s).toArray();
    QCOMPARE(peers.size(), 1);
    QCOMPARE(peers.at(0).toObject().value(u"id"_s).toString(), bobId);
    QCOMPARE(peers.at(0).toObject().value(u"name"_s).toString(), u"Bob"_s);
    QCOMPARE(peers.at(0).toObject().value(u"online"_s).toBool(), false);
}

void tst_Cli::versionAndHelp()
{
    QProcess p;
    p.start(QStringLiteral(SHOAL_CLI_PATH), {u"--version"_s});
    QVERIFY(p.waitForFinished(5000));
    QVERIFY(p.readAllStandardOutput().contains("shoal"));
    p.start(QStringLiteral(SHOAL_CLI_PATH), {u"--help"_s});
    QVERIFY(p.waitForFinished(5000));
    const QByteArray help = p.readAllStandardOutput();
    for (const char *option : {"--profile", "--name", "--port", "--listen", "--connect"})
        QVERIFY2(help.contains(option), option);
    p.start(QStringLiteral(SHOAL_CLI_PATH), {u"--port"_s, u"abc"_s});
    QVERIFY(p.waitForFinished(5000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("--port"));
}

void tst_Cli::secondProcessOnProfileRefused()
{
    QTemporaryDir dir;
    CliPeer first(dir.path(), {u"--name"_s, u"First"_s});
    QTRY_VERIFY(!first.id().isEmpty());

    // Same profile, same identity: refused with a reason, before it listens or says anything.
    QProcess second;
    second.start(QStringLiteral(SHOAL_CLI_PATH),
                 {u"--profile"_s,
                  dir.path(),
                  u"--listen"_s,
                  u"127.0.0.1"_s,
                  u"--port"_s,
                  u"0"_s,
                  u"--no-discovery"_s});
    QVERIFY(second.waitForFinished(10'000));
    QCOMPARE(second.exitCode(), 1);
    QVERIFY(second.readAllStandardOutput().isEmpty());
    const QByteArray why = second.readAllStandardError();
    QVERIFY2(why.contains(QByteArray::number(first.process.processId())), why.constData());

    // The first goes on; killed, it leaves no lock that keeps the profile from starting.
    first.send({{u"cmd"_s, u"peers"_s}});
    QTRY_VERIFY(!first.event(u"peers"_s).isEmpty());
    first.process.kill();
    QVERIFY(first.process.waitForFinished());
    CliPeer again(dir.path());
    QTRY_VERIFY(!again.id().isEmpty());
    QCOMPARE(again.id(), first.id());
}

void tst_Cli::initTestCase()
{
    // Network safety: whatever this test does, Shoal sends nothing beyond this host.
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_Cli::threePeersDiscoverEachOther()
{
    // Three shoal-cli processes find each other by UDP broadcast on loopback, on a port this
    // test picked, then one quits, one is killed, and one restarts.
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    const QString discoveryPort = QString::number(probe.localPort());
    probe.close();
    const QStringList lan{u"--discovery-target"_s,
                          u"127.255.255.255"_s,
                          u"--discovery-port"_s,
                          discoveryPort,
                          u"--discovery-interval"_s,
                          u"500"_s};
    QTemporaryDir dirs[3];
    auto start = [&](int i, const QString &name) {
        return std::make_unique<CliPeer>(dirs[i].path(), QStringList{u"--name"_s, name} + lan);
    };
    auto a = start(0, u"Ann"_s);
    auto b = start(1, u"Ben"_s);
    auto c = start(2, u"Cat"_s);
    QTRY_VERIFY(!a->id().isEmpty() && !b->id().isEmpty() && !c->id().isEmpty());
    const QList<CliPeer *> peers{a.get(), b.get(), c.get()};
    auto allSeeAll = [&] {
        for (CliPeer *x : peers) {
            for (CliPeer *y : peers) {
                if (x != y && !x->peerOnline(y->id(), true))
                    return false;
            }
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(allSeeAll(), 2000);
    const QJsonObject seen = a->find([&](const QJsonObject &e) {
        return e.value(u"event"_s) == u"peer"_s && e.value(u"id"_s) == c->id();
    });
    QCOMPARE(seen.value(u"source"_s).toString(), u"lan"_s);
    QCOMPARE(seen.value(u"name"_s).toString(), u"Cat"_s);

    // Ann writes to Cat without an address.
    a->send({{u"cmd"_s, u"send"_s}, {u"to"_s, c->id()}, {u"text"_s, u"hi Cat"_s}});
    QTRY_COMPARE(c->event(u"message"_s).value(u"text"_s).toString(), u"hi Cat"_s);

    // A clean quit: offline within a second.
    const QString benId = b->id();
    b->send({{u"cmd"_s, u"quit"_s}});
    QElapsedTimer t;
    t.start();
    QTRY_VERIFY_WITH_TIMEOUT(a->peerOnline(benId, false) && c->peerOnline(benId, false), 1000);

    // SIGKILL: gone after the expiry at the latest (3 intervals of 500 ms).
    const QString catId = c->id();
    c->process.kill();
    QVERIFY(c->process.waitForFinished(5000));
    QTRY_VERIFY_WITH_TIMEOUT(a->peerOnline(catId, false), 3000);

    // Cat restarts with the same profile (same ID, new instance): seen again at once.
    c = start(2, u"Cat"_s);
    QTRY_VERIFY(!c->id().isEmpty());
    QCOMPARE(c->id(), catId);
    QTRY_VERIFY_WITH_TIMEOUT(a->peerOnline(catId, true), 1000);
}

namespace {

// Makes `peer`'s disk "full" for its history: no file of the process may grow past the size of
// its history's write-ahead log now (plus a few bytes). `full` false lifts the limit.
bool setDiskFull(CliPeer &peer, const QString &profile, bool full)
{
    const QFileInfo wal(QDir(profile).filePath(u"history.sqlite-wal"_s));
    rlimit limit{RLIM_INFINITY, RLIM_INFINITY};
    if (full)
        limit.rlim_cur = rlim_t(wal.size() + 100);
    return ::prlimit(pid_t(peer.process.processId()), RLIMIT_FSIZE, &limit, nullptr) == 0;
}

QStringList statesOf(const CliPeer &peer, const QString &id)
{
    QStringList out;
    for (const QJsonObject &e : peer.all(u"state"_s)) {
        if (e.value(u"id"_s).toString() == id)
            out.append(e.value(u"state"_s).toString());
    }
    return out;
}

} // namespace

void tst_Cli::fullDiskFailsAndRecovers()
{
    // A real full disk, in two shoal-cli processes: each in turn may not grow its files (an
    // RLIMIT_FSIZE set from here, SIGXFSZ ignored so that the write fails instead of killing).
    // The sender is told "failed" with the reason (never "queued"), and "retry" saves and sends
    // it once there is room. A receiver that could not store a message asks for it again once
    // it can, on the same connection (before: "queued" for a message that was never saved,
    // nor sent; the received one waited for a reconnect).
    std::signal(SIGXFSZ, SIG_IGN); // inherited by the processes started from here
    QTemporaryDir dirA, dirB;
    CliPeer bob(dirB.path(), {u"--name"_s, u"Bob"_s});
    QTRY_VERIFY(!bob.id().isEmpty());
    CliPeer alice(dirA.path(), {u"--connect"_s, u"127.0.0.1:%1"_s.arg(bob.port())});
    QTRY_VERIFY(alice.peerOnline(bob.id(), true) && bob.peerOnline(alice.id(), true));
    // Both have stored each other (the peer record) before the disk fills up.
    alice.send({{u"cmd"_s, u"send"_s}, {u"to"_s, bob.id()}, {u"text"_s, u"warm-up"_s}});
    QTRY_COMPARE(bob.all(u"message"_s).size(), 1);
    QTRY_COMPARE(alice.all(u"state"_s).size(), 3); // queued, sent, delivered

    // Alice's disk is full: her message is not saved, and she is told why.
    QVERIFY(setDiskFull(alice, dirA.path(), true));
    const QString text = QString(5000, u'a'); // more than a page: it needs room
    alice.send({{u"cmd"_s, u"send"_s}, {u"to"_s, bob.id()}, {u"text"_s, text}, {u"ref"_s, 1}});
    QTRY_VERIFY(!alice.find([](const QJsonObject &e) { return e.value(u"ref"_s) == 1; }).isEmpty());
    const QJsonObject reply = alice.find(
        [](const QJsonObject &e) { return e.value(u"ref"_s) == 1; });
    const QString id = reply.value(u"id"_s).toString();
    QCOMPARE(reply.value(u"state"_s).toString(), u"failed"_s);
    // SQLite's error: "disk I/O error" here (the write fails with EFBIG), "database or disk is
    // full" on a full file system.
    QVERIFY(!reply.value(u"reason"_s).toString().isEmpty());
    alice.send({{u"cmd"_s, u"network"_s}, {u"ref"_s, 2}});
    QTRY_VERIFY(!alice.event(u"network"_s).isEmpty());
    QVERIFY(!alice.event(u"network"_s).value(u"warnings"_s).toArray().isEmpty());

    // Room again: "retry" saves it, and it goes out.
    QVERIFY(setDiskFull(alice, dirA.path(), false));
    alice.send({{u"cmd"_s, u"retry"_s}, {u"id"_s, id}});
    QTRY_COMPARE(bob.all(u"message"_s).size(), 2);
    QCOMPARE(bob.all(u"message"_s).last().value(u"text"_s).toString(), text);
    QTRY_COMPARE(statesOf(alice, id),
                 (QStringList{u"failed"_s, u"queued"_s, u"sent"_s, u"delivered"_s}));

    // Bob's disk is full: Alice's message reaches him but cannot be stored, so he does not
    // acknowledge it. When he has room again he asks for it, on the same connection.
    QVERIFY(setDiskFull(bob, dirB.path(), true));
    alice.send(
        {{u"cmd"_s, u"send"_s}, {u"to"_s, bob.id()}, {u"text"_s, text + u'b'}, {u"ref"_s, 3}});
    QTRY_VERIFY(!alice.find([](const QJsonObject &e) { return e.value(u"ref"_s) == 3; }).isEmpty());
    const QString second = alice.find([](const QJsonObject &e) { return e.value(u"ref"_s) == 3; })
                               .value(u"id"_s)
                               .toString();
    QTRY_COMPARE(statesOf(alice, second), (QStringList{u"queued"_s, u"sent"_s}));
    // Bob was told (the warning), and did not acknowledge.
    qsizetype asked = 0;
    const auto bobWarned = [&] {
        const auto replies = bob.all(u"network"_s);
        if (!replies.isEmpty() && !replies.last().value(u"warnings"_s).toArray().isEmpty())
            return true;
        if (replies.size() == asked) { // no question on its way: ask (again)
            bob.send({{u"cmd"_s, u"network"_s}});
            ++asked;
        }
        return false;
    };
    QTRY_VERIFY(bobWarned());
    QCOMPARE(statesOf(alice, second), (QStringList{u"queued"_s, u"sent"_s}));
    QCOMPARE(bob.all(u"message"_s).size(), 2);
    QVERIFY(setDiskFull(bob, dirB.path(), false));
    QTRY_COMPARE_WITH_TIMEOUT(statesOf(alice, second),
                              (QStringList{u"queued"_s, u"sent"_s, u"delivered"_s}),
                              15000); // asked again within 10 s of the disk having room
    QCOMPARE(bob.all(u"message"_s).size(), 3);
    QCOMPARE(bob.all(u"message"_s).last().value(u"text"_s).toString(), text + u'b');
    // Without a new connection: neither saw the other go offline.
    QVERIFY(alice.peerOnline(bob.id(), true) && bob.peerOnline(alice.id(), true));
    const auto offline = [](const CliPeer &p) {
        return std::count_if(p.events.cbegin(), p.events.cend(), [](const QJsonObject &e) {
            return e.value(u"event"_s) == u"peer"_s && !e.value(u"online"_s).toBool();
        });
    };
    QCOMPARE(offline(alice), 0);
    QCOMPARE(offline(bob), 0);

    QVERIFY(alice.badLines.isEmpty() && bob.badLines.isEmpty());

    // After a restart, Alice's history holds all three, once each, delivered.
    alice.send({{u"cmd"_s, u"quit"_s}});
    QVERIFY(alice.process.waitForFinished(5000));
    CliPeer again(dirA.path());
    QTRY_VERIFY(!again.id().isEmpty());
    again.send({{u"cmd"_s, u"history"_s}, {u"with"_s, bob.id()}});
    QTRY_VERIFY(!again.event(u"history"_s).isEmpty());
    const QJsonArray history = again.event(u"history"_s).value(u"messages"_s).toArray();
    QCOMPARE(history.size(), 3);
    for (const QJsonValue &m : history)
        QCOMPARE(m.toObject().value(u"state"_s).toString(), u"delivered"_s);
}

// Peer exchange through shoal-cli: Carol knows Dave, Alice is given Carol's address, and
// Alice and Dave meet without a command; `set` and `exclude` are kept in shoal.ini.
void tst_Cli::peerExchangeIntroducesAndSettingsKept()
{
    QTemporaryDir dirA, dirC, dirD;
    CliPeer dave(dirD.path(), {u"--name"_s, u"Dave"_s});
    QTRY_VERIFY(!dave.id().isEmpty());
    CliPeer carol(dirC.path(),
                  {u"--name"_s, u"Carol"_s, u"--connect"_s, u"127.0.0.1:%1"_s.arg(dave.port())});
    QTRY_VERIFY(carol.peerOnline(dave.id(), true));
    CliPeer alice(dirA.path(), {u"--connect"_s, u"127.0.0.1:%1"_s.arg(carol.port())});
    QTRY_VERIFY(alice.peerOnline(carol.id(), true));
    QTRY_VERIFY_WITH_TIMEOUT(alice.peerOnline(dave.id(), true) && dave.peerOnline(alice.id(), true),
                             15'000);

    carol.send({{u"cmd"_s, u"exclude"_s}, {u"peer"_s, u"not an id"_s}, {u"ref"_s, u"bad"_s}});
    carol.send({{u"cmd"_s, u"set"_s}, {u"peer_exchange"_s, u"no"_s}, {u"ref"_s, u"bad2"_s}});
    carol.send({{u"cmd"_s, u"exclude"_s}, {u"peer"_s, dave.id()}, {u"exclude"_s, true}});
    carol.send({{u"cmd"_s, u"set"_s}, {u"peer_exchange"_s, false}});
    QTRY_VERIFY(!carol.event(u"settings"_s).isEmpty());
    QCOMPARE(carol.event(u"exclude"_s).value(u"exclude"_s).toBool(), true);
    QCOMPARE(carol.all(u"error"_s).size(), 2);
    carol.send({{u"cmd"_s, u"quit"_s}});
    QVERIFY(carol.process.waitForFinished(5000));

    CliPeer again(dirC.path());
    QTRY_VERIFY(!again.id().isEmpty());
    again.send({{u"cmd"_s, u"set"_s}});
    QTRY_VERIFY(!again.event(u"settings"_s).isEmpty());
    const QJsonObject settings = again.event(u"settings"_s);
    QCOMPARE(settings.value(u"peer_exchange"_s).toBool(), false);
    QCOMPARE(settings.value(u"not_shared"_s).toArray(), QJsonArray{dave.id()});
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
