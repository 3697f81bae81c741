// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 13's groups table, on loopback only.
//
// Fan-out: 50 Messengers in this process (histories in memory), the author connected to the
// 49 others. A group message is timed from sendGroupMessage() until all 49 have committed it
// (each one's messageReceived, which comes after its commit), and until all 49 receipts are
// back at the author (groupDeliveryChanged). Its baseline is the 1:1 message between the same
// author and one of the same peers, timed the same two ways (the peer's messageReceived, the
// ack back), in blocks taken in turns so that a busy spell of the shared host lands on both.
//
// Catch-up: two child processes with histories on disk. The author writes 10,000 messages
// while the other member is away; the other comes back and dials it. Timed from the dial until
// the last of the 10,000 is committed; each child's main (GUI) thread's longest busy stretch
// is measured as the files bench does (BusyProbe).
//
// Signature: signbench.cpp's table (sign/s, verify/s, a 512-message page's check, one core).
#include "groupsbench.h"

#include "benchpeer.h"
#include "benchwait.h"
#include "busyprobe.h"
#include "childlines.h"
#include "signbench.h"

#include "groups/groupinfo.h"
#include "identity/identity.h"
#include "messenger/messenger.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

constexpr int FanoutMembers = 50;
constexpr int CatchUpMessages = 10'000;
constexpr int Block = 20; // group and 1:1 messages taken in turns, this many at a time
const QString Text = QString(64, u'x');

int g_failures = 0;

bool waitFor(const char *what, const std::function<bool()> &done, int timeoutMs = 60'000)
{
    const bool ok = benchWait(what, done, timeoutMs);
    g_failures += !ok;
    return ok;
}

struct Stats
{
    double p50 = 0, p99 = 0; // microseconds
};

Stats percentiles(QList<qint64> ns)
{
    if (ns.isEmpty())
        return {};
    std::sort(ns.begin(), ns.end());
    auto at = [&](double q) {
        return double(ns.at(qMin(ns.size() - 1, qsizetype(q * double(ns.size()))))) / 1000.0;
    };
    return {at(0.50), at(0.99)};
}

// --- fan-out: 50 Messengers in this process -------------------------------------------------

std::unique_ptr<Messenger> inMemoryPeer(const QString &name)
{
    QString error;
    MessengerConfig config;
    config.name = name; // no profileDir: history in memory
    config.listenAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.timeouts.newConnectionsPerAddressPerSecond = 1000; // 49 dials from 127.0.0.1
    const auto identity = Identity::generate(&error);
    if (!identity)
        qFatal("%s", qPrintable(error));
    auto m = std::make_unique<Messenger>(*identity, config);
    if (!m->start())
        qFatal("cannot listen: %s", qPrintable(m->errorString()));
    return m;
}

bool isOnline(const Messenger &from, const QString &id)
{
    const auto p = from.peer(id);
    return p && p->online;
}

struct FanoutResult
{
    Stats groupFirst;                     // send -> the first member committed
    Stats groupCommitted, groupDelivered; // send -> all members committed / all receipts back
    Stats directCommitted, directAcked;   // 1:1: send -> the peer committed / the ack back
    int members = 0;
    int messages = 0;
    bool ok = false;
};

FanoutResult benchFanout(int memberCount, int messages)
{
    FanoutResult r;
    r.members = memberCount;
    r.messages = messages;
    const auto author = inMemoryPeer(u"author"_s);
    std::vector<std::unique_ptr<Messenger>> others;
    QStringList ids;
    QString error;
    for (int i = 1; i < memberCount; ++i) {
        others.push_back(inMemoryPeer(u"member %1"_s.arg(i)));
        ids.append(others.back()->id());
        author->connectToAddress(u"127.0.0.1:%1"_s.arg(others.back()->port()), &error);
    }
    if (!waitFor("the author connected to every member", [&] {
            return std::all_of(ids.cbegin(), ids.cend(), [&](const QString &id) {
                return isOnline(*author, id);
            });
        }))
        return r;
    const auto group = author->createGroup(u"bench"_s, ids, &error);
    if (!group) {
        std::fprintf(stderr, "bench: cannot create the group: %s\n", qPrintable(error));
        ++g_failures;
        return r;
    }
    if (!waitFor("every member in the group", [&] {
            return std::all_of(others.cbegin(), others.cend(), [&](const auto &m) {
                const auto g = m->group(*group);
                return g && g->isMember;
            });
        }))
        return r;

    // What arrived where: per message, how many members committed it, whose receipts are back.
    QHash<QUuid, int> committed;
    QHash<QUuid, QSet<QString>> delivered;
    QHash<QUuid, qint64> directCommitted, directAcked; // 1:1: when the peer committed, the ack
    // Times taken in the handlers, not when a wait notices: one pass of the event loop serves
    // 50 Messengers and may hold much more than the event timed.
    const int needed = memberCount - 1;
    QElapsedTimer sendClock; // since the message being timed was sent
    qint64 firstNs = 0, allNs = 0, deliveredNs = 0;
    Messenger &peer = *others.front();
    for (const auto &m : others) {
        QObject::connect(m.get(), &Messenger::messageReceived, m.get(), [&](const ChatMessage &c) {
            if (c.peerId == *group && c.kind == MessageKind::Text) {
                const int n = ++committed[c.id];
                if (n == 1)
                    firstNs = sendClock.nsecsElapsed();
                if (n == needed)
                    allNs = sendClock.nsecsElapsed();
            } else if (c.peerId == author->id()) {
                directCommitted.insert(c.id, sendClock.nsecsElapsed());
            }
        });
    }
    QObject::connect(author.get(),
                     &Messenger::groupDeliveryChanged,
                     author.get(),
                     [&](const QUuid &id, const QString &, const GroupDelivery &d) {
                         if (d.state != MessageState::Delivered && d.state != MessageState::Read)
                             return;
                         QSet<QString> &members = delivered[id];
                         members.insert(d.member);
                         if (members.size() == needed)
                             deliveredNs = sendClock.nsecsElapsed();
                     });
    QObject::connect(author.get(),
                     &Messenger::messageStateChanged,
                     author.get(),
                     [&](const ChatMessage &c) {
                         if (c.state == MessageState::Delivered && c.peerId == peer.id())
                             directAcked.insert(c.id, sendClock.nsecsElapsed());
                     });

    QList<qint64> groupFirst, groupCommitted, groupDelivered, directCommittedNs, directAckedNs;
    for (int done = 0; done < messages; done += Block) {
        for (int i = 0; i < Block; ++i) {
            sendClock.start();
            const auto id = author->sendGroupMessage(*group, Text, &error);
            if (!id) {
                std::fprintf(stderr, "bench: group message refused: %s\n", qPrintable(error));
                ++g_failures;
                return r;
            }
            if (!waitFor("every member's commit", [&] { return committed.value(*id) >= needed; }))
                return r;
            groupCommitted.append(allNs);
            groupFirst.append(firstNs);
            if (!waitFor("every member's receipt",
                         [&] { return delivered.value(*id).size() >= needed; }))
                return r;
            groupDelivered.append(deliveredNs);
        }
        for (int i = 0; i < Block; ++i) {
            sendClock.start();
            const auto id = author->sendMessage(peer.id(), Text, &error);
            if (!id) {
                ++g_failures;
                return r;
            }
            if (!waitFor("the peer's commit", [&] { return directCommitted.contains(*id); }))
                return r;
            directCommittedNs.append(directCommitted.value(*id));
            if (!waitFor("the ack", [&] { return directAcked.contains(*id); }))
                return r;
            directAckedNs.append(directAcked.value(*id));
        }
    }
    r.groupFirst = percentiles(groupFirst);
    r.groupCommitted = percentiles(groupCommitted);
    r.groupDelivered = percentiles(groupDelivered);
    r.directCommitted = percentiles(directCommittedNs);
    r.directAcked = percentiles(directAckedNs);
    r.ok = true;
    return r;
}

// --- catch-up: child processes --------------------------------------------------------------

// A group member with its history in `profile`. Commands: "dial HOST:PORT" (starts the
// clock), "create PEER" (a group of this peer and PEER), "fill GROUP N" (N messages, then
// "FILLED" once the last is in the history), "expect N" (says "CAUGHT NS" when N group
// messages have been received since, NS from the dial), "probe", "gap", "quit" (bye to peers,
// then exit). Says "READY ID PORT", "ONLINE ID", "OFFLINE ID", "GROUP ID" (a group this peer
// is a member of is new or changed).
int runGroupsPeer(const QString &profile)
{
    auto m = startBenchPeer(benchPeerConfig(profile, u"groups"_s));
    BusyProbe probe;
    QElapsedTimer clock;
    qint64 expected = 0, received = 0;
    QString error;
    QObject::connect(m.get(), &Messenger::peerUpdated, m.get(), [](const PeerInfo &p) {
        say((p.online ? "ONLINE " : "OFFLINE ") + p.id.toLatin1());
    });
    QObject::connect(m.get(), &Messenger::groupChanged, m.get(), [](const GroupInfo &g) {
        if (g.isMember)
            say("GROUP " + g.id.toLatin1());
    });
    QObject::connect(m.get(), &Messenger::messageReceived, m.get(), [&](const ChatMessage &c) {
        if (!isGroupId(c.peerId) || c.kind != MessageKind::Text)
            return;
        if (++received == expected)
            say("CAUGHT " + QByteArray::number(clock.nsecsElapsed()));
    });
    QTimer filled;
    onStdinLines(m.get(), [&](const QByteArray &line) {
        const QList<QByteArray> w = line.split(' ');
        const QString arg1 = QString::fromUtf8(w.value(1));
        if (w.at(0) == "dial") {
            clock.start();
            if (!m->connectToAddress(arg1, &error))
                qFatal("%s", qPrintable(error));
        } else if (w.at(0) == "create") {
            const auto id = m->createGroup(u"bench"_s, {arg1}, &error);
            if (!id)
                qFatal("%s", qPrintable(error));
            say("GROUP " + id->toLatin1());
        } else if (w.at(0) == "fill") {
            const int n = w.value(2).toInt();
            for (int i = 1; i <= n; ++i) {
                if (!m->sendGroupMessage(arg1, u"m %1"_s.arg(i), &error))
                    qFatal("%s", qPrintable(error));
            }
            // Done once the last is in the history (the store writes in the background).
            const QString last = u"m %1"_s.arg(n);
            QObject::connect(&filled, &QTimer::timeout, m.get(), [&, arg1, last] {
                const auto page = m->historyPage(arg1, 1, std::nullopt, &error);
                if (!page.isEmpty() && page.last().text == last) {
                    filled.stop();
                    say("FILLED");
                }
            });
            filled.start(50);
        } else if (w.at(0) == "expect") {
            expected = w.value(1).toLongLong();
            received = 0;
        } else if (w.at(0) == "probe") {
            probe.restart();
        } else if (w.at(0) == "gap") {
            say(probe.report());
        } else if (w.at(0) == "quit") {
            m->shutdown();
            auto *wait = new QTimer(m.get());
            QObject::connect(wait, &QTimer::timeout, m.get(), [&m, ticks = 0]() mutable {
                if (!m->hasOpenConnections() || ++ticks > 40)
                    QCoreApplication::quit();
            });
            wait->start(50);
        }
    });
    say("READY " + m->id().toLatin1() + ' ' + QByteArray::number(m->port()));
    return QCoreApplication::exec();
}

// A child of the bench, with what it said last.
struct Child
{
    QProcess process;
    QByteArray id, group;
    quint16 port = 0;
    bool ready = false, online = false, filled = false;
    qint64 caughtNs = -1;
    qint64 gapUs = -1, gapCpuUs = -1, longestCpuUs = -1;

    explicit Child(const QString &profile)
    {
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process, [this] {
            while (process.canReadLine()) {
                const QList<QByteArray> w = process.readLine().trimmed().split(' ');
                if (w.at(0) == "READY") {
                    ready = true;
                    id = w.value(1);
                    port = quint16(w.value(2).toUInt());
                } else if (w.at(0) == "ONLINE" || w.at(0) == "OFFLINE") {
                    online = w.at(0) == "ONLINE";
                } else if (w.at(0) == "GROUP") {
                    group = w.value(1);
                } else if (w.at(0) == "FILLED") {
                    filled = true;
                } else if (w.at(0) == "CAUGHT") {
                    caughtNs = w.value(1).toLongLong();
                } else if (w.at(0) == "GAP") {
                    gapUs = w.value(1).toLongLong();
                    gapCpuUs = w.value(2).toLongLong();
                    longestCpuUs = w.value(3).toLongLong();
                }
            }
        });
        process.start(QCoreApplication::applicationFilePath(), {u"--groups-peer"_s, profile});
    }
    ~Child()
    {
        if (process.state() == QProcess::NotRunning)
            return;
        process.kill();
        process.waitForFinished(5000);
    }
    void tell(const QByteArray &line) { process.write(line + '\n'); }
    bool start()
    {
        return waitFor(
            "a groups peer to start", [this] { return ready; }, 30'000);
    }
    bool stop()
    {
        tell("quit");
        return waitFor(
            "a groups peer to quit",
            [this] { return process.state() == QProcess::NotRunning; },
            10'000);
    }
};

struct CatchUpResult
{
    double perSecond = 0;
    double fillPerSecond = 0; // the author writing them (signing, storing), for scale
    double pullerGapMs = 0, pullerGapCpuMs = 0, pullerCpuMs = 0;
    double serverGapMs = 0, serverGapCpuMs = 0, serverCpuMs = 0;
    bool ok = false;
};

CatchUpResult benchCatchUp(int count)
{
    CatchUpResult r;
    QTemporaryDir authorDir, memberDir;
    Child author(authorDir.path());
    auto member = std::make_unique<Child>(memberDir.path());
    if (!author.start() || !member->start())
        return r;
    member->tell("dial 127.0.0.1:" + QByteArray::number(author.port));
    if (!waitFor("author and member online", [&] { return author.online && member->online; }))
        return r;
    author.tell("create " + member->id);
    if (!waitFor("the member in the group",
                 [&] { return !author.group.isEmpty() && member->group == author.group; }))
        return r;
    const QByteArray group = author.group;
    if (!member->stop()
        || !waitFor("the author to see the member go", [&] { return !author.online; }))
        return r;

    QElapsedTimer fill;
    fill.start();
    author.tell("fill " + group + ' ' + QByteArray::number(count));
    if (!waitFor(
            "the author's messages in its history", [&] { return author.filled; }, 300'000))
        return r;
    r.fillPerSecond = count / (double(fill.nsecsElapsed()) / 1e9);

    member = std::make_unique<Child>(memberDir.path());
    if (!member->start())
        return r;
    member->tell("expect " + QByteArray::number(count));
    member->tell("probe");
    author.tell("probe");
    member->tell("dial 127.0.0.1:" + QByteArray::number(author.port));
    if (!waitFor(
            "every missed message at the member", [&] { return member->caughtNs > 0; }, 300'000))
        return r;
    member->tell("gap");
    author.tell("gap");
    if (!waitFor("both busy stretches", [&] { return member->gapUs >= 0 && author.gapUs >= 0; }))
        return r;
    r.perSecond = count / (double(member->caughtNs) / 1e9);
    r.pullerGapMs = double(member->gapUs) / 1000.0;
    r.pullerGapCpuMs = double(member->gapCpuUs) / 1000.0;
    r.pullerCpuMs = double(member->longestCpuUs) / 1000.0;
    r.serverGapMs = double(author.gapUs) / 1000.0;
    r.serverGapCpuMs = double(author.gapCpuUs) / 1000.0;
    r.serverCpuMs = double(author.longestCpuUs) / 1000.0;
    r.ok = true;
    return r;
}

} // namespace

int runGroupsChild(const QStringList &args)
{
    if (args.value(1) == u"--groups-peer"_s)
        return runGroupsPeer(args.value(2));
    if (args.value(1) == u"--groups-fanout"_s) { // for profiling: the fan-out alone
        // --groups-fanout MEMBERS [MESSAGES]: MESSAGES a multiple of the block (20).
        const int messages = std::max(Block, args.value(3, u"200"_s).toInt() / Block * Block);
        const FanoutResult f = benchFanout(args.value(2, u"50"_s).toInt(), messages);
        std::printf("%d members: all committed p50 %.0f µs, first %.0f µs, receipts back %.0f µs;"
                    " 1:1 round trip %.0f µs\n",
                    f.members,
                    f.groupCommitted.p50,
                    f.groupFirst.p50,
                    f.groupDelivered.p50,
                    f.directAcked.p50);
        return f.ok ? 0 : 1;
    }
    return -1;
}

int runGroupsBench(bool quick)
{
    const int fanoutMessages = quick ? 40 : 200;
    const FanoutResult f = benchFanout(FanoutMembers, fanoutMessages);
    // Catch-up in fresh processes, several times: the median rate, the worst busy stretches
    // (on this shared host one run moved from 21,000/s to 40,000/s with the load).
    const int catchUpRuns = quick ? 1 : 3;
    QList<CatchUpResult> runs;
    for (int i = 0; i < catchUpRuns; ++i)
        runs.append(benchCatchUp(CatchUpMessages));
    std::sort(runs.begin(), runs.end(), [](const CatchUpResult &a, const CatchUpResult &b) {
        return a.perSecond < b.perSecond;
    });
    CatchUpResult c = runs.at(runs.size() / 2);
    for (const CatchUpResult &run : runs) {
        c.ok = c.ok && run.ok;
        c.pullerGapMs = std::max(c.pullerGapMs, run.pullerGapMs);
        c.pullerGapCpuMs = std::max(c.pullerGapCpuMs, run.pullerGapCpuMs);
        c.pullerCpuMs = std::max(c.pullerCpuMs, run.pullerCpuMs);
        c.serverGapMs = std::max(c.serverGapMs, run.serverGapMs);
        c.serverGapCpuMs = std::max(c.serverGapCpuMs, run.serverGapCpuMs);
        c.serverCpuMs = std::max(c.serverCpuMs, run.serverCpuMs);
    }

    std::printf("| %-62s | %12s | target\n", "groups (loopback)", "measured");
    std::printf("|%s|%s|------\n", QByteArray(64, '-').constData(), QByteArray(14, '-').constData());
    auto row = [](const QByteArray &what, double value, const char *unit, const QByteArray &target) {
        std::printf("| %-62s | %9.1f %-2s | %s\n", what.constData(), value, unit, target.constData());
    };
    const QByteArray n = QByteArray::number(f.members);
    const QByteArray others = QByteArray::number(f.members - 1);
    if (f.ok) {
        const QByteArray ratio
            = "<= 10x the 1:1 round trip: "
              + QByteArray::number(f.groupCommitted.p50 / f.directAcked.p50, 'f', 2) + "x";
        row("one message to a " + n + "-member group: all " + others + " committed, p50",
            f.groupCommitted.p50,
            "µs",
            ratio);
        row("  same, p99", f.groupCommitted.p99, "µs", {});
        row("  the first member committed, p50", f.groupFirst.p50, "µs", {});
        row("  all " + others + " receipts back at the author, p50",
            f.groupDelivered.p50,
            "µs",
            QByteArray::number(f.groupDelivered.p50 / f.directAcked.p50, 'f', 2)
                + "x the 1:1 round trip");
        row("  same, p99", f.groupDelivered.p99, "µs", {});
        row("1:1 round trip send->ack, same peers and run, p50",
            f.directAcked.p50,
            "µs",
            "(baseline)");
        row("  same, p99", f.directAcked.p99, "µs", {});
        row("1:1 send->peer committed, same peers and run, p50", f.directCommitted.p50, "µs", {});
    } else {
        std::printf("| %-62s | %12s |\n", "one message to a 50-member group", "failed");
    }
    if (c.ok) {
        const QByteArray what = "catch-up of " + QByteArray::number(CatchUpMessages)
                                + " missed messages from one member";
        std::printf("| %-62s | %9.0f/s   | >= 20000/s\n", what.constData(), c.perSecond);
        row("  puller's main (GUI) thread: longest busy stretch", c.pullerGapMs, "ms", "< 16 ms");
        row("    of which on a CPU", c.pullerGapCpuMs, "ms", {});
        row("    longest time on a CPU between two ticks", c.pullerCpuMs, "ms", {});
        row("  server's main thread: longest busy stretch", c.serverGapMs, "ms", {});
        row("    longest time on a CPU between two ticks", c.serverCpuMs, "ms", {});
        std::printf("| %-62s | %9.0f/s   |\n",
                    "  the author writing them (sign, store, commit)",
                    c.fillPerSecond);
    } else {
        std::printf("| %-62s | %12s |\n", "catch-up of missed messages", "failed");
    }
    std::printf("\n%d Messengers in one process, the author connected to each; %d group messages"
                " and as many\n1:1 ones, in turns (blocks of %d), each after the one before was"
                " done. Catch-up: two\nprocesses, histories on disk; from the dial to the last"
                " message committed; the median\nof %d runs, each in fresh processes, and the"
                " longest busy stretches of any.\n",
                f.members,
                f.messages,
                Block,
                catchUpRuns);
    std::printf("\n");
    std::fflush(stdout);
    const int signCode = runSignBench();
    return g_failures || signCode ? 1 : 0;
}
