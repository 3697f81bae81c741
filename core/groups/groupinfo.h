// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/chatmessage.h"

#include <QList>
#include <QMetaType>
#include <QString>

// A group as the user interfaces see it (docs/groups.md).
struct GroupMemberInfo
{
    QString id;
    QString name;        // the name the peer goes by here (roster), else the one it was added with
    bool online = false; // its chat stream is up (always true for this profile)
};

struct GroupInfo
{
    QString id; // 32 lowercase hex digits (a peer's ID has 64)
    QString name;
    QString owner;                  // its creator: the only member who may remove others
    QList<GroupMemberInfo> members; // current members, this profile included while it is one
    bool isMember = false;          // false once this profile left or was removed
    int unread = 0;
};

// Where one of this profile's group messages stands with one member.
struct GroupDelivery
{
    QString member;
    MessageState state = MessageState::Queued; // Queued (not there yet), Delivered, Read
};

Q_DECLARE_METATYPE(GroupInfo)

// Whether `id` names a group (32 hex digits) rather than a peer (64).
bool isGroupId(const QString &id);
