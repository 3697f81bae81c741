// SPDX-License-Identifier: GPL-3.0-or-later
#include "typingnotices.h"

#include "net/transport.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcTyping, "shoal.typing")

TypingNotices::TypingNotices(Transport &transport, bool enabled, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_enabled(enabled)
{
    m_clock.start();
    m_expiry.setSingleShot(true);
    connect(&m_expiry, &QTimer::timeout, this, &TypingNotices::expire);
    connect(&m_transport, &Transport::peerDisconnected, this, &TypingNotices::onDisconnected);
}

void TypingNotices::setEnabled(bool enabled)
{
    if (m_enabled == enabled)
        return;
    if (!enabled) {
        for (auto it = m_sentOn.cbegin(); it != m_sentOn.cend(); ++it)
            m_transport.send(it.key(), Protocol::Typing{false});
        m_sentOn.clear();
    }
    m_enabled = enabled;
}

void TypingNotices::setTyping(const QString &peerId, bool on)
{
    if (!m_enabled)
        return;
    if (!on) {
        if (m_sentOn.remove(peerId))
            m_transport.send(peerId, Protocol::Typing{false});
        return;
    }
    const qint64 now = m_clock.elapsed();
    const auto it = m_sentOn.constFind(peerId);
    if (it != m_sentOn.cend() && now - *it < m_intervals.sendEveryMs)
        return;
    if (!m_transport.isConnected(peerId))
        return;
    if (m_transport.send(peerId, Protocol::Typing{true}))
        m_sentOn.insert(peerId, now);
}

void TypingNotices::onTyping(const QString &peerId, const Protocol::Typing &typing)
{
    // Each message counts, a refresh too: a peer cannot make us do more than this, whatever it
    // sends.
    auto bucket = m_limits.find(peerId);
    if (bucket == m_limits.end())
        bucket = m_limits.insert(peerId,
                                 TokenBucket(MaxChangesPerSecond, MaxChangesPerSecond, 1000));
    if (!bucket->tryTake(m_clock.elapsed())) {
        qCDebug(lcTyping) << "typing from" << peerId << "comes too often: dropped";
        return;
    }
    setTheirs(peerId, typing.on);
}

void TypingNotices::onMessageFrom(const QString &peerId)
{
    setTheirs(peerId, false);
}

void TypingNotices::onDisconnected(const QString &peerId)
{
    m_sentOn.remove(peerId);
    m_limits.remove(peerId);
    setTheirs(peerId, false);
}

void TypingNotices::setTheirs(const QString &peerId, bool on)
{
    if (!on) {
        if (m_theirs.remove(peerId)) {
            scheduleExpiry();
            Q_EMIT peerTyping(peerId, false);
        }
        return;
    }
    const bool was = m_theirs.contains(peerId);
    m_theirs.insert(peerId, QDeadlineTimer(m_intervals.expireAfterMs));
    scheduleExpiry();
    if (!was)
        Q_EMIT peerTyping(peerId, true);
}

void TypingNotices::expire()
{
    QStringList gone;
    for (auto it = m_theirs.cbegin(); it != m_theirs.cend(); ++it) {
        if (it->hasExpired())
            gone.append(it.key());
    }
    for (const QString &peerId : std::as_const(gone))
        setTheirs(peerId, false);
    scheduleExpiry();
}

void TypingNotices::scheduleExpiry()
{
    if (m_theirs.isEmpty()) {
        m_expiry.stop();
        return;
    }
    qint64 next = std::numeric_limits<qint64>::max();
    for (const QDeadlineTimer &d : std::as_const(m_theirs))
        next = std::min(next, d.remainingTime());
    m_expiry.start(int(std::max<qint64>(next, 0)));
}
