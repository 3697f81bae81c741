// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "discovery/dialguard.h"
#include "net/throttledcount.h"
#include "net/transport.h"
#include "peers/peerinfo.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

class MessageStore;
class Roster;

// Reaches peers that should be connected: those heard on the LAN, and those with messages
// waiting. Where a peer was heard just now first (as far as DialGuard lets announcements make
// us dial), then where it was last verified. A failed peer is tried again after a back-off
// that doubles (2 s up to 1 min) on a monotonic clock, and the redial timer runs only while
// someone waits. When both hear each other the lower ID dials at once and the higher one
// only if no connection has come by then: usually one connection, never none.
// Peers may also be hinted: another peer said where they are (peer exchange), or the person
// used an invite link. Hints live here, in a bounded table, not in the roster: a hinted peer
// becomes a roster row only when a verified connection makes it one.
class Dialer final : public QObject
{
    Q_OBJECT

public:
    // What a failed attempt says of the peer's reachability. A TLS server whose certificate is
    // not a Shoal's (`answered` empty) is not a Shoal, not another key.
    static PeerInfo::DialProblem problemOf(Net::Error error, const QString &answered);

    static constexpr int RedialTickMs = 1'000;
    static constexpr int RedialFirstDelayMs = 2'000;
    static constexpr int RedialMaxDelayMs = 60'000;
    static constexpr int HigherIdDialDelayMs = 1'500;
    // Hints (onPeerHinted): what the table holds, and how often one claim may be dialled.
    static constexpr int MaxHintedPeers = 1'024;
    static constexpr int MaxHintsPerInformant = 256;
    static constexpr int MaxHintAddresses = 8;
    static constexpr int HintExpiryMs = 600'000; // forgotten 10 min after last said (not invites)
    static constexpr int MaxHintDialsPerAddress = 3;
    static constexpr int HintMemoryMs = 3'600'000; // per (peer, address), whatever is said again
    static constexpr int MaxHintDialRecords = 4'096;

    enum class HintSource { Exchange, Invite };

    Dialer(const QString &ownId,
           Transport &transport,
           MessageStore &store,
           const Roster &roster,
           QObject *parent = nullptr);

    // Dials the peer unless it is connected, being dialled, or backed off.
    void dial(const QString &peerId);
    // The person asked: no back-off.
    void retry(const QString &peerId);
    // The person typed an address: whoever answers there is someone they chose (known to the
    // transport). The outcome arrives as addressDialFinished(attempt, ...).
    int dialAddress(const QString &host, quint16 port);
    // Discovery heard it: dialled at once by the lower ID, later by the higher one.
    void onPeerSeen(const QString &peerId);
    // Someone told us where `peerId` may be: a peer (exchange, `informant` = its ID) or an
    // invite link the person used. Addresses are "host:port" (PeerAddress::parse form).
    // Exchange hints are claims: dialled only with the expected ID, through DialGuard, and at
    // most MaxHintDialsPerAddress times per HintMemoryMs whatever is said again. Invite hints
    // are the person's choice: dialled at once, no DialGuard, still with the expected ID.
    void onPeerHinted(const QString &peerId,
                      const QStringList &addresses,
                      HintSource source,
                      const QString &informant = {});
    // The addresses hinted for `peerId` (freshest first), empty if none: for tests and the log.
    QStringList hintedAddresses(const QString &peerId) const;
    int hintCount() const { return int(m_hints.size()); }
    bool isDialling(const QString &peerId) const { return m_dials.contains(peerId); }
    // Its back-off is forgotten (the roster dropped it).
    void forget(const QString &peerId) { m_redial.remove(peerId); }
    // Another service has something for the peer (a file offer, a transfer to go on): it is
    // dialled like a peer with messages waiting, until `wanted` is false again.
    void setWanted(const QString &peerId, bool wanted);
    // --- Remembered peers (issue 14, r-netwatch) ---
    // Every roster peer with an address verified before that is not connected is dialled once
    // (back-off applies): at start and after a network change, so that two peers that met once
    // across a router find each other again, whoever starts second.
    void dialRemembered();
    // The network changed: what failed before may work now. The back-off per peer, per
    // announced address (DialGuard) and the count of dials per told address start over: a
    // peer reached only through a carrier, known only by what peers told, is dialled again.
    // Nobody else can make the network change, so a liar gains no dials by it.
    void resetBackOff()
    {
        m_redial.clear();
        m_dialGuard.networkChanged();
        m_hintDials.clear();
    }
    // --- end remembered peers ---
    // Known peers with messages waiting are dialled from now on; stop() ends that.
    void start();
    void stop();

    // For tests: the clock back-off and the dial guard go by, and the redial tick itself.
    void setClock(std::function<qint64()> clock) { m_now = std::move(clock); }
    void redial();
    bool isRedialScheduled() const { return m_redialTimer.isActive(); }

Q_SIGNALS:
    // A known peer's address answered with another key: refused, nothing sent there.
    void identityMismatch(const QString &peerId, const QString &warning);
    // Every address of a dial was tried in vain (or none was left to try).
    void gaveUp(const QString &peerId);
    // Why that dial failed, the most telling of its attempts (Messenger hands it to the Roster);
    // emitted just before gaveUp when at least one address was tried.
    void dialProblem(const QString &peerId, PeerInfo::DialProblem problem, const QString &detail);
    // `peerId`: who answered (empty if none did); `error`: why not, empty on success.
    void addressDialFinished(int attempt, const QString &peerId, const QString &error);

private:
    void scheduleRedial();
    void dialNext(const QString &peerId);
    // Lower ID at once, higher after HigherIdDialDelayMs unless connected by then.
    void dialByRank(const QString &peerId);
    // Whether an address that is only a claim (announced, or hinted by a peer) may be dialled
    // for `peerId` now.
    bool mayDial(const QString &peerId, const QString &address, bool exchangeHint);
    void expireHints(qint64 now);
    void dropHint(const QString &peerId);
    bool hintDialAllowed(const QString &peerId, const QString &address, qint64 now);
    void countHintDial(const QString &peerId, const QString &address, qint64 now);
    void onAttemptFinished(int attempt,
                           const QString &peerId,
                           Net::Error error,
                           const QString &reason);
    void guardFinished(const QString &peerId, Net::Error error, const QString &answered);

    QString m_ownId;
    Transport &m_transport;
    MessageStore &m_store;
    const Roster &m_roster;
    QTimer m_redialTimer; // runs only while a peer waits to be (re)dialled
    bool m_stopped = false;
    struct Redial
    {
        qint64 notBefore = 0;
        int delayMs = 0;
    };
    QHash<QString, Redial> m_redial;
    // Where an address to dial comes from: how far it is believed.
    enum class Origin {
        Verified, // the peer was verified there over TLS
        Heard,    // a LAN announcement: DialGuard
        Exchange, // another peer said so: DialGuard and the per-address hint limit
        Invite,   // the person's invite link: dialled as it is
    };
    struct Candidate
    {
        QString address;
        Origin origin = Origin::Verified;
    };
    struct Dial
    {
        QList<Candidate> candidates;
        int next = 0;
        int attempt = 0;
        QString current; // the address being dialled
        Origin origin = Origin::Verified;
        bool guarded = false; // only a claim named it: m_dialGuard counts it
        // The most telling failure of its attempts so far (reported if all fail).
        PeerInfo::DialProblem problem = PeerInfo::DialProblem::None;
        QString problemDetail;
    };
    struct Hint
    {
        QStringList told;    // by peers (exchange), freshest first, at most MaxHintAddresses
        QStringList invited; // by the person's invite link
        QString informant;   // who told us first (exchange); counted in m_hintsBy
        qint64 heardMs = 0;
    };
    QHash<QString, Hint> m_hints;  // peer ID -> where it may be
    QHash<QString, int> m_hintsBy; // informant -> hints it holds in m_hints
    // "peer address" -> when it was dialled as an exchange hint, within the last HintMemoryMs
    QHash<QString, QList<qint64>> m_hintDials;
    QHash<QString, Dial> m_dials;       // peer ID -> dial in progress
    QHash<int, QString> m_attempts;     // attempt -> peer ID
    QHash<int, QString> m_addressDials; // attempts the person started -> "host:port"
    QSet<QString> m_deferred;           // heard by a higher ID: the lower one dials first
    QSet<QString> m_wanted;             // other services have something for them (setWanted)
    DialGuard m_dialGuard;              // what announcements may make us dial
    QElapsedTimer m_clock;
    std::function<qint64()> m_now; // monotonic: a clock stepped back stalls no redial
    // Issue 16: a peer connected only through a carrier is still dialled, so that a direct
    // connection replaces the relayed one as soon as it works.
    bool connectedDirectly(const QString &peerId) const
    {
        return m_transport.isConnected(peerId) && !m_transport.isRelayed(peerId);
    }
    ThrottledCount m_dialsHeldBack{1000};
    ThrottledCount m_hintsRefused{1000};
};
