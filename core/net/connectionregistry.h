#pragma once

#include "identity/identity.h"
#include "net/peerconnection.h"
#include "net/throttledcount.h"
#include "net/tokenbucket.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QSslConfiguration>

class TcpListener;

// Listens for peers, dials peers, and keeps at most one live connection per peer ID.
// When two connections to one peer exist (both dialled at once), both sides keep the one
// opened by the peer with the lower ID, so they agree without talking about it.
class ConnectionRegistry final : public QObject
{
    Q_OBJECT

public:
    static constexpr int MaxConnections = 512;         // live connections, ready or not
    static constexpr int MaxIncomingPerAddress = 16;   // from one remote address
    static constexpr int MaxHandshakesInProgress = 64; // incoming, TLS + hello not done yet
    // Known peers and the hosts they were last reached from (bounds the tables, not peers).
    static constexpr int MaxKnownPeers = 65'536;
    static constexpr int MaxKnownHosts = 4'096;

    ConnectionRegistry(const Identity &identity,
                       ConnectionLimits timeouts,
                       QObject *parent = nullptr);
    ~ConnectionRegistry() override;

    bool listen(const QHostAddress &address, quint16 port);
    QString errorString() const { return m_errorString; }
    quint16 listeningPort() const;
    QHostAddress listeningAddress() const;

    void setDisplayName(const QString &name) { m_name = name; }
    QString displayName() const { return m_name; }

    // Starts a connection attempt; its outcome arrives as attemptFinished(attempt, ...).
    int connectToPeer(const QString &host, quint16 port, const QString &expectedPeerId = {});

    // A peer the person chose: written to, or dialled by address. Its connections are never
    // closed to make room, and a connection from `host` (before TLS that is all there is to go
    // by) gets room among the handshakes even when strangers fill them. A peer we send a chat
    // to becomes known by itself; one that only writes to us never does (identities are free).
    void addKnownPeer(const QString &peerId, const QHostAddress &host = {});
    bool isKnownPeer(const QString &peerId) const { return m_knownPeers.contains(peerId); }

    bool isConnected(const QString &peerId) const { return m_active.contains(peerId); }
    bool send(const QString &peerId, const Protocol::Message &message);
    // Stops or resumes reading from the peer's connection (PeerConnection::setReadingPaused).
    void setReadingPaused(const QString &peerId, bool paused);
    // Bytes sent to the peer's connection that the network has not taken yet (0 if none).
    qint64 pendingWriteBytes(const QString &peerId) const;
    // Every live connection, ready or not (tests and the network panel).
    int connectionCount() const { return int(m_connections.size()); }
    PeerConnection *activeConnection(const QString &peerId) const { return m_active.value(peerId); }
    // Says bye to every peer.
    void closeAll();
    // True until every closed connection has finished saying bye (or given up).
    bool hasOpenSockets() const;

Q_SIGNALS:
    // `peerId`: who answered; after IdentityMismatch, the other identity if it looks like a
    // Shoal's (Identity::looksLikeShoal), else empty.
    void attemptFinished(int attempt,
                         const QString &peerId,
                         PeerConnection::Error error,
                         const QString &reason);
    // A peer became reachable, or its connection was replaced by a better one.
    void peerConnected(const QString &peerId,
                       const Protocol::Hello &hello,
                       const QString &address,
                       const QSslCertificate &certificate);
    void peerDisconnected(const QString &peerId, const QString &reason);
    void messageReceived(const QString &peerId, const Protocol::Message &message);
    // Part of what was sent to the peer went out: there is room for more.
    void peerWritable(const QString &peerId);

private:
    PeerConnection *adopt(QSslSocket *socket, PeerConnection::Direction direction);
    void onSocketAccepted(qintptr descriptor);
    bool takeConnectionToken(const QHostAddress &from);
    PeerConnection *evictionCandidate(const QHostAddress &from, bool handshakesOnly) const;
    void touch(PeerConnection *connection, const Protocol::Message &message, bool sentByUs);
    void onReady(PeerConnection *connection);
    void onClosed(PeerConnection *connection, PeerConnection::Error error, const QString &reason);
    bool prefer(const PeerConnection *a, const PeerConnection *b) const;
    Protocol::Hello ownHello() const;

    Identity m_identity;
    ConnectionLimits m_timeouts;
    QSslConfiguration m_sslConfig;
    TcpListener *m_server;
    QString m_name;
    QString m_errorString;
    QSet<PeerConnection *> m_connections;
    QHash<QString, PeerConnection *> m_active;
    QHash<PeerConnection *, int> m_attempts;
    // Incoming: when accepted, then when a chat, ack or read last went either way.
    QHash<PeerConnection *, qint64> m_lastActive;
    QSet<QString> m_knownPeers;
    QSet<QHostAddress> m_knownHosts;
    ThrottledCount m_evicted{100};
    static constexpr qsizetype MaxBuckets = 4096;
    QHash<QHostAddress, TokenBucket> m_newConnections; // per remote address
    QElapsedTimer m_clock;
    int m_nextAttempt = 1;
    ThrottledCount m_refused{100};
};
