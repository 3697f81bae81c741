// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "peers/peerinfo.h"

#include <QCoreApplication>
#include <QString>

class QModelIndex;

// How the window words a peer's presence, in one place for the list row, what a screen reader
// hears and the conversation. Honest presence (docs/protocol.md, "From sighting to
// conversation"): online only with a verified session; a peer heard on the network whose dial
// failed is "seen on the network, can't connect" with the reason, never online.
class PeerStatus final
{
    Q_DECLARE_TR_FUNCTIONS(PeerStatus)

public:
    // "connection refused", "timed out", "another key answered", "not a Shoal", "no route".
    static QString reason(PeerInfo::DialProblem problem);
    // Heard on the network, not online, and its last dial failed.
    static bool cannotConnect(bool online, bool lan, PeerInfo::DialProblem problem);
    static bool cannotConnect(const QModelIndex &peerRow);
    // "online", "seen on the LAN", "offline", or "seen on the network, can't connect: <reason>".
    static QString text(const QModelIndex &peerRow);
    // The same on its own, as the list row shows it: "Seen on the network, can't connect: …".
    static QString cannotConnectText(PeerInfo::DialProblem problem);
};
