// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 15's presence table, on loopback only.
#include "presencebench.h"

#include "benchwait.h"
#include "identity/identity.h"
#include "messenger/messenger.h"

#include <QElapsedTimer>
#include <QHostAddress>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

constexpr int Peers = 50;

std::unique_ptr<Messenger> inMemoryPeer(const QString &name)
{
    QString error;
    MessengerConfig config;
    config.name = name; // no profileDir: history in memory
    config.listenAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.timeouts.newConnectionsPerAddressPerSecond = 1000; // 50 dials from 127.0.0.1
    const auto identity = Identity::generate(&error);
    if (!identity)
        qFatal("%s", qPrintable(error));
    auto m = std::make_unique<Messenger>(*identity, config);
    if (!m->start())
        qFatal("cannot listen: %s", qPrintable(m->errorString()));
    return m;
}

// Waits this long in the event loop (the connections keep working meanwhile).
void pause(int ms)
{
    QElapsedTimer t;
    t.start();
    benchWait(
        nullptr, [&] { return t.elapsed() >= ms; }, ms + 50, 10);
}

} // namespace

int runPresenceBench(bool quick)
{
    const int rounds = quick ? 5 : 21;
    auto hub = inMemoryPeer(u"Hub"_s);
    std::vector<std::unique_ptr<Messenger>> peers;
    for (int i = 0; i < Peers; ++i) {
        peers.push_back(inMemoryPeer(u"Peer %1"_s.arg(i)));
        QString error;
        // The hub dials each (a peer the person chose): strangers dialling in would meet its
        // limits on unknown peers.
        if (!hub->connectToAddress(u"127.0.0.1:%1"_s.arg(peers.back()->port()), &error))
            qFatal("%s", qPrintable(error));
    }
    const QString hubId = hub->id();
    const auto allSee = [&](PeerInfo::Status status, const QString &text) {
        for (const auto &p : peers) {
            const auto info = p->peer(hubId);
            if (!info || !info->online || info->status != status || info->statusText != text)
                return false;
        }
        return true;
    };
    if (!benchWait(
            "50 peers to connect", [&] { return allSee(PeerInfo::Status::Available, {}); }, 60'000)) {
        std::printf("| %-62s | %12s |\n", "presence change seen by 50 connected peers", "failed");
        return 1;
    }
    QList<double> ms;
    for (int round = 0; round < rounds; ++round) {
        // Apart by more than the sending interval: each change goes out at once, as a person's.
        pause(400);
        const auto status = round % 2 == 0 ? PeerInfo::Status::Away : PeerInfo::Status::Available;
        const QString text = u"round %1"_s.arg(round);
        QElapsedTimer timer;
        timer.start();
        hub->setStatus(status, text);
        if (!benchWait(
                "all 50 peers to see the status", [&] { return allSee(status, text); }, 10'000)) {
            std::printf("| %-62s | %12s |\n",
                        "presence change seen by 50 connected peers",
                        "failed");
            return 1;
        }
        ms.append(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    const double p50 = ms.at(ms.size() / 2);
    const double max = ms.last();
    std::printf("| %-62s | %12s | target\n",
                "presence (loopback, 51 Messengers in one process)",
                "measured");
    std::printf("|%s|%s|------\n", QByteArray(64, '-').constData(), QByteArray(14, '-').constData());
    std::printf("| %-62s | %9.1f ms | <= 1000 ms%s\n",
                "presence change seen by 50 connected peers, p50",
                p50,
                p50 <= 1000 ? "" : " MISSED");
    std::printf("| %-62s | %9.1f ms | <= 1000 ms%s\n",
                "  same, max",
                max,
                max <= 1000 ? "" : " MISSED");
    std::printf("\n%d rounds; each: the hub sets a status and a text, timed until every one of the "
                "50 peers' rosters shows both (all in one thread: the 50 receivers' work is "
                "counted too).\n",
                rounds);
    return p50 <= 1000 && max <= 1000 ? 0 : 1;
}
