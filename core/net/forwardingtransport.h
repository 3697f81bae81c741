// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "transport.h"

// A Transport that hands each call about one peer to another transport: the one forwardTo()
// names for that peer. With none (nullptr) the peer is not connected: nothing is sent or
// pending, no stream is supported, pausing and known peers go nowhere. Dialling, streams
// (their attempt numbers are the subclass's), flushing and the signals are the subclass's.
// TransportMux picks a transport per peer; TransportSlot stands for one that may be absent.
class ForwardingTransport : public Transport
{
    Q_OBJECT

public:
    using Transport::Transport;

    bool isConnected(const QString &peerId, StreamKind kind = StreamKind::Chat) const override;
    bool send(const QString &peerId,
              const Protocol::Message &message,
              StreamKind kind = StreamKind::Chat) override;
    qint64 pendingWriteBytes(const QString &peerId,
                             StreamKind kind = StreamKind::Chat) const override;
    void setReadingPaused(const QString &peerId,
                          bool paused,
                          StreamKind kind = StreamKind::Chat) override;
    void addKnownPeer(const QString &peerId, const QHostAddress &host = {}) override;
    QHostAddress remoteHost(const QString &peerId) const override;
    bool supportsStream(const QString &peerId, StreamKind kind) const override;

protected:
    // The transport that calls about `peerId` go to, or nullptr when there is none.
    virtual Transport *forwardTo(const QString &peerId) const = 0;
};
