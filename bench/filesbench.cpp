// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 11's files table. Every Shoal figure comes from two child processes, a sender and a
// receiver (Messengers, as in the app: the files service's worker thread included), on
// loopback; the bench drives them over stdin and reads what they say on stdout. Files live in
// a temp dir under /tmp (or $SHOAL_BENCH_DIR) and are removed as soon as a row is measured.
//
// The baseline of the throughput row is plain Qt TLS bulk: two QSslSocket processes (Shoal's
// TLS configuration), the same 256 KiB chunks and the same 8 MiB send window, from memory
// to nothing: no hashing, no disk, no framing.
#include "filesbench.h"

#include "benchwait.h"
#include "busyprobe.h"
#include "childlines.h"
#include "proccost.h"

#include "identity/identity.h"
#include "messenger/messenger.h"
#include "net/tlsconfiguration.h"
#include "protocol/messages.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 MiB = 1024 * 1024;
constexpr qint64 GiB = 1024 * MiB;
constexpr qint64 BulkChunk = Protocol::MaxChunkBytes; // as the files service reads and sends
constexpr qint64 BulkWindow = 8 * MiB;                // FileTransfers::SendWindowBytes

QByteArray percentileUs(QList<qint64> ns, double q)
{
    if (ns.isEmpty())
        return "0";
    std::sort(ns.begin(), ns.end());
    return QByteArray::number(ns.at(qMin(ns.size() - 1, qsizetype(q * ns.size()))) / 1000);
}

// --- child: a Shoal peer --------------------------------------------------------------------

// A Messenger that accepts every offer into `downloadDir`; history in `profile` ("-": in
// memory). Commands: "dial HOST:PORT", "send PEER PATH", "folder PEER PATH", "rtt PEER N" (N
// chat round trips one after the other), "rtt-during PEER" (round trips for as long as this
// side's outgoing transfer runs; only those taken while it is running count), "probe" (starts
// or restarts the main thread's heartbeat), "gap". Says "READY ID PORT", "ONLINE ID",
// "OFFLINE ID", "T STATE BYTES" on every change of a transfer, "RTT P50US P99US COUNT",
// "GAP US ON_CPU_US LONGEST_ON_CPU_US" (the longest interval, its time on a CPU, the longest
// time on a CPU of any interval).
int runFilesPeer(const QString &profile, const QString &downloadDir)
{
    QString error;
    MessengerConfig config;
    config.profileDir = profile == u"-"_s ? QString() : profile;
    config.name = u"files"_s;
    config.listenAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.downloadDir = downloadDir;
    config.acceptFilesInto = downloadDir;
    const auto identity = config.profileDir.isEmpty()
                              ? Identity::generate(&error)
                              : Identity::loadOrCreate(config.profileDir, &error);
    if (!identity)
        qFatal("%s", qPrintable(error));
    Messenger m(*identity, config);
    if (!m.start())
        qFatal("%s", qPrintable(m.errorString()));

    // The main (GUI) thread's longest busy stretch.
    BusyProbe probe;

    TransferState outgoingState = TransferState::Offered;
    bool outgoingSeen = false;
    QObject::connect(&m, &Messenger::transferChanged, &m, [&](const TransferInfo &t) {
        if (t.outgoing) {
            outgoingState = t.state;
            outgoingSeen = true;
        }
        say("T " + transferStateName(t.state).toLatin1() + ' ' + QByteArray::number(t.bytesDone)
            + ' ' + t.error.toUtf8().replace('\n', ' '));
    });
    QObject::connect(&m, &Messenger::peerUpdated, &m, [&](const PeerInfo &p) {
        say((p.online ? "ONLINE " : "OFFLINE ") + p.id.toLatin1());
    });

    // Chat round trips: send -> the message's state Delivered (the peer's ack is back).
    struct Rtt
    {
        QString peer;
        std::optional<QUuid> pending;
        QElapsedTimer clock;
        QList<qint64> ns;
        int left = 0;
        bool during = false;
    } rtt;
    const QString text = QString(64, u'x');
    std::function<void()> next = [&] {
        rtt.clock.start();
        rtt.pending = m.sendMessage(rtt.peer, text, &error);
        if (!rtt.pending)
            qFatal("%s", qPrintable(error));
    };
    QObject::connect(&m, &Messenger::messageStateChanged, &m, [&](const ChatMessage &msg) {
        if (!rtt.pending || msg.id != *rtt.pending || msg.state != MessageState::Delivered)
            return;
        rtt.pending.reset();
        const qint64 ns = rtt.clock.nsecsElapsed();
        bool more;
        if (rtt.during) {
            if (outgoingSeen && outgoingState == TransferState::Running)
                rtt.ns.append(ns);
            more = !(outgoingSeen && isFinal(outgoingState));
        } else {
            rtt.ns.append(ns);
            more = --rtt.left > 0;
        }
        if (more) {
            QTimer::singleShot(0, &m, next);
            return;
        }
        say("RTT " + percentileUs(rtt.ns, 0.5) + ' ' + percentileUs(rtt.ns, 0.99) + ' '
            + QByteArray::number(rtt.ns.size()));
    });

    onStdinLines(&m, [&](const QByteArray &line) {
        const QList<QByteArray> w = line.split(' ');
        const QString arg1 = QString::fromUtf8(w.value(1));
        if (w.at(0) == "dial") {
            m.connectToAddress(arg1, &error);
        } else if (w.at(0) == "send" || w.at(0) == "folder") {
            const QString path = QString::fromUtf8(line.mid(w.at(0).size() + w.at(1).size() + 2));
            if (!m.sendFiles(arg1, {path}, w.at(0) == "folder", &error))
                say("T failed 0 " + error.toUtf8());
        } else if (w.at(0) == "rtt" || w.at(0) == "rtt-during") {
            rtt.peer = arg1;
            rtt.ns.clear();
            rtt.during = w.at(0) == "rtt-during";
            rtt.left = w.value(2).toInt();
            next();
        } else if (w.at(0) == "probe") {
            probe.restart();
        } else if (w.at(0) == "gap") {
            say(probe.report());
        }
    });
    say("READY " + m.id().toLatin1() + ' ' + QByteArray::number(m.port()));
    return QCoreApplication::exec();
}

// --- children: the plain Qt TLS bulk baseline -----------------------------------------------

class TlsBulkServer final : public QTcpServer
{
public:
    TlsBulkServer(QSslConfiguration tls, qint64 expected)
        : m_tls(std::move(tls))
        , m_expected(expected)
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
        connect(socket, &QSslSocket::sslErrors, socket, [socket] { socket->ignoreSslErrors(); });
        connect(socket, &QSslSocket::readyRead, socket, [this, socket] {
            // Read as the files service's stream does: whatever has come, in one piece.
            m_received += socket->readAll().size();
            if (m_received >= m_expected && !m_told) {
                m_told = true;
                say("GOT");
            }
        });
        socket->startServerEncryption();
    }

private:
    QSslConfiguration m_tls;
    qint64 m_expected;
    qint64 m_received = 0;
    bool m_told = false;
};

// Receives `size` bytes on any connection, then says "GOT".
int runTlsBulkSink(qint64 size)
{
    QString error;
    TlsBulkServer server(Tls::configuration(*Identity::generate(&error)), size);
    if (!server.listen(QHostAddress::LocalHost, 0))
        qFatal("cannot listen");
    onStdinLines(&server, [](const QByteArray &) {});
    say("READY - " + QByteArray::number(server.serverPort())); // no ID: Peer reads the port second
    return QCoreApplication::exec();
}

// Connects, says "READY" once encrypted; on "go" sends `size` bytes in BulkChunk pieces,
// keeping at most BulkWindow unsent (as the files service does).
int runTlsBulkSource(quint16 port, qint64 size)
{
    QString error;
    QSslSocket socket;
    socket.setSslConfiguration(Tls::configuration(*Identity::generate(&error)));
    QObject::connect(&socket, &QSslSocket::sslErrors, &socket, [&] { socket.ignoreSslErrors(); });
    QObject::connect(&socket, &QSslSocket::encrypted, &socket, [] { say("READY"); });
    const QByteArray chunk(BulkChunk, 'b');
    qint64 sent = 0;
    bool going = false;
    auto topUp = [&] {
        while (going && sent < size && socket.bytesToWrite() + BulkChunk <= BulkWindow) {
            const qint64 n = qMin(BulkChunk, size - sent);
            socket.write(chunk.constData(), n);
            sent += n;
        }
    };
    QObject::connect(&socket, &QSslSocket::encryptedBytesWritten, &socket, topUp);
    onStdinLines(&socket, [&](const QByteArray &line) {
        if (line == "go") {
            going = true;
            topUp();
        }
    });
    socket.connectToHostEncrypted(u"127.0.0.1"_s, port);
    return QCoreApplication::exec();
}

// --- the bench side -------------------------------------------------------------------------

int g_failures = 0;

bool waitFor(const char *what, const std::function<bool()> &done, int timeoutMs, int recheckMs = 0)
{
    const bool ok = benchWait(what, done, timeoutMs, recheckMs);
    g_failures += !ok;
    return ok;
}

// A child of the bench, with what it said last.
struct Peer
{
    QProcess process;
    QByteArray id;
    quint16 port = 0;
    bool ready = false, online = false, got = false;
    QByteArray state; // of the latest transfer event
    qint64 bytes = 0;
    QByteArray error;
    qint64 rttP50 = -1, rttP99 = -1, rttCount = 0;
    qint64 gapUs = -1;        // the main thread's longest stretch without its event loop
    qint64 gapCpuUs = -1;     // of which on a CPU
    qint64 longestCpuUs = -1; // the longest stretch it was on a CPU without its event loop

    explicit Peer(const QStringList &args)
    {
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process, [this] {
            while (process.canReadLine()) {
                const QByteArray line = process.readLine().trimmed();
                const QList<QByteArray> w = line.split(' ');
                if (w.at(0) == "READY") {
                    ready = true;
                    id = w.value(1);
                    port = quint16(w.value(2).toUInt());
                } else if (w.at(0) == "ONLINE" || w.at(0) == "OFFLINE") {
                    online = w.at(0) == "ONLINE";
                } else if (w.at(0) == "T") {
                    state = w.value(1);
                    bytes = w.value(2).toLongLong();
                    error = line.mid(
                        qMin(line.size(),
                             w.at(0).size() + w.value(1).size() + w.value(2).size() + 3));
                    if (state == "failed")
                        std::fprintf(stderr, "bench: transfer failed: %s\n", error.constData());
                } else if (w.at(0) == "RTT") {
                    rttP50 = w.value(1).toLongLong();
                    rttP99 = w.value(2).toLongLong();
                    rttCount = w.value(3).toLongLong();
                } else if (w.at(0) == "GAP") {
                    gapUs = w.value(1).toLongLong();
                    gapCpuUs = w.value(2).toLongLong();
                    longestCpuUs = w.value(3).toLongLong();
                } else if (w.at(0) == "GOT") {
                    got = true;
                }
            }
        });
        process.start(QCoreApplication::applicationFilePath(), args);
    }
    ~Peer() { kill(); }
    void kill()
    {
        if (process.state() == QProcess::NotRunning)
            return;
        process.kill();
        process.waitForFinished(5000);
    }
    void tell(const QByteArray &line) { process.write(line + '\n'); }
    qint64 pid() const { return process.processId(); }
    bool start(const char *what)
    {
        return waitFor(
            what, [this] { return ready; }, 30'000);
    }
};

std::unique_ptr<Peer> shoalPeer(const QString &profile, const QString &downloadDir)
{
    auto p = std::make_unique<Peer>(QStringList{u"--files-peer"_s, profile, downloadDir});
    p->start("a files peer to start");
    return p;
}

// Sender and receiver, connected.
struct Pair
{
    std::unique_ptr<Peer> sender, receiver;
    bool ok = false; // both started and connected: the row can be measured
    Pair(const QString &senderProfile, const QString &receiverProfile, const QString &downloadDir)
    {
        receiver = shoalPeer(receiverProfile, downloadDir);
        sender = shoalPeer(senderProfile, downloadDir + u".unused"_s);
        sender->tell("dial 127.0.0.1:" + QByteArray::number(receiver->port));
        ok = receiver->ready && sender->ready
             && waitFor(
                 "sender and receiver online",
                 [this] { return sender->online && receiver->online; },
                 20'000);
    }
    void send(const QString &path, bool folder = false)
    {
        sender->tell((folder ? "folder " : "send ") + receiver->id + ' ' + path.toUtf8());
    }
    // Until the receiver has every file verified and in place.
    bool waitDone(int timeoutMs)
    {
        return waitFor(
                   "the transfer to be done",
                   [this] {
                       return receiver->state == "done" || receiver->state == "failed"
                              || sender->state == "failed"
                              || receiver->process.state() == QProcess::NotRunning
                              || sender->process.state() == QProcess::NotRunning;
                   },
                   timeoutMs)
               && receiver->state == "done";
    }
};

// Bytes the process has written through write() and friends since it started: its sockets,
// and its files (the sender writes none but its history, which is in memory in these runs).
qint64 writtenBytes(qint64 pid)
{
    QFile io(u"/proc/%1/io"_s.arg(pid));
    if (!io.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : io.readAll().split('\n')) {
        if (line.startsWith("wchar:"))
            return line.mid(6).trimmed().toLongLong();
    }
    return -1;
}

// A file of `size` bytes: real bytes (which are not all alike), or a hole (`sparse`).
bool makeFile(const QString &path, qint64 size, bool sparse)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    if (sparse)
        return f.resize(size);
    QByteArray block(MiB, Qt::Uninitialized);
    quint64 x = 0x9e3779b97f4a7c15ULL;
    for (qint64 written = 0; written < size; written += block.size()) {
        auto *w = reinterpret_cast<quint64 *>(block.data());
        for (qsizetype i = 0; i < block.size() / 8; ++i) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            w[i] = x;
        }
        if (f.write(block.constData(), qMin<qint64>(block.size(), size - written)) < 0)
            return false;
    }
    return true;
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0.0 : v.at(v.size() / 2);
}

// CPU seconds (all threads) per GiB moved.
double cpuPerGiB(qint64 ns, qint64 bytes)
{
    return ns / 1e9 / (double(bytes) / GiB);
}

// Seconds for `size` bytes of plain TLS bulk, go -> all received; 0 on a failure. The CPU
// time each side spent meanwhile in *sourceNs, *sinkNs.
double tlsBulkSeconds(qint64 size, qint64 *sourceNs, qint64 *sinkNs)
{
    Peer sink({u"--tls-bulk-sink"_s, QString::number(size)});
    if (!sink.start("the TLS bulk sink to start"))
        return 0;
    Peer source({u"--tls-bulk-source"_s, QString::number(sink.port), QString::number(size)});
    if (!source.start("the TLS bulk source to connect"))
        return 0;
    const qint64 source0 = processCost(source.pid()).cpuNs;
    const qint64 sink0 = processCost(sink.pid()).cpuNs;
    QElapsedTimer t;
    t.start();
    source.tell("go");
    if (!waitFor(
            "the TLS bulk bytes", [&] { return sink.got; }, 300'000))
        return 0;
    const double seconds = t.nsecsElapsed() / 1e9;
    *sourceNs = processCost(source.pid()).cpuNs - source0;
    *sinkNs = processCost(sink.pid()).cpuNs - sink0;
    return seconds;
}

struct FilesResult
{
    qint64 bigSize = 0;
    double shoalMBs = 0, tlsMBs = 0;
    // CPU seconds per GiB, all threads: Shoal's sender and receiver, the baseline's two sides.
    double cpuSender = 0, cpuReceiver = 0, cpuSource = 0, cpuSink = 0;
    int runs = 0;
    qint64 rssSize = 0;
    double rssSenderMiB = 0, rssReceiverMiB = 0;
    int manyFiles = 0;
    double filesPerSecond = 0;
    double rttP99Idle = 0, rttP99Busy = 0; // ms
    qint64 rttCountIdle = 0, rttCountBusy = 0;
    double duringMBs = 0; // the transfer's own speed while chat goes on and the probes tick
    double gapSenderMs = 0, gapReceiverMs = 0;
    double gapCpuSenderMs = 0, gapCpuReceiverMs = 0;   // of those, on a CPU
    double cpuBusySenderMs = 0, cpuBusyReceiverMs = 0; // the longest on-CPU stretches
    qint64 resumeHeld = 0, resumeMissing = 0, resumeSent = 0;
    double resumePercent = 0;
};

// Shoal and the baseline in turns, `runs` times each: the medians.
void benchThroughput(const QDir &dir, const QString &source, FilesResult &r)
{
    QList<double> shoal, tls, shoalSend, shoalReceive, tlsSend, tlsReceive;
    for (int i = 0; i < r.runs; ++i) {
        {
            const QString down = dir.filePath(u"down-throughput"_s);
            Pair pair(u"-"_s, u"-"_s, down);
            if (!pair.ok)
                return;
            const qint64 s0 = processCost(pair.sender->pid()).cpuNs;
            const qint64 r0 = processCost(pair.receiver->pid()).cpuNs;
            QElapsedTimer t;
            t.start();
            pair.send(source);
            if (pair.waitDone(600'000)) {
                shoal.append(r.bigSize / 1e6 / (t.nsecsElapsed() / 1e9));
                shoalSend.append(cpuPerGiB(processCost(pair.sender->pid()).cpuNs - s0, r.bigSize));
                shoalReceive.append(
                    cpuPerGiB(processCost(pair.receiver->pid()).cpuNs - r0, r.bigSize));
            }
            QDir(down).removeRecursively();
        }
        qint64 sourceNs = 0, sinkNs = 0;
        if (const double s = tlsBulkSeconds(r.bigSize, &sourceNs, &sinkNs); s > 0) {
            tls.append(r.bigSize / 1e6 / s);
            tlsSend.append(cpuPerGiB(sourceNs, r.bigSize));
            tlsReceive.append(cpuPerGiB(sinkNs, r.bigSize));
        }
    }
    r.shoalMBs = median(shoal);
    r.tlsMBs = median(tls);
    r.cpuSender = median(shoalSend);
    r.cpuReceiver = median(shoalReceive);
    r.cpuSource = median(tlsSend);
    r.cpuSink = median(tlsReceive);
}

// Chat round trips alone, then during the transfer; the main threads' heartbeats meanwhile.
void benchLatency(const QDir &dir, const QString &source, int roundTrips, FilesResult &r)
{
    const QString down = dir.filePath(u"down-latency"_s);
    Pair pair(u"-"_s, u"-"_s, down);
    if (!pair.ok)
        return;
    Peer &s = *pair.sender;
    Peer &rc = *pair.receiver;
    s.tell("probe");
    rc.tell("probe");
    s.tell("rtt " + rc.id + ' ' + QByteArray::number(roundTrips));
    waitFor(
        "the round trips without a transfer", [&] { return s.rttCount > 0; }, 120'000);
    r.rttP99Idle = s.rttP99 / 1000.0;
    r.rttCountIdle = s.rttCount;
    s.rttCount = 0;
    s.tell("probe"); // from here: the transfer
    rc.tell("probe");
    QElapsedTimer t;
    t.start();
    pair.send(source);
    s.tell("rtt-during " + rc.id);
    if (pair.waitDone(600'000))
        r.duringMBs = r.bigSize / 1e6 / (t.nsecsElapsed() / 1e9);
    waitFor(
        "the round trips during the transfer", [&] { return s.rttCount > 0; }, 60'000);
    r.rttP99Busy = s.rttP99 / 1000.0;
    r.rttCountBusy = s.rttCount;
    s.tell("gap");
    rc.tell("gap");
    waitFor(
        "both heartbeats", [&] { return s.gapUs >= 0 && rc.gapUs >= 0; }, 10'000);
    r.gapSenderMs = s.gapUs / 1000.0;
    r.gapReceiverMs = rc.gapUs / 1000.0;
    r.gapCpuSenderMs = s.gapCpuUs / 1000.0;
    r.gapCpuReceiverMs = rc.gapCpuUs / 1000.0;
    r.cpuBusySenderMs = s.longestCpuUs / 1000.0;
    r.cpuBusyReceiverMs = rc.longestCpuUs / 1000.0;
    QDir(down).removeRecursively();
}

// Resident memory of both sides during a big transfer from a sparse file: the most above
// what each held just before the offer.
void benchMemory(const QDir &dir, FilesResult &r)
{
    const QString source = dir.filePath(u"sparse.bin"_s);
    if (!makeFile(source, r.rssSize, true)) {
        ++g_failures;
        return;
    }
    const QString down = dir.filePath(u"down-memory"_s);
    {
        Pair pair(u"-"_s, u"-"_s, down);
        if (!pair.ok)
            return;
        benchSleep(500); // the connection's start is over
        const qint64 s0 = residentKiB(pair.sender->pid());
        const qint64 r0 = residentKiB(pair.receiver->pid());
        qint64 sMax = s0, rMax = r0;
        QTimer sample;
        QObject::connect(&sample, &QTimer::timeout, &sample, [&] {
            sMax = qMax(sMax, residentKiB(pair.sender->pid()));
            rMax = qMax(rMax, residentKiB(pair.receiver->pid()));
        });
        sample.start(50);
        pair.send(source);
        pair.waitDone(1'200'000);
        r.rssSenderMiB = (sMax - s0) / 1024.0;
        r.rssReceiverMiB = (rMax - r0) / 1024.0;
    }
    QDir(down).removeRecursively();
    QFile::remove(source);
}

// Many small files as one folder: from the offer (the sender's scan included) to the last
// file in place; the median of r.runs, each with a fresh pair.
void benchManyFiles(const QDir &dir, FilesResult &r)
{
    const QString tree = dir.filePath(u"many/small"_s);
    QDir().mkpath(tree);
    const QByteArray content(4096, 's');
    for (int i = 0; i < r.manyFiles; ++i) {
        QFile f(QDir(tree).filePath(u"file-%1.txt"_s.arg(i, 5, 10, QChar(u'0'))));
        if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size()) {
            ++g_failures;
            return;
        }
    }
    const QString down = dir.filePath(u"down-many"_s);
    QList<double> rates;
    for (int i = 0; i < r.runs; ++i) {
        Pair pair(u"-"_s, u"-"_s, down);
        if (!pair.ok)
            break;
        const qint64 s0 = processCost(pair.sender->pid()).cpuNs;
        const qint64 r0 = processCost(pair.receiver->pid()).cpuNs;
        QElapsedTimer t;
        t.start();
        pair.send(tree, true);
        if (pair.waitDone(600'000)) {
            const double seconds = t.nsecsElapsed() / 1e9;
            rates.append(r.manyFiles / seconds);
            if (qEnvironmentVariableIsSet("SHOAL_BENCH_FILES_VERBOSE")) {
                std::fprintf(stderr,
                             "small files: %.2f s, CPU sender %.2f s, receiver %.2f s\n",
                             seconds,
                             (processCost(pair.sender->pid()).cpuNs - s0) / 1e9,
                             (processCost(pair.receiver->pid()).cpuNs - r0) / 1e9);
            }
        }
        QDir(down).removeRecursively();
    }
    r.filesPerSecond = median(rates);
    QDir(dir.filePath(u"many"_s)).removeRecursively();
}

// Bytes held in the receiver's partial files (what a restart goes on from).
qint64 partialBytes(const QString &down)
{
    qint64 held = 0;
    QDirIterator it(QDir(down).filePath(u".shoal-partial"_s),
                    {u"part.*"_s},
                    QDir::Files | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        held += it.fileInfo().size();
    }
    return held;
}

// The receiver killed (SIGKILL) at half the file, then started again on its history: what the
// sender puts on the wire after the restart, beyond what the receiver was missing.
void benchResume(const QDir &dir, const QString &source, FilesResult &r)
{
    const QString down = dir.filePath(u"down-resume"_s);
    const QString senderProfile = dir.filePath(u"profile-sender"_s);
    const QString receiverProfile = dir.filePath(u"profile-receiver"_s);
    QDir().mkpath(senderProfile);
    QDir().mkpath(receiverProfile);
    {
        Pair pair(senderProfile, receiverProfile, down);
        if (!pair.ok)
            return;
        Peer &s = *pair.sender;
        pair.send(source);
        waitFor(
            "the receiver at half the file",
            [&] {
                return pair.receiver->bytes >= r.bigSize / 2 || pair.receiver->state == "failed"
                       || pair.receiver->state == "done"
                       || pair.receiver->process.state() == QProcess::NotRunning;
            },
            600'000);
        pair.receiver->kill();
        r.resumeHeld = partialBytes(down);
        r.resumeMissing = r.bigSize - r.resumeHeld;
        waitFor(
            "the sender to see the receiver gone", [&] { return !s.online; }, 30'000);
        const qint64 before = writtenBytes(s.pid());
        pair.receiver = shoalPeer(receiverProfile, down);
        pair.receiver->tell("dial 127.0.0.1:" + QByteArray::number(s.port));
        pair.waitDone(600'000);
        // The sender's last frames are out once the receiver is done.
        r.resumeSent = writtenBytes(s.pid()) - before;
        r.resumePercent = 100.0 * double(r.resumeSent - r.resumeMissing) / double(r.bigSize);
    }
    QDir(down).removeRecursively();
    QDir(senderProfile).removeRecursively();
    QDir(receiverProfile).removeRecursively();
}

QByteArray row(const QByteArray &measure,
               const QByteArray &shoal,
               const QByteArray &baseline,
               const QByteArray &ratio,
               const QByteArray &target,
               bool met)
{
    auto pad = [](const QByteArray &s, int width, bool right) {
        const qsizetype extra = s.size() - QString::fromUtf8(s).size(); // µs, × are two bytes
        return right ? s.rightJustified(width + extra) : s.leftJustified(width + extra);
    };
    return "| " + pad(measure, 58, false) + " | " + pad(shoal, 13, true) + " | "
           + pad(baseline, 13, true) + " | " + pad(ratio, 7, true) + " | " + pad(target, 12, false)
           + " | " + (met ? "yes" : "**no**") + '\n';
}

QByteArray num(double v, int decimals, const char *unit)
{
    return QByteArray::number(v, 'f', decimals) + ' ' + unit;
}

QByteArray sizeName(qint64 bytes)
{
    return bytes >= GiB ? QByteArray::number(bytes / GiB) + " GiB"
                        : QByteArray::number(bytes / MiB) + " MiB";
}

QByteArray table(const FilesResult &r)
{
    const QByteArray big = sizeName(r.bigSize);
    QByteArray out = row("files (loopback, sender and receiver in 2 processes)",
                         "Shoal",
                         "baseline",
                         "ratio",
                         "target",
                         true);
    out.chop(4);
    out += "met?\n|" + QByteArray(60, '-') + '|' + QByteArray(15, '-') + '|' + QByteArray(15, '-')
           + '|' + QByteArray(9, '-') + '|' + QByteArray(14, '-') + "|-----\n";
    const double ratio = r.tlsMBs > 0 ? r.shoalMBs / r.tlsMBs : 0;
    out += row(big + " file, hashed and verified (baseline: TLS bulk)",
               num(r.shoalMBs, 0, "MB/s"),
               num(r.tlsMBs, 0, "MB/s"),
               QByteArray::number(ratio, 'f', 2) + "×",
               ">= 0.7×",
               ratio >= 0.7);
    out += row("RSS growth during a " + sizeName(r.rssSize) + " transfer: sender",
               num(r.rssSenderMiB, 1, "MiB"),
               "-",
               "-",
               "<= 64 MiB",
               r.rssSenderMiB <= 64);
    out += row("  same: receiver",
               num(r.rssReceiverMiB, 1, "MiB"),
               "-",
               "-",
               "<= 64 MiB",
               r.rssReceiverMiB <= 64);
    out += row(QLocale(QLocale::English).toString(r.manyFiles).toLatin1()
                   + " files of 4 KiB as one folder",
               num(r.filesPerSecond, 0, "files/s"),
               "-",
               "-",
               ">= 2000/s",
               r.filesPerSecond >= 2000);
    const double rttRatio = r.rttP99Idle > 0 ? r.rttP99Busy / r.rttP99Idle : 0;
    out += row("chat round trip p99 in a " + big + " transfer (baseline: none)",
               num(r.rttP99Busy, 2, "ms"),
               num(r.rttP99Idle, 2, "ms"),
               QByteArray::number(rttRatio, 'f', 2) + "×",
               "<= 2×",
               r.rttP99Busy > 0 && rttRatio <= 2);
    out += row("main thread's longest busy stretch in a transfer: sender",
               num(r.gapSenderMs, 2, "ms"),
               "-",
               "-",
               "< 16 ms",
               r.gapSenderMs > 0 && r.gapSenderMs < 16);
    out += row("  same: receiver",
               num(r.gapReceiverMs, 2, "ms"),
               "-",
               "-",
               "< 16 ms",
               r.gapReceiverMs > 0 && r.gapReceiverMs < 16);
    out += row("resume after kill -9 of the receiver at 50 %: re-sent",
               num(r.resumePercent, 2, "%"),
               "-",
               "-",
               "<= 1 %",
               r.resumeSent > 0 && r.resumePercent <= 1);
    return out;
}

} // namespace

int runFilesBench(bool quick)
{
    FilesResult r;
    r.bigSize = quick ? 256 * MiB : GiB;
    r.rssSize = quick ? GiB : 4 * GiB;
    r.manyFiles = quick ? 2'000 : 10'000;
    r.runs = quick ? 1 : 3;
    const int roundTrips = quick ? 500 : 2'000;

    QString base = qEnvironmentVariable("SHOAL_BENCH_DIR");
    if (base.isEmpty())
        base = QDir::tempPath();
    QTemporaryDir temp(QDir(base).filePath(u"shoal-files-bench-XXXXXX"_s));
    if (!temp.isValid()) {
        std::fprintf(stderr, "bench: cannot make a folder in %s\n", qPrintable(base));
        return 1;
    }
    const QDir dir(temp.path());
    // SHOAL_BENCH_FILES_ROWS=throughput,latency,resume,memory,many: some rows only (by hand).
    const QString only = qEnvironmentVariable("SHOAL_BENCH_FILES_ROWS");
    auto wanted = [&](const QString &name) { return only.isEmpty() || only.contains(name); };
    // The small files first: the writeback of the big rows' gigabytes (seconds after the
    // files are gone) slowed them by 3x to 4x here.
    if (wanted(u"many"_s))
        benchManyFiles(dir, r);
    const QString source = dir.filePath(u"big.bin"_s);
    if (!makeFile(source, r.bigSize, false)) {
        std::fprintf(stderr, "bench: cannot write %s\n", qPrintable(source));
        return 1;
    }
    if (wanted(u"throughput"_s))
        benchThroughput(dir, source, r);
    if (wanted(u"latency"_s))
        benchLatency(dir, source, roundTrips, r);
    if (wanted(u"resume"_s))
        benchResume(dir, source, r);
    QFile::remove(source);
    if (wanted(u"memory"_s))
        benchMemory(dir, r);

    const QByteArray out = table(r);
    std::printf("%s", out.constData());
    std::printf(
        "\nEach row from a sender and a receiver in processes of their own (Messengers with\n"
        "throwaway histories; the resume row's on disk), files under %s, removed after.\n"
        "Throughput and small files: offer -> the receiver has every file verified and in\n"
        "place, the median of %d runs (the big file's in turns with the baseline: plain Qt\n"
        "TLS 1.3 bulk, two QSslSocket processes, %lld KiB chunks, %lld MiB send window,\n"
        "memory to memory, no hashing). CPU per GiB (all threads): Shoal's sender %.2f s,\n"
        "receiver %.2f s; the baseline's %.2f s, %.2f s.\n"
        "Round trips: %lld before the transfer, %lld while it ran (send -> ack, one at a\n"
        "time; the transfer meanwhile at %.0f MB/s). Busy stretch: a 1 ms timer's longest\n"
        "interval (of which on a CPU: sender %.2f ms, receiver %.2f ms; the longest stretch on\n"
        "a CPU without a tick: %.2f ms, %.2f ms). Resume: the receiver held %lld of %lld\n"
        "bytes on disk after the kill; the sender wrote %lld bytes to its socket after the\n"
        "restart (TLS records and frames included).\n",
        qPrintable(base),
        r.runs,
        BulkChunk / 1024,
        BulkWindow / MiB,
        r.cpuSender,
        r.cpuReceiver,
        r.cpuSource,
        r.cpuSink,
        r.rttCountIdle,
        r.rttCountBusy,
        r.duringMBs,
        r.gapCpuSenderMs,
        r.gapCpuReceiverMs,
        r.cpuBusySenderMs,
        r.cpuBusyReceiverMs,
        r.resumeHeld,
        r.bigSize,
        r.resumeSent);
    std::fflush(stdout);
    const QString file = qEnvironmentVariable("SHOAL_BENCH_FILES_TARGETS");
    if (!file.isEmpty()) {
        QFile f(file);
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            f.write(out);
    }
    if (g_failures > 0) {
        std::fprintf(stderr, "bench: %d waits or set-ups failed (named above)\n", g_failures);
        return 1;
    }
    return 0;
}

int runFilesChild(const QStringList &args)
{
    const QString mode = args.value(1);
    if (mode != u"--files-peer"_s && mode != u"--tls-bulk-sink"_s && mode != u"--tls-bulk-source"_s)
        return -1;
    benchChildSetUp();
    if (mode == u"--files-peer"_s)
        return runFilesPeer(args.value(2), args.value(3));
    if (mode == u"--tls-bulk-sink"_s)
        return runTlsBulkSink(args.value(2).toLongLong());
    return runTlsBulkSource(quint16(args.value(2).toUInt()), args.value(3).toLongLong());
}
