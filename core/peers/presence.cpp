// SPDX-License-Identifier: GPL-3.0-or-later
#include "presence.h"

#include "net/transport.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <algorithm>

Q_LOGGING_CATEGORY(lcPresence, "shoal.presence")

Presence::Presence(Transport &transport, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
{
    m_sendTimer.setSingleShot(true);
    connect(&m_sendTimer, &QTimer::timeout, this, &Presence::sendNow);
    m_deferTimer.setSingleShot(true);
    connect(&m_deferTimer, &QTimer::timeout, this, &Presence::applyDeferred);
    connect(&m_transport, &Transport::peerConnected, this, &Presence::onPeerConnected);
    connect(&m_transport, &Transport::peerDisconnected, this, &Presence::onPeerDisconnected);
}

qint64 Presence::now() const
{
    return m_now ? m_now() : QDateTime::currentMSecsSinceEpoch();
}

void Presence::setOwn(const Protocol::Presence &own)
{
    if (own == m_own)
        return;
    m_own = own;
    m_changedMs = now();
    if (m_sendTimer.isActive())
        return; // the pending send takes the latest values
    const qint64 since = m_lastSentMs < 0 ? SendIntervalMs : m_changedMs - m_lastSentMs;
    m_sendTimer.start(int(std::clamp<qint64>(SendIntervalMs - since, 0, SendIntervalMs)));
}

void Presence::sendNow()
{
    m_lastSentMs = now();
    if (m_connected.isEmpty())
        return;
    const Protocol::Message message(m_own);
    for (const QString &peerId : std::as_const(m_connected))
        m_transport.send(peerId, message);
    m_transport.flush();
}

void Presence::onPeerConnected(const QString &peerId)
{
    m_connected.insert(peerId);
    // Its hello was made when its connection began; a change since then is told now.
    if (m_changedMs >= 0 && now() - m_changedMs < RecentChangeMs)
        m_transport.send(peerId, Protocol::Message(m_own));
}

void Presence::onPeerDisconnected(const QString &peerId)
{
    m_connected.remove(peerId);
    m_buckets.remove(peerId);
    m_waiting.remove(peerId);
}

void Presence::onPresence(const QString &peerId, const Protocol::Presence &presence)
{
    if (!m_connected.contains(peerId))
        return;
    auto bucket = m_buckets.find(peerId);
    if (bucket == m_buckets.end())
        bucket = m_buckets.insert(peerId, TokenBucket(ReceiveBurst, 1, ReceiveIntervalMs));
    if (!m_waiting.contains(peerId) && bucket->tryTake(now())) {
        Q_EMIT received(peerId, presence);
        return;
    }
    // Too fast: the latest waits for the bucket, and replaces whatever waited before it.
    if (m_deferred++ % 1000 == 0)
        qCDebug(lcPresence) << "pres from" << peerId << "comes too fast: held back";
    m_waiting.insert(peerId, presence);
    if (!m_deferTimer.isActive())
        m_deferTimer.start(ReceiveIntervalMs);
}

void Presence::applyDeferred()
{
    const qint64 t = now();
    QList<QPair<QString, Protocol::Presence>> ready;
    for (auto it = m_waiting.begin(); it != m_waiting.end();) {
        if (m_buckets[it.key()].tryTake(t)) {
            ready.append({it.key(), it.value()});
            it = m_waiting.erase(it);
        } else {
            ++it;
        }
    }
    if (!m_waiting.isEmpty())
        m_deferTimer.start(ReceiveIntervalMs);
    for (const auto &[peerId, presence] : std::as_const(ready))
        Q_EMIT received(peerId, presence);
}
