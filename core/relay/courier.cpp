// SPDX-License-Identifier: GPL-3.0-or-later
#include "courier.h"

#include "identity/identity.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QLoggingCategory>

#include <algorithm>
#include <utility>

using namespace Qt::StringLiterals;

// Shared with courierhold.cpp (Q_DECLARE_LOGGING_CATEGORY(lcRelay) there).
Q_LOGGING_CATEGORY(lcRelay, "shoal.relay")

namespace {

// How long a relayed envelope may be opened: it passes at once, and its recipient keeps its
// eid (the replay check) until then, so short; clocks a little apart still agree.
constexpr qint64 RelayedLifetimeMs = qint64(60) * 60 * 1000;

bool isCarryMessage(const Protocol::Message &m)
{
    return std::holds_alternative<Protocol::Carry>(m) || std::holds_alternative<Protocol::Routes>(m)
           || std::holds_alternative<Protocol::RelayEnvelope>(m)
           || std::holds_alternative<Protocol::DeliverEnvelope>(m)
           || std::holds_alternative<Protocol::HoldEnvelope>(m)
           || std::holds_alternative<Protocol::Held>(m) || std::holds_alternative<Protocol::Got>(m);
}

// The relay budget's clock: monotonic, so that the wall clock set back cannot starve it.
qint64 courierMonotonicMs()
{
    static QElapsedTimer timer;
    if (!timer.isValid())
        timer.start();
    return timer.elapsed();
}

QString certId(const QByteArray &der)
{
    return QString::fromLatin1(QCryptographicHash::hash(der, QCryptographicHash::Sha256).toHex());
}

} // namespace

Courier::Courier(const Identity &identity, Transport &direct, CarryStore &store, QObject *parent)
    : Transport(parent)
    , m_identity(identity)
    , m_direct(direct)
    , m_store(store)
    , m_sealer(identity)
    , m_opener(identity)
{
    connect(&m_direct, &Transport::peerConnected, this, &Courier::onDirectConnected);
    connect(&m_direct, &Transport::peerDisconnected, this, &Courier::onDirectDisconnected);
    connect(&m_direct, &Transport::messageReceived, this, &Courier::onDirectMessage);
    connect(&m_direct, &Transport::attemptFinished, this, &Transport::attemptFinished);
    connect(&m_direct, &Transport::streamOpened, this, &Transport::streamOpened);
    connect(&m_direct, &Transport::streamClosed, this, &Transport::streamClosed);
    connect(&m_direct, &Transport::peerWritable, this, [this](const QString &peerId, StreamKind k) {
        Q_EMIT peerWritable(peerId, k);
        if (k != StreamKind::Chat)
            return;
        // Room on a carrier's connection is room for the peers relayed through it.
        const QStringList relayed = m_via.keys(peerId);
        for (const QString &p : relayed)
            Q_EMIT peerWritable(p, StreamKind::Chat);
    });
    // Expired held envelopes go at start and hourly (courierhold.cpp's expire()).
    m_expiryTimer.setInterval(60 * 60 * 1000);
    connect(&m_expiryTimer, &QTimer::timeout, this, &Courier::expire);
    m_expiryTimer.start();
    m_redeliverTimer.setInterval(m_redeliverAfterMs / 2);
    connect(&m_redeliverTimer, &QTimer::timeout, this, &Courier::redeliverStalled);
    QTimer::singleShot(0, this, &Courier::expire);
    m_paceTimer.setSingleShot(true);
    m_paceTimer.setInterval(1000 / PacePerSecond + 1);
    connect(&m_paceTimer, &QTimer::timeout, this, &Courier::drainPaced);
    m_slackTimer.setSingleShot(true);
    m_slackTimer.setInterval(1000 / RelayPerSecond + 1);
    connect(&m_slackTimer, &QTimer::timeout, this, &Courier::drainRelaySlack);
    m_routesTimer.setSingleShot(true);
    m_routesTimer.setInterval(RoutesIntervalMs);
    connect(&m_routesTimer, &QTimer::timeout, this, &Courier::drainRoutes);
}

Courier::~Courier() = default;

void Courier::setClock(std::function<qint64()> nowMs)
{
    m_clock = std::move(nowMs);
}

qint64 Courier::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

qint64 Courier::relayNowMs() const
{
    return m_clock ? m_clock() : courierMonotonicMs();
}

// --- Transport ---

int Courier::connectToPeer(const QString &host,
                           quint16 port,
                           const QString &expectedPeerId,
                           StreamKind kind)
{
    return m_direct.connectToPeer(host, port, expectedPeerId, kind);
}

bool Courier::isConnected(const QString &peerId, StreamKind kind) const
{
    if (m_direct.isConnected(peerId, kind))
        return true;
    return kind == StreamKind::Chat && m_via.contains(peerId);
}

bool Courier::send(const QString &peerId, const Protocol::Message &message, StreamKind kind)
{
    // The inbox's ack for a chat opened from an envelope: `got` to whoever delivered it. Once
    // it is on its way (held, relayed or direct), who delivered the author's envelopes may be
    // forgotten.
    answerGot(peerId, message);
    const bool sent = sendAnswered(peerId, message, kind);
    if (std::holds_alternative<Protocol::Ack>(message))
        forgetDeliverersIfDone(peerId);
    return sent;
}

bool Courier::sendAnswered(const QString &peerId, const Protocol::Message &message, StreamKind kind)
{
    if (m_direct.isConnected(peerId, kind))
        return m_direct.send(peerId, message, kind);
    if (kind != StreamKind::Chat)
        return false;
    const auto via = m_via.constFind(peerId);
    if (via != m_via.cend()) {
        if (!Relay::isCarried(message))
            return false;
        return sendSealed(*via, peerId, message);
    }
    if (std::holds_alternative<Protocol::Ack>(message)
        || std::holds_alternative<Protocol::Read>(message))
        return holdReceipt(peerId, message);
    return false;
}

void Courier::flush()
{
    m_direct.flush();
}

qint64 Courier::pendingWriteBytes(const QString &peerId, StreamKind kind) const
{
    if (m_direct.isConnected(peerId, kind))
        return m_direct.pendingWriteBytes(peerId, kind);
    const auto via = m_via.constFind(peerId);
    // A relayed peer's backlog is its carrier's, and what waits for our pace to it: the send
    // window holds through a slow carrier.
    if (kind == StreamKind::Chat && via != m_via.cend()) {
        const auto pace = m_pace.constFind(*via);
        return m_direct.pendingWriteBytes(*via, kind) + (pace != m_pace.cend() ? pace->bytes : 0);
    }
    return 0;
}

void Courier::setReadingPaused(const QString &peerId, bool paused, StreamKind kind)
{
    // A relayed peer's envelopes come on its carrier's connection, shared with others: not
    // paused for one author (the carrier's own budget bounds them).
    m_direct.setReadingPaused(peerId, paused, kind);
}

void Courier::addKnownPeer(const QString &peerId, const QHostAddress &host)
{
    m_direct.addKnownPeer(peerId, host);
}

QHostAddress Courier::remoteHost(const QString &peerId) const
{
    return m_direct.remoteHost(peerId);
}

bool Courier::supportsStream(const QString &peerId, StreamKind kind) const
{
    if (m_direct.isConnected(peerId, StreamKind::Chat))
        return m_direct.supportsStream(peerId, kind);
    if (m_via.contains(peerId))
        return kind == StreamKind::Chat; // relayed: the conversation only
    return m_direct.supportsStream(peerId, kind);
}

int Courier::openStream(const QString &peerId, StreamKind kind)
{
    if (!m_direct.isConnected(peerId, StreamKind::Chat))
        return 0;
    return m_direct.openStream(peerId, kind);
}

// --- Switches ---

bool Courier::setAllowed(const QString &peerId, CarryStore::Switches switches, QString *error)
{
    if (!Protocol::isValidPeerId(peerId) || peerId == m_identity.id()) {
        if (error)
            *error = tr("%1 is not another peer's ID.").arg(peerId);
        return false;
    }
    if (!m_store.setAllowed(peerId, switches)) {
        if (error)
            *error = tr("The setting could not be saved (%1). Check that the profile folder is "
                        "writable.")
                         .arg(m_store.lastError());
        return false;
    }
    if (!switches.relay)
        forgetRoutes(peerId); // it sends new ones when we allow it again
    if (m_directNames.contains(peerId)) {
        saveGranted(peerId); // its word in this session, now that it counts
        sendCarry(peerId);
        // What may now be held for it, or handed to it (they check the switches).
        deliverHeld(peerId);
        onHelperConnected(peerId);
    }
    updateRoutes();
    settleAll();
    return true;
}

CarryStore::Switches Courier::allowed(const QString &peerId) const
{
    return m_store.allowed(peerId);
}

QString Courier::via(const QString &peerId) const
{
    return m_via.value(peerId);
}

// --- Direct sessions ---

void Courier::onDirectConnected(const QString &peerId,
                                const Protocol::Hello &hello,
                                const QString &address,
                                const QSslCertificate &certificate)
{
    m_directNames.insert(peerId, hello.name);
    m_carryAwaited.insert(peerId); // its carry starts the session, even if it says the same
    // A new chat stream, perhaps replacing another (a duplicate connection settled): what was
    // delivered on the old one without a `got` may be lost with it, and goes again (the
    // recipient answers `got` at once for what it has).
    m_deliveries.remove(peerId);
    if (!certificate.isNull())
        m_sessionCerts.insert(peerId, certificate.toDer()); // in memory: no disk per connection
    if (!m_relayBudget.contains(peerId))
        m_relayBudget.insert(peerId, TokenBucket(RelayBurst, RelayPerSecond, 1000));
    // A direct connection wins: the relayed session ends before the direct one is reported.
    settleRelayed(peerId);
    Q_EMIT peerConnected(peerId, hello, address, certificate);
    sendCarry(peerId);
    updateRoutes();
}

void Courier::onDirectDisconnected(const QString &peerId, const QString &reason)
{
    m_directNames.remove(peerId);
    m_sessionCerts.remove(peerId);
    m_carryFrom.remove(peerId);
    m_carryAwaited.remove(peerId);
    m_relayBudget.remove(peerId);
    m_relaySlackBytes -= m_relaySlack.take(peerId).bytes; // lost with it, as its socket's bytes
    m_pace.remove(peerId); // lost with the connection, as what was in its socket
    m_routesSent.remove(peerId);
    m_deliveries.remove(peerId);
    const QHash<QString, Route> offered = forgetRoutes(peerId);
    // On the next pass: this may be a write failing inside askHelpers, which holds a deposit.
    QTimer::singleShot(0, this, [this, peerId] {
        if (!m_direct.isConnected(peerId))
            onHelperDisconnected(peerId);
    });
    Q_EMIT peerDisconnected(peerId, reason);
    // Relayed again if someone still offers a route to it; those it carried, through another.
    settleRelayed(peerId);
    for (auto it = offered.cbegin(); it != offered.cend(); ++it)
        settleRelayed(it.key());
    updateRoutes();
}

void Courier::onDirectMessage(const QString &peerId,
                              const Protocol::Message &message,
                              StreamKind kind)
{
    if (!isCarryMessage(message)) {
        Q_EMIT messageReceived(peerId, message, kind);
        return;
    }
    if (kind != StreamKind::Chat) {
        qCWarning(lcRelay).noquote() << "dropped" << Protocol::toString(message) << "from" << peerId
                                     << ": carried delivery is on the chat stream only";
        return;
    }
    std::visit(
        [&](const auto &m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Protocol::Carry>)
                onCarry(peerId, m);
            else if constexpr (std::is_same_v<T, Protocol::Routes>)
                onRoutes(peerId, m);
            else if constexpr (std::is_same_v<T, Protocol::RelayEnvelope>)
                onRelay(peerId, m);
            else if constexpr (std::is_same_v<T, Protocol::DeliverEnvelope>)
                onDeliver(peerId, m);
            else if constexpr (std::is_same_v<T, Protocol::HoldEnvelope>)
                onHold(peerId, m);
            else if constexpr (std::is_same_v<T, Protocol::Held>)
                onHeld(peerId, m);
            else if constexpr (std::is_same_v<T, Protocol::Got>)
                onGot(peerId, m);
        },
        message);
}

// --- carry ---

void Courier::sendCarry(const QString &peerId)
{
    const CarryStore::Switches s = m_store.allowed(peerId);
    Protocol::Carry carry;
    carry.relay = s.relay;
    carry.hold = s.hold;
    m_direct.send(peerId, carry);
}

void Courier::onCarry(const QString &peerId, const Protocol::Carry &carry)
{
    if (!m_directNames.contains(peerId))
        return;
    // The same switches again on one stream change nothing: no work (disk, routes, helpers)
    // for a peer that repeats itself. The first on a new stream starts its session.
    const auto known = m_carryFrom.constFind(peerId);
    if (!m_carryAwaited.remove(peerId) && known != m_carryFrom.cend() && *known == carry)
        return;
    m_carryFrom.insert(peerId, carry);
    if (!carry.relay)
        forgetRoutes(peerId); // it sends new ones when it allows us again
    saveGranted(peerId);
    updateRoutes();
    settleAll();
    // Hold: what we keep for it may go out; what waits may be handed to it (both check).
    deliverHeld(peerId);
    onHelperConnected(peerId);
}

void Courier::saveGranted(const QString &peerId)
{
    // Kept for its one use: a recipient's word counts while it is away (mayHoldFor,
    // deliverHeld), and only for a peer we let hold. Nothing on disk for anyone else, so a
    // stranger's carry (or a flood of them) writes nothing.
    const auto carry = m_carryFrom.constFind(peerId);
    if (carry == m_carryFrom.cend() || !m_store.allowed(peerId).hold)
        return;
    const CarryStore::Switches granted{carry->relay, carry->hold};
    if (!(m_store.granted(peerId) == granted) && !m_store.setGranted(peerId, granted))
        qCWarning(lcRelay).noquote()
            << "could not save what" << peerId << "allows:" << m_store.lastError();
}

// --- routes ---

bool Courier::mayRelay(const QString &from, const QString &to) const
{
    if (from == to || from == m_identity.id() || to == m_identity.id())
        return false;
    if (!m_directNames.contains(from) || !m_directNames.contains(to))
        return false;
    if (!m_store.allowed(from).relay || !m_store.allowed(to).relay)
        return false;
    return m_carryFrom.value(from).relay && m_carryFrom.value(to).relay;
}

void Courier::updateRoutes()
{
    // Runs at every connection and carry: only the peers that allow us to relay (their carry,
    // in memory) and that we allow (the store, asked once per such peer, never per pair) take
    // part, so a crowd of peers that never said `carry` costs nothing here (tst_hostile's 512).
    // Equivalent to mayRelay() over every pair of connected peers.
    QStringList eligible;
    for (auto it = m_carryFrom.cbegin(); it != m_carryFrom.cend(); ++it) {
        if (it->relay && it.key() != m_identity.id() && m_directNames.contains(it.key())
            && m_store.allowed(it.key()).relay)
            eligible.append(it.key());
    }
    std::sort(eligible.begin(), eligible.end());
    // Those offered routes before and no longer eligible are told the empty list.
    QStringList told = eligible;
    for (auto it = m_routesSent.cbegin(); it != m_routesSent.cend(); ++it) {
        if (!it->isEmpty() && !eligible.contains(it.key()))
            told.append(it.key());
    }
    QHash<QString, QByteArray> certs;
    for (const QString &x : std::as_const(told)) {
        QList<Protocol::Routes::Peer> peers;
        if (eligible.contains(x)) {
            for (const QString &y : std::as_const(eligible)) {
                if (peers.size() >= Protocol::Routes::MaxPeers)
                    break;
                if (y == x)
                    continue;
                auto der = certs.constFind(y);
                if (der == certs.cend())
                    der = certs.insert(y, m_sessionCerts.value(y)); // y is connected
                if (der->isEmpty() || der->size() > Protocol::MaxRouteCertBytes)
                    continue;
                Protocol::Routes::Peer p;
                p.id = y;
                p.name = Protocol::singleLine(m_directNames.value(y), Protocol::MaxNameLength);
                p.cert = *der;
                peers.append(p);
            }
        }
        if (peers == m_routesSent.value(x))
            continue;
        Protocol::Routes routes;
        routes.peers = peers;
        if (m_direct.send(x, routes))
            m_routesSent.insert(x, peers);
    }
}

void Courier::onRoutes(const QString &carrier, const Protocol::Routes &routes)
{
    if (!m_store.allowed(carrier).relay || !m_carryFrom.value(carrier).relay) {
        qCWarning(lcRelay).noquote()
            << "dropped routes from" << carrier << ": not allowed to relay for us";
        forgetRoutes(carrier); // unusable anyway; none stale when it is allowed again
        return;
    }
    // Only a carrier we allow gets a gate: their number is the person's choice.
    RouteGate &gate = m_routeGates[carrier];
    if (!gate.waiting && gate.applied.tryTake(relayNowMs())) {
        applyRoutes(carrier, routes);
        return;
    }
    // Too fast: the latest waits for the gate, and replaces whatever waited before it.
    if (m_routesDeferred++ % 100 == 0)
        qCInfo(lcRelay).noquote() << "routes from" << carrier << "come too fast: the latest waits ("
                                  << m_routesDeferred << "so far)";
    gate.waiting = routes;
    if (!m_routesTimer.isActive())
        m_routesTimer.start();
}

void Courier::applyRoutes(const QString &carrier, const Protocol::Routes &routes)
{
    if (!m_directNames.contains(carrier) || !m_store.allowed(carrier).relay
        || !m_carryFrom.value(carrier).relay) {
        // It waited, and no longer counts (what it offered went when that changed; settled
        // again all the same).
        const QHash<QString, Route> gone = forgetRoutes(carrier);
        for (auto it = gone.cbegin(); it != gone.cend(); ++it)
            settleRelayed(it.key());
        return;
    }
    RouteGate &gate = m_routeGates[carrier];
    gate.heldBack.clear(); // this list replaces the last, held-back entries and all
    const qint64 t = relayNowMs();
    QHash<QString, Route> offered;
    for (const Protocol::Routes::Peer &p : routes.peers) {
        if (p.id == m_identity.id() || offered.contains(p.id))
            continue;
        if (p.cert.isEmpty() || certId(p.cert) != p.id) {
            qCWarning(lcRelay).noquote() << "dropped a route from" << carrier << "to" << p.id
                                         << ": its certificate is not that peer's";
            continue;
        }
        if (admitRoute(gate.introductions, p.id, p.cert, t))
            offered.insert(p.id, Route{p.name, p.cert});
        else if (!std::any_of(gate.heldBack.cbegin(), gate.heldBack.cend(), [&p](const auto &h) {
                     return h.first == p.id;
                 }))
            gate.heldBack.append({p.id, Route{p.name, p.cert}});
    }
    if (!gate.heldBack.isEmpty()) {
        qCInfo(lcRelay).noquote() << gate.heldBack.size() << "routes from" << carrier
                                  << "wait: it introduced as many new peers as it may for now";
        if (!m_routesTimer.isActive())
            m_routesTimer.start();
    }
    const QHash<QString, Route> before = m_routes.value(carrier);
    if (offered.isEmpty())
        m_routes.remove(carrier);
    else
        m_routes.insert(carrier, offered);
    // Settled from copies: a session's signals may end the carrier's connection at once.
    for (auto it = offered.cbegin(); it != offered.cend(); ++it)
        settleRelayed(it.key());
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        if (!offered.contains(it.key()))
            settleRelayed(it.key());
    }
}

bool Courier::admitRoute(TokenBucket &introductions,
                         const QString &peerId,
                         const QByteArray &cert,
                         qint64 nowMs)
{
    if (m_introduced.contains(peerId))
        return true;
    if (m_directNames.contains(peerId)) {
        m_introduced.insert(peerId); // met over TLS: nothing made up
        return true;
    }
    if (!introductions.tryTake(nowMs))
        return false;
    m_introduced.insert(peerId);
    // Once per peer introduced (so as often as the budget allows): to seal for it when it is
    // away (certificateOf).
    m_store.saveCertificate(peerId, cert);
    return true;
}

void Courier::admitHeldBack(const QString &carrier)
{
    const auto gate = m_routeGates.find(carrier);
    if (gate == m_routeGates.end() || gate->heldBack.isEmpty())
        return;
    const qint64 t = relayNowMs();
    QStringList admitted;
    for (qsizetype i = 0; i < gate->heldBack.size();) {
        const auto &[peerId, route] = gate->heldBack.at(i);
        if (!admitRoute(gate->introductions, peerId, route.cert, t)) {
            ++i;
            continue;
        }
        m_routes[carrier].insert(peerId, route);
        admitted.append(peerId);
        gate->heldBack.removeAt(i);
    }
    if (!admitted.isEmpty())
        qCInfo(lcRelay).noquote() << admitted.size() << "routes from" << carrier
                                  << "that waited for its introductions offered now";
    for (const QString &peerId : std::as_const(admitted))
        settleRelayed(peerId);
}

void Courier::drainRoutes()
{
    const qint64 t = relayNowMs();
    // By key, found again each time: settling may end a carrier's connection at once.
    const QStringList carriers = m_routeGates.keys();
    for (const QString &carrier : carriers) {
        const auto gate = m_routeGates.find(carrier);
        if (gate == m_routeGates.end())
            continue;
        if (gate->waiting) {
            // The held-back entries of the list it replaces wait with it.
            if (gate->applied.tryTake(t)) {
                const Protocol::Routes routes = *std::exchange(gate->waiting, std::nullopt);
                applyRoutes(carrier, routes);
            }
            continue;
        }
        admitHeldBack(carrier);
    }
    const bool pending = std::any_of(m_routeGates.cbegin(),
                                     m_routeGates.cend(),
                                     [](const RouteGate &g) {
                                         return g.waiting || !g.heldBack.isEmpty();
                                     });
    if (pending)
        m_routesTimer.start();
}

QHash<QString, Courier::Route> Courier::forgetRoutes(const QString &carrier)
{
    const auto gate = m_routeGates.find(carrier);
    if (gate != m_routeGates.end()) {
        // Its paces stay: they bound the carrier, whatever its connections do.
        gate->waiting.reset();
        gate->heldBack.clear();
    }
    return m_routes.take(carrier);
}

// --- relayed sessions ---

void Courier::settleAll()
{
    QSet<QString> peers;
    for (auto it = m_via.cbegin(); it != m_via.cend(); ++it)
        peers.insert(it.key());
    for (auto c = m_routes.cbegin(); c != m_routes.cend(); ++c) {
        for (auto r = c->cbegin(); r != c->cend(); ++r)
            peers.insert(r.key());
    }
    QStringList sorted(peers.cbegin(), peers.cend());
    std::sort(sorted.begin(), sorted.end());
    for (const QString &p : std::as_const(sorted))
        settleRelayed(p);
}

void Courier::settleRelayed(const QString &peerId)
{
    const QString before = m_via.value(peerId);
    QString after;
    if (!m_directNames.contains(peerId) && peerId != m_identity.id()) {
        auto usable = [&](const QString &carrier) {
            return m_directNames.contains(carrier) && m_routes.value(carrier).contains(peerId)
                   && m_store.allowed(carrier).relay && m_carryFrom.value(carrier).relay;
        };
        if (!before.isEmpty() && usable(before)) {
            after = before; // the carrier that offered first keeps it
        } else {
            QStringList carriers = m_routes.keys();
            std::sort(carriers.begin(), carriers.end());
            for (const QString &c : std::as_const(carriers)) {
                if (usable(c)) {
                    after = c;
                    break;
                }
            }
        }
    }
    if (after == before)
        return;
    if (after.isEmpty()) {
        m_via.remove(peerId);
        Q_EMIT peerDisconnected(peerId,
                                m_directNames.contains(peerId)
                                    ? u"connected directly"_s
                                    : u"no carrier offers a route any more"_s);
        Q_EMIT viaChanged(peerId, {});
        return;
    }
    m_via.insert(peerId, after);
    // A new session; or, through another carrier, one that replaces the old without a
    // disconnect, as a stream replaces another: what went through the old carrier unanswered
    // may be lost with it, and the services send it again (the outbox's flush on connect).
    const Route route = m_routes.value(after).value(peerId);
    Protocol::Hello hello;
    hello.peerId = peerId;
    hello.name = route.name;
    hello.port = 0;
    const QSslCertificate certificate(route.cert, QSsl::Der);
    Q_EMIT peerConnected(peerId, hello, QString(), certificate);
    Q_EMIT viaChanged(peerId, after);
}

bool Courier::sendSealed(const QString &carrier, const QString &peerId, const Protocol::Message &m)
{
    const QSslCertificate certificate = certificateOf(peerId);
    if (certificate.isNull()) {
        qCWarning(lcRelay).noquote() << "cannot seal for" << peerId << ": no certificate";
        return false;
    }
    QByteArray eid;
    QString error;
    Protocol::RelayEnvelope rly;
    rly.envelope = m_sealer.seal(certificate, m, now() + RelayedLifetimeMs, &eid, &error);
    if (rly.envelope.isEmpty()) {
        qCWarning(lcRelay).noquote() << "cannot seal for" << peerId << ":" << error;
        return false;
    }
    return sendPaced(carrier, rly.envelope);
}

bool Courier::sendPaced(const QString &carrier, const QByteArray &envelope)
{
    if (!m_direct.isConnected(carrier))
        return false;
    auto pace = m_pace.find(carrier);
    if (pace == m_pace.end())
        pace = m_pace.insert(carrier, Pace{});
    if (pace->queued.isEmpty() && pace->bucket.tryTake(relayNowMs()))
        return m_direct.send(carrier, Protocol::RelayEnvelope{envelope});
    if (pace->queued.size() >= MaxPaced || pace->bytes + envelope.size() > MaxPacedBytes) {
        qCWarning(lcRelay).noquote()
            << "rly to" << carrier << "not sent:" << MaxPaced << "already wait for the pace";
        return false;
    }
    pace->queued.append(envelope);
    pace->bytes += envelope.size();
    if (!m_paceTimer.isActive())
        m_paceTimer.start();
    return true;
}

void Courier::drainPaced()
{
    const qint64 t = relayNowMs();
    QStringList drained;
    // By key, found again after each send: a write that fails may end the connection at once
    // (peerDisconnected: its queue goes), and the hash with it.
    const QStringList carriers = m_pace.keys();
    for (const QString &carrier : carriers) {
        bool sent = false;
        for (;;) {
            const auto it = m_pace.find(carrier);
            if (it == m_pace.end() || it->queued.isEmpty() || !it->bucket.tryTake(t))
                break;
            const QByteArray envelope = it->queued.takeFirst();
            it->bytes -= envelope.size();
            sent = true;
            m_direct.send(carrier, Protocol::RelayEnvelope{envelope});
        }
        if (sent)
            drained.append(carrier);
    }
    const bool waiting = std::any_of(m_pace.cbegin(), m_pace.cend(), [](const Pace &p) {
        return !p.queued.isEmpty();
    });
    if (waiting)
        m_paceTimer.start();
    if (drained.isEmpty())
        return;
    m_direct.flush();
    // Room for the peers relayed through them (the outbox goes on).
    for (const QString &carrier : std::as_const(drained)) {
        const QStringList relayed = m_via.keys(carrier);
        for (const QString &p : relayed)
            Q_EMIT peerWritable(p, StreamKind::Chat);
    }
}

QSslCertificate Courier::certificateOf(const QString &peerId) const
{
    // Connected now; found before; learned from a route or an envelope (relay.sqlite); the
    // history's peer records (the lookup); the route it is relayed on.
    QByteArray der = m_sessionCerts.value(peerId);
    if (der.isEmpty())
        der = m_lookedUpCerts.value(peerId);
    if (der.isEmpty())
        der = m_store.certificate(peerId);
    if (der.isEmpty() && m_certificateLookup) {
        der = m_certificateLookup(peerId);
        if (certId(der) != peerId)
            der.clear(); // not that peer's (its ID names it)
        else
            m_lookedUpCerts.insert(peerId, der);
    }
    if (der.isEmpty()) {
        const QString carrier = m_via.value(peerId);
        der = m_routes.value(carrier).value(peerId).cert;
    }
    if (der.isEmpty())
        return QSslCertificate();
    return QSslCertificate(der, QSsl::Der);
}

// --- carrier: rly -> env ---

void Courier::onRelay(const QString &peerId, const Protocol::RelayEnvelope &relay)
{
    const auto bucket = m_relayBudget.find(peerId);
    if (bucket == m_relayBudget.end())
        return; // not a connected peer's
    auto slack = m_relaySlack.find(peerId);
    const bool waiting = slack != m_relaySlack.end() && !slack->queued.isEmpty();
    if (!waiting && bucket->tryTake(relayNowMs())) {
        forwardRelay(peerId, relay.envelope);
        return;
    }
    // Over the budget: it waits behind what waits already, if there is room.
    const qint64 size = relay.envelope.size();
    const qint64 queuedBytes = slack != m_relaySlack.end() ? slack->bytes : 0;
    const qsizetype queued = slack != m_relaySlack.end() ? slack->queued.size() : 0;
    if (queued >= RelaySlack || queuedBytes + size > RelaySlackBytes
        || m_relaySlackBytes + size > RelaySlackBytesTotal) {
        // A flood is one log line per 100 dropped, not one each.
        if (m_relayDropped++ % 100 == 0)
            qCWarning(lcRelay).noquote() << "dropped rly from" << peerId << ": over its budget ("
                                         << m_relayDropped << "so far)";
        return;
    }
    if (slack == m_relaySlack.end())
        slack = m_relaySlack.insert(peerId, Slack{});
    slack->queued.append(relay.envelope);
    slack->bytes += size;
    m_relaySlackBytes += size;
    if (!m_slackTimer.isActive())
        m_slackTimer.start();
}

void Courier::drainRelaySlack()
{
    const qint64 t = relayNowMs();
    // By key, found again after each forward: a write that fails may end a connection at once.
    const QStringList senders = m_relaySlack.keys();
    for (const QString &sender : senders) {
        for (;;) {
            const auto slack = m_relaySlack.find(sender);
            if (slack == m_relaySlack.end())
                break;
            if (slack->queued.isEmpty()) {
                m_relaySlack.erase(slack);
                break;
            }
            const auto bucket = m_relayBudget.find(sender);
            if (bucket == m_relayBudget.end() || !bucket->tryTake(t))
                break;
            const QByteArray envelope = slack->queued.takeFirst();
            slack->bytes -= envelope.size();
            m_relaySlackBytes -= envelope.size();
            forwardRelay(sender, envelope);
        }
    }
    if (!m_relaySlack.isEmpty())
        m_slackTimer.start();
}

void Courier::forwardRelay(const QString &peerId, const QByteArray &envelope)
{
    QString error;
    const auto header = Relay::readHeader(envelope, &error);
    if (!header) {
        qCWarning(lcRelay).noquote() << "dropped rly from" << peerId << ":" << error;
        return;
    }
    if (header->expiresAt <= now()) {
        qCWarning(lcRelay).noquote() << "dropped rly from" << peerId << ": expired";
        return;
    }
    if (!mayRelay(peerId, header->to)) {
        qCWarning(lcRelay).noquote() << "dropped rly from" << peerId << "to" << header->to
                                     << ": not allowed to relay between them now";
        return;
    }
    Protocol::DeliverEnvelope env;
    env.envelope = envelope;
    m_direct.send(header->to, env);
}

// --- endpoint: env -> the author's message ---

void Courier::onDeliver(const QString &carrier, const Protocol::DeliverEnvelope &deliver)
{
    const CarryStore::Switches mine = m_store.allowed(carrier);
    const Protocol::Carry theirs = m_carryFrom.value(carrier);
    if (!((mine.relay && theirs.relay) || (mine.hold && theirs.hold))) {
        qCWarning(lcRelay).noquote()
            << "dropped env from" << carrier << ": not allowed to carry for us";
        return;
    }
    QString error;
    const auto opened = m_opener.open(deliver.envelope, now(), &error);
    if (!opened) {
        qCWarning(lcRelay).noquote() << "dropped env from" << carrier << ":" << error;
        afterUnopened(carrier, deliver.envelope); // a helper drops it (courierhold.cpp)
        return;
    }
    const bool duplicate = m_store.wasOpened(opened->author, opened->envelopeId);
    if (!duplicate) {
        if (!m_store.markOpened(opened->author, opened->envelopeId, opened->expiresAt)) {
            // Not shown: without its eid kept, a replay could show it twice. The author's
            // queue still has it.
            qCWarning(lcRelay).noquote()
                << "dropped env from" << carrier << ": cannot record it:" << m_store.lastError();
            return;
        }
        if (!opened->authorCert.isEmpty())
            m_store.saveCertificate(opened->author, opened->authorCert);
        Q_EMIT messageReceived(opened->author, opened->message, StreamKind::Chat);
    }
    afterOpened(carrier, *opened, duplicate);
}
