// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "discovery/announcement.h"
#include "net/ports.h"
#include "net/throttledcount.h"
#include "net/tokenbucket.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTimer>

class QUdpSocket;

struct DiscoveryConfig
{
    quint16 port = DefaultDiscoveryPort;
    // Where announcements go. Empty: the broadcast address of every up IPv4 interface and
    // ff02::1 on every IPv6 interface (the shipped default; only ever used on a real LAN or
    // inside a network namespace).
    QList<QHostAddress> targets;
    int intervalMs = 30'000; // steady beacon; a peer unheard for 3 intervals is gone
};

// What the Network panel shows: is discovery working, and if not, where does it stop?
struct DiscoveryStats
{
    struct Target
    {
        QString interfaceName; // "lo", "eth0", or empty for a target given by address
        QString address;
        quint64 sent = 0;
        quint64 sendErrors = 0;
    };
    quint16 port = 0;
    bool defaultTargets = true;
    QList<Target> targets;
    QHash<QString, quint64> receivedByInterface; // valid datagrams by the interface they came on
    quint64 received = 0;
    quint64 malformed = 0;
    quint64 rateLimited = 0;
    quint64 foreignSource = 0; // from outside the networks we announce to
    quint64 ownEchoes = 0;     // our own announcements heard back: the self-test
    int peersPresent = 0;
    // Issue 14 (r-netwatch): is anyone else out there at all?
    qint64 announcingForMs = 0; // since the first announcement went out; 0 before
    bool othersHeard = false;   // a valid announcement from another Shoal, ever
};

// Announces this peer on the LAN over UDP and keeps the table of peers heard.
// An announcement is only a hint where to dial: trust comes from the TLS handshake.
class DiscoveryService final : public QObject
{
    Q_OBJECT

public:
    static constexpr int MaxDatagramsPerSourcePerSecond = 20;
    static constexpr int MaxSightingsPerPeer = 16;
    static constexpr int MaxPeers = 1024;
    static constexpr int MaxTrackedSources = 4096;

    DiscoveryService(const QString &ownId, DiscoveryConfig config, QObject *parent = nullptr);
    ~DiscoveryService() override;

    bool start(QString *error);
    // Says bye on every target and stops.
    void stop();

    void setName(const QString &name) { m_name = name; }
    // Issue 15: the status announced (from the next announcement on).
    void setStatus(Protocol::Status status) { m_status = status; }
    void setTcpPort(quint16 port) { m_tcpPort = port; }
    QUuid instance() const { return m_instance; }

    // "host:port" addresses the peer was heard on, freshest first.
    QStringList addressesOf(const QString &peerId) const;
    bool isPresent(const QString &peerId) const { return m_peers.contains(peerId); }
    // Drops what we heard of the peer (its connection died: it is gone until heard again).
    void forget(const QString &peerId);
    DiscoveryStats stats() const;
    // This host's network changed (NetworkMonitor): look at the interfaces again and announce
    // at once, with a new start burst, on whatever is there now.
    void networkChanged();

Q_SIGNALS:
    // `status`: what the announcement claimed (issue 15), Available from a version 1 peer.
    void peerSeen(const QString &peerId,
                  const QString &name,
                  const QStringList &addresses,
                  Protocol::Status status);
    void peerGone(const QString &peerId);

private:
    struct Sighting
    {
        QHostAddress source;
        quint16 sourcePort = 0;
        QUuid instance;
        quint16 tcpPort = 0;
        QString name;
        qint64 lastHeardMs = 0;
    };
    struct TargetState
    {
        QHostAddress address;
        QString interfaceName;
        quint64 sent = 0;
        quint64 sendErrors = 0;
    };
    struct Subnet
    {
        QHostAddress address;
        int prefixLength = 0;
        QString interfaceName;
    };

    void announce(Announcement::Kind kind);
    bool sendTo(const Announcement &a, const QHostAddress &to, quint16 port, TargetState *target);
    void onReadyRead(QUdpSocket *socket);
    void handle(const QByteArray &datagram, const QHostAddress &from, quint16 fromPort);
    void onBeacon();
    void expire();
    void refreshTargets();
    void joinMulticast();
    bool acceptSource(const QHostAddress &from) const;
    QString interfaceOf(const QHostAddress &from) const;
    bool allowRate(const QHostAddress &from);
    Announcement own(Announcement::Kind kind) const;
    qint64 now() const { return m_clock.elapsed(); }

    QString m_ownId;
    void limitReached(const char *what);

    DiscoveryConfig m_config;
    QHash<const char *, ThrottledCount> m_limitHits; // by limit (string literals)
    QUuid m_instance;
    QString m_name;
    Protocol::Status m_status = Protocol::Status::Available; // issue 15
    quint16 m_tcpPort = 0;
    QUdpSocket *m_listen4 = nullptr;
    QUdpSocket *m_send4 = nullptr;
    QUdpSocket *m_listen6 = nullptr;
    QUdpSocket *m_send6 = nullptr;
    QList<TargetState> m_targets;
    QList<Subnet> m_subnets;
    QHash<QString, QList<Sighting>> m_peers;
    QHash<QHostAddress, TokenBucket> m_buckets;
    QTimer m_beacon;
    QTimer m_expiry;
    QElapsedTimer m_clock;
    int m_burstIndex = 0;
    qint64 m_firstAnnouncedMs = -1;
    DiscoveryStats m_stats;
    bool m_running = false;
};
