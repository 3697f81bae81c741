// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/peerlistmodel.h" // PeerInfo (ui may not include peers/)

#include <QCoreApplication>
#include <QString>

struct NetworkStatus;

// How the window words IP Messenger / FeiQ / iptux users (issue 17, docs/ipmsg.md), in one
// place for the peer list, the conversation, Settings and the Network panel. They are marked
// everywhere as what they are: nothing they say is verified and nothing to them is encrypted.
class IpmsgText final
{
    Q_DECLARE_TR_FUNCTIONS(IpmsgText)

public:
    // The badge in the peer list: "IP Messenger".
    static QString badge();
    // "IP Messenger user — messages are not encrypted and the sender is not verified."
    static QString warning();
    // The row's tool tip: the warning, then its group and address.
    static QString toolTip(const QString &group, const QString &address);
    // "Li Lei · R&D": the name and, when it announced one, its group.
    static QString nameWithGroup(const QString &name, const QString &group);
    // The conversation's header: "Li Lei — IP Messenger — not encrypted, not verified" (with
    // "offline" and what happens to messages while it is away).
    static QString header(const PeerInfo &peer);
    // What a screen reader hears of the row, after the name: "IP Messenger, not encrypted".
    static QString accessibleMark();
    // The Network panel's line: "IP Messenger: on, port 2425", "IP Messenger: off" or
    // "IP Messenger: not available — <why>".
    static QString networkLine(const NetworkStatus &status);
    // Settings.
    static QString settingLabel();
    static QString settingNote();
};
