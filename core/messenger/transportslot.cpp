// SPDX-License-Identifier: GPL-3.0-or-later
#include "transportslot.h"

#include <algorithm>
#include <utility>

TransportSlot::TransportSlot(const QString &offReason, QObject *parent)
    : ForwardingTransport(parent)
    , m_offReason(offReason)
{}

void TransportSlot::setTarget(Transport *target)
{
    if (target == m_target)
        return;
    if (m_target)
        m_target->disconnect(this);
    m_target = target;
    // Dials still under way through the old target end now, never silently: a dialler waits
    // for each to finish before it dials that peer again.
    QList<int> pending = m_attempts.values();
    std::sort(pending.begin(), pending.end());
    m_attempts.clear();
    for (int ours : std::as_const(pending))
        Q_EMIT attemptFinished(ours, QString(), Net::Error::Unreachable, m_offReason);
    // Whoever was reached through the old target is gone with it.
    for (const QString &peerId : std::exchange(m_connected, {}))
        Q_EMIT peerDisconnected(peerId, m_offReason);
    if (!target)
        return;
    connect(target,
            &Transport::attemptFinished,
            this,
            [this](int attempt, const QString &peerId, Net::Error error, const QString &reason) {
                const auto it = m_attempts.constFind(attempt);
                if (it == m_attempts.cend()) {
                    // Within connectToPeer() itself: reported once it has returned.
                    if (m_calling)
                        m_early.insert(attempt, Early{peerId, error, reason});
                    return; // else not made through this slot
                }
                const int ours = it.value();
                m_attempts.erase(it);
                Q_EMIT attemptFinished(ours, peerId, error, reason);
            });
    connect(target,
            &Transport::peerConnected,
            this,
            [this](const QString &peerId,
                   const Protocol::Hello &hello,
                   const QString &address,
                   const QSslCertificate &certificate) {
                m_connected.insert(peerId);
                Q_EMIT peerConnected(peerId, hello, address, certificate);
            });
    connect(target,
            &Transport::peerDisconnected,
            this,
            [this](const QString &peerId, const QString &reason) {
                m_connected.remove(peerId);
                Q_EMIT peerDisconnected(peerId, reason);
            });
    connect(target, &Transport::streamOpened, this, &Transport::streamOpened);
    connect(target, &Transport::streamClosed, this, &Transport::streamClosed);
    connect(target, &Transport::messageReceived, this, &Transport::messageReceived);
    connect(target, &Transport::peerWritable, this, &Transport::peerWritable);
}

int TransportSlot::failLater(const QString &reason)
{
    const int attempt = ++m_nextAttempt;
    // Never from within the call: the caller records the attempt number first.
    QMetaObject::invokeMethod(
        this,
        [this, attempt, reason] {
            Q_EMIT attemptFinished(attempt, {}, Net::Error::Unreachable, reason);
        },
        Qt::QueuedConnection);
    return attempt;
}

int TransportSlot::connectToPeer(const QString &host,
                                 quint16 port,
                                 const QString &expectedPeerId,
                                 StreamKind kind)
{
    if (!m_target)
        return kind == StreamKind::Chat ? failLater(m_offReason) : 0;
    m_calling = true;
    const int theirs = m_target->connectToPeer(host, port, expectedPeerId, kind);
    m_calling = false;
    return adopt(theirs);
}

int TransportSlot::adopt(int theirs)
{
    if (theirs == 0) {
        m_early.clear();
        return 0;
    }
    const int ours = ++m_nextAttempt;
    if (m_early.contains(theirs)) {
        const Early early = m_early.take(theirs);
        QMetaObject::invokeMethod(
            this,
            [this, ours, early] {
                Q_EMIT attemptFinished(ours, early.peerId, early.error, early.reason);
            },
            Qt::QueuedConnection);
    } else {
        m_attempts.insert(theirs, ours);
    }
    m_early.clear();
    return ours;
}

void TransportSlot::flush()
{
    if (m_target)
        m_target->flush();
}

int TransportSlot::openStream(const QString &peerId, StreamKind kind)
{
    if (!m_target)
        return 0;
    m_calling = true;
    const int theirs = m_target->openStream(peerId, kind);
    m_calling = false;
    return adopt(theirs);
}
