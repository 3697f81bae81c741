// SPDX-License-Identifier: GPL-3.0-or-later
#include "transportmux.h"

#include <limits>

TransportMux::TransportMux(Transport &primary, QObject *parent)
    : ForwardingTransport(parent)
    , m_primary(primary)
{
    relay(primary);
}

TransportMux::~TransportMux() = default;

void TransportMux::addSecondary(Transport &transport, Takes takes)
{
    m_secondaries.append(Secondary{&transport, std::move(takes)});
    relay(transport);
}

void TransportMux::relay(Transport &t)
{
    Transport *source = &t;
    const bool primary = source == &m_primary;
    connect(source,
            &Transport::attemptFinished,
            this,
            [this,
             source,
             primary](int attempt, const QString &peerId, Net::Error error, const QString &reason) {
                int ours = attempt;
                if (!primary) {
                    const auto key = qMakePair(source, attempt);
                    ours = m_attempts.contains(key) ? m_attempts.take(key)
                                                    : m_nextAttempt++; // not dialled by us
                }
                Q_EMIT attemptFinished(ours, peerId, error, reason);
            });
    connect(source, &Transport::peerConnected, this, &Transport::peerConnected);
    connect(source, &Transport::peerDisconnected, this, &Transport::peerDisconnected);
    connect(source, &Transport::streamOpened, this, &Transport::streamOpened);
    connect(source, &Transport::streamClosed, this, &Transport::streamClosed);
    connect(source, &Transport::messageReceived, this, &Transport::messageReceived);
    connect(source, &Transport::peerWritable, this, &Transport::peerWritable);
}

int TransportMux::mapAttempt(Transport *transport, int attempt)
{
    if (attempt == 0 || transport == &m_primary)
        return attempt;
    if (m_nextAttempt == std::numeric_limits<int>::max())
        m_nextAttempt = SecondaryAttemptBase;
    const int ours = m_nextAttempt++;
    m_attempts.insert(qMakePair(transport, attempt), ours);
    return ours;
}

Transport &TransportMux::transportFor(const QString &peerId) const
{
    for (const Secondary &s : m_secondaries) {
        if (s.takes(peerId, QString(), 0))
            return *s.transport;
    }
    return m_primary;
}

int TransportMux::connectToPeer(const QString &host,
                                quint16 port,
                                const QString &expectedPeerId,
                                StreamKind kind)
{
    Transport *target = &m_primary;
    for (const Secondary &s : std::as_const(m_secondaries)) {
        if (s.takes(expectedPeerId, host, port)) {
            target = s.transport;
            break;
        }
    }
    return mapAttempt(target, target->connectToPeer(host, port, expectedPeerId, kind));
}

void TransportMux::flush()
{
    m_primary.flush();
    for (const Secondary &s : std::as_const(m_secondaries))
        s.transport->flush();
}

bool TransportMux::isRelayed(const QString &peerId) const
{
    return transportFor(peerId).isRelayed(peerId);
}

int TransportMux::openStream(const QString &peerId, StreamKind kind)
{
    Transport &t = transportFor(peerId);
    return mapAttempt(&t, t.openStream(peerId, kind));
}
