// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ipmsg/ipmsgpacket.h"

#include <QHostAddress>
#include <QList>
#include <QString>

// How this profile meets IP Messenger, FeiQ and iptux users (docs/ipmsg.md). Light on
// purpose: messenger.h includes it, and the window's translation units see no socket header.
struct IpmsgConfig
{
    quint16 port = Ipmsg::DefaultPort; // UDP (entries, messages) and TCP (files)
    QHostAddress bindAddress = QHostAddress::AnyIPv4;
    // Where BR_ENTRY and BR_EXIT go; empty: every interface's broadcast address.
    QList<QHostAddress> broadcastTargets;
    QString userName; // the packet's user field ($USER); empty: "shoal"
    QString hostName; // empty: QSysInfo::machineHostName()
};
