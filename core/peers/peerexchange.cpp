// SPDX-License-Identifier: GPL-3.0-or-later
#include "peerexchange.h"

#include "ipmsg/ipmsgpacket.h" // issue 17
#include "net/peeraddress.h"
#include "net/transport.h"
#include "peers/roster.h"

#include <QLoggingCategory>

#include <algorithm>

Q_LOGGING_CATEGORY(lcPex, "shoal.pex")

// An IP literal and a port, never a name to look up; nullopt otherwise.
static std::optional<QPair<QHostAddress, quint16>> ipAddress(const QString &text)
{
    QString error;
    const auto parsed = PeerAddress::parse(text, 0, &error);
    if (!parsed || parsed->port == 0)
        return std::nullopt;
    const QHostAddress host = PeerAddress::plain(QHostAddress(parsed->host));
    // A link-local address names an interface of the host that uses it: nothing elsewhere.
    if (host.isNull() || host.isLinkLocal() || host.isMulticast() || host.isBroadcast()
        || host == QHostAddress::AnyIPv4 || host == QHostAddress::AnyIPv6)
        return std::nullopt;
    return qMakePair(host, parsed->port);
}

PeerExchange::PeerExchange(const QString &ownId,
                           Transport &transport,
                           const Roster &roster,
                           QObject *parent)
    : QObject(parent)
    , m_ownId(ownId)
    , m_transport(transport)
    , m_roster(roster)
{
    m_clock.start();
    m_now = [this] { return m_clock.elapsed(); };
    m_sendTimer.setSingleShot(true);
    connect(&m_sendTimer, &QTimer::timeout, this, &PeerExchange::sendDue);
    // After the Roster (made first) has marked the peer online with its address.
    connect(&m_transport,
            &Transport::peerConnected,
            this,
            [this](const QString &peerId, const Protocol::Hello &hello) {
                onPeerConnected(peerId, hello);
            });
    connect(&m_transport, &Transport::peerDisconnected, this, &PeerExchange::onPeerDisconnected);
}

void PeerExchange::setEnabled(bool enabled)
{
    if (m_enabled == enabled)
        return;
    m_enabled = enabled;
    if (!enabled) {
        for (Peer &p : m_peers)
            p.pending = false;
        m_sendTimer.stop();
        return;
    }
    scheduleAll();
}

void PeerExchange::setExcluded(const QString &peerId, bool excluded)
{
    if (excluded)
        m_excluded.insert(peerId);
    else if (m_excluded.remove(peerId))
        scheduleAll(); // may be told of now
}

QStringList PeerExchange::excluded() const
{
    QStringList out(m_excluded.cbegin(), m_excluded.cend());
    out.sort();
    return out;
}

void PeerExchange::onPeerConnected(const QString &peerId, const Protocol::Hello &hello)
{
    // A stream that replaces another keeps the times: the new one is told within 10 s of the
    // last, not twice at once.
    Peer &p = m_peers[peerId];
    p.takesPex = hello.hasCapability(QLatin1StringView(Protocol::PexCapability));
    // Someone new is online (or online somewhere else): the others are told; it is told now.
    scheduleAll();
}

void PeerExchange::onPeerDisconnected(const QString &peerId)
{
    // Nobody is told a peer went: a hint of it simply goes unanswered, then expires.
    m_peers.remove(peerId);
}

void PeerExchange::scheduleAll()
{
    for (auto it = m_peers.cbegin(); it != m_peers.cend(); ++it)
        schedule(it.key());
}

void PeerExchange::schedule(const QString &peerId)
{
    auto it = m_peers.find(peerId);
    if (!m_enabled || it == m_peers.end() || !it->takesPex)
        return;
    const qint64 now = m_now();
    if (it->lastSentMs < 0 || now - it->lastSentMs >= SendIntervalMs) {
        sendNow(peerId);
        return;
    }
    it->pending = true;
    const int due = int(it->lastSentMs + SendIntervalMs - now);
    if (!m_sendTimer.isActive() || m_sendTimer.remainingTime() > due)
        m_sendTimer.start(due);
}

void PeerExchange::sendDue()
{
    const qint64 now = m_now();
    qint64 next = -1;
    const QStringList ids = m_peers.keys();
    for (const QString &id : ids) {
        const auto it = m_peers.constFind(id);
        if (it == m_peers.cend() || !it->pending)
            continue;
        const qint64 due = it->lastSentMs + SendIntervalMs;
        if (due <= now)
            sendNow(id);
        else if (next < 0 || due < next)
            next = due;
    }
    if (next >= 0)
        m_sendTimer.start(int(next - now));
}

bool PeerExchange::sendNow(const QString &peerId)
{
    auto it = m_peers.find(peerId);
    if (it == m_peers.end())
        return false;
    it->pending = false;
    const Protocol::Pex pex = buildFor(peerId);
    if (pex.peers.isEmpty())
        return false; // nothing to tell: absence says nothing either
    it->lastSentMs = m_now();
    qCDebug(lcPex) << "to" << peerId << pex.toString();
    return m_transport.send(peerId, pex);
}

Protocol::Pex PeerExchange::buildFor(const QString &recipient) const
{
    Protocol::Pex pex;
    if (!m_enabled)
        return pex;
    // Loopback addresses only over a loopback connection: elsewhere they name the recipient.
    const bool overLoopback = PeerAddress::plain(m_transport.remoteHost(recipient)).isLoopback();
    for (const PeerInfo &peer : m_roster.peers()) {
        if (pex.peers.size() == Protocol::Pex::MaxPeers)
            break;
        // Issue 17: never an IP Messenger user (never verified either): a Shoal peer has no
        // business sending it IPMsg packets.
        if (!peer.online || !peer.verified || peer.ipmsg || peer.id == recipient
            || peer.id == m_ownId || m_excluded.contains(peer.id) || !m_peers.contains(peer.id))
            continue;
        // Issue 16: connected only through a carrier, its address is where it was reached
        // before, not where it is: not told as if it were.
        if (m_transport.isRelayed(peer.id))
            continue;
        const auto address = ipAddress(peer.address);
        if (!address || (address->first.isLoopback() && !overLoopback))
            continue;
        pex.peers.append({peer.id, {PeerAddress::format(address->first, address->second)}});
    }
    return pex;
}

void PeerExchange::onPex(const QString &peerId, const Protocol::Pex &pex)
{
    auto it = m_peers.find(peerId);
    if (it == m_peers.end())
        return; // its stream is gone
    const qint64 now = m_now();
    if (it->lastReceivedMs >= 0 && now - it->lastReceivedMs < ReceiveIntervalMs) {
        // Not an error (clocks and coalescing differ), but not believed either.
        if (m_ignored.count())
            qCInfo(lcPex) << "pex from" << peerId << "ignored: more than one in"
                          << ReceiveIntervalMs << "ms (" << m_ignored.total() << "ignored so far)";
        return;
    }
    it->lastReceivedMs = now;
    const bool overLoopback = PeerAddress::plain(m_transport.remoteHost(peerId)).isLoopback();
    for (const Protocol::Pex::Peer &peer : pex.peers) {
        if (peer.id == m_ownId || peer.id == peerId)
            continue;
        // Issue 17: a Shoal peer must never make us send IP Messenger packets anywhere. An IP
        // Messenger user we know is none of its business.
        if (const auto known = m_roster.peer(peer.id); known && known->ipmsg) {
            ignoreIpmsgHint(peerId, peer.id);
            continue;
        }
        QStringList addresses;
        for (const QString &text : peer.addresses) {
            const auto address = ipAddress(text);
            // A loopback address from a peer elsewhere would point us at ourselves.
            if (!address || (address->first.isLoopback() && !overLoopback))
                continue;
            const QString plain = PeerAddress::format(address->first, address->second);
            // Issue 17: the ID of an IP Messenger user at that address: dialling it would be
            // an IPMsg entry sent where a Shoal peer said.
            if (Ipmsg::isPeerIdFor(peer.id, plain)) {
                ignoreIpmsgHint(peerId, peer.id);
                continue;
            }
            if (!addresses.contains(plain))
                addresses.append(plain);
        }
        if (!addresses.isEmpty())
            Q_EMIT peerHinted(peer.id, addresses, peerId);
    }
}

// --- IP Messenger (issue 17) ---
void PeerExchange::ignoreIpmsgHint(const QString &informant, const QString &peerId)
{
    if (m_ipmsgHintsIgnored.count())
        qCInfo(lcPex) << "pex from" << informant << "names the IP Messenger user" << peerId
                      << ": ignored (" << m_ipmsgHintsIgnored.total() << "such hints so far)";
}
// --- end IP Messenger ---
