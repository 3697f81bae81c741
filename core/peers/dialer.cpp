// SPDX-License-Identifier: GPL-3.0-or-later
#include "dialer.h"

#include "net/peeraddress.h"
#include "net/ports.h"
#include "peers/roster.h"
#include "storage/messagestore.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcDialer, "shoal.peers")

static std::optional<PeerAddress> parseAddress(const QString &text)
{
    QString error;
    return PeerAddress::parse(text, DefaultPort, &error);
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
                if (const auto a = parseAddress(address))
                    m_dialGuard.verified(QHostAddress(a->host), a->port);
                m_redial.remove(peerId);
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
    // Not where the person is dialling already (shoal-cli --connect at start): a second
    // connection from this side would only replace the first.
    const QList<QString> byThePerson = m_addressDials.values();
    for (const PeerInfo &peer : m_roster.peers()) {
        if (!peer.address.isEmpty() && peer.verified && !m_transport.isConnected(peer.id)
            && !byThePerson.contains(peer.address))
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
    if (m_transport.isConnected(peerId) || m_dials.contains(peerId))
        return;
    scheduleRedial(); // should the dial below be held back or fail
    if (m_ownId < peerId) {
        dial(peerId);
    } else if (!m_deferred.contains(peerId)) {
        // The redial tick leaves it alone meanwhile, or it would break the tie early.
        m_deferred.insert(peerId);
        QTimer::singleShot(HigherIdDialDelayMs, this, [this, peerId] {
            m_deferred.remove(peerId);
            if (!m_transport.isConnected(peerId))
                dial(peerId);
        });
    }
}

void Dialer::dial(const QString &peerId)
{
    if (m_transport.isConnected(peerId) || m_dials.contains(peerId))
        return;
    scheduleRedial(); // held back, or failing: tried again
    const auto info = m_roster.peer(peerId);
    if (!info)
        return;
    const qint64 now = m_now();
    if (now < m_redial.value(peerId).notBefore)
        return;
    // Of the addresses heard, only those announcements may make us dial now (DialGuard). If
    // none, the redial tick asks again.
    QStringList addresses;
    for (const QString &address : std::as_const(info->heardAt)) {
        if (mayDial(*info, address))
            addresses.append(address);
    }
    if (!info->address.isEmpty() && !addresses.contains(info->address))
        addresses.append(info->address);
    if (addresses.isEmpty())
        return;
    Redial &r = m_redial[peerId];
    r.delayMs = qBound(RedialFirstDelayMs, r.delayMs * 2, RedialMaxDelayMs);
    r.notBefore = now + r.delayMs;
    m_dials.insert(peerId, Dial{addresses, 0, 0, {}, false});
    dialNext(peerId);
}

bool Dialer::mayDial(const PeerInfo &peer, const QString &address)
{
    if (address == peer.address)
        return true; // verified there over TLS: not an announcement's claim
    const auto parsed = parseAddress(address);
    if (!parsed)
        return false;
    const char *refusal
        = m_dialGuard.refusal(QHostAddress(parsed->host), parsed->port, m_now(), peer.id);
    if (!refusal)
        return true;
    // The first time, then every 1,000th: a storm must not flood the log too.
    if (m_dialsHeldBack.count())
        qCInfo(lcDialer) << "limit on" << refusal << "reached: not dialling" << address
                         << "as announced for" << peer.id << "(" << m_dialsHeldBack.total()
                         << "dials held back so far)";
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
    guardFinished(dialled, error, peerId);
    if (error == Net::Error::None) {
        m_dials.remove(dialled);
        return;
    }
    qCDebug(lcDialer) << "dial of" << dialled << "failed:" << reason;
    if (error == Net::Error::IdentityMismatch) {
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
    const auto info = m_roster.peer(peerId);
    while (info && it->next < it->addresses.size()) {
        const QString text = it->addresses.at(it->next++);
        const auto address = parseAddress(text);
        if (!address)
            continue;
        // Asked again: an earlier address of this dial may have used the budget up.
        it->guarded = text != info->address;
        if (it->guarded && !mayDial(*info, text))
            continue;
        it->current = text;
        if (it->guarded)
            m_dialGuard.started(QHostAddress(address->host), address->port, m_now());
        // The expected ID: an address that answers with another key is refused.
        // The outcome arrives later (attemptFinished), never from within this call.
        it->attempt = m_transport.connectToPeer(address->host, address->port, peerId);
        m_attempts.insert(it->attempt, peerId);
        return;
    }
    m_dials.erase(it);
    Q_EMIT gaveUp(peerId); // it may have stopped being heard while we dialled
}

void Dialer::scheduleRedial()
{
    if (!m_stopped && !m_redialTimer.isActive())
        m_redialTimer.start(RedialTickMs);
}

void Dialer::redial()
{
    // Heard but not reached yet (the dial bounds held it back, or it failed): again, as the
    // bounds allow; and whoever has messages waiting. Those never tried go first, so that
    // made-up peers already dialled in vain cannot keep a real newcomer waiting.
    // The timer runs only while someone waits: idle, nothing wakes up to ask the store.
    bool waiting = !m_dials.isEmpty();
    for (const bool tried : {false, true}) {
        for (const PeerInfo &peer : m_roster.peers()) {
            if (m_redial.contains(peer.id) != tried || m_transport.isConnected(peer.id))
                continue;
            if (m_dials.contains(peer.id) || m_deferred.contains(peer.id)) {
                waiting = true;
                continue;
            }
            if ((peer.lan && !peer.heardAt.isEmpty()) || m_wanted.contains(peer.id)
                || m_store.hasUndelivered(peer.id)) {
                waiting = true;
                dial(peer.id);
            }
        }
    }
    if (!waiting && m_dials.isEmpty())
        m_redialTimer.stop(); // until a peer goes, is heard, or is written to (scheduleRedial)
}
