// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "net/tokenbucket.h"
#include "protocol/messages.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

class Transport;

// Presence (issue 15; docs/protocol.md, "Presence"): tells every connected peer this profile's
// name, status, status text and avatar hash when one of them changes ("pres"), and hands what
// peers tell us to the Messenger (received), which updates the Roster. A new connection learns
// them from the hello; a change made while a connection was being set up is sent to it once
// it is up. Sending is coalesced: at most one pres per SendIntervalMs, with the latest values.
// Receiving is rate-limited per peer (a burst of ReceiveBurst, then one per
// ReceiveIntervalMs): what comes faster waits, and only the latest of it is applied.
class Presence final : public QObject
{
    Q_OBJECT

public:
    static constexpr int SendIntervalMs = 250;
    static constexpr int ReceiveBurst = 4;
    static constexpr int ReceiveIntervalMs = 500;
    // A change this recent is sent to a peer whose stream comes up: its hello may predate it.
    static constexpr int RecentChangeMs = 10'000;

    explicit Presence(Transport &transport, QObject *parent = nullptr);

    // This profile's presence. A change goes to every connected peer within SendIntervalMs.
    void setOwn(const Protocol::Presence &own);
    // The presence at start: no change to tell anyone.
    void setInitial(const Protocol::Presence &own) { m_own = own; }
    const Protocol::Presence &own() const { return m_own; }

    // The Dispatcher's handler for "pres" on a chat stream.
    void onPresence(const QString &peerId, const Protocol::Presence &presence);

    // For tests: the clock the intervals go by (ms).
    void setClock(std::function<qint64()> clock) { m_now = std::move(clock); }
    // Pres messages from peers held back for coming too fast, since the start.
    quint64 deferredCount() const { return m_deferred; }

Q_SIGNALS:
    // A connected peer's presence, as it said (already bounded by the decoder).
    void received(const QString &peerId, const Protocol::Presence &presence);

private:
    void onPeerConnected(const QString &peerId);
    void onPeerDisconnected(const QString &peerId);
    void sendNow();
    void applyDeferred();
    qint64 now() const;

    Transport &m_transport;
    Protocol::Presence m_own;
    QSet<QString> m_connected;
    QTimer m_sendTimer;
    qint64 m_lastSentMs = -1;
    qint64 m_changedMs = -1;
    QHash<QString, TokenBucket> m_buckets;
    QHash<QString, Protocol::Presence> m_waiting; // per peer, the latest held back
    QTimer m_deferTimer;
    quint64 m_deferred = 0;
    std::function<qint64()> m_now;
};
