// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/peerlistmodel.h" // PeerInfo, a value type of the models

#include <QCoreApplication>
#include <QString>

class QModelIndex;

// How the window words a peer's presence, in one place for the list row, what a screen reader
// hears and the conversation. Honest presence (docs/protocol.md, "From sighting to
// conversation"): online only with a verified session; a peer heard on the network (or from
// an invite link) whose dial failed "can't connect", with the reason, and is never online.
class PeerStatus final
{
    Q_DECLARE_TR_FUNCTIONS(PeerStatus)

public:
    // "connection refused", "timed out", "another key answered", "not a Shoal", "no route".
    static QString reason(PeerInfo::DialProblem problem);
    // Heard on the network or given by an invite link, not online, and its last dial failed.
    static bool cannotConnect(bool online, bool lan, bool invited, PeerInfo::DialProblem problem);
    static bool cannotConnect(const PeerInfo &peer);
    static bool cannotConnect(const QModelIndex &peerRow);
    // "online", "connecting…", "seen on the LAN", "offline", or "seen on the network, can't
    // connect: <reason>" (after the name, for a screen reader).
    static QString text(const QModelIndex &peerRow);
    // The same on its own, as the list row shows it: "Seen on the network, can't connect: …"
    // ("Invited, can't connect: …" for a peer from an invite link not heard on the network).
    static QString cannotConnectText(const QModelIndex &peerRow);
};
