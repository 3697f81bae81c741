// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Carried delivery (issue 16; docs/protocol.md, "Carried delivery"): a Transport over the direct
// one (ConnectionRegistry) that adds peers reached through a carrier, and carries for others.
//
//   Messenger -> TransportMux -> Courier -> ConnectionRegistry (Shoal over TLS)
//
// To the services a peer is connected when it is connected directly or, failing that, through
// a carrier that offers a route to it (relayed): its chat, ack, read and typing messages then
// go sealed in `rly` (envelope.h). A direct connection always wins: the relayed session ends
// (peerDisconnected) before the direct one is reported (peerConnected), and back when the
// direct one ends and a route remains. Relayed peers have a chat stream only.
//
// Roles, one object: endpoint (seals what the services send to a relayed peer, opens what
// carriers deliver and re-emits it as if the author had sent it directly), relay carrier (passes
// `rly` on as `env`), helper (holds `hold` envelopes on disk and delivers them when the
// recipient connects), depositor (hands waiting chats to helpers while their recipient is
// offline). The carry messages (carry, routes, rly, env, hold, held, got) are consumed here and
// never reach the services; every other message passes through unchanged.
//
// Files: courier.cpp (transport, carry, routes, relay, opening), courierhold.cpp (hold, held,
// got, deposit, receipts held for an offline author, expiry).

#include "net/tokenbucket.h"
#include "net/transport.h"
#include "relay/carrystore.h"
#include "relay/envelope.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QTimer>
#include <QUuid>

#include <optional>

class Identity;

class Courier final : public Transport
{
    Q_OBJECT

public:
    // Helpers one waiting message is handed to, at most.
    static constexpr int MaxHelpers = 3;
    // How long a held envelope lives unless the person chose otherwise (MessengerConfig).
    static constexpr qint64 DefaultHoldLifetimeMs = Relay::MaxLifetimeMs;
    // Envelopes sent to a recipient before its `got`s come back.
    static constexpr int DeliverWindow = 128;
    // A window that brings no `got` for this long, the recipient still connected, goes again
    // from the oldest held (lost on a connection a duplicate replaced, or dropped before the
    // recipient had our carry): the recipient answers `got` at once for what it has.
    static constexpr int RedeliverAfterMs = 10'000;
    // rly accepted from one peer: per second, and burst.
    static constexpr int RelayPerSecond = 200;
    static constexpr int RelayBurst = 400;
    // rly over that budget wait at the carrier, in order, up to this many (and bytes) per peer
    // and in all; only what is over the wait is dropped. An honest sender paces itself, but the
    // network may bunch what it paced (a stalled link delivering a second's worth at once).
    static constexpr int RelaySlack = 400;
    static constexpr qint64 RelaySlackBytes = 4 * 1024 * 1024;
    static constexpr qint64 RelaySlackBytesTotal = 32 * 1024 * 1024;
    // rly sent to one carrier: paced well under its budget (what is over it and the carrier's
    // wait is dropped there, while the outbox counts it sent), the rest queued until the pace
    // allows.
    static constexpr int PacePerSecond = RelayPerSecond * 3 / 4;
    static constexpr int PaceBurst = RelayBurst / 2;
    static constexpr int MaxPaced = 4096; // queued for one carrier at most
    static constexpr qint64 MaxPacedBytes = 16 * 1024 * 1024;
    // `routes` from one carrier applied: a burst, then one per interval. What comes faster
    // waits, and only the latest of it is applied when the interval allows (an honest carrier
    // whose list changes at every connection loses nothing: its latest list is the truth).
    static constexpr int RoutesBurst = 4;
    static constexpr int RoutesIntervalMs = 2000;
    // Peers one carrier may introduce: IDs no carrier offered before in this run and not
    // connected directly. A whole list at once, then so many an hour; the rest of a list waits
    // (not relayed, nothing written) until the budget allows. Each introduced peer costs a disk
    // write here (its certificate) and a peer record in the history (the roster's).
    static constexpr int NewRoutesBurst = Protocol::Routes::MaxPeers;
    static constexpr int NewRoutesPerHour = 64;

    // `direct` and `store` must outlive the courier. `store` is open.
    Courier(const Identity &identity,
            Transport &direct,
            CarryStore &store,
            QObject *parent = nullptr);
    ~Courier() override;

    // --- Transport ---
    int connectToPeer(const QString &host,
                      quint16 port,
                      const QString &expectedPeerId = {},
                      StreamKind kind = StreamKind::Chat) override;
    bool isConnected(const QString &peerId, StreamKind kind = StreamKind::Chat) const override;
    // To a relayed peer: sealed in `rly` (chat, ack, read, typing; anything else: false). To a
    // peer neither direct nor relayed: an ack or read is held by helpers for it (true when one
    // took it); anything else false.
    bool send(const QString &peerId,
              const Protocol::Message &message,
              StreamKind kind = StreamKind::Chat) override;
    void flush() override;
    qint64 pendingWriteBytes(const QString &peerId,
                             StreamKind kind = StreamKind::Chat) const override;
    void setReadingPaused(const QString &peerId,
                          bool paused,
                          StreamKind kind = StreamKind::Chat) override;
    void addKnownPeer(const QString &peerId, const QHostAddress &host = {}) override;
    QHostAddress remoteHost(const QString &peerId) const override;
    bool isRelayed(const QString &peerId) const override { return m_via.contains(peerId); }
    bool supportsStream(const QString &peerId, StreamKind kind) const override;
    int openStream(const QString &peerId, StreamKind kind) override;

    // --- The person's switches (per contact; mutual; off by default) ---
    // Saved, told to the peer at once (carry) if connected, routes recomputed.
    bool setAllowed(const QString &peerId, CarryStore::Switches switches, QString *error);
    CarryStore::Switches allowed(const QString &peerId) const;

    // The carrier `peerId` is connected through, or empty (direct, or not connected).
    QString via(const QString &peerId) const;

    // --- Depositor ---
    // Chats waiting for `peerId` (oldest first; the outbox's queue): each not yet held by
    // MaxHelpers helpers is sealed (once; the same eid for every helper) and handed to online
    // helpers. Does nothing while the peer is connected (directly or relayed), or when its
    // certificate was never seen. The messenger calls it when messages wait and when
    // helpersChanged() says there is someone new to ask.
    void deposit(const QString &peerId, const QList<Protocol::Chat> &waiting);
    // The helpers that said they keep this message (held ok), in the order they did.
    QStringList heldBy(const QUuid &messageId) const;
    // The message was acknowledged (or taken back): its envelope is forgotten here.
    void forgetMessage(const QUuid &messageId);

    // --- Helper ---
    QList<CarryStore::HeldEnvelope> heldForOthers() const { return m_store.heldSummary(); }
    void setHoldLifetime(qint64 ms) { m_holdLifetimeMs = ms; }
    // For tests: RedeliverAfterMs.
    void setRedeliverAfter(int ms);

    // Where certificates of peers not connected now come from (the messenger: the history's
    // peer records, which the roster keeps for every verified session). A connection's own is
    // kept in memory while it lasts: no disk write per incoming connection, so a crowd of
    // made-up identities neither stalls the event loop on the disk nor grows relay.sqlite.
    void setCertificateLookup(std::function<QByteArray(const QString &peerId)> lookup)
    {
        m_certificateLookup = std::move(lookup);
    }

    // For tests: the clock (ms since epoch) used for expiry; the real one when unset.
    void setClock(std::function<qint64()> nowMs);

Q_SIGNALS:
    // `peerId` is now connected through `carrier`, or (empty) no longer relayed.
    void viaChanged(const QString &peerId, const QString &carrier);
    // The helpers holding one of our messages changed.
    void heldByChanged(const QUuid &messageId, const QString &peerId, const QStringList &helpers);
    // A peer that may hold for us came online: deposit() again what waits.
    void helpersChanged();
    // What this profile holds for others changed (held, delivered, expired).
    void holdingChanged();

private:
    // A route a carrier offers: the peer's name as the carrier says it, its certificate (DER).
    struct Route
    {
        QString name;
        QByteArray cert;
    };

    // courier.cpp
    qint64 now() const;
    void onDirectConnected(const QString &peerId,
                           const Protocol::Hello &hello,
                           const QString &address,
                           const QSslCertificate &certificate);
    void onDirectDisconnected(const QString &peerId, const QString &reason);
    void onDirectMessage(const QString &peerId, const Protocol::Message &message, StreamKind kind);
    void onCarry(const QString &peerId, const Protocol::Carry &carry);
    // A `routes` as it comes: applied now if the carrier's gate allows, else the latest waits.
    void onRoutes(const QString &carrier, const Protocol::Routes &routes);
    // Its entries checked and, as far as the carrier's introductions allow, made the routes it
    // offers; the rest held back.
    void applyRoutes(const QString &carrier, const Protocol::Routes &routes);
    // The timer: routes that waited for their gate, held-back entries for their introductions.
    void drainRoutes();
    // Held-back entries of this carrier that the introductions now allow (or that came to be
    // known otherwise), offered and settled.
    void admitHeldBack(const QString &carrier);
    // Whether `peerId` may be offered by this carrier now: known (introduced before, connected
    // directly), or newly introduced within its budget (its certificate saved).
    bool admitRoute(TokenBucket &introductions,
                    const QString &peerId,
                    const QByteArray &cert,
                    qint64 nowMs);
    // This carrier's routes no longer count (disconnected, a switch off): the ones it offered,
    // for the caller to settle; what waited or was held back is forgotten.
    QHash<QString, Route> forgetRoutes(const QString &carrier);
    void onRelay(const QString &peerId, const Protocol::RelayEnvelope &relay);
    // An `env` from a carrier or helper: opened, checked, re-emitted as from its author.
    void onDeliver(const QString &carrier, const Protocol::DeliverEnvelope &deliver);
    void sendCarry(const QString &peerId);
    // What the peer's carry in this session allows us, on disk if we let it hold.
    void saveGranted(const QString &peerId);
    // Routes offered to every connected peer that allows us, again (a change of who is here).
    void updateRoutes();
    // Whether this profile passes envelopes from `from` to `to` now (the rule).
    bool mayRelay(const QString &from, const QString &to) const;
    // Re-derives which relayed sessions exist from the routes and direct connections, emitting
    // peerConnected / peerDisconnected / viaChanged as they change.
    void settleRelayed(const QString &peerId);
    void settleAll(); // settleRelayed() for every peer relayed or offered a route
    // send() after answerGot: direct, relayed, or (a receipt) held.
    bool sendAnswered(const QString &peerId, const Protocol::Message &message, StreamKind kind);
    bool sendSealed(const QString &carrier, const QString &peerId, const Protocol::Message &m);
    // An rly to `carrier`, now if the pace allows and nothing waits before it, else queued.
    bool sendPaced(const QString &carrier, const QByteArray &envelope);
    void drainPaced();
    // Carrier: an rly within the sender's budget, checked and passed on as env.
    void forwardRelay(const QString &peerId, const QByteArray &envelope);
    // Carrier: the rly that waited for their senders' budgets, as far as the budgets allow.
    void drainRelaySlack();
    qint64 relayNowMs() const; // the budgets' clock (monotonic unless a test set one)
    QSslCertificate certificateOf(const QString &peerId) const;

    // courierhold.cpp
    void onHold(const QString &peerId, const Protocol::HoldEnvelope &hold);
    void onHeld(const QString &helper, const Protocol::Held &held);
    void onGot(const QString &peerId, const Protocol::Got &got);
    // After onDeliver opened an envelope (or found it opened before): `got` goes back to the
    // carrier once the message is handled (an ack the services send for a chat, at once for
    // anything else or a duplicate).
    void afterOpened(const QString &carrier, const Relay::Opened &opened, bool duplicate);
    // After onDeliver failed to open an envelope for us: it never will, so a helper that
    // delivered it is told (`got`) to drop it instead of sending it at every connection.
    void afterUnopened(const QString &carrier, const QByteArray &envelope);
    // An ack or read for a peer not connected: held by helpers for it. True if handed to one.
    bool holdReceipt(const QString &peerId, const Protocol::Message &message);
    // The recipient connected directly: what we hold for it goes out (a window at a time).
    void deliverHeld(const QString &recipient);
    // A helper connected directly (its `carry` came): what waits may be handed to it, and what
    // it left unanswered on an earlier connection is asked again.
    void onHelperConnected(const QString &peerId);
    // A peer disconnected: receipts it was asked to hold and did not answer go elsewhere.
    void onHelperDisconnected(const QString &peerId);
    void expire();
    bool mayHoldFor(const QString &author, const QString &recipient) const;
    // Called by send() for every message the services send to `peerId`: an ack for a chat of
    // its that was opened from an envelope answers `got` to the carriers that delivered it.
    void answerGot(const QString &peerId, const Protocol::Message &message);
    // The author's deliverers (m_carriersOf), once no chat of its awaits an ack and no receipt
    // for it is being handed to helpers: nothing would ask for them.
    void forgetDeliverersIfDone(const QString &author);
    // Online helpers (connected directly, allowed by us, their carry allows us), those in
    // `prefer` first, then by ID; never `recipient`.
    QStringList onlineHelpers(const QString &recipient, const QStringList &prefer = {}) const;
    // Hands the deposit's envelope to more helpers, up to MaxHelpers holding or asked (an ask
    // to a helper no longer connected is given up: it will not answer).
    void askHelpers(const QUuid &key);
    // The next envelopes held for `recipient` that were not sent in this session, up to the
    // window.
    void sendDeliveryWindow(const QString &recipient);

    const Identity &m_identity;
    Transport &m_direct;
    CarryStore &m_store;
    Relay::Sealer m_sealer;
    Relay::Opener m_opener;
    std::function<qint64()> m_clock;
    std::function<QByteArray(const QString &)> m_certificateLookup;
    QHash<QString, QByteArray> m_sessionCerts; // directly connected peer -> its certificate (DER)
    mutable QHash<QString, QByteArray> m_lookedUpCerts; // found through the lookup, kept

    // Relay: per carrier, the routes it offers (peer ID -> Route).
    QHash<QString, QHash<QString, Route>> m_routes;
    // Per carrier that we allow to relay (kept across its connections, as what they bound is):
    // the pace of its `routes` and of the peers it introduces, the latest `routes` waiting for
    // the pace, and the entries of the last one applied that wait for introductions (in order).
    struct RouteGate
    {
        TokenBucket applied{RoutesBurst, 1, RoutesIntervalMs};
        TokenBucket introductions{NewRoutesBurst, NewRoutesPerHour, 3600 * 1000};
        std::optional<Protocol::Routes> waiting;
        QList<std::pair<QString, Route>> heldBack;
    };
    QHash<QString, RouteGate> m_routeGates;
    QSet<QString> m_introduced;   // peers a carrier introduced in this run: offered again for free
    quint64 m_routesDeferred = 0; // routes that came too fast: the log says every 100th
    QTimer m_routesTimer;
    QHash<QString, QString> m_via;               // relayed peer -> its carrier
    QHash<QString, QString> m_directNames;       // connected directly -> the name in its hello
    QHash<QString, Protocol::Carry> m_carryFrom; // connected peer -> what it told us this session
    QSet<QString> m_carryAwaited; // connected peers whose stream has not said carry yet
    QHash<QString, TokenBucket> m_relayBudget; // per connected peer
    // Per connected peer: its rly over the budget, waiting for it (in order).
    struct Slack
    {
        QList<QByteArray> queued;
        qint64 bytes = 0;
    };
    QHash<QString, Slack> m_relaySlack;
    qint64 m_relaySlackBytes = 0; // in all
    quint64 m_relayDropped = 0;   // over the budget and the wait: the log says every 100th
    QTimer m_slackTimer;
    QHash<QString, QList<Protocol::Routes::Peer>> m_routesSent; // what each peer was told last
    // Per connected carrier: our rly pace, and the envelopes waiting for it.
    struct Pace
    {
        TokenBucket bucket{PaceBurst, PacePerSecond, 1000};
        QList<QByteArray> queued;
        qint64 bytes = 0;
    };
    QHash<QString, Pace> m_pace;
    QTimer m_paceTimer;

    // Hold, depositor side: per message, its sealed envelope, eid and helpers that keep it.
    struct Deposit
    {
        QString recipient;
        QByteArray envelopeId;
        QByteArray envelope;
        QStringList heldBy;  // held ok
        QStringList asked;   // hold sent, no answer yet
        QStringList refused; // held not ok: not asked again
        qint64 expiresAt = 0;
        bool receipt = false; // an ack or read held for its offline recipient (holdReceipt)
        bool waiting = false; // a receipt whose asks were lost with their helpers: the next one
    };
    // Keyed by message ID; receipts by a key of their own.
    QHash<QUuid, Deposit> m_deposits;
    QHash<QByteArray, QUuid> m_depositByEnvelope;
    // Hold, recipient side: a chat opened from an envelope, awaiting its ack from the inbox ->
    // (its author, the carrier and eid to answer `got` to).
    struct AwaitingAck
    {
        QString author;
        QString carrier;
        QByteArray envelopeId;
    };
    QHash<QUuid, QList<AwaitingAck>> m_awaitingAck;
    // Hold, recipient side: per author with chats opened from envelopes that await their ack
    // (or whose acks are being handed to helpers), the carriers that may hold for us that
    // delivered them (most recent first): those acks are held by them first. Forgotten once
    // neither is left (forgetDeliverersIfDone), so it holds only what is under way.
    struct Deliverers
    {
        QStringList carriers;
        qsizetype awaiting = 0; // of m_awaitingAck's entries, this author's
    };
    QHash<QString, Deliverers> m_carriersOf;
    // Hold, helper side: per recipient being delivered to (connected directly), what is out
    // without a `got`.
    struct Delivery
    {
        // Sent in this session and not answered by `got`, in the order sent (the store's).
        QList<QByteArray> sent;
        // How many of the first of `sent` count as passed for the window: older than one
        // answered, so dropped by the recipient (it answers in order), never to be answered.
        qsizetype passed = 0;
        QElapsedTimer progress; // since the last envelope sent or `got` answered
    };
    QHash<QString, Delivery> m_deliveries;
    int m_redeliverAfterMs = RedeliverAfterMs;
    QTimer m_redeliverTimer;
    void redeliverStalled();
    qint64 m_holdLifetimeMs = DefaultHoldLifetimeMs;
    QTimer m_expiryTimer;
};
