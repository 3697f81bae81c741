// SPDX-License-Identifier: GPL-3.0-or-later
#include "discoveryservice.h"

#include "net/networksafety.h"
#include "net/peeraddress.h"

#include <QLoggingCategory>
#include <QNetworkDatagram>
#include <QNetworkInformation>
#include <QNetworkInterface>
#include <QRandomGenerator>
#include <QTimer>
#include <QUdpSocket>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDiscovery, "shoal.discovery")

// Announce at once, then again shortly after, so that a lost datagram costs little.
static constexpr int BurstMs[] = {0, 100, 500, 2000};
static const QHostAddress AllNodesV6(u"ff02::1"_s);

DiscoveryService::DiscoveryService(const QString &ownId, DiscoveryConfig config, QObject *parent)
    : QObject(parent)
    , m_ownId(ownId)
    , m_config(std::move(config))
    , m_instance(QUuid::createUuid())
{
    m_clock.start();
    m_beacon.setSingleShot(true);
    connect(&m_beacon, &QTimer::timeout, this, &DiscoveryService::onBeacon);
    connect(&m_expiry, &QTimer::timeout, this, &DiscoveryService::expire);
}

DiscoveryService::~DiscoveryService() = default;

bool DiscoveryService::start(QString *error)
{
    const auto mode = QUdpSocket::ShareAddress | QUdpSocket::ReuseAddressHint;
    refreshTargets();
    bool wantV4 = false, wantV6 = false;
    for (const TargetState &t : std::as_const(m_targets)) {
        (t.address.protocol() == QAbstractSocket::IPv6Protocol ? wantV6 : wantV4) = true;
    }
    if (m_config.targets.isEmpty())
        wantV4 = true;

    if (wantV4) {
        m_listen4 = new QUdpSocket(this);
        m_send4 = new QUdpSocket(this);
        if (!m_listen4->bind(QHostAddress::AnyIPv4, m_config.port, mode)) {
            *error = tr("Cannot use UDP port %1 for discovery: %2. Choose another with "
                        "--discovery-port.")
                         .arg(m_config.port)
                         .arg(m_listen4->errorString());
            return false;
        }
        // Announcements leave from their own port, so that answers reach this instance
        // even when several share the discovery port.
        if (!m_send4->bind(QHostAddress::AnyIPv4, 0)) {
            *error = tr("Cannot open a UDP socket for discovery: %1").arg(m_send4->errorString());
            return false;
        }
        connect(m_listen4, &QUdpSocket::readyRead, this, [this] { onReadyRead(m_listen4); });
        connect(m_send4, &QUdpSocket::readyRead, this, [this] { onReadyRead(m_send4); });
    }
    if (wantV6) {
        auto *listen = new QUdpSocket(this);
        auto *send = new QUdpSocket(this);
        if (listen->bind(QHostAddress::AnyIPv6, m_config.port, mode)
            && send->bind(QHostAddress::AnyIPv6, 0)) {
            m_listen6 = listen;
            m_send6 = send;
            joinMulticast();
            connect(m_listen6, &QUdpSocket::readyRead, this, [this] { onReadyRead(m_listen6); });
            connect(m_send6, &QUdpSocket::readyRead, this, [this] { onReadyRead(m_send6); });
        } else {
            qCInfo(lcDiscovery) << "no IPv6 discovery:" << listen->errorString();
            delete listen;
            delete send;
        }
    }
    // Where the platform reports network changes, look at the interfaces again at once;
    // elsewhere the next beacon or a failed send does it. Loading the platform's backend
    // (NetworkManager over D-Bus here) takes longer than the rest of start-up: done once the
    // event loop runs, so that the peer is ready first (bench/run.sh, start-up rows).
    QTimer::singleShot(0, this, [this] {
        if (!m_running
            || !QNetworkInformation::loadBackendByFeatures(
                QNetworkInformation::Feature::Reachability))
            return;
        connect(QNetworkInformation::instance(),
                &QNetworkInformation::reachabilityChanged,
                this,
                &DiscoveryService::refreshTargets,
                Qt::UniqueConnection);
        refreshTargets(); // in case the network changed before the backend listened
    });
    m_stats.port = m_config.port;
    m_stats.defaultTargets = m_config.targets.isEmpty();
    m_running = true;
    m_burstIndex = 0;
    onBeacon();
    m_expiry.start(qBound(100, m_config.intervalMs / 4, 5000));
    qCInfo(lcDiscovery) << "discovery on UDP port" << m_config.port << "to" << m_targets.size()
                        << "targets";
    return true;
}

void DiscoveryService::joinMulticast()
{
    if (!m_listen6)
        return;
    // Again after a network change: an interface joined before says so and stays joined.
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &i : interfaces) {
        if ((i.flags() & QNetworkInterface::CanMulticast) && (i.flags() & QNetworkInterface::IsUp))
            m_listen6->joinMulticastGroup(AllNodesV6, i);
    }
}

void DiscoveryService::networkChanged()
{
    if (!m_running)
        return;
    refreshTargets();
    joinMulticast();
    m_burstIndex = 0;
    m_beacon.start(0);
}

void DiscoveryService::stop()
{
    if (!m_running)
        return;
    announce(Announcement::Kind::Bye);
    m_running = false;
    m_beacon.stop();
    m_expiry.stop();
}

Announcement DiscoveryService::own(Announcement::Kind kind) const
{
    Announcement a;
    a.kind = kind;
    a.peerId = m_ownId;
    a.instance = m_instance;
    a.name = m_name;
    a.status = m_status; // issue 15
    a.port = m_tcpPort;
    return a;
}

void DiscoveryService::onBeacon()
{
    if (!m_running)
        return;
    if (m_burstIndex == 0 || m_burstIndex >= int(std::size(BurstMs)))
        refreshTargets();
    announce(Announcement::Kind::Hello);
    int delay;
    if (m_burstIndex + 1 < int(std::size(BurstMs))) {
        ++m_burstIndex;
        delay = BurstMs[m_burstIndex] - BurstMs[m_burstIndex - 1];
    } else {
        m_burstIndex = int(std::size(BurstMs));
        // ±10 % jitter so that peers started together do not stay in step.
        const int jitter = m_config.intervalMs / 10;
        delay = m_config.intervalMs
                + (jitter ? QRandomGenerator::global()->bounded(-jitter, jitter + 1) : 0);
    }
    m_beacon.start(qMax(1, delay));
}

void DiscoveryService::announce(Announcement::Kind kind)
{
    if (m_firstAnnouncedMs < 0 && kind == Announcement::Kind::Hello && !m_targets.isEmpty())
        m_firstAnnouncedMs = now();
    const Announcement a = own(kind);
    bool failed = false;
    for (TargetState &t : m_targets)
        failed |= !sendTo(a, t.address, m_config.port, &t);
    // An interface may have gone: look again.
    if (failed && kind == Announcement::Kind::Hello)
        refreshTargets();
}

bool DiscoveryService::sendTo(const Announcement &a,
                              const QHostAddress &to,
                              quint16 port,
                              TargetState *target)
{
    QUdpSocket *socket = to.protocol() == QAbstractSocket::IPv6Protocol ? m_send6 : m_send4;
    if (!socket)
        return true;
    if (NetworkSafety::loopbackOnly() && !NetworkSafety::isLoopback(to))
        return true; // refreshTargets() already said so

    const bool ok = socket->writeDatagram(a.encode(), to, port) >= 0;
    if (!ok)
        qCDebug(lcDiscovery) << "send to" << to << "failed:" << socket->errorString();
    if (target)
        ++(ok ? target->sent : target->sendErrors);
    return ok;
}

void DiscoveryService::onReadyRead(QUdpSocket *socket)
{
    while (socket->hasPendingDatagrams()) {
        // Read at most one byte more than allowed: enough to tell it is too big.
        const QNetworkDatagram d = socket->receiveDatagram(Announcement::MaxDatagramSize + 1);
        if (!m_running)
            continue;
        handle(d.data(), d.senderAddress(), quint16(d.senderPort()));
    }
}

void DiscoveryService::handle(const QByteArray &datagram, const QHostAddress &from, quint16 fromPort)
{
    if (!acceptSource(from)) {
        ++m_stats.foreignSource;
        return;
    }
    if (!allowRate(from)) {
        if (m_stats.rateLimited++ % 1000 == 0)
            qCInfo(lcDiscovery) << "rate limit: dropping datagrams from" << from;
        return;
    }
    QString error;
    const auto a = Announcement::decode(datagram, &error);
    if (!a) {
        ++m_stats.malformed;
        qCDebug(lcDiscovery) << "dropped datagram from" << from << error;
        return;
    }
    ++m_stats.received;
    ++m_stats.receivedByInterface[interfaceOf(from)];
    if (a->peerId == m_ownId) {
        if (a->instance == m_instance)
            ++m_stats.ownEchoes;
        return;
    }
    m_stats.othersHeard = true;

    QList<Sighting> &sightings = m_peers[a->peerId];
    const bool newPeer = sightings.isEmpty();
    auto same = [&](const Sighting &s) {
        return s.instance == a->instance && s.sourcePort == fromPort && s.source == from;
    };
    if (a->kind == Announcement::Kind::Bye) {
        // Only the sender of those very sightings can take them back: a bye forged from
        // elsewhere leaves the real peer's entry alone.
        sightings.removeIf(same);
        if (sightings.isEmpty()) {
            m_peers.remove(a->peerId);
            if (!newPeer)
                Q_EMIT peerGone(a->peerId);
        }
        return;
    }

    const bool newInstance = std::none_of(sightings.cbegin(),
                                          sightings.cend(),
                                          [&](const Sighting &s) {
                                              return s.instance == a->instance;
                                          });
    auto it = std::find_if(sightings.begin(), sightings.end(), same);
    if (it == sightings.end()) {
        if (sightings.size() >= MaxSightingsPerPeer) {
            limitReached("sightings of one peer reached: its oldest is forgotten");
            sightings.erase(std::min_element(sightings.begin(),
                                             sightings.end(),
                                             [](const Sighting &x, const Sighting &y) {
                                                 return x.lastHeardMs < y.lastHeardMs;
                                             }));
        }
        sightings.append(Sighting{from, fromPort, a->instance, a->port, a->name, now()});
    } else {
        it->tcpPort = a->port;
        it->name = a->name;
        it->lastHeardMs = now();
    }
    if (newPeer && m_peers.size() > MaxPeers) {
        limitReached("peers heard reached: the least recently heard is forgotten");
        // Forget whoever was heard least recently.
        QString oldest;
        qint64 oldestMs = std::numeric_limits<qint64>::max();
        for (auto p = m_peers.cbegin(); p != m_peers.cend(); ++p) {
            for (const Sighting &s : p.value()) {
                if (s.lastHeardMs < oldestMs && p.key() != a->peerId) {
                    oldestMs = s.lastHeardMs;
                    oldest = p.key();
                }
            }
        }
        m_peers.remove(oldest);
        Q_EMIT peerGone(oldest);
    }
    // Someone new: tell them about us now rather than at our next beacon.
    if (!a->reply && (newPeer || newInstance)) {
        Announcement answer = own(Announcement::Kind::Hello);
        answer.reply = true;
        sendTo(answer, from, fromPort, nullptr);
    }
    Q_EMIT peerSeen(a->peerId, a->name, addressesOf(a->peerId), a->status);
}

void DiscoveryService::expire()
{
    const qint64 cutoff = now() - 3LL * m_config.intervalMs;
    QStringList gone;
    for (auto it = m_peers.begin(); it != m_peers.end();) {
        it->removeIf([&](const Sighting &s) { return s.lastHeardMs < cutoff; });
        if (it->isEmpty()) {
            gone.append(it.key());
            it = m_peers.erase(it);
        } else {
            ++it;
        }
    }
    if (m_buckets.size() > MaxTrackedSources / 2) {
        const qint64 t = now();
        m_buckets.removeIf([&](const auto &b) { return t - b.value().lastUsedMs() > 10'000; });
    }
    for (const QString &id : std::as_const(gone))
        Q_EMIT peerGone(id);
}

void DiscoveryService::limitReached(const char *what)
{
    // The first time, then every 1,000th: a flood must not flood the log too.
    ThrottledCount &hits = m_limitHits[what];
    if (hits.count())
        qCInfo(lcDiscovery) << "limit on" << what << "(" << hits.total() << "times so far)";
}

void DiscoveryService::forget(const QString &peerId)
{
    if (m_peers.remove(peerId))
        Q_EMIT peerGone(peerId);
}

QStringList DiscoveryService::addressesOf(const QString &peerId) const
{
    QList<Sighting> sightings = m_peers.value(peerId);
    std::sort(sightings.begin(), sightings.end(), [](const Sighting &a, const Sighting &b) {
        return a.lastHeardMs > b.lastHeardMs;
    });
    QStringList out;
    for (const Sighting &s : std::as_const(sightings)) {
        const QString address = PeerAddress::format(s.source, s.tcpPort);
        if (!out.contains(address))
            out.append(address);
    }
    return out;
}

bool DiscoveryService::allowRate(const QHostAddress &from)
{
    const qint64 t = now();
    if (!m_buckets.contains(from) && m_buckets.size() >= MaxTrackedSources) {
        limitReached("sources tracked reached: datagrams from new sources are dropped");
        return false;
    }
    auto b = m_buckets.find(from);
    if (b == m_buckets.end()) {
        b = m_buckets.insert(from,
                             TokenBucket(2.0 * MaxDatagramsPerSourcePerSecond,
                                         MaxDatagramsPerSourcePerSecond,
                                         1000));
    }
    return b->tryTake(t);
}

void DiscoveryService::refreshTargets()
{
    QList<TargetState> targets;
    QList<Subnet> subnets;
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &i : interfaces) {
        if (!(i.flags() & QNetworkInterface::IsUp))
            continue;
        const auto entries = i.addressEntries();
        bool hasV6 = false;
        for (const QNetworkAddressEntry &e : entries) {
            subnets.append(Subnet{e.ip(), e.prefixLength(), i.name()});
            if (!m_config.targets.isEmpty() || (i.flags() & QNetworkInterface::IsLoopBack))
                continue;
            if (e.ip().protocol() == QAbstractSocket::IPv4Protocol
                && (i.flags() & QNetworkInterface::CanBroadcast) && !e.broadcast().isNull()) {
                targets.append(TargetState{e.broadcast(), i.name()});
            }
            hasV6 |= e.ip().protocol() == QAbstractSocket::IPv6Protocol && e.ip().isLinkLocal();
        }
        if (m_config.targets.isEmpty() && hasV6 && (i.flags() & QNetworkInterface::CanMulticast)
            && !(i.flags() & QNetworkInterface::IsLoopBack)) {
            QHostAddress group = AllNodesV6;
            group.setScopeId(i.name());
            targets.append(TargetState{group, i.name()});
        }
    }
    for (const QHostAddress &a : std::as_const(m_config.targets)) {
        QString name;
        for (const Subnet &s : std::as_const(subnets)) {
            if (a.isInSubnet(s.address, s.prefixLength)
                || (a.isLoopback() && s.address.isLoopback()))
                name = s.interfaceName;
        }
        targets.append(TargetState{a, name});
    }
    if (NetworkSafety::loopbackOnly()) {
        const qsizetype before = targets.size();
        targets.removeIf([](const TargetState &t) { return !NetworkSafety::isLoopback(t.address); });
        if (targets.size() != before)
            qCWarning(lcDiscovery) << "SHOAL_LOOPBACK_ONLY: dropped" << before - targets.size()
                                   << "non-loopback discovery targets";
    }
    // Keep the counters of targets that stay.
    for (TargetState &t : targets) {
        for (const TargetState &old : std::as_const(m_targets)) {
            if (old.address == t.address && old.interfaceName == t.interfaceName) {
                t.sent = old.sent;
                t.sendErrors = old.sendErrors;
            }
        }
    }
    const bool changed = targets.size() != m_targets.size();
    m_targets = targets;
    m_subnets = subnets;
    if (changed && m_running && m_burstIndex >= int(std::size(BurstMs))) {
        // A new network: announce on it now.
        qCInfo(lcDiscovery) << "network changed; now" << m_targets.size() << "targets";
        m_burstIndex = 0;
        m_beacon.start(0);
    }
}

bool DiscoveryService::acceptSource(const QHostAddress &from) const
{
    // Only datagrams from the networks we announce to: with loopback targets (tests) that is
    // this host alone, so answers never leave it.
    const QHostAddress f = PeerAddress::plain(from);
    if (f.isLoopback())
        return true;
    if (!m_config.targets.isEmpty()) {
        for (const TargetState &t : m_targets) {
            if (t.address.isLoopback())
                continue;
            if (t.address == f)
                return true;
            for (const Subnet &s : m_subnets) {
                if (t.interfaceName == s.interfaceName && f.isInSubnet(s.address, s.prefixLength))
                    return true;
            }
        }
        return false;
    }
    if (f.isLinkLocal())
        return true;
    for (const Subnet &s : m_subnets) {
        if (!s.address.isLoopback() && f.isInSubnet(s.address, s.prefixLength))
            return true;
    }
    return false;
}

QString DiscoveryService::interfaceOf(const QHostAddress &from) const
{
    const QHostAddress f = PeerAddress::plain(from);
    if (!f.scopeId().isEmpty())
        return f.scopeId();
    for (const Subnet &s : m_subnets) {
        if (f.isInSubnet(s.address, s.prefixLength))
            return s.interfaceName;
    }
    return f.isLoopback() ? u"lo"_s : QString();
}

DiscoveryStats DiscoveryService::stats() const
{
    DiscoveryStats out = m_stats;
    out.peersPresent = int(m_peers.size());
    out.announcingForMs = m_firstAnnouncedMs < 0 ? 0 : now() - m_firstAnnouncedMs;
    for (const TargetState &t : m_targets)
        out.targets.append({t.interfaceName, t.address.toString(), t.sent, t.sendErrors});
    return out;
}
