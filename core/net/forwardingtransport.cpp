// SPDX-License-Identifier: GPL-3.0-or-later
#include "forwardingtransport.h"

bool ForwardingTransport::isConnected(const QString &peerId, StreamKind kind) const
{
    const Transport *to = forwardTo(peerId);
    return to && to->isConnected(peerId, kind);
}

bool ForwardingTransport::send(const QString &peerId,
                               const Protocol::Message &message,
                               StreamKind kind)
{
    Transport *to = forwardTo(peerId);
    return to && to->send(peerId, message, kind);
}

qint64 ForwardingTransport::pendingWriteBytes(const QString &peerId, StreamKind kind) const
{
    const Transport *to = forwardTo(peerId);
    return to ? to->pendingWriteBytes(peerId, kind) : 0;
}

void ForwardingTransport::setReadingPaused(const QString &peerId, bool paused, StreamKind kind)
{
    if (Transport *to = forwardTo(peerId))
        to->setReadingPaused(peerId, paused, kind);
}

void ForwardingTransport::addKnownPeer(const QString &peerId, const QHostAddress &host)
{
    if (Transport *to = forwardTo(peerId))
        to->addKnownPeer(peerId, host);
}

QHostAddress ForwardingTransport::remoteHost(const QString &peerId) const
{
    const Transport *to = forwardTo(peerId);
    return to ? to->remoteHost(peerId) : QHostAddress();
}

bool ForwardingTransport::supportsStream(const QString &peerId, StreamKind kind) const
{
    const Transport *to = forwardTo(peerId);
    return to && to->supportsStream(peerId, kind);
}
