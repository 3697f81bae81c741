// SPDX-License-Identifier: GPL-3.0-or-later
#include "dialer.h"

#include "ipmsg/ipmsgpacket.h" // issue 17
#include "net/peeraddress.h"
#include "net/ports.h"
#include "peers/roster.h"
#include "storage/messagestore.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcDialer, "shoal.peers")

using namespace Qt::StringLiterals;

static std::optional<PeerAddress> parseAddress(const QString &text)
{
    QString error;
    return PeerAddress::parse(text, DefaultPort, &error);
}

PeerInfo::DialProblem Dialer::problemOf(Net::Error error, const QString &answered)
{
    using P = PeerInfo::DialProblem;
    switch (error) {
    case Net::Error::None:
        return P::None;
    case Net::Error::ConnectionRefused:
        return P::Refused;
    case Net::Error::Timeout:
        return P::TimedOut;
    case Net::Error::Unreachable:
    case Net::Error::HostNotFound:
        return P::Unreachable;
    case Net::Error::IdentityMismatch:
        return answered.isEmpty() ? P::NotShoal : P::IdentityMismatch;
    case Net::Error::TlsFailed:
        return P::NotShoal;
    default:
        return P::Other;
    }
}

// Which of two failures of one dial to report: the one that says most about the peer. Another
// key answering is a warning; refused means its host is up; a timeout, that something is there.
static int telling(PeerInfo::DialProblem problem)
{
    using P = PeerInfo::DialProblem;
    switch (problem) {
    case P::IdentityMismatch:
        return 5;
    case P::Refused:
        return 4;
    case P::TimedOut:
        return 3;
    case P::NotShoal:
        return 2;
    case P::Unreachable:
        return 1;
    case P::Other:
    case P::None:
        break;
    }
    return 0;
}

Dialer::Dialer(const QString &ownId,
               Transport &transport,
               MessageStore &store,
               const Roster &roster,
               QObject *parent)
    : QObject(parent)
    , m_ownId(ownId)
    , m_transport(transport)
    , m_store(store)
    , m_roster(roster)
{
    m_clock.start();
    m_now = [this] { return m_clock.elapsed(); };
    connect(&m_redialTimer, &QTimer::timeout, this, &Dialer::redial);
    connect(&m_transport, &Transport::attemptFinished, this, &Dialer::onAttemptFinished);
    connect(&m_transport,
            &Transport::peerConnected,
            this,
            [this](const QString &peerId, const Protocol::Hello &, const QString &address) {
                if (address.isEmpty()) {
                    // Issue 16: through a carrier: still dialled directly (redial()), with
                    // back-off, as a direct connection replaces the relayed one once it works.
                    scheduleRedial();
                    return;
                }
                // Issue 17: an IP Messenger user's entry proves no Shoal listens there.
                const auto a = parseAddress(address);
                if (a && !Ipmsg::isPeerIdFor(peerId, address))
                    m_dialGuard.verified(QHostAddress(a->host), a->port);
                m_redial.remove(peerId);
                dropHint(peerId); // a roster row now, with the address it was verified at
            });
    // It may have messages waiting, or be heard again.
    connect(&m_transport, &Transport::peerDisconnected, this, &Dialer::scheduleRedial);
}

void Dialer::start()
{
    m_stopped = false;
    scheduleRedial(); // known peers with messages waiting
}

void Dialer::stop()
{
    m_stopped = true;
    m_redialTimer.stop();
}

void Dialer::setWanted(const QString &peerId, bool wanted)
{
    if (!wanted) {
        m_wanted.remove(peerId);
        return;
    }
    m_wanted.insert(peerId);
    dial(peerId);
    scheduleRedial();
}

void Dialer::retry(const QString &peerId)
{
    m_redial.remove(peerId);
    dial(peerId);
}

void Dialer::dialRemembered()
{
    if (m_stopped)
        return;
    // dial() leaves out where the person is dialling already (shoal-cli --connect at start).
    for (const PeerInfo &peer : m_roster.peers()) {
        if (!peer.address.isEmpty() && peer.verified && !connectedDirectly(peer.id))
            dial(peer.id);
    }
}

int Dialer::dialAddress(const QString &host, quint16 port)
{
    const int attempt = m_transport.connectToPeer(host, port);
    m_addressDials.insert(attempt, PeerAddress{host, port}.toString());
    return attempt;
}

void Dialer::onPeerSeen(const QString &peerId)
{
    if (connectedDirectly(peerId) || m_dials.contains(peerId))
        return;
    scheduleRedial(); // should the dial below be held back or fail
    dialByRank(peerId);
}

void Dialer::dialByRank(const QString &peerId)
{
    if (m_ownId < peerId) {
        dial(peerId);
    } else if (!m_deferred.contains(peerId)) {
        // The redial tick leaves it alone meanwhile, or it would break the tie early.
        m_deferred.insert(peerId);
        QTimer::singleShot(HigherIdDialDelayMs, this, [this, peerId] {
            m_deferred.remove(peerId);
            if (!connectedDirectly(peerId))
                dial(peerId);
        });
    }
}

// An address a peer or a link gave: an IP literal and a port, never a name to look up.
static std::optional<PeerAddress> parseHintAddress(const QString &text)
{
    auto parsed = parseAddress(text);
    if (!parsed || parsed->port == 0 || QHostAddress(parsed->host).isNull())
        return std::nullopt;
    return parsed;
}

void Dialer::onPeerHinted(const QString &peerId,
                          const QStringList &addresses,
                          HintSource source,
                          const QString &informant)
{
    if (peerId == m_ownId || peerId == informant || connectedDirectly(peerId))
        return;
    QStringList valid;
    for (const QString &text : addresses) {
        const auto parsed = parseHintAddress(text);
        if (!parsed)
            continue;
        const QString address = parsed->toString();
        if (!valid.contains(address))
            valid.append(address);
        if (valid.size() == MaxHintAddresses)
            break;
    }
    if (valid.isEmpty())
        return;
    const qint64 now = m_now();
    auto it = m_hints.find(peerId);
    if (it == m_hints.end()) {
        const bool exchange = source == HintSource::Exchange;
        if (exchange && m_hintsBy.value(informant) >= MaxHintsPerInformant) {
            if (m_hintsRefused.count())
                qCInfo(lcDialer) << "hint about" << peerId << "from" << informant
                                 << "not kept: it holds" << MaxHintsPerInformant << "already ("
                                 << m_hintsRefused.total() << "hints refused so far)";
            return;
        }
        if (m_hints.size() >= MaxHintedPeers)
            expireHints(now);
        if (m_hints.size() >= MaxHintedPeers) {
            // Full: the least recently told peer's hint goes, never one the person gave.
            auto oldest = m_hints.end();
            for (auto h = m_hints.begin(); h != m_hints.end(); ++h) {
                if (h->invited.isEmpty()
                    && (oldest == m_hints.end() || h->heardMs < oldest->heardMs))
                    oldest = h;
            }
            if (oldest == m_hints.end())
                return;
            dropHint(oldest.key());
        }
        it = m_hints.insert(peerId, Hint{});
        if (exchange) {
            it->informant = informant;
            ++m_hintsBy[informant];
        }
    }
    it->heardMs = now;
    if (source == HintSource::Invite) {
        it->invited = valid;
        // The person's action: at once, whoever has the lower ID, whatever failed before.
        m_redial.remove(peerId);
        dial(peerId);
        return;
    }
    for (const QString &address : std::as_const(it->told)) {
        if (valid.size() == MaxHintAddresses)
            break;
        if (!valid.contains(address))
            valid.append(address);
    }
    it->told = valid;
    if (m_dials.contains(peerId))
        return;
    scheduleRedial(); // should the dial below be held back or fail
    dialByRank(peerId);
}

QStringList Dialer::hintedAddresses(const QString &peerId) const
{
    const auto it = m_hints.constFind(peerId);
    return it == m_hints.cend() ? QStringList() : it->invited + it->told;
}

void Dialer::dropHint(const QString &peerId)
{
    const auto it = m_hints.constFind(peerId);
    if (it == m_hints.cend())
        return;
    if (!it->informant.isEmpty() && --m_hintsBy[it->informant] <= 0)
        m_hintsBy.remove(it->informant);
    m_hints.erase(it);
}

void Dialer::expireHints(qint64 now)
{
    QStringList expired;
    for (auto it = m_hints.cbegin(); it != m_hints.cend(); ++it) {
        // An invite link's hint stays until the peer is reached: the person asked for it, and
        // a laptop asleep tonight is there tomorrow (Messenger keeps it wanted till then).
        if (it->invited.isEmpty() && now - it->heardMs >= HintExpiryMs)
            expired.append(it.key());
    }
    for (const QString &peerId : std::as_const(expired))
        dropHint(peerId);
}

bool Dialer::hintDialAllowed(const QString &peerId, const QString &address, qint64 now)
{
    const QString key = peerId + u' ' + address;
    auto it = m_hintDials.find(key);
    if (it == m_hintDials.end()) {
        if (m_hintDials.size() < MaxHintDialRecords)
            return true;
        m_hintDials.removeIf([&](auto r) { return now - r.value().last() >= HintMemoryMs; });
        // Still full: nothing more is dialled on a peer's word until an hour has passed.
        return m_hintDials.size() < MaxHintDialRecords;
    }
    it->removeIf([&](qint64 t) { return now - t >= HintMemoryMs; });
    return it->size() < MaxHintDialsPerAddress;
}

void Dialer::countHintDial(const QString &peerId, const QString &address, qint64 now)
{
    QList<qint64> &times = m_hintDials[peerId + u' ' + address];
    times.removeIf([&](qint64 t) { return now - t >= HintMemoryMs; });
    times.append(now);
}

void Dialer::dial(const QString &peerId)
{
    if (connectedDirectly(peerId) || m_dials.contains(peerId))
        return;
    scheduleRedial(); // held back, or failing: tried again
    const auto info = m_roster.peer(peerId);
    const auto hint = m_hints.constFind(peerId);
    if (!info && hint == m_hints.cend())
        return;
    const qint64 now = m_now();
    if (now < m_redial.value(peerId).notBefore)
        return;
    // The person's invite first; then of the addresses heard, only those DialGuard lets
    // announcements make us dial now; where it was verified; last what peers told (within the
    // hint limit too), so that a liar cannot keep us from a contact's known address. If none,
    // the redial tick asks again.
    const QString verified = info ? info->address : QString();
    // Not where the person is dialling right now (Connect, shoal-cli --connect): a second
    // connection from this side would race the first, and the two ends may not agree which
    // of two same-side connections is the newer. The redial tick asks again.
    const QList<QString> byThePerson = m_addressDials.values();
    QList<Candidate> candidates;
    const auto add = [&](const QString &address, Origin origin) {
        if (byThePerson.contains(address))
            return;
        for (const Candidate &c : std::as_const(candidates)) {
            if (c.address == address)
                return;
        }
        if (address == verified)
            origin = Origin::Verified; // verified there over TLS: not a claim
        if (origin == Origin::Heard || origin == Origin::Exchange) {
            if (!mayDial(peerId, address, origin == Origin::Exchange))
                return;
        }
        candidates.append(Candidate{address, origin});
    };
    if (hint != m_hints.cend()) {
        for (const QString &address : hint->invited)
            add(address, Origin::Invite);
    }
    if (info) {
        for (const QString &address : info->heardAt)
            add(address, Origin::Heard);
    }
    if (!verified.isEmpty())
        add(verified, Origin::Verified);
    if (hint != m_hints.cend()) {
        for (const QString &address : hint->told)
            add(address, Origin::Exchange);
    }
    if (candidates.isEmpty())
        return;
    Redial &r = m_redial[peerId];
    r.delayMs = qBound(RedialFirstDelayMs, r.delayMs * 2, RedialMaxDelayMs);
    r.notBefore = now + r.delayMs;
    Dial d;
    d.candidates = candidates;
    m_dials.insert(peerId, d);
    dialNext(peerId);
}

bool Dialer::mayDial(const QString &peerId, const QString &address, bool exchangeHint)
{
    const auto parsed = parseHintAddress(address);
    if (!parsed)
        return false;
    const qint64 now = m_now();
    const char *refusal = nullptr;
    if (exchangeHint && !hintDialAllowed(peerId, address, now))
        refusal = "dials of one peer's hinted address in an hour";
    else
        refusal = m_dialGuard.refusal(QHostAddress(parsed->host), parsed->port, now, peerId);
    if (!refusal)
        return true;
    // The first time, then every 1,000th: a storm must not flood the log too.
    if (m_dialsHeldBack.count())
        qCInfo(lcDialer) << "limit on" << refusal << "reached: not dialling" << address
                         << (exchangeHint ? "as told" : "as announced") << "for" << peerId << "("
                         << m_dialsHeldBack.total() << "dials held back so far)";
    return false;
}

void Dialer::onAttemptFinished(int attempt,
                               const QString &peerId,
                               Net::Error error,
                               const QString &reason)
{
    if (m_addressDials.remove(attempt)) {
        if (error == Net::Error::None)
            m_transport.addKnownPeer(peerId, m_transport.remoteHost(peerId));
        Q_EMIT addressDialFinished(attempt, peerId, reason);
        return;
    }
    const QString dialled = m_attempts.take(attempt);
    if (dialled.isEmpty())
        return; // not ours
    const Origin origin = m_dials.value(dialled).origin;
    guardFinished(dialled, error, peerId);
    if (error == Net::Error::None) {
        m_dials.remove(dialled);
        return;
    }
    qCDebug(lcDialer) << "dial of" << dialled << "failed:" << reason;
    if (const auto it = m_dials.find(dialled); it != m_dials.end()) {
        // Among equals the last: the freshest word on the peer. Another key at an address a
        // peer told us is that peer's lie, not news of this one: it says least.
        PeerInfo::DialProblem problem = problemOf(error, peerId);
        if (origin == Origin::Exchange && problem == PeerInfo::DialProblem::IdentityMismatch)
            problem = PeerInfo::DialProblem::Other;
        if (it->problem == PeerInfo::DialProblem::None || telling(problem) >= telling(it->problem)) {
            it->problem = problem;
            it->problemDetail = u"%1: %2"_s.arg(it->current, reason);
        }
    }
    if (error == Net::Error::IdentityMismatch && origin == Origin::Exchange) {
        // A peer's word proved wrong: its claim is kept back (DialGuard), no alarm for the
        // person (a liar could raise many).
        qCInfo(lcDialer) << "address told for" << dialled << "answered with another identity";
    } else if (error == Net::Error::IdentityMismatch) {
        const QString warning
            = tr("Security warning: an address where %1 was expected answered with "
                 "another identity and was refused; nothing was sent there. %2")
                  .arg(m_roster.peer(dialled).value_or(PeerInfo{}).name, reason);
        qCWarning(lcDialer).noquote() << Protocol::quoted(warning); // a name
        Q_EMIT identityMismatch(dialled, warning);
    }
    dialNext(dialled);
}

void Dialer::guardFinished(const QString &peerId, Net::Error error, const QString &answered)
{
    const auto it = m_dials.constFind(peerId);
    if (it == m_dials.cend() || !it->guarded)
        return;
    const auto parsed = parseAddress(it->current);
    if (!parsed)
        return;
    DialGuard::Outcome outcome = DialGuard::Outcome::Failed;
    if (error == Net::Error::None)
        outcome = DialGuard::Outcome::Verified;
    else if (error == Net::Error::IdentityMismatch && !answered.isEmpty())
        outcome = DialGuard::Outcome::OtherIdentity; // a Shoal is there, the claim was false
    else if (error == Net::Error::TlsFailed)
        outcome = DialGuard::Outcome::NotShoal;
    m_dialGuard.finished(QHostAddress(parsed->host), parsed->port, outcome, m_now(), peerId);
}

void Dialer::dialNext(const QString &peerId)
{
    auto it = m_dials.find(peerId);
    if (it == m_dials.end())
        return;
    while (it->next < it->candidates.size()) {
        const Candidate c = it->candidates.at(it->next++);
        const auto address = parseAddress(c.address);
        if (!address)
            continue;
        // Asked again: an earlier address of this dial may have used the budget up.
        const bool exchange = c.origin == Origin::Exchange;
        const bool guarded = exchange || c.origin == Origin::Heard;
        if (guarded && !mayDial(peerId, c.address, exchange))
            continue;
        it->current = c.address;
        it->origin = c.origin;
        it->guarded = guarded;
        if (guarded)
            m_dialGuard.started(QHostAddress(address->host), address->port, m_now());
        if (exchange)
            countHintDial(peerId, c.address, m_now());
        // The expected ID: an address that answers with another key is refused.
        // The outcome arrives later (attemptFinished), never from within this call.
        it->attempt = m_transport.connectToPeer(address->host, address->port, peerId);
        m_attempts.insert(it->attempt, peerId);
        return;
    }
    const Dial failed = *it;
    m_dials.erase(it);
    // Connected meanwhile (it dialled us): nothing to report, it is online.
    if (failed.problem != PeerInfo::DialProblem::None && !m_transport.isConnected(peerId))
        Q_EMIT dialProblem(peerId, failed.problem, failed.problemDetail);
    Q_EMIT gaveUp(peerId); // it may have stopped being heard while we dialled
}

void Dialer::scheduleRedial()
{
    if (!m_stopped && !m_redialTimer.isActive())
        m_redialTimer.start(RedialTickMs);
}

void Dialer::redial()
{
    // Heard or hinted but not reached yet (the dial bounds held it back, or it failed): again,
    // as the bounds allow; and whoever has messages waiting. Those never tried go first, so
    // that made-up peers already dialled in vain cannot keep a real newcomer waiting.
    // The timer runs only while someone waits: idle, nothing wakes up to ask the store.
    expireHints(m_now());
    bool waiting = !m_dials.isEmpty();
    QSet<QString> rostered;
    for (const bool tried : {false, true}) {
        const auto consider = [&](const QString &peerId, bool wanted) {
            if (m_redial.contains(peerId) != tried || connectedDirectly(peerId))
                return;
            if (m_dials.contains(peerId) || m_deferred.contains(peerId)) {
                waiting = true;
                return;
            }
            if (wanted) {
                waiting = true;
                dial(peerId);
            }
        };
        for (const PeerInfo &peer : m_roster.peers()) {
            if (!tried)
                rostered.insert(peer.id);
            consider(peer.id,
                     (peer.lan && !peer.heardAt.isEmpty()) || m_hints.contains(peer.id)
                         || m_wanted.contains(peer.id) || m_store.hasUndelivered(peer.id)
                         || m_transport.isRelayed(peer.id)); // issue 16
        }
        const QStringList hinted = m_hints.keys(); // a copy: dialling may change the table
        for (const QString &peerId : hinted) {
            if (!rostered.contains(peerId))
                consider(peerId, true);
        }
    }
    if (!waiting && m_dials.isEmpty())
        m_redialTimer.stop(); // until a peer goes, is heard, or is written to (scheduleRedial)
}
