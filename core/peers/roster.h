// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "peers/peerinfo.h"

#include <QList>
#include <QObject>

#include <optional>

class MessageStore;
class QSslCertificate;
class Transport;
namespace Protocol {
struct Hello;
}

// Every peer this profile knows, online or not: from the history, the connections (verified)
// and LAN discovery (claims). The one owner of peer state; PeerListModel is a view of it.
class Roster final : public QObject
{
    Q_OBJECT

public:
    Roster(Transport &transport, MessageStore &store, QObject *parent = nullptr);

    // The peers in the history (once the store is open); those written to become known to the
    // transport, which keeps room for them.
    void load();

    int count() const { return int(m_peers.size()); }
    int rowOf(const QString &id) const;
    std::optional<PeerInfo> peer(const QString &id) const;
    const QList<PeerInfo> &peers() const { return m_peers; }

    // Inserts or updates by ID (keeps the unread count) and reports it (peerUpdated).
    void update(const PeerInfo &peer);
    void addUnread(const QString &id, int count);
    void clearUnread(const QString &id);
    // Why dialling a known peer failed (the Dialer's dialProblem), or None; reported
    // (peerUpdated) when it changes. Ignored while the peer is online: that is what counts.
    void setDialProblem(const QString &peerId,
                        PeerInfo::DialProblem problem,
                        const QString &detail = {});

    // Discovery heard it (a claim), or stopped hearing it. The heard status is shown only
    // while no TLS session says otherwise.
    void onPeerSeen(const QString &peerId,
                    const QString &name,
                    const QStringList &addresses,
                    PeerInfo::Status status = PeerInfo::Status::Available);
    void onPeerGone(const QString &peerId);
    // Only ever a datagram's claim, no longer heard, nothing written either way, and not being
    // dialled: forgotten (true), so that a storm of forged announcements leaves no trace.
    bool dropIfOnlyHeard(const QString &peerId, bool dialling);
    // --- Presence (issue 15) ---
    // A connected peer's new name, status, status text or avatar hash (pres): reported
    // (peerUpdated) when something changed. Ignored for a peer not online.
    void onPresence(const QString &peerId,
                    const QString &name,
                    PeerInfo::Status status,
                    const QString &statusText,
                    const QByteArray &avatarHash);
    // --- end presence ---
    // --- IP Messenger (issue 17) ---
    // The group an IP Messenger user announced (Messenger hands it over from the transport):
    // reported (peerUpdated) when it changed. Ignored for a Shoal peer.
    void setGroup(const QString &peerId, const QString &group);
    // --- end IP Messenger ---
    // --- Carried delivery (issue 16) ---
    // The carrier of a peer reached only through it, or empty: reported when it changed.
    void setVia(const QString &peerId, const QString &carrier);
    // --- end carried delivery ---

Q_SIGNALS:
    // A peer was added or changed by what the network said (not by unread counts).
    void peerUpdated(const PeerInfo &peer);
    // For views (PeerListModel): rows as they come, change and go.
    void rowAboutToBeInserted(int row);
    void rowInserted(int row);
    void rowChanged(int row);
    void rowAboutToBeRemoved(int row);
    void rowRemoved(int row);

private:
    void onPeerConnected(const QString &peerId,
                         const Protocol::Hello &hello,
                         const QString &address,
                         const QSslCertificate &certificate);
    void onPeerDisconnected(const QString &peerId);
    void upsert(const PeerInfo &peer);
    void remove(const QString &id);

    Transport &m_transport;
    MessageStore &m_store;
    QList<PeerInfo> m_peers;
};
