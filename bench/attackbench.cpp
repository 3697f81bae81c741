// SPDX-License-Identifier: GPL-3.0-or-later
// What each attack costs the peer under attack: its CPU and extra memory, and the round trip
// of a legitimate conversation with it meanwhile, beside the same figures with no attack.
//
// Alice (attacked) runs in a child process of her own, so that her CPU time and memory can be
// read from /proc; each attacker runs in another, so that its work slows neither Alice's
// figures nor Bob's; Bob (legitimate) runs here. Loopback only: Alice listens on 127.0.0.1 and announces to
// 127.255.255.255; the attackers use 127.0.0.0/8 source addresses.
#include "attackbench.h"
#include "benchpeer.h"
#include "benchwait.h"

#include "discovery/announcement.h"
#include "identity/identity.h"
#include "messenger/messenger.h"
#include "net/connectionregistry.h"
#include "net/tlsconfiguration.h"
#include "protocol/messages.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <QUdpSocket>
#include <QtEndian>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

constexpr int WindowMs = 3000; // how long each attack runs while the conversation is measured

bool waitFor(const char *what, const std::function<bool()> &done, int timeoutMs)
{
    return benchWait(what, done, timeoutMs);
}

// --- the attacked process ---------------------------------------------------------------------

struct ProcStat
{
    double cpuSeconds = 0;
    double rssMiB = 0;
};

ProcStat readProc(qint64 pid)
{
    ProcStat s;
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray line = stat.readAll();
        // Fields after the ")" that ends the command name: state is field 3; utime 14, stime 15.
        const QList<QByteArray> f = line.mid(line.lastIndexOf(')') + 2).split(' ');
        const double ticks = double(sysconf(_SC_CLK_TCK));
        if (f.size() > 12)
            s.cpuSeconds = (f.at(11).toDouble() + f.at(12).toDouble()) / ticks;
    }
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &l : status.readAll().split('\n')) {
            if (l.startsWith("VmRSS:"))
                s.rssMiB = l.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
        }
    }
    return s;
}

// --- attackers ----------------------------------------------------------------------------------

// A valid hello claiming `id` (the attacker's own: it passes the fingerprint check).
QByteArray helloFrame(const QString &id, const QString &name)
{
    Protocol::Hello hello;
    hello.peerId = id;
    hello.name = name;
    hello.port = 1;
    return Protocol::encodeFrame(hello);
}

QByteArray header(quint32 length)
{
    QByteArray h(4, '\0');
    qToBigEndian(length, h.data());
    return h;
}

// One attack: keeps itself going (reconnecting what gets closed) until destroyed.
class Attack : public QObject
{
public:
    struct Target
    {
        quint16 tcpPort = 0;
        quint16 udpPort = 0;
    };
    using QObject::QObject;
    virtual void start(const Target &target) = 0;
    QString note;
};

class NoAttack final : public Attack
{
public:
    void start(const Target &) override {}
};

// Many connections that start TLS and then trickle the hello a byte at a time.
class Slowloris final : public Attack
{
public:
    explicit Slowloris(const Identity &id)
        : m_config(Tls::configuration(id))
        , m_id(id.id())
    {}
    void start(const Target &target) override
    {
        m_port = target.tcpPort;
        for (int i = 0; i < 200; ++i)
            open(i);
        connect(&m_drip, &QTimer::timeout, this, [this] {
            for (auto &s : m_sockets) {
                if (s->isEncrypted() && m_sent[s.get()] < m_hello.size())
                    s->write(m_hello.mid(m_sent[s.get()]++, 1));
            }
        });
        m_drip.start(500);
        m_hello = helloFrame(m_id, u"slow"_s);
    }

private:
    void open(int i)
    {
        auto s = std::make_unique<QSslSocket>();
        s->setSslConfiguration(m_config);
        s->bind(QHostAddress(u"127.0.3.%1"_s.arg(1 + i % 50)));
        s->connectToHostEncrypted(u"127.0.0.1"_s, m_port);
        QSslSocket *raw = s.get();
        connect(raw, &QSslSocket::disconnected, this, [this, raw, i] {
            ++m_closed;
            note = u"%1 connections closed by Alice"_s.arg(m_closed);
            QTimer::singleShot(100, this, [this, raw, i] {
                m_sent.remove(raw);
                m_sockets.erase(std::remove_if(m_sockets.begin(),
                                               m_sockets.end(),
                                               [raw](const auto &p) { return p.get() == raw; }),
                                m_sockets.end());
                open(i);
            });
        });
        m_sockets.push_back(std::move(s));
    }
    QSslConfiguration m_config;
    QString m_id;
    quint16 m_port = 0;
    QByteArray m_hello;
    QTimer m_drip;
    std::vector<std::unique_ptr<QSslSocket>> m_sockets;
    QHash<QSslSocket *, qsizetype> m_sent;
    int m_closed = 0;
};

// Thousands of TCP connections that say nothing; each one closed is opened again.
class ConnectionFlood final : public Attack
{
public:
    void start(const Target &target) override
    {
        m_port = target.tcpPort;
        for (int i = 0; i < 2000; ++i)
            open(i);
    }

private:
    void open(int i)
    {
        auto *s = new QTcpSocket(this);
        s->bind(QHostAddress(u"127.0.4.%1"_s.arg(1 + i % 250)));
        s->connectToHost(QHostAddress::LocalHost, m_port);
        connect(s, &QTcpSocket::disconnected, this, [this, s, i] {
            ++m_cycled;
            note = u"%1 connections refused or closed"_s.arg(m_cycled);
            s->deleteLater();
            QTimer::singleShot(10, this, [this, i] { open(i); });
        });
    }
    quint16 m_port = 0;
    int m_cycled = 0;
};

// A valid hello, then a length prefix of 2^32-1 and junk behind it; again and again.
class Junk final : public Attack
{
public:
    explicit Junk(const Identity &id)
        : m_config(Tls::configuration(id))
        , m_id(id.id())
    {}
    void start(const Target &target) override
    {
        m_port = target.tcpPort;
        open();
    }

private:
    void open()
    {
        auto *s = new QSslSocket(this);
        s->setSslConfiguration(m_config);
        s->connectToHostEncrypted(u"127.0.0.1"_s, m_port);
        connect(s, &QSslSocket::encrypted, this, [this, s] {
            s->write(helloFrame(m_id, u"junk"_s));
            s->write(header(0xFFFFFFFFu));
            // Up to 1 GiB of junk; it stops being taken when Alice closes.
            for (int i = 0; i < 16; ++i)
                s->write(QByteArray(64 * 1024, '\xa5'));
            m_junk += 16 * 64 * 1024;
        });
        connect(s, &QSslSocket::disconnected, this, [this, s] {
            ++m_rounds;
            note = u"%1 attempts, refused (rate limit) or closed at the header"_s.arg(m_rounds);
            s->deleteLater();
            QTimer::singleShot(0, this, [this] { open(); });
        });
    }
    QSslConfiguration m_config;
    QString m_id;
    quint16 m_port = 0;
    qint64 m_junk = 0;
    int m_rounds = 0;
};

// 10,000 malformed discovery datagrams a second.
class DatagramFlood final : public Attack
{
public:
    void start(const Target &target) override
    {
        m_port = target.udpPort;
        m_socket.bind(QHostAddress(u"127.0.5.1"_s), 0);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            for (int i = 0; i < 100; ++i, ++m_sent) {
                QByteArray junk(200, '\0');
                for (qsizetype j = 0; j < junk.size(); ++j)
                    junk[j] = char((m_sent * 31 + j * 7) & 0xff);
                m_socket.writeDatagram(junk, QHostAddress::LocalHost, m_port);
            }
            note = u"%1 datagrams sent"_s.arg(m_sent);
        });
        m_timer.start(10);
    }

private:
    QUdpSocket m_socket;
    QTimer m_timer;
    quint16 m_port = 0;
    qint64 m_sent = 0;
};

// A peer that sends chat messages as fast as it can and never reads the acknowledgements.
class Deaf final : public Attack
{
public:
    explicit Deaf(const Identity &id)
        : m_config(Tls::configuration(id))
        , m_id(id.id())
    {}
    void start(const Target &target) override
    {
        m_port = target.tcpPort;
        open();
        connect(&m_timer, &QTimer::timeout, this, [this] {
            if (!m_socket || !m_socket->isEncrypted() || m_socket->bytesToWrite() > 256 * 1024)
                return;
            for (int i = 0; i < 200; ++i, ++m_sent) {
                m_socket->write(Protocol::encodeFrame(Protocol::Chat{QUuid::createUuid(),
                                                                     QDateTime::currentDateTimeUtc(),
                                                                     u"flood"_s}));
            }
            note = u"%1 chats sent; closed %2 times for not reading"_s.arg(m_sent).arg(m_closed);
        });
        m_timer.start(1);
    }

private:
    void open()
    {
        m_socket = new QSslSocket(this);
        m_socket->setSslConfiguration(m_config);
        m_socket->setReadBufferSize(1); // takes nothing off the kernel's socket
        m_socket->connectToHostEncrypted(u"127.0.0.1"_s, m_port);
        QSslSocket *s = m_socket;
        connect(s, &QSslSocket::encrypted, this, [this, s] {
            s->write(helloFrame(m_id, u"deaf"_s));
        });
        connect(s, &QSslSocket::disconnected, this, [this, s] {
            ++m_closed;
            note = u"%1 chats sent; closed %2 times for not reading"_s.arg(m_sent).arg(m_closed);
            s->deleteLater();
            m_socket = nullptr;
            QTimer::singleShot(0, this, [this] { open(); });
        });
    }
    QSslConfiguration m_config;
    QString m_id;
    quint16 m_port = 0;
    QSslSocket *m_socket = nullptr;
    QTimer m_timer;
    qint64 m_sent = 0;
    int m_closed = 0;
};

// Lock-out: silent TCP connections that fill the handshakes in progress, reopened when closed.
class SilentHandshakes final : public Attack
{
public:
    void start(const Target &target) override
    {
        m_port = target.tcpPort;
        for (int i = 0; i < 80; ++i)
            open(i);
    }

private:
    void open(int i)
    {
        auto *s = new QTcpSocket(this);
        s->bind(QHostAddress(u"127.0.8.%1"_s.arg(1 + i % 8)));
        s->connectToHost(QHostAddress::LocalHost, m_port);
        connect(s, &QTcpSocket::disconnected, this, [this, s, i] {
            ++m_cycled;
            note = u"%1 connections refused or closed"_s.arg(m_cycled);
            s->deleteLater();
            QTimer::singleShot(10, this, [this, i] { open(i); });
        });
    }
    quint16 m_port = 0;
    int m_cycled = 0;
};

// Lock-out: authenticated peers, a key each, from 40 addresses, that say hello and then
// nothing but pongs; reopened when closed. With Bob they fill all 512 connections.
class IdlePeers final : public Attack
{
public:
    static constexpr int Count = ConnectionRegistry::MaxConnections - 1;
    void start(const Target &target) override
    {
        m_port = target.tcpPort;
        QString error;
        for (int i = 0; i < Count; ++i)
            m_identities.append(*Identity::generate(&error));
        // A batch at a time, as fast as the handshake limit lets them in.
        connect(&m_pace, &QTimer::timeout, this, [this] {
            for (int n = 0; n < 32 && m_next < Count; ++n)
                open(m_next++);
        });
        m_pace.start(20);
    }

private:
    void open(int i)
    {
        auto *s = new QSslSocket(this);
        s->setSslConfiguration(Tls::configuration(m_identities.at(i)));
        s->bind(QHostAddress(u"127.0.9.%1"_s.arg(1 + i % 40)));
        s->connectToHostEncrypted(u"127.0.0.1"_s, m_port);
        connect(s, &QSslSocket::encrypted, this, [this, s, i] {
            s->write(helloFrame(m_identities.at(i).id(), u"idle"_s));
            s->setProperty("in", true);
            ++m_in;
        });
        connect(s, &QSslSocket::readyRead, this, [s] {
            // Alive, and nothing else: a pong for every ping (the frames are tiny).
            const QByteArray bytes = s->readAll();
            if (bytes.contains("ping"))
                s->write(Protocol::encodeFrame(Protocol::Pong{0}));
        });
        connect(s, &QSslSocket::disconnected, this, [this, s, i] {
            ++m_cycled;
            m_in -= s->property("in").toBool() ? 1 : 0;
            note = u"%1 idle peers in, %2 refused or closed"_s.arg(m_in).arg(m_cycled);
            s->deleteLater();
            QTimer::singleShot(50, this, [this, i] { open(i); });
        });
        note = u"%1 idle peers in, %2 refused or closed"_s.arg(m_in).arg(m_cycled);
    }
    quint16 m_port = 0;
    QList<Identity> m_identities;
    QTimer m_pace;
    int m_next = 0;
    int m_in = 0;
    int m_cycled = 0;
};

// Forged announcements: every second, 200 made-up peers announced from 20 addresses (10
// each, within the per-source rate), each pointing at a port on its address where this
// process takes TCP connections and says nothing. Counts the connections Alice opens.
class DialStorm final : public Attack
{
public:
    static constexpr int PerSecond = 200;
    void start(const Target &target) override
    {
        m_port = target.udpPort;
        for (int source = 0; source < 20; ++source) {
            const QHostAddress host(u"127.0.10.%1"_s.arg(1 + source));
            auto *udp = new QUdpSocket(this);
            udp->bind(host, 0);
            m_sockets.append(udp);
            for (int j = 0; j < 5; ++j) {
                auto *server = new QTcpServer(this);
                server->listen(host);
                connect(server, &QTcpServer::newConnection, this, [this, server] {
                    while (QTcpSocket *s = server->nextPendingConnection()) {
                        s->setParent(this);
                        ++m_dialled;
                    }
                });
                m_servers.append(server);
            }
        }
        connect(&m_timer, &QTimer::timeout, this, [this] { storm(); });
        m_timer.start(1000);
        storm();
    }

private:
    void storm()
    {
        for (int i = 0; i < PerSecond; ++i, ++m_sent) {
            const int source = i % m_sockets.size();
            Announcement a;
            a.peerId = QString::number(m_sent, 16).rightJustified(64, u'f');
            a.instance = QUuid::createUuid();
            a.name = u"fake"_s;
            a.port = m_servers.at(source * 5 + (i / 20) % 5)->serverPort();
            m_sockets.at(source)->writeDatagram(a.encode(), QHostAddress::LocalHost, m_port);
        }
        note = u"%1 announcements sent; Alice opened %2 connections"_s.arg(m_sent).arg(m_dialled);
    }
    quint16 m_port = 0;
    QList<QUdpSocket *> m_sockets;
    QList<QTcpServer *> m_servers;
    QTimer m_timer;
    qint64 m_sent = 0;
    int m_dialled = 0;
};

// Bob's side of a lock-out row: every 300 ms a peer Alice has never met, with a key and an
// address of its own, connects, says hello and one chat, and waits for the acknowledgement.
class NewcomerProbe final : public QObject
{
public:
    explicit NewcomerProbe(quint16 port)
        : m_port(port)
    {
        QString error;
        for (int i = 0; i < 12; ++i)
            m_identities.append(*Identity::generate(&error));
        connect(&m_timer, &QTimer::timeout, this, [this] { tryOnce(); });
        m_timer.start(300);
    }
    QString summary() const
    {
        QList<qint64> ms = m_ms;
        std::sort(ms.begin(), ms.end());
        // Attempts still under way when the window closed are left out.
        return u"new peers: %1 in, %2 kept out; p50 %3 ms"_s.arg(ms.size()).arg(m_failed).arg(
            ms.isEmpty() ? -1 : ms.at(ms.size() / 2));
    }

private:
    void tryOnce()
    {
        if (m_tried >= m_identities.size())
            return;
        const Identity &identity = m_identities.at(m_tried);
        auto *s = new QSslSocket(this);
        s->setSslConfiguration(Tls::configuration(identity));
        s->bind(QHostAddress(u"127.0.11.%1"_s.arg(1 + m_tried)));
        ++m_tried;
        auto clock = std::make_shared<QElapsedTimer>();
        clock->start();
        const QUuid id = QUuid::createUuid();
        connect(s, &QSslSocket::encrypted, this, [s, identity, id] {
            s->write(helloFrame(identity.id(), u"newcomer"_s));
            s->write(Protocol::encodeFrame(
                Protocol::Chat{id, QDateTime::currentDateTimeUtc(), u"hello"_s}));
        });
        auto buffer = std::make_shared<QByteArray>();
        connect(s, &QSslSocket::readyRead, this, [this, s, clock, buffer] {
            *buffer += s->readAll();
            if (buffer->contains("ack")) { // the acknowledgement of the one chat
                m_ms.append(clock->elapsed());
                s->disconnect(this);
                s->abort();
                s->deleteLater();
            }
        });
        connect(s, &QSslSocket::disconnected, this, [this] { ++m_failed; });
        QTimer::singleShot(2000, s, [s] { s->abort(); });
        s->connectToHostEncrypted(u"127.0.0.1"_s, m_port);
    }
    quint16 m_port;
    QList<Identity> m_identities;
    QTimer m_timer;
    int m_tried = 0;
    int m_failed = 0; // refused, closed, or no acknowledgement within 2 s
    QList<qint64> m_ms;
};

struct Row
{
    QString name;
    double cpuPercent = 0;
    double extraRssMiB = 0;
    double rttP50Us = 0;
    double rttP99Us = 0;
    int roundTrips = 0;
    QString note;
};

} // namespace

int runAttackedPeer(const QString &profile)
{
    MessengerConfig config = benchPeerConfig(profile, u"Alice"_s);
    DiscoveryConfig discovery;
    {
        QUdpSocket probe; // a free port, let go for discovery to take
        probe.bind(QHostAddress::LocalHost, 0);
        discovery.port = probe.localPort();
    }
    discovery.targets = {QHostAddress(u"127.255.255.255"_s)};
    config.discovery = discovery;
    const auto alice = startBenchPeer(config);
    std::printf("READY %u %u %s\n", alice->port(), config.discovery->port, qPrintable(alice->id()));
    std::fflush(stdout);
    // Until the parent is gone.
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [] {
        if (getppid() == 1)
            QCoreApplication::quit();
    });
    poll.start(200);
    return QCoreApplication::exec();
}

namespace {

std::unique_ptr<Attack> makeAttack(const QString &kind, const Identity &mallory)
{
    if (kind == u"slowloris"_s)
        return std::make_unique<Slowloris>(mallory);
    if (kind == u"connections"_s)
        return std::make_unique<ConnectionFlood>();
    if (kind == u"junk"_s)
        return std::make_unique<Junk>(mallory);
    if (kind == u"datagrams"_s)
        return std::make_unique<DatagramFlood>();
    if (kind == u"deaf"_s)
        return std::make_unique<Deaf>(mallory);
    if (kind == u"lockout-handshakes"_s)
        return std::make_unique<SilentHandshakes>();
    if (kind == u"lockout-idle"_s)
        return std::make_unique<IdlePeers>();
    if (kind == u"storm"_s)
        return std::make_unique<DialStorm>();
    return std::make_unique<NoAttack>();
}

} // namespace

int runAttacker(const QString &kind, quint16 tcpPort, quint16 udpPort)
{
    QString error;
    const Identity mallory = *Identity::generate(&error);
    auto attack = makeAttack(kind, mallory);
    attack->start({tcpPort, udpPort});
    // What it achieved, for the table's notes, when the parent ends it.
    QTimer report;
    QObject::connect(&report, &QTimer::timeout, [&] {
        std::printf("%s\n", qPrintable(attack->note));
        std::fflush(stdout);
        if (getppid() == 1)
            QCoreApplication::quit();
    });
    report.start(250);
    return QCoreApplication::exec();
}

int runAttackBench()
{
    QString error;
    QTemporaryDir aliceDir, bobDir;
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), {u"--attacked-peer"_s, aliceDir.path()});
    if (!child.waitForReadyRead(20000))
        qFatal("the attacked peer did not start");
    const QList<QByteArray> ready = child.readLine().trimmed().split(' ');
    if (ready.size() != 4 || ready.at(0) != "READY")
        qFatal("the attacked peer said: %s", ready.join(' ').constData());
    const Attack::Target target{quint16(ready.at(1).toUInt()), quint16(ready.at(2).toUInt())};
    const QString aliceId = QString::fromLatin1(ready.at(3));
    const qint64 pid = child.processId();

    MessengerConfig config;
    config.profileDir = bobDir.path();
    config.name = u"Bob"_s;
    config.listenAddress = QHostAddress::LocalHost;
    config.port = 0;
    Messenger bob(*Identity::generate(&error), config);
    if (!bob.start())
        qFatal("%s", qPrintable(bob.errorString()));
    bob.connectToAddress(u"127.0.0.1:%1"_s.arg(target.tcpPort), &error);
    if (!waitFor(
            "Bob to reach Alice", [&] { return bob.connections().isConnected(aliceId); }, 10000))
        qFatal("Bob could not reach Alice");

    QUuid waiting;
    bool delivered = false;
    QObject::connect(&bob, &Messenger::messageStateChanged, &bob, [&](const ChatMessage &m) {
        if (m.id == waiting && m.state >= MessageState::Delivered)
            delivered = true;
    });

    auto measure = [&](const QString &name, const QString &kind, int fillMs) {
        Row row;
        row.name = name;
        benchSleep(500); // let the previous attack's debris settle
        ProcStat before = readProc(pid);
        QProcess attacker;
        attacker.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        attacker.start(QCoreApplication::applicationFilePath(),
                       {u"--attacker"_s,
                        kind,
                        QString::number(target.tcpPort),
                        QString::number(target.udpPort)});
        attacker.waitForStarted();
        // A lock-out is measured once it is in place (the attacker has filled the room): CPU
        // over the window alone, memory over Alice's size before the attack began.
        if (fillMs > 0) {
            benchSleep(fillMs);
            before.cpuSeconds = readProc(pid).cpuSeconds;
        }
        std::unique_ptr<NewcomerProbe> probe;
        if (fillMs > 0)
            probe = std::make_unique<NewcomerProbe>(target.tcpPort);
        QList<qint64> ns;
        QElapsedTimer window;
        window.start();
        double peakRss = before.rssMiB;
        QTimer sample;
        QObject::connect(&sample, &QTimer::timeout, [&] {
            peakRss = std::max(peakRss, readProc(pid).rssMiB);
        });
        sample.start(50);
        while (window.elapsed() < WindowMs) {
            QElapsedTimer rtt;
            rtt.start();
            delivered = false;
            waiting = *bob.sendMessage(aliceId, u"are you there?"_s, &error);
            if (!waitFor(
                    "the ack from Alice", [&] { return delivered; }, 10000)) {
                row.note = u"a message was not delivered within 10 s"_s;
                break;
            }
            ns.append(rtt.nsecsElapsed());
        }
        const double seconds = window.nsecsElapsed() / 1e9;
        const ProcStat after = readProc(pid);
        row.cpuPercent = 100.0 * (after.cpuSeconds - before.cpuSeconds) / seconds;
        row.extraRssMiB = std::max(0.0, peakRss - before.rssMiB);
        std::sort(ns.begin(), ns.end());
        if (!ns.isEmpty()) {
            row.rttP50Us = ns.at(ns.size() / 2) / 1000.0;
            row.rttP99Us = ns.at(std::min(ns.size() - 1, qsizetype(ns.size() * 0.99))) / 1000.0;
        }
        row.roundTrips = int(ns.size());
        attacker.kill();
        attacker.waitForFinished();
        const QList<QByteArray> notes = attacker.readAllStandardOutput().trimmed().split('\n');
        if (row.note.isEmpty())
            row.note = QString::fromUtf8(notes.constLast());
        if (probe)
            row.note += u"; "_s + probe->summary();
        return row;
    };

    QList<Row> rows;
    bool aliceDied = false;
    auto run = [&](const QString &name, const QString &kind, int fillMs = 0) {
        if (aliceDied)
            return;
        rows.append(measure(name, kind, fillMs));
        // An attack that takes Alice down (a crash, a sanitizer report) fails the bench: CI
        // runs it under ASan for that.
        aliceDied = child.state() != QProcess::Running;
        std::fprintf(stderr,
                     "  %s %s\n",
                     qPrintable(name),
                     aliceDied ? "KILLED ALICE (exit code above)" : "done");
    };
    run(u"none"_s, u"none"_s);
    run(u"slowloris: 200 TLS connections trickling a hello"_s, u"slowloris"_s);
    run(u"2,000 silent TCP connections, reopened when closed"_s, u"connections"_s);
    run(u"length 2^32-1 + junk after a valid hello, repeated"_s, u"junk"_s);
    run(u"10,000 malformed discovery datagrams/s"_s, u"datagrams"_s);
    run(u"chat flood from a peer that never reads"_s, u"deaf"_s);
    run(u"lock-out: 80 silent handshakes from 8 addresses (re-opened)"_s,
        u"lockout-handshakes"_s,
        1000);
    run(u"lock-out: 511 idle authenticated peers, 40 addresses"_s, u"lockout-idle"_s, 6000);
    run(u"discovery dial storm: 200 forged announcements/s"_s, u"storm"_s);
    run(u"none (again, after all that)"_s, u"none"_s);

    std::printf("| %-60s | %6s | %9s | %10s | %10s | %s\n",
                "attack on Alice (3 s each, loopback)",
                "CPU %",
                "+RSS MiB",
                "RTT p50 µs",
                "RTT p99 µs",
                "notes");
    std::printf("|%s|--------|-----------|------------|------------|------\n",
                QByteArray(62, '-').constData());
    for (const Row &r : std::as_const(rows)) {
        std::printf("| %-60s | %6.1f | %9.1f | %10.0f | %10.0f | %d round trips; %s\n",
                    qPrintable(r.name),
                    r.cpuPercent,
                    r.extraRssMiB,
                    r.rttP50Us,
                    r.rttP99Us,
                    r.roundTrips,
                    qPrintable(r.note));
    }
    std::printf("\nRTT: Bob sends, Alice stores and acknowledges, Bob stores the state "
                "(both histories on disk).\nCPU and memory are Alice's process alone; +RSS is "
                "its peak during the attack over its size just before.\n");
    std::fflush(stdout);
    if (aliceDied) {
        std::printf("\nFAILED: the attacked peer died during \"%s\"\n",
                    qPrintable(rows.constLast().name));
        return 1;
    }
    child.closeWriteChannel();
    child.kill();
    child.waitForFinished();
    return 0;
}
