// SPDX-License-Identifier: GPL-3.0-or-later
#include "roster.h"

#include "ipmsg/ipmsgpacket.h" // issue 17: which rows are IP Messenger users
#include "net/peeraddress.h"
#include "net/ports.h"
#include "net/transport.h"
#include "storage/messagestore.h"

#include <QSslCertificate>

Roster::Roster(Transport &transport, MessageStore &store, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_store(store)
{
    connect(&m_transport, &Transport::peerConnected, this, &Roster::onPeerConnected);
    connect(&m_transport, &Transport::peerDisconnected, this, &Roster::onPeerDisconnected);
}

void Roster::load()
{
    const QHash<QString, int> unread = m_store.unreadCounts();
    const auto known = m_store.peers();
    for (const PeerRecord &p : known) {
        if (!Protocol::isValidPeerId(p.id))
            continue;
        PeerInfo info;
        info.id = p.id;
        info.name = Protocol::singleLine(p.name, Protocol::MaxNameLength);
        info.address = p.addresses.value(0);
        info.lastSeen = p.lastSeen;
        info.avatarHash = p.avatarHash; // avatars (issue 15): shown while it is away
        // Issue 17: an IP Messenger user's ID is its address's; nothing it said is verified.
        info.ipmsg = Ipmsg::isPeerIdFor(info.id, info.address);
        info.verified = !info.ipmsg;
        info.unread = unread.value(p.id);
        upsert(info);
    }
    // Someone written to but never reached (only heard on the LAN): still listed, with history.
    const QStringList partners = m_store.conversationPeers();
    // Room is kept for those the person wrote to when strangers fill the connection limits;
    // not for those who only wrote to us (a stranger's one chat must not make it known).
    const QStringList writtenTo = m_store.peersWrittenTo();
    for (const QString &id : writtenTo) {
        QString error;
        const auto address = PeerAddress::parse(peer(id).value_or(PeerInfo{}).address,
                                                DefaultPort,
                                                &error);
        m_transport.addKnownPeer(id, address ? QHostAddress(address->host) : QHostAddress());
    }
    for (const QString &id : partners) {
        if (!Protocol::isValidPeerId(id) || rowOf(id) >= 0)
            continue;
        PeerInfo info;
        info.id = id;
        info.unread = unread.value(id);
        upsert(info);
    }
}

int Roster::rowOf(const QString &id) const
{
    for (int i = 0; i < m_peers.size(); ++i) {
        if (m_peers.at(i).id == id)
            return i;
    }
    return -1;
}

std::optional<PeerInfo> Roster::peer(const QString &id) const
{
    const int row = rowOf(id);
    if (row < 0)
        return std::nullopt;
    return m_peers.at(row);
}

void Roster::update(const PeerInfo &peer)
{
    upsert(peer);
    Q_EMIT peerUpdated(m_peers.at(rowOf(peer.id)));
}

void Roster::upsert(const PeerInfo &peer)
{
    const int row = rowOf(peer.id);
    if (row < 0) {
        const int at = int(m_peers.size());
        Q_EMIT rowAboutToBeInserted(at);
        m_peers.append(peer);
        Q_EMIT rowInserted(at);
        return;
    }
    const int unread = m_peers.at(row).unread;
    m_peers[row] = peer;
    m_peers[row].unread = unread;
    Q_EMIT rowChanged(row);
}

void Roster::remove(const QString &id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    Q_EMIT rowAboutToBeRemoved(row);
    m_peers.removeAt(row);
    Q_EMIT rowRemoved(row);
}

void Roster::addUnread(const QString &id, int count)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    m_peers[row].unread += count;
    Q_EMIT rowChanged(row);
}

void Roster::clearUnread(const QString &id)
{
    const int row = rowOf(id);
    if (row < 0 || m_peers.at(row).unread == 0)
        return;
    m_peers[row].unread = 0;
    Q_EMIT rowChanged(row);
}

void Roster::setDialProblem(const QString &peerId,
                            PeerInfo::DialProblem problem,
                            const QString &detail)
{
    auto info = peer(peerId);
    if (!info || (problem != PeerInfo::DialProblem::None && m_transport.isConnected(peerId)))
        return;
    const QString text = problem == PeerInfo::DialProblem::None ? QString() : detail;
    if (info->problem == problem && info->problemDetail == text)
        return;
    info->problem = problem;
    info->problemDetail = text;
    update(*info);
}

void Roster::onPeerConnected(const QString &peerId,
                             const Protocol::Hello &hello,
                             const QString &address,
                             const QSslCertificate &certificate)
{
    PeerInfo info = peer(peerId).value_or(PeerInfo{});
    info.id = peerId;
    // Issue 16: a session through a carrier (no address) has a hello the carrier made from its
    // route: its name is the carrier's word, with no status or picture. What the peer said
    // itself on a verified session before stays.
    if (!address.isEmpty() || !info.verified || info.name.isEmpty()) {
        info.name = hello.name;
        // Issue 15: what it says of itself.
        info.status = PeerInfo::Status(int(hello.status));
        info.statusText = hello.statusText;
        info.avatarHash = hello.avatarHash;
    }
    // --- Carried delivery (issue 16) ---
    // A session through a carrier has no address: the one remembered for dialling stays.
    if (!address.isEmpty()) {
        info.address = address;
        // Issue 17: an IP Messenger user (its ID is its address's) came in a datagram, not TLS.
        info.ipmsg = Ipmsg::isPeerIdFor(peerId, address);
    }
    // --- end carried delivery ---
    info.online = true;
    info.verified = !info.ipmsg;
    info.invited = false;                       // reached: the link's work is done
    info.problem = PeerInfo::DialProblem::None; // reached: whatever failed before is moot
    info.problemDetail.clear();
    info.lastSeen = QDateTime::currentDateTimeUtc();
    update(info);
    PeerRecord record;
    record.id = info.id;
    record.name = info.name;
    // The pinned certificate: its hash is the peer ID.
    record.certificate = certificate.toDer();
    if (!info.address.isEmpty()) // issue 16: none for a relayed session
        record.addresses = {info.address};
    record.lastSeen = info.lastSeen;
    record.avatarHash = info.avatarHash; // avatars (issue 15)
    m_store.savePeer(record);
}

void Roster::onPeerDisconnected(const QString &peerId)
{
    auto info = peer(peerId);
    if (!info)
        return;
    // A connection that ended means the peer is gone until it is heard again.
    info->online = false;
    info->via.clear(); // issue 16
    info->lan = false;
    info->heardAt.clear();
    info->lastSeen = QDateTime::currentDateTimeUtc();
    update(*info);
}

void Roster::onPeerSeen(const QString &peerId,
                        const QString &name,
                        const QStringList &addresses,
                        PeerInfo::Status status)
{
    const auto known = peer(peerId);
    PeerInfo info = known.value_or(PeerInfo{});
    info.id = peerId;
    // A datagram's name is a claim; the one from a TLS hello is not replaced by it.
    if (!info.verified || info.name.isEmpty())
        info.name = name;
    info.heardAt = addresses;
    info.lan = true;
    // Heard is not verified: online only once a TLS session has proved who it is.
    info.online = m_transport.isConnected(peerId);
    // Issue 15: while connected, the session's status counts; else what was heard.
    if (!info.online)
        info.status = status;
    if (!known || !(*known == info)) {
        info.lastSeen = QDateTime::currentDateTimeUtc();
        update(info);
    }
}

void Roster::onPeerGone(const QString &peerId)
{
    auto info = peer(peerId);
    if (!info || !info->lan)
        return;
    info->lan = false;
    info->heardAt.clear();
    info->online = m_transport.isConnected(peerId);
    info->lastSeen = QDateTime::currentDateTimeUtc();
    update(*info);
}

// --- Presence (issue 15) ---
void Roster::onPresence(const QString &peerId,
                        const QString &name,
                        PeerInfo::Status status,
                        const QString &statusText,
                        const QByteArray &avatarHash)
{
    auto info = peer(peerId);
    if (!info || !info->online)
        return;
    const PeerInfo before = *info;
    info->name = name;
    info->status = status;
    info->statusText = statusText;
    info->avatarHash = avatarHash;
    if (!(*info == before))
        update(*info);
}
// --- end presence ---

// --- IP Messenger (issue 17) ---
void Roster::setGroup(const QString &peerId, const QString &group)
{
    auto info = peer(peerId);
    if (!info || !info->ipmsg || info->group == group)
        return;
    info->group = group;
    update(*info);
}
// --- end IP Messenger ---

// --- Carried delivery (issue 16) ---
void Roster::setVia(const QString &peerId, const QString &carrier)
{
    auto info = peer(peerId);
    if (!info || info->via == carrier)
        return;
    info->via = carrier;
    update(*info);
}
// --- end carried delivery ---

bool Roster::dropIfOnlyHeard(const QString &peerId, bool dialling)
{
    const auto info = peer(peerId);
    if (!info || info->lan || info->verified || info->online || info->unread != 0 || dialling
        || m_store.count(peerId) != 0)
        return false;
    remove(peerId);
    return true;
}
