// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "net/connectionlimits.h"
#include "net/transport.h"
#include "protocol/framedecoder.h"
#include "protocol/messages.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QSslSocket>
#include <QTimer>

// One TLS connection to one peer: frames, hello exchange, identity check, keepalive.
// Owns its socket. Emits closed() exactly once, then deletes itself once the socket is down.
class PeerConnection final : public QObject
{
    Q_OBJECT

public:
    enum class Direction { Incoming, Outgoing };
    using Error = Net::Error;

    // Incoming: `socket` is connected, encrypted or in its server handshake. Outgoing connects
    // with connectTo().
    PeerConnection(QSslSocket *socket,
                   Direction direction,
                   Protocol::Hello ownHello,
                   ConnectionLimits timeouts,
                   QObject *parent = nullptr);
    ~PeerConnection() override;

    void connectTo(const QString &host, quint16 port, const QString &expectedPeerId);

    Direction direction() const { return m_direction; }
    // What the connection carries: named by the dialling side's hello (outgoing: ours, known
    // from the start; incoming: Chat until the peer's hello says otherwise).
    StreamKind kind() const { return m_kind; }
    bool isReady() const { return m_ready; }
    bool isClosed() const { return m_closed; }
    // Valid once ready(): the verified peer ID and its hello.
    const Protocol::Hello &remoteHello() const { return m_remoteHello; }
    QString peerId() const { return m_remoteHello.peerId; }
    QSslCertificate peerCertificate() const;
    // The peer's listening address (its IP as seen here, the port from its hello).
    QString remoteListenAddress() const;
    QString dialedAddress() const { return m_dialed; }
    QHostAddress remoteAddress() const;
    quint16 localPort() const;
    // The address of this host the connection runs over (null before it is connected).
    QHostAddress localAddress() const;
    // Milliseconds since anything at all was read from the peer (or since the start).
    qint64 msSinceHeard() const { return m_lastHeard.elapsed(); }
    // Pings the peer now; alive() when its pong comes (ConnectionRegistry's duplicate rule).
    void checkAlive();
    // The peer owes an answer from now on, as after a message (keepalive): the host slept,
    // and the peer may have given up on us meanwhile.
    void probe();
    quint16 remotePort() const;

    bool send(const Protocol::Message &message);
    // While paused nothing more is read: the peer's bytes wait in the kernel, and TCP slows
    // the peer down. Used when what it sent cannot be stored as fast as it arrives.
    void setReadingPaused(bool paused);
    // Written but not yet taken by the network (plain and encrypted buffers).
    qint64 pendingWriteBytes() const;
    // Hands what send() wrote to the network now, not on the next pass (Transport::flush()).
    void flush();
    void close(Error error, const QString &reason);

    static QString describe(Error error);

Q_SIGNALS:
    void ready();
    void messageReceived(const Protocol::Message &message);
    // Some of what was pending went out: there is room to send more.
    void bytesWritten();
    // The pong to checkAlive()'s ping came.
    void alive();
    void closed(PeerConnection::Error error, const QString &reason);

private:
    void onEncrypted();
    void onReadyRead();
    void onSocketError(QAbstractSocket::SocketError error);
    void onDisconnected();
    void onDeadline();
    qint64 nextDeadline() const;
    void armDeadline();
    void startProbe();
    void setSocketOptions();
    bool handleDecodedFrames();
    void handleFrame(QByteArrayView payload);
    void handleHello(const Protocol::Hello &hello);
    void sendHello();
    void finish(Error error, const QString &reason, bool sendBye);
    void closeSocket();
    QString mismatchReason(const QString &fingerprint) const;

    QSslSocket *m_socket;
    Direction m_direction;
    StreamKind m_kind;
    Protocol::Hello m_ownHello;
    Protocol::Hello m_remoteHello;
    ConnectionLimits m_timeouts;
    FrameDecoder m_decoder{Protocol::MaxFrameSize};
    QString m_expectedId;
    QString m_dialed;
    QString m_from; // incoming: the remote address and port
    // Armed for the next deadline that matters (handshake, stall, ping, dead-after, bulk idle),
    // never a polling tick: an idle chat stream has none, and costs the process nothing. Clocks
    // only restart later, so a deadline armed earlier is never late; it is re-armed when it
    // fires early.
    QTimer m_deadline;
    qint64 m_armedFor = -1; // m_started time the timer is armed for; -1 when not armed
    QElapsedTimer m_started;
    // Keepalive (docs/protocol.md, "Keepalive"): from the moment the connection is up, or
    // something other than keepalive is sent, until anything at all is heard from the peer.
    // Meanwhile it is pinged every pingIntervalMs and dropped after deadAfterMs. Outside a
    // probe the app sends nothing and the kernel's TCP keepalive watches the connection.
    bool m_probing = false;
    QElapsedTimer m_probeStarted;
    QElapsedTimer m_lastPing; // valid while probing: the last ping of this probe, if any
    QElapsedTimer m_partialSince;
    QElapsedTimer m_lastUsed; // a message other than keepalive went either way (bulk idle)
    quint64 m_pingSeq = 0;
    quint64 m_aliveSeq = 0; // checkAlive()'s ping, until its pong
    QElapsedTimer m_lastHeard;
    bool m_helloSent = false;
    bool m_ready = false;
    bool m_closed = false;
    bool m_connecting = false; // in connectTo(): what closes it is reported after
    bool m_readingPaused = false;
    bool m_flushing = false;       // in flush(): what it decrypts is read on the next pass
    FrameDecoder::Frames m_frames; // decoded, not yet handled (a pause came in between)
    qsizetype m_nextFrame = 0;
    QString m_decodeError; // the stream went bad after m_frames
};
