// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "net/tokenbucket.h"

#include <QHash>
#include <QHostAddress>

// What LAN announcements may make this Shoal dial. An announcement is a UDP datagram anyone
// on the LAN can forge, source address included, and it names a TCP port: without bounds one
// datagram makes every Shoal that hears it connect to any port on any host and send it a TLS
// ClientHello. So a dial that only an announcement asked for is allowed when:
//  - no other dial to that address (host and port) is under way, and the address has not
//    failed recently: a failure keeps it back for 5 s, doubling up to 10 min; an address that
//    answered but failed the TLS handshake (not a Shoal) is kept back for 10 min at once;
//  - that host still has budget: 4 dials saved up, one more every 5 s;
//  - there is budget in all: 8 dials saved up, one more a second, and at most 8 under way.
// A dial that reaches a verified Shoal gives its budget back, so real peers never use it up:
// only failures cost. A Shoal that answers with another identity than the one announced is
// still a Shoal: the budget is given back too, and only that claim (address and the ID
// announced there) is kept back for 10 min, so forged announcements naming a real Shoal's
// address cannot back that address off or use up its host's budget. The address where a
// peer was last verified over TLS is not an announcement's claim and is not asked about here.
// Pure bookkeeping, on a clock it is given.
class DialGuard final
{
public:
    static constexpr int MaxDialsInProgress = 8;
    static constexpr int DialBurst = 8;
    static constexpr int DialRefillMs = 1'000;
    static constexpr int HostDialBurst = 4;
    static constexpr int HostDialRefillMs = 5'000;
    static constexpr int FirstBackoffMs = 5'000;
    static constexpr int MaxBackoffMs = 600'000;
    static constexpr int NotShoalBackoffMs = 600'000;
    static constexpr int OtherIdentityBackoffMs = 600'000;
    static constexpr int MaxTrackedAddresses = 4'096;
    static constexpr int MaxTrackedClaims = 4'096;
    static constexpr int MaxTrackedHosts = 4'096;

    enum class Outcome {
        Verified,      // a Shoal answered and proved the identity expected
        OtherIdentity, // a Shoal answered and proved another identity than the one announced
        Failed,        // refused, unreachable, timed out or closed
        NotShoal,      // the TLS handshake failed: whatever listens there is not a Shoal
    };

    // nullptr if an announcement claiming `peerId` may make us dial host:port at `nowMs`,
    // else which bound holds it back (a string literal, for the log).
    const char *refusal(const QHostAddress &host,
                        quint16 port,
                        qint64 nowMs,
                        const QString &peerId = {});
    // A dial to host:port has started (refusal() said yes): its budget is taken.
    void started(const QHostAddress &host, quint16 port, qint64 nowMs);
    // `peerId`: the ID the announcement claimed (kept back after OtherIdentity).
    void finished(const QHostAddress &host,
                  quint16 port,
                  Outcome outcome,
                  qint64 nowMs,
                  const QString &peerId = {});
    // A peer was verified at host:port by other means (it dialled us): any back-off ends.
    void verified(const QHostAddress &host, quint16 port);
    // This host's network changed: an address that failed (no route, no answer) may work now,
    // and is allowed again at once, its back-off starting over from FirstBackoffMs. What
    // answered as no Shoal or with another identity stays kept back, and the budgets stay.
    void networkChanged();

    int dialsInProgress() const { return m_inProgress; }
    // Dials started and failures, since the start (tests, the bench).
    quint64 dialsStarted() const { return m_started; }

private:
    struct Address
    {
        bool dialling = false;
        int failures = 0;
        qint64 notBeforeMs = 0;
        qint64 lastUsedMs = 0;
    };
    using Key = QPair<QHostAddress, quint16>;

    TokenBucket &hostBucket(const QHostAddress &host);
    void forgetOldest(qint64 nowMs);

    struct Claim
    {
        QHostAddress host;
        quint16 port = 0;
        QString peerId;
        bool operator==(const Claim &o) const
        {
            return port == o.port && peerId == o.peerId && host == o.host;
        }
        friend size_t qHash(const Claim &c, size_t seed = 0)
        {
            return qHashMulti(seed, c.host, c.port, c.peerId);
        }
    };

    QHash<Key, Address> m_addresses;
    QHash<Claim, qint64> m_claims; // disproved: not dialled before this time
    QHash<QHostAddress, TokenBucket> m_hosts;
    TokenBucket m_all{DialBurst, 1, DialRefillMs};
    int m_inProgress = 0;
    quint64 m_started = 0;
};
