// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "net/throttledcount.h"
#include "protocol/messages.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

class Roster;
class Transport;

// Peer exchange (docs/protocol.md, "Peer exchange"): tells each peer that takes it ("pex" in
// its hello) which other peers are online here and where we reach them, and turns what peers
// tell us into hints (peerHinted), which the Messenger hands to the Dialer. Sent when a chat
// stream comes up and when the set of online peers changes, at most once per SendIntervalMs
// per peer; more than one pex per ReceiveIntervalMs from a peer is ignored. Loopback addresses
// travel only over loopback connections. Every received entry is a claim: the Dialer dials it
// only to the ID it names, within bounds.
class PeerExchange final : public QObject
{
    Q_OBJECT

public:
    static constexpr int SendIntervalMs = 10'000;
    static constexpr int ReceiveIntervalMs = 5'000;

    PeerExchange(const QString &ownId,
                 Transport &transport,
                 const Roster &roster,
                 QObject *parent = nullptr);

    // Whether we tell peers about others (the person's setting; on by default). What peers
    // tell us is used either way.
    void setEnabled(bool enabled);
    bool isEnabled() const { return m_enabled; }
    // Peers whose address is never told to others (the person's choice per contact).
    void setExcluded(const QString &peerId, bool excluded);
    bool isExcluded(const QString &peerId) const { return m_excluded.contains(peerId); }
    QStringList excluded() const;

    // The Dispatcher's handler for "pex" on a chat stream.
    void onPex(const QString &peerId, const Protocol::Pex &pex);
    // What we would tell `recipient` now.
    Protocol::Pex buildFor(const QString &recipient) const;

    // For tests: the clock the intervals go by, and the send timer's work.
    void setClock(std::function<qint64()> clock) { m_now = std::move(clock); }
    void sendDue();
    // Pex messages ignored for coming too often, since the start.
    quint64 ignoredCount() const { return m_ignored.total(); }

Q_SIGNALS:
    // `informant` says `peerId` is reachable at `addresses` (validated "host:port" IP literals).
    void peerHinted(const QString &peerId, const QStringList &addresses, const QString &informant);

private:
    void onPeerConnected(const QString &peerId, const Protocol::Hello &hello);
    void onPeerDisconnected(const QString &peerId);
    // The set of peers online (or what may be told of them) changed: everyone is told again.
    void scheduleAll();
    void schedule(const QString &peerId);
    bool sendNow(const QString &peerId);
    void ignoreIpmsgHint(const QString &informant, const QString &peerId); // issue 17

    QString m_ownId;
    Transport &m_transport;
    const Roster &m_roster;
    bool m_enabled = true;
    QSet<QString> m_excluded;
    struct Peer
    {
        bool takesPex = false;  // its hello said "pex"
        qint64 lastSentMs = -1; // -1: nothing sent on this stream yet
        bool pending = false;   // a change waits for SendIntervalMs to pass
        qint64 lastReceivedMs = -1;
    };
    QHash<QString, Peer> m_peers; // connected for chat
    QTimer m_sendTimer;           // runs only while a change waits
    QElapsedTimer m_clock;
    std::function<qint64()> m_now;
    ThrottledCount m_ignored{1000};
    ThrottledCount m_ipmsgHintsIgnored{1000}; // issue 17
};
