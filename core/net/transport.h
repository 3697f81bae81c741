// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/messages.h"

#include <QHostAddress>
#include <QObject>
#include <QSslCertificate>

// Why a connection ended, or why an attempt to make one failed.
namespace Net {
Q_NAMESPACE
enum class Error {
    None,
    HostNotFound,
    ConnectionRefused,
    Unreachable,
    Timeout,
    TlsFailed,
    IdentityMismatch,
    SelfConnection,
    IncompatibleVersion,
    ProtocolError,
    RemoteClosed,
    Replaced,
    LocalClose,
    NotReading,
};
Q_ENUM_NS(Error)
} // namespace Net

// What a stream carries. A peer may have one stream of each kind at once: bulk data (files,
// catch-up) flows beside the conversation without being taken for a duplicate connection and
// without delaying it.
enum class StreamKind : quint8 {
    Chat, // the conversation and its receipts: small frames, latency first
    Bulk, // large transfers: throughput first
};

// The seam between the services (chat, peers, ...) and a wire protocol: verified peers by ID,
// messages in and out, per stream. ConnectionRegistry (Shoal over TLS) implements it; another
// protocol (IP Messenger, a relay) is another implementation, never an `if` in the services.
// Tests implement it without sockets (tests/common/faketransport.h).
class Transport : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    // Starts a connection attempt to host:port; its outcome arrives as
    // attemptFinished(attempt, ...). With `expectedPeerId`, an address that answers with
    // another identity is refused (Net::Error::IdentityMismatch). A Bulk stream is dialled to a
    // peer already connected for chat.
    // Returns 0, dialling nothing, for a stream the peer does not take (see supportsStream).
    virtual int connectToPeer(const QString &host,
                              quint16 port,
                              const QString &expectedPeerId = {},
                              StreamKind kind = StreamKind::Chat)
        = 0;
    virtual bool isConnected(const QString &peerId, StreamKind kind = StreamKind::Chat) const = 0;
    // False when the peer has no such stream, or the message could not be written.
    virtual bool send(const QString &peerId,
                      const Protocol::Message &message,
                      StreamKind kind = StreamKind::Chat)
        = 0;
    // Hands what send() queued since to the network now, on every stream, instead of on the
    // next pass of the event loop: everything sent in one pass leaves together (one TLS record
    // per stream) and a pass sooner. Whoever sends a batch calls it after the batch.
    virtual void flush() {}
    // Bytes handed to the stream that the network has not taken yet (0 if none).
    virtual qint64 pendingWriteBytes(const QString &peerId,
                                     StreamKind kind = StreamKind::Chat) const = 0;
    // While paused nothing more is read from the stream: the peer is slowed down.
    virtual void setReadingPaused(const QString &peerId,
                                  bool paused,
                                  StreamKind kind = StreamKind::Chat)
        = 0;
    // A peer the person chose (written to, dialled by address): its connections are kept when
    // room is short, and `host` gets room among handshakes even when strangers fill them.
    virtual void addKnownPeer(const QString &peerId, const QHostAddress &host = {}) = 0;
    // Where the peer's chat stream comes from (null when not connected).
    virtual QHostAddress remoteHost(const QString &peerId) const = 0;
    // Whether a stream of `kind` may be opened to the peer now. Chat: always (by address).
    // Others: while its chat stream is up and its hello offered them; an older peer would take
    // a second connection for a duplicate and drop the first.
    // Issue 16: whether the peer is connected only through a carrier (core/relay/courier.h):
    // the dialer keeps trying it directly, which wins as soon as it works.
    virtual bool isRelayed(const QString &peerId) const
    {
        Q_UNUSED(peerId);
        return false;
    }
    virtual bool supportsStream(const QString &peerId, StreamKind kind) const
    {
        Q_UNUSED(peerId);
        return kind == StreamKind::Chat;
    }
    // Opens a stream of `kind` to a peer connected for chat, at the address it listens on: an
    // attempt number (its outcome in attemptFinished, then streamOpened), or 0 when it cannot
    // be dialled (see supportsStream). A second stream of one kind replaces the first.
    virtual int openStream(const QString &peerId, StreamKind kind)
    {
        Q_UNUSED(peerId);
        Q_UNUSED(kind);
        return 0;
    }

Q_SIGNALS:
    // `peerId`: who answered; after IdentityMismatch, the other identity if it looks like a
    // Shoal's, else empty.
    void attemptFinished(int attempt,
                         const QString &peerId,
                         Net::Error error,
                         const QString &reason);
    // The peer's chat stream is up (or was replaced by a better one): the peer is reachable.
    void peerConnected(const QString &peerId,
                       const Protocol::Hello &hello,
                       const QString &address,
                       const QSslCertificate &certificate);
    void peerDisconnected(const QString &peerId, const QString &reason);
    // Streams other than Chat, as they come and go.
    void streamOpened(const QString &peerId, StreamKind kind);
    void streamClosed(const QString &peerId, StreamKind kind, const QString &reason);
    void messageReceived(const QString &peerId, const Protocol::Message &message, StreamKind kind);
    // Part of what was sent on the stream went out: there is room for more.
    void peerWritable(const QString &peerId, StreamKind kind);
};
