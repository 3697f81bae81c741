// SPDX-License-Identifier: GPL-3.0-or-later
// Many peers at once, and start-up time, each in processes of their own (loopback only).
//
// 200 peers: the measured process (the hub) dials every peer, so that each peer sees one
// connection from 127.0.0.1 and no per-address limit of Shoal's is in the way. The peers all
// live in one other process (the farm). The hub's resident memory with 1 peer and with all of
// them gives the cost of one more peer; its CPU and context switches over an idle window with
// 1 and with all. The baseline does the same with bare QSslSockets (Shoal's TLS
// configuration, certificates both ways, nothing on top).
//
// Start-up: from starting the process to its `ready` line on stdout, for shoal-cli and for a
// QCoreApplication that prints and exits (shoal_bench_bare), started the same way.
#include "scalebench.h"
#include "benchpeer.h"
#include "benchwait.h"
#include "childlines.h"
#include "proccost.h"

#include "identity/identity.h"
#include "messenger/messenger.h"
#include "models/peerlistmodel.h"
#include "net/tlsconfiguration.h"
#include "storage/chatmessage.h"
#include "storage/messagestore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QSet>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QUdpSocket>

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

// Bytes the process has allocated and not freed (malloc's view): unlike the resident size, it
// drops when memory is given back to the allocator but kept in its free lists.
void sayHeap()
{
    const struct mallinfo2 m = mallinfo2();
    say("heap " + QByteArray::number(qulonglong(m.uordblks + m.hblkhd)));
}

// By hand ("malloc" on a hub's stdin), to tell what of the heap is resident: the arena malloc
// took from the kernel, what of it is free (freed but kept), what is mapped apart. With 200
// peers the arena is nearly all in use, yet the RSS is well below it: large buffers (Qt's
// 16 and 32 kB ring chunks) are allocated but only their first and last pages touched.
void sayMalloc()
{
    const struct mallinfo2 m = mallinfo2();
    say("malloc arena " + QByteArray::number(qulonglong(m.arena)) + " used "
        + QByteArray::number(qulonglong(m.uordblks)) + " free "
        + QByteArray::number(qulonglong(m.fordblks)) + " mmapped "
        + QByteArray::number(qulonglong(m.hblkhd)) + " top "
        + QByteArray::number(qulonglong(m.keepcost)));
}

std::pair<QString, quint16> hostPort(const QByteArray &address)
{
    const qsizetype colon = address.lastIndexOf(':');
    return {QString::fromLatin1(address.left(colon)), quint16(address.mid(colon + 1).toUInt())};
}

// --- child processes ---------------------------------------------------------------------------

// The measured Shoal peer: history on disk, no discovery; dials what it is told ("dial
// host:port") and says "peers N" whenever the number of peers online changes.
int runHub(const QString &profile)
{
    QString error;
    const auto peer = startBenchPeer(benchPeerConfig(profile, u"hub"_s));
    Messenger &hub = *peer;
    QSet<QString> online;
    QObject::connect(&hub, &Messenger::peerUpdated, &hub, [&](const PeerInfo &p) {
        const qsizetype before = online.size();
        if (p.online)
            online.insert(p.id);
        else
            online.remove(p.id);
        if (online.size() != before)
            say("peers " + QByteArray::number(online.size()));
    });
    onStdinLines(&hub, [&](const QByteArray &line) {
        if (line.startsWith("dial "))
            hub.connectToAddress(QString::fromLatin1(line.mid(5)), &error);
        else if (line == "heap")
            sayHeap();
        else if (line == "malloc")
            sayMalloc();
    });
    say("READY");
    return QCoreApplication::exec();
}

// The peers the hub dials: `count` Messengers with throwaway histories, each listening on
// 127.0.0.1 at a port of its own.
int runFarm(int count)
{
    QString error;
    std::vector<std::unique_ptr<Messenger>> peers;
    for (int i = 0; i < count; ++i) {
        MessengerConfig config;
        config.name = u"peer %1"_s.arg(i);
        config.listenAddress = QHostAddress::LocalHost;
        config.port = 0;
        auto m = std::make_unique<Messenger>(*Identity::generate(&error), config);
        if (!m->start())
            qFatal("peer %d: %s", i, qPrintable(m->errorString()));
        say("PEER 127.0.0.1:" + QByteArray::number(m->port()));
        peers.push_back(std::move(m));
    }
    onStdinLines(QCoreApplication::instance(), [](const QByteArray &) {});
    say("READY");
    return QCoreApplication::exec();
}

// A bare connection that has talked: says a few bytes once encrypted and reads what comes, so
// that the buffers a first write and a read leave behind are counted too (by hand, "talk" after
// --tls-hub and after --tls-farm N; the bench rows measure the silent one).
void talk(QSslSocket *socket)
{
    QObject::connect(socket, &QSslSocket::encrypted, socket, [socket] {
        socket->write(QByteArray(32, 'x'));
    });
    QObject::connect(socket, &QSslSocket::readyRead, socket, [socket] { socket->readAll(); });
}

// The baseline hub: one QSslSocket per "dial", Shoal's TLS configuration, nothing else.
int runTlsHub(bool talking)
{
    QString error;
    const QSslConfiguration tls = Tls::configuration(*Identity::generate(&error));
    int encrypted = 0;
    onStdinLines(QCoreApplication::instance(), [&](const QByteArray &line) {
        if (line == "heap")
            sayHeap();
        if (line == "malloc")
            sayMalloc();
        if (!line.startsWith("dial "))
            return;
        auto *socket = new QSslSocket(QCoreApplication::instance());
        socket->setSslConfiguration(tls);
        if (talking)
            talk(socket);
        QObject::connect(socket, &QSslSocket::encrypted, socket, [&] {
            say("peers " + QByteArray::number(++encrypted));
        });
        QObject::connect(socket, &QSslSocket::sslErrors, socket, [socket] {
            socket->ignoreSslErrors(); // self-signed, as in Shoal: the ID is the check
        });
        const auto [host, port] = hostPort(line.mid(5));
        socket->connectToHostEncrypted(host, port);
    });
    say("READY");
    return QCoreApplication::exec();
}

class TlsServer final : public QTcpServer
{
public:
    TlsServer(QSslConfiguration tls, bool talking)
        : m_tls(std::move(tls))
        , m_talking(talking)
    {}

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QSslSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        socket->setSslConfiguration(m_tls);
        if (m_talking)
            talk(socket);
        connect(socket, &QSslSocket::sslErrors, socket, [socket] { socket->ignoreSslErrors(); });
        socket->startServerEncryption();
    }

private:
    QSslConfiguration m_tls;
    bool m_talking;
};

int runTlsFarm(int count, bool talking)
{
    QString error;
    TlsServer server(Tls::configuration(*Identity::generate(&error)), talking);
    if (!server.listen(QHostAddress::LocalHost, 0))
        qFatal("cannot listen");
    for (int i = 0; i < count; ++i)
        say("PEER 127.0.0.1:" + QByteArray::number(server.serverPort()));
    onStdinLines(&server, [](const QByteArray &) {});
    say("READY");
    return QCoreApplication::exec();
}

// --- the bench side ----------------------------------------------------------------------------

// A child of the bench, with what it said so far.
struct Child
{
    QProcess process;
    QList<QByteArray> lines;
    int peers = 0;
    qint64 heap = -1;
    bool ready = false;

    explicit Child(const QStringList &args)
    {
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process, [this] {
            while (process.canReadLine()) {
                const QByteArray line = process.readLine().trimmed();
                if (line == "READY")
                    ready = true;
                else if (line.startsWith("peers "))
                    peers = line.mid(6).toInt();
                else if (line.startsWith("heap "))
                    heap = line.mid(5).toLongLong();
                else
                    lines.append(line);
            }
        });
        process.start(QCoreApplication::applicationFilePath(), args);
    }
    ~Child()
    {
        process.kill();
        process.waitForFinished(5000);
    }
    qint64 pid() const { return process.processId(); }
    qint64 askHeap()
    {
        heap = -1;
        process.write("heap\n");
        benchWait(
            "the hub's heap size", [this] { return heap >= 0; }, 10'000);
        return heap;
    }
};

struct IdleCost
{
    double cpu = 0, wakeups = 0;
};

IdleCost idleCost(qint64 pid, int seconds)
{
    const ProcessCost c0 = processCost(pid);
    QElapsedTimer wall;
    wall.start();
    benchSleep(seconds * 1000);
    const ProcessCost c1 = processCost(pid);
    const double s = wall.nsecsElapsed() / 1e9;
    return {100.0 * double(c1.cpuNs - c0.cpuNs) / 1e9 / s, double(c1.switches - c0.switches) / s};
}

HubCost measureHub(const QStringList &hubArgs,
                   const QStringList &farmArgs,
                   int count,
                   int idleSeconds,
                   bool idleWithAll = true)
{
    HubCost r;
    Child farm(farmArgs);
    if (!benchWait(
            "the farm of peers to start", [&] { return farm.ready; }, 120'000))
        return r;
    QList<QByteArray> addresses;
    for (const QByteArray &line : std::as_const(farm.lines)) {
        if (line.startsWith("PEER "))
            addresses.append(line.mid(5));
    }
    if (addresses.size() != count)
        return r;
    Child hub(hubArgs);
    if (!benchWait(
            "the hub to start", [&] { return hub.ready; }, 20'000))
        return r;
    hub.process.write("dial " + addresses.first() + '\n');
    if (!benchWait(
            "the hub's first peer", [&] { return hub.peers == 1; }, 20'000))
        return r;
    benchSleep(2'000); // the connection's start is over
    if (idleSeconds > 0) {
        const IdleCost one = idleCost(hub.pid(), idleSeconds);
        r.cpuOne = one.cpu;
        r.wakeupsOne = one.wakeups;
    }
    const qint64 rssOne = residentKiB(hub.pid());
    const qint64 heapOne = hub.askHeap();
    QByteArray rest;
    for (qsizetype i = 1; i < addresses.size(); ++i)
        rest += "dial " + addresses.at(i) + '\n';
    QElapsedTimer t;
    t.start();
    hub.process.write(rest);
    if (!benchWait(
            "the hub's peers all connected", [&] { return hub.peers == count; }, 120'000))
        return r;
    r.connectMs = t.nsecsElapsed() / 1e6;
    benchSleep(2'000);
    r.kibPerPeer = double(residentKiB(hub.pid()) - rssOne) / (count - 1);
    r.heapKibPerPeer = double(hub.askHeap() - heapOne) / 1024.0 / (count - 1);
    if (idleSeconds > 0 && idleWithAll) {
        const IdleCost all = idleCost(hub.pid(), idleSeconds);
        r.cpuAll = all.cpu;
        r.wakeupsAll = all.wakeups;
    }
    r.ok = hub.peers == count;
    return r;
}

// Start to the first line holding `"ready"` (shoal-cli's event; the bare process prints the
// same), p50 of `runs` after one warm-up start (page cache, a migration of a cached profile).
double msToReady(const QString &program, const QStringList &args, int runs, bool *ok)
{
    QList<double> ms;
    for (int i = 0; i <= runs; ++i) {
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        bool ready = false;
        QObject::connect(&p, &QProcess::readyReadStandardOutput, &p, [&] {
            while (p.canReadLine())
                ready = ready || p.readLine().contains("\"ready\"");
        });
        QElapsedTimer t;
        t.start();
        p.start(program, args);
        if (!benchWait(
                "a process to say ready", [&] { return ready; }, 20'000)) {
            *ok = false;
            return 0;
        }
        if (i > 0)
            ms.append(t.nsecsElapsed() / 1e6);
        p.kill();
        p.waitForFinished(5000);
    }
    std::sort(ms.begin(), ms.end());
    return ms.at(ms.size() / 2);
}

constexpr qint64 BigMessages = 1'000'000; // half of them incoming and unread

// A profile with BigMessages messages with one peer, half of them unread; built through the
// store's public API once and cached under /tmp (a minute or so), since starting it is what is
// measured, not filling it.
QString bigProfile(qint64 *unread)
{
    const QString dir = QDir::temp().filePath(u"shoal-bench-profile-1m-v1"_s);
    const QString done = QDir(dir).filePath(u"bench-complete"_s);
    const QString history = QDir(dir).filePath(u"history.sqlite"_s);
    if (!QFile::exists(done)) {
        QDir(dir).removeRecursively();
        QDir().mkpath(dir);
        std::fprintf(stderr, "bench: building %s (once)\n", qPrintable(dir));
        QString error;
        if (!Identity::loadOrCreate(dir, &error))
            qFatal("%s", qPrintable(error));
        MessageStore store;
        if (!store.open(history, &error))
            qFatal("%s", qPrintable(error));
        const QString peer = QString(64, u'e');
        const QDateTime start = QDateTime::currentDateTimeUtc().addDays(-365);
        for (qint64 i = 0; i < BigMessages; ++i) {
            ChatMessage m;
            m.id = newMessageId();
            m.peerId = peer;
            m.outgoing = i % 2 == 0;
            m.sentAt = m.receivedAt = start.addMSecs(i * 1000);
            m.text = u"message number %1 in a long conversation"_s.arg(i);
            m.state = MessageState::Delivered; // incoming and delivered: unread
            store.add(m);
            if (i % 5000 == 4999)
                store.flush();
        }
        store.flush();
        QFile marker(done);
        marker.open(QIODevice::WriteOnly);
    }
    MessageStore store;
    QString error;
    if (!store.open(history, &error))
        qFatal("%s", qPrintable(error));
    *unread = 0;
    const QHash<QString, int> counts = store.unreadCounts();
    for (const int n : counts)
        *unread += n;
    return dir;
}

quint16 freeUdpPort()
{
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    return probe.localPort();
}

QStringList cliArgs(const QString &profile)
{
    // Discovery on, as shipped, but to the loopback broadcast address only.
    return {u"--profile"_s,
            profile,
            u"--listen"_s,
            u"127.0.0.1"_s,
            u"--port"_s,
            u"0"_s,
            u"--discovery-target"_s,
            u"127.255.255.255"_s,
            u"--discovery-port"_s,
            QString::number(freeUdpPort())};
}

} // namespace

ScaleResult benchScale(int peers, int idleSeconds)
{
    ScaleResult r;
    r.peers = peers;
    {
        QTemporaryDir profile;
        r.shoal = measureHub({u"--hub"_s, profile.path()},
                             {u"--farm"_s, QString::number(peers)},
                             peers,
                             idleSeconds);
    }
    r.tls = measureHub({u"--tls-hub"_s},
                       {u"--tls-farm"_s, QString::number(peers)},
                       peers,
                       idleSeconds,
                       false); // nothing runs on an idle bare TLS connection: one window is enough
    return r;
}

StartResult benchStart(int runs)
{
    StartResult r;
    r.ok = true;
    r.messages = BigMessages;
    const QString big = bigProfile(&r.unread);
    QTemporaryDir empty;
    r.emptyMs = msToReady(QStringLiteral(SHOAL_CLI_PATH), cliArgs(empty.path()), runs, &r.ok);
    r.bigMs = msToReady(QStringLiteral(SHOAL_CLI_PATH), cliArgs(big), runs, &r.ok);
    r.bareMs = msToReady(QStringLiteral(SHOAL_BARE_PATH), {}, runs, &r.ok);
    return r;
}

int runScaleChild(const QStringList &args)
{
    benchChildSetUp();
    const QString mode = args.value(1);
    if (mode == u"--hub"_s)
        return runHub(args.value(2));
    if (mode == u"--farm"_s)
        return runFarm(args.value(2).toInt());
    if (mode == u"--tls-hub"_s)
        return runTlsHub(args.value(2) == u"talk"_s);
    if (mode == u"--tls-farm"_s)
        return runTlsFarm(args.value(2).toInt(), args.value(3) == u"talk"_s);
    return -1;
}
