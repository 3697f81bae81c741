// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "net/tokenbucket.h"
#include "protocol/messages.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

class Transport;

// "Alice is typing…" both ways (issue 15; docs/protocol.md, "Typing"). Nothing here is
// stored. Ours: the person's typing goes out as `typing` on=true at most every sendEveryMs
// while they type, on=false when they stop (the input emptied, the message sent); nothing at
// all while sending is off (the read-receipts privacy switch). Theirs: a peer types until
// expireAfterMs pass without a word from it, it says on=false, a message of theirs arrives, or
// its connection ends.
class TypingNotices final : public QObject
{
    Q_OBJECT

public:
    struct Intervals
    {
        int sendEveryMs = 3'000;
        int expireAfterMs = 6'000;
    };
    // What a peer's typing messages may change per second, at most (a burst of this many):
    // more are dropped, never shown.
    static constexpr double MaxChangesPerSecond = 4;

    TypingNotices(Transport &transport, bool enabled, QObject *parent = nullptr);

    // For tests: shorter intervals.
    void setIntervals(Intervals intervals) { m_intervals = intervals; }
    Intervals intervals() const { return m_intervals; }
    // Off: nothing is sent, and a peer told "on" is told "off" now.
    void setEnabled(bool enabled);
    bool isEnabled() const { return m_enabled; }

    // The person types (or stopped typing) in the conversation with `peerId`.
    void setTyping(const QString &peerId, bool on);
    bool isPeerTyping(const QString &peerId) const { return m_theirs.contains(peerId); }

    void onTyping(const QString &peerId, const Protocol::Typing &typing);
    // A message from `peerId` arrived: it has stopped typing that one.
    void onMessageFrom(const QString &peerId);

Q_SIGNALS:
    void peerTyping(const QString &peerId, bool typing);

private:
    void onDisconnected(const QString &peerId);
    void setTheirs(const QString &peerId, bool on);
    void expire();
    void scheduleExpiry();

    Transport &m_transport;
    bool m_enabled;
    Intervals m_intervals;
    QElapsedTimer m_clock;
    // Ours: per peer told "on", when (m_clock).
    QHash<QString, qint64> m_sentOn;
    // Theirs: per typing peer, when it stops counting as typing.
    QHash<QString, QDeadlineTimer> m_theirs;
    QHash<QString, TokenBucket> m_limits;
    QTimer m_expiry;
};
