// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/chatmessage.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QUuid>

// One message found by a history search (Messenger::search()).
struct SearchHit
{
    QUuid id;
    QString conversation; // the peer's or the group's ID
    bool outgoing = false;
    QString from; // the author's peer ID (ours for outgoing)
    QString text;
    QDateTime sentAt; // the sender's clock
    qint64 seq = 0;   // arrival order in this profile's store: newer is higher
    MessageKind kind = MessageKind::Text;
};

Q_DECLARE_METATYPE(SearchHit)
