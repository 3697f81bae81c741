// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringList>

// How the window words carried delivery (issue 16, docs/relay.md) in one place: the peer
// list's menu, the conversation's header and an own message waiting with helpers. Words for
// someone who does not know what a relay is: "pass on", "keep", "can't read them".
class RelayText final
{
    Q_DECLARE_TR_FUNCTIONS(RelayText)

public:
    // The peer list's menu, for the contact `name`.
    static QString relayAction(const QString &name);
    static QString relayToolTip(const QString &name);
    static QString holdAction(const QString &name);
    static QString holdToolTip(const QString &name);
    static QString emailAction();
    // The header's end while a contact is reached through `carrier`: "Bob — online, via Carol".
    static QString viaHeader(const QString &header, const QString &carrier);
    static QString viaToolTip(const QString &name, const QString &carrier);
    // The peer list's line under a relayed contact: "online, via Carol".
    static QString viaStatus(const QString &carrier);
    // An own message kept by helpers for its offline recipient: the footer's short state
    // ("held by Carol and Dave") and the whole sentence ("Held by Carol and Dave until Bob is
    // back"), for the tool tip and a screen reader.
    static QString heldByState(const QStringList &helperNames);
    static QString heldBy(const QStringList &helperNames, const QString &recipientName);
};
