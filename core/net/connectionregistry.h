// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "identity/identity.h"
#include "net/peerconnection.h"
#include "net/throttledcount.h"
#include "net/tokenbucket.h"
#include "net/transport.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QSslConfiguration>

#include <array>

class TcpListener;

// Listens for peers, dials peers, and keeps at most one live connection per peer ID and stream
// kind (a chat stream, and beside it a bulk one). When two connections of one kind to one peer
// exist (both dialled at once), both sides keep the one opened by the peer with the lower ID,
// so they agree without talking about it. When that rule would keep an old connection that
// has been quiet, or that runs between other addresses than the new one, it is pinged first:
// if it does not answer within LivenessTimeoutMs it is dead (its peer moved to another
// address) and the new one is kept instead.
class ConnectionRegistry final : public Transport
{
    Q_OBJECT

public:
    static constexpr int MaxConnections = 512;         // live connections, ready or not
    static constexpr int MaxIncomingPerAddress = 16;   // from one remote address
    static constexpr int MaxHandshakesInProgress = 64; // incoming, TLS + hello not done yet
    // Known peers and the hosts they were last reached from (bounds the tables, not peers).
    static constexpr int MaxKnownPeers = 65'536;
    static constexpr int MaxKnownHosts = 4'096;
    // The duplicate rule's liveness check (docs/protocol.md, "Network changes").
    static constexpr int LivenessQuietMs = 1'000;
    static constexpr int LivenessTimeoutMs = 2'000;

    ConnectionRegistry(const Identity &identity,
                       ConnectionLimits timeouts,
                       QObject *parent = nullptr);
    ~ConnectionRegistry() override;

    bool listen(const QHostAddress &address, quint16 port);
    QString errorString() const { return m_errorString; }
    quint16 listeningPort() const;
    QHostAddress listeningAddress() const;
    // The addresses a peer could type to reach this one: the one listened on, or every
    // interface's (not loopback or link-local) when listening on all, loopback if none.
    QStringList advertisedAddresses() const;

    void setDisplayName(const QString &name) { m_name = name; }
    QString displayName() const { return m_name; }
    // Issue 15: the status, status text and avatar hash our hellos carry.
    void setHelloPresence(Protocol::Status status, const QString &text, const QByteArray &avatar)
    {
        m_status = status;
        m_statusText = text;
        m_avatarHash = avatar;
    }

    int connectToPeer(const QString &host,
                      quint16 port,
                      const QString &expectedPeerId = {},
                      StreamKind kind = StreamKind::Chat) override;

    // A peer the person chose: written to, or dialled by address. Its connections are never
    // closed to make room, and a connection from `host` (before TLS that is all there is to go
    // by) gets room among the handshakes even when strangers fill them. A peer we send a chat
    // to becomes known by itself; one that only writes to us never does (identities are free).
    void addKnownPeer(const QString &peerId, const QHostAddress &host = {}) override;
    bool isKnownPeer(const QString &peerId) const { return m_knownPeers.contains(peerId); }

    bool isConnected(const QString &peerId, StreamKind kind = StreamKind::Chat) const override;
    bool send(const QString &peerId,
              const Protocol::Message &message,
              StreamKind kind = StreamKind::Chat) override;
    qint64 pendingWriteBytes(const QString &peerId,
                             StreamKind kind = StreamKind::Chat) const override;
    void setReadingPaused(const QString &peerId,
                          bool paused,
                          StreamKind kind = StreamKind::Chat) override;
    QHostAddress remoteHost(const QString &peerId) const override;
    void flush() override;
    bool supportsStream(const QString &peerId, StreamKind kind) const override;
    int openStream(const QString &peerId, StreamKind kind) override;
    // Every live connection, ready or not (tests and the network panel).
    int connectionCount() const { return int(m_connections.size()); }
    PeerConnection *activeConnection(const QString &peerId, StreamKind kind = StreamKind::Chat) const
    {
        return active(kind).value(peerId);
    }
    // Closes every connection that runs over an address of this host not in `current` (the
    // addresses of its up, running interfaces): such a connection is dead, whatever TCP thinks.
    // Returns how many were closed.
    int closeIfLocalAddressGone(const QSet<QHostAddress> &current);
    // Every ready connection must show within deadAfterMs that its peer still reads (after
    // the host slept); those that do not are closed.
    void probeAll();
    // Says bye to every peer.
    void closeAll();
    // True until every closed connection has finished saying bye (or given up).
    bool hasOpenSockets() const;

private:
    PeerConnection *adopt(QSslSocket *socket, PeerConnection::Direction direction, StreamKind kind);
    void onSocketAccepted(qintptr descriptor);
    bool takeConnectionToken(const QHostAddress &from);
    PeerConnection *evictionCandidate(const QHostAddress &from, bool handshakesOnly) const;
    void touch(PeerConnection *connection, const Protocol::Message &message, bool sentByUs);
    void onReady(PeerConnection *connection);
    void onClosed(PeerConnection *connection, PeerConnection::Error error, const QString &reason);
    bool prefer(const PeerConnection *a, const PeerConnection *b) const;
    void install(PeerConnection *connection, PeerConnection *current);
    void checkDuplicate(PeerConnection *connection, PeerConnection *current);
    void settleDuplicate(PeerConnection *connection, bool oldAlive);
    void promoteWaiting(PeerConnection *closed);
    Protocol::Hello ownHello() const;
    QHash<QString, PeerConnection *> &active(StreamKind kind) { return m_active[int(kind)]; }
    const QHash<QString, PeerConnection *> &active(StreamKind kind) const
    {
        return m_active[int(kind)];
    }

    Identity m_identity;
    ConnectionLimits m_timeouts;
    QSslConfiguration m_sslConfig;
    TcpListener *m_server;
    QString m_name;
    Protocol::Status m_status = Protocol::Status::Available; // issue 15
    QString m_statusText;
    QByteArray m_avatarHash;
    QString m_errorString;
    QSet<PeerConnection *> m_connections;
    // The live stream of each kind per peer ID, indexed by StreamKind.
    std::array<QHash<QString, PeerConnection *>, 2> m_active;
    QHash<PeerConnection *, int> m_attempts;
    // Ready duplicates held while the connection they would lose to is pinged: new -> old.
    QHash<PeerConnection *, PeerConnection *> m_checking;
    // Incoming: when accepted, then when a chat, ack or read last went either way.
    QHash<PeerConnection *, qint64> m_lastActive;
    QSet<QString> m_knownPeers;
    QSet<QHostAddress> m_knownHosts;
    QSet<PeerConnection *> m_madeKnown; // we sent a chat on it: its peer and host are known
    ThrottledCount m_evicted{100};
    static constexpr qsizetype MaxBuckets = 4096;
    QHash<QHostAddress, TokenBucket> m_newConnections; // per remote address
    QElapsedTimer m_clock;
    int m_nextAttempt = 1;
    ThrottledCount m_refused{100};
    QList<QPointer<PeerConnection>> m_unflushed; // sent to since the last flush()
};
