// SPDX-License-Identifier: GPL-3.0-or-later
#include "relaytext.h"

#include "grouptext.h"

QString RelayText::relayAction(const QString &name)
{
    return tr("Let %1 &pass on my messages when needed").arg(name);
}

QString RelayText::relayToolTip(const QString &name)
{
    return tr("When you and someone else can't reach each other directly but you are both "
              "connected to %1, your messages go through %1's Shoal at once. It works both "
              "ways: you pass on %1's messages too. %1 can't read or change them, and the "
              "other person must allow %1 as well.")
        .arg(name);
}

QString RelayText::holdAction(const QString &name)
{
    return tr("Let %1 &keep my messages for people who are away").arg(name);
}

QString RelayText::holdToolTip(const QString &name)
{
    return tr("When someone you write to is offline, %1's Shoal keeps your messages (up to 7 "
              "days) and gives them to that person when they come back, even if you have gone "
              "home by then. It works both ways: you keep %1's messages too. %1 can't read or "
              "change them, and the other person must allow %1 as well.")
        .arg(name);
}

QString RelayText::emailAction()
{
    return tr("&E-mail address…");
}

QString RelayText::viaHeader(const QString &header, const QString &carrier)
{
    return tr("%1, via %2",
              "the conversation's header, the name of the contact passing the "
              "messages on")
        .arg(header, carrier);
}

QString RelayText::viaToolTip(const QString &name, const QString &carrier)
{
    return tr("%1 can't be reached directly: your messages go through %2's Shoal, sealed so "
              "that %2 can't read or change them.")
        .arg(name, carrier);
}

QString RelayText::viaStatus(const QString &carrier)
{
    return tr("online, via %1").arg(carrier);
}

QString RelayText::heldByState(const QStringList &helperNames)
{
    return tr("held by %1", "an own message's state: the contacts keeping it")
        .arg(GroupText::nameList(helperNames));
}

QString RelayText::heldBy(const QStringList &helperNames, const QString &recipientName)
{
    return tr("Held by %1 until %2 is back", "the helpers' names, the recipient's name")
        .arg(GroupText::nameList(helperNames), recipientName);
}
