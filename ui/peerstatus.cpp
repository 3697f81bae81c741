// SPDX-License-Identifier: GPL-3.0-or-later
#include "peerstatus.h"

#include "models/peerlistmodel.h"
#include "relaytext.h" // issue 16

QString PeerStatus::reason(PeerInfo::DialProblem problem)
{
    using P = PeerInfo::DialProblem;
    switch (problem) {
    case P::Refused:
        return tr("connection refused");
    case P::TimedOut:
        return tr("timed out");
    case P::Unreachable:
        return tr("no route");
    case P::IdentityMismatch:
        return tr("another key answered");
    case P::NotShoal:
        return tr("not a Shoal");
    case P::Other:
        return tr("connection failed");
    case P::None:
        break;
    }
    return {};
}

bool PeerStatus::cannotConnect(bool online, bool lan, bool invited, PeerInfo::DialProblem problem)
{
    // Neither heard nor invited: simply offline (a peer that quit refuses at its old address
    // too).
    return !online && (lan || invited) && problem != PeerInfo::DialProblem::None;
}

bool PeerStatus::cannotConnect(const PeerInfo &peer)
{
    return cannotConnect(peer.online, peer.lan, peer.invited, peer.problem);
}

static PeerInfo::DialProblem problemOf(const QModelIndex &peerRow)
{
    return PeerInfo::DialProblem(peerRow.data(PeerListModel::DialProblemRole).toInt());
}

bool PeerStatus::cannotConnect(const QModelIndex &peerRow)
{
    return cannotConnect(peerRow.data(PeerListModel::OnlineRole).toBool(),
                         peerRow.data(PeerListModel::LanRole).toBool(),
                         peerRow.data(PeerListModel::InvitedRole).toBool(),
                         problemOf(peerRow));
}

QString PeerStatus::text(const QModelIndex &peerRow)
{
    if (peerRow.data(PeerListModel::OnlineRole).toBool()) {
        // Issue 16: "online, via Carol" while Carol passes the messages on.
        if (const QString carrier = peerRow.data(PeerListModel::ViaNameRole).toString();
            !carrier.isEmpty())
            return RelayText::viaStatus(carrier);
        return tr("online");
    }
    if (cannotConnect(peerRow)) {
        if (!peerRow.data(PeerListModel::LanRole).toBool())
            return tr("invited, can't connect: %1").arg(reason(problemOf(peerRow)));
        return tr("seen on the network, can't connect: %1").arg(reason(problemOf(peerRow)));
    }
    if (peerRow.data(PeerListModel::InvitedRole).toBool())
        return tr("connecting…", "from an invite link, not reached yet");
    if (peerRow.data(PeerListModel::LanRole).toBool())
        return tr("seen on the LAN");
    return tr("offline");
}

QString PeerStatus::cannotConnectText(const QModelIndex &peerRow)
{
    if (!peerRow.data(PeerListModel::LanRole).toBool())
        return tr("Invited, can't connect: %1").arg(reason(problemOf(peerRow)));
    return tr("Seen on the network, can't connect: %1").arg(reason(problemOf(peerRow)));
}
