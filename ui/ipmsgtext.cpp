// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipmsgtext.h"

#include "messenger/messenger.h"
#include "models/peerlistmodel.h"

QString IpmsgText::badge()
{
    return tr("IP Messenger", "the peer list's badge of an IP Messenger / FeiQ / iptux user");
}

QString IpmsgText::warning()
{
    return tr("IP Messenger user — messages are not encrypted and the sender is not verified.");
}

QString IpmsgText::toolTip(const QString &group, const QString &address)
{
    QStringList lines{warning()};
    if (!group.isEmpty())
        lines.append(tr("Group: %1").arg(group));
    if (!address.isEmpty())
        lines.append(tr("Address: %1").arg(address));
    return lines.join(QLatin1Char('\n'));
}

QString IpmsgText::nameWithGroup(const QString &name, const QString &group)
{
    return group.isEmpty() ? name
                           : tr("%1 · %2", "IP Messenger user's name, its group").arg(name, group);
}

QString IpmsgText::header(const PeerInfo &peer)
{
    const QString name = peer.name.isEmpty() ? PeerListModel::shortId(peer.id) : peer.name;
    if (peer.online)
        return tr("%1 — IP Messenger — not encrypted, not verified").arg(name);
    return tr("%1 — IP Messenger, offline; messages wait until they are back — not encrypted, "
              "not verified")
        .arg(name);
}

QString IpmsgText::accessibleMark()
{
    return tr("IP Messenger, not encrypted, not verified");
}

QString IpmsgText::networkLine(const NetworkStatus &status)
{
    if (!status.ipmsgEnabled)
        return tr("IP Messenger: off");
    if (status.ipmsgRunning)
        return tr("IP Messenger: on, port %1").arg(status.ipmsgPort);
    if (!status.ipmsgError.isEmpty())
        return tr("IP Messenger: not available — %1").arg(status.ipmsgError);
    return tr("IP Messenger: starting…");
}

QString IpmsgText::settingLabel()
{
    return tr("Talk to IP Messenger, FeiQ and iptux users on the LAN");
}

QString IpmsgText::settingNote()
{
    return tr("They see your name and status; messages to them are not encrypted.");
}
