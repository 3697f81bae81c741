// Measures Shoal against a plain Qt TCP ping-pong, in one process, on loopback only.
// Prints a Markdown table. Run through bench/run.sh.
#include "messenger/messenger.h"
#include "net/connectionregistry.h"
#include "protocol/framedecoder.h"
#include "storage/messagelog.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtEndian>

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace Qt::StringLiterals;

namespace {

constexpr int RoundTrips = 2000;
constexpr int Throughput = 10000;
constexpr int Setups = 50;
const QByteArray Text = QByteArray(64, 'x'); // a typical short chat line

bool waitUntil(const std::function<bool()> &done, int timeoutMs = 60000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    }
    return true;
}

struct Stats
{
    double p50 = 0, p99 = 0;
};

Stats percentiles(QList<qint64> ns)
{
    std::sort(ns.begin(), ns.end());
    auto at = [&](double q) {
        return ns.at(qMin(ns.size() - 1, qsizetype(q * ns.size()))) / 1000.0;
    };
    return {at(0.50), at(0.99)};
}

struct Result
{
    Stats rtt; // microseconds
    double perSecond = 0;
    Stats setup; // microseconds
};

// --- Shoal ---------------------------------------------------------------------------------

std::unique_ptr<Messenger> makePeer(const QString &name)
{
    QString error;
    MessengerConfig config;
    config.name = name;
    config.listenAddress = QHostAddress::LocalHost;
    config.port = 0;
    auto m = std::make_unique<Messenger>(*Identity::generate(&error), config);
    if (!m->start())
        qFatal("cannot listen: %s", qPrintable(m->errorString()));
    return m;
}

bool online(Messenger &m, const QString &id)
{
    const auto p = m.peers()->peer(id);
    return p && p->online;
}

Result benchShoal()
{
    Result r;
    auto a = makePeer(u"A"_s);
    auto b = makePeer(u"B"_s);
    const QString address = u"127.0.0.1:%1"_s.arg(b->port());
    QString error;

    QList<qint64> setups;
    for (int i = 0; i < Setups; ++i) {
        QElapsedTimer t;
        t.start();
        int done = 0;
        const int attempt = a->connectToAddress(address, &error);
        auto c = QObject::connect(a.get(), &Messenger::connectFinished, a.get(), [&](int at) {
            done += at == attempt;
        });
        waitUntil([&] { return done > 0; });
        setups.append(t.nsecsElapsed());
        QObject::disconnect(c);
        a->connections().closeAll();
        waitUntil([&] {
            return !online(*a, b->id()) && !online(*b, a->id())
                   && !a->connections().hasOpenSockets() && !b->connections().hasOpenSockets();
        });
    }
    r.setup = percentiles(setups);

    a->connectToAddress(address, &error);
    waitUntil([&] { return online(*a, b->id()) && online(*b, a->id()); });
    const QString text = QString::fromLatin1(Text);

    QList<qint64> rtts;
    for (int i = 0; i < RoundTrips; ++i) {
        QElapsedTimer t;
        t.start();
        const QUuid id = *a->sendMessage(b->id(), text, &error);
        waitUntil([&] { return a->log().message(id)->state == MessageState::Delivered; });
        rtts.append(t.nsecsElapsed());
    }
    r.rtt = percentiles(rtts);

    QElapsedTimer t;
    t.start();
    QUuid last;
    for (int i = 0; i < Throughput; ++i)
        last = *a->sendMessage(b->id(), text, &error);
    waitUntil([&] { return a->log().message(last)->state == MessageState::Delivered; });
    r.perSecond = Throughput / (t.nsecsElapsed() / 1e9);
    return r;
}

// --- Plain Qt TCP: same framing, 16-byte id + text out, 16-byte id back -----------------------

QByteArray frame(const QByteArray &payload)
{
    QByteArray out(4, Qt::Uninitialized);
    qToBigEndian<quint32>(quint32(payload.size()), out.data());
    return out + payload;
}

Result benchPlain()
{
    Result r;
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    QList<QTcpSocket *> serverSides;
    QObject::connect(&server, &QTcpServer::newConnection, &server, [&] {
        while (QTcpSocket *s = server.nextPendingConnection()) {
            serverSides.append(s);
            auto decoder = std::make_shared<FrameDecoder>(1 << 20);
            QObject::connect(s, &QTcpSocket::readyRead, s, [s, decoder] {
                QList<QByteArray> frames;
                decoder->feed(s->readAll(), &frames);
                QByteArray acks;
                for (const QByteArray &f : frames)
                    acks += frame(f.left(16));
                s->write(acks);
            });
        }
    });

    QList<qint64> setups;
    for (int i = 0; i < Setups; ++i) {
        QTcpSocket client;
        QElapsedTimer t;
        t.start();
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        waitUntil([&] { return client.state() == QAbstractSocket::ConnectedState; });
        setups.append(t.nsecsElapsed());
        client.abort();
    }
    r.setup = percentiles(setups);

    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    waitUntil([&] { return client.state() == QAbstractSocket::ConnectedState; });
    FrameDecoder decoder(1 << 20);
    int acked = 0;
    QObject::connect(&client, &QTcpSocket::readyRead, &client, [&] {
        QList<QByteArray> frames;
        decoder.feed(client.readAll(), &frames);
        acked += int(frames.size());
    });
    QList<qint64> rtts;
    for (int i = 0; i < RoundTrips; ++i) {
        QElapsedTimer t;
        t.start();
        const int before = acked;
        client.write(frame(QUuid::createUuid().toRfc4122() + Text));
        waitUntil([&] { return acked > before; });
        rtts.append(t.nsecsElapsed());
    }
    r.rtt = percentiles(rtts);

    QElapsedTimer t;
    t.start();
    const int target = acked + Throughput;
    for (int i = 0; i < Throughput; ++i)
        client.write(frame(QUuid::createUuid().toRfc4122() + Text));
    waitUntil([&] { return acked >= target; });
    r.perSecond = Throughput / (t.nsecsElapsed() / 1e9);
    qDeleteAll(serverSides);
    return r;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const Result plain = benchPlain();
    const Result shoal = benchShoal();
    auto row = [](const char *what, double s, double p, const char *unit, const char *note) {
        std::printf("| %-36s | %12.1f | %12.1f | %6.2fx | %s%s\n", what, s, p, s / p, unit, note);
    };
    std::printf("| %-36s | %12s | %12s | %7s | unit\n",
                "measure (loopback, one process)",
                "Shoal",
                "plain Qt TCP",
                "ratio");
    std::printf("|%s|%s|%s|%s|------\n",
                QByteArray(38, '-').constData(),
                QByteArray(14, '-').constData(),
                QByteArray(14, '-').constData(),
                QByteArray(9, '-').constData());
    row("round trip send->ack, p50", shoal.rtt.p50, plain.rtt.p50, "µs", "  (target <= 3x)");
    row("round trip send->ack, p99", shoal.rtt.p99, plain.rtt.p99, "µs", "");
    row("throughput, 10,000 messages", shoal.perSecond, plain.perSecond, "msg/s", "");
    row("connection set-up, p50",
        shoal.setup.p50,
        plain.setup.p50,
        "µs",
        "  (Shoal: TCP+TLS 1.3+hello)");
    row("connection set-up, p99", shoal.setup.p99, plain.setup.p99, "µs", "");
    std::printf("\n%d round trips, %d messages of %d bytes, %d connection set-ups each.\n",
                RoundTrips,
                Throughput,
                int(Text.size()),
                Setups);
    return 0;
}
