// SPDX-License-Identifier: GPL-3.0-or-later
// Messenger's group commands: placeholders until the group service lands (this file is replaced
// by the one that forwards to GroupService).
#include "messenger/messenger.h"

bool isGroupId(const QString &id)
{
    if (id.size() != 32)
        return false;
    for (const QChar c : id) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    }
    return true;
}

namespace {
bool notYet(QString *error)
{
    if (error)
        *error = Messenger::tr("Groups are not available yet.");
    return false;
}
} // namespace

std::optional<QString> Messenger::createGroup(const QString &, const QStringList &, QString *error)
{
    notYet(error);
    return std::nullopt;
}
bool Messenger::addGroupMembers(const QString &, const QStringList &, QString *error)
{
    return notYet(error);
}
bool Messenger::removeGroupMember(const QString &, const QString &, QString *error)
{
    return notYet(error);
}
bool Messenger::leaveGroup(const QString &, QString *error)
{
    return notYet(error);
}
bool Messenger::renameGroup(const QString &, const QString &, QString *error)
{
    return notYet(error);
}
std::optional<QUuid> Messenger::sendGroupMessage(const QString &, const QString &, QString *error)
{
    notYet(error);
    return std::nullopt;
}
QList<GroupInfo> Messenger::groups() const
{
    return {};
}
std::optional<GroupInfo> Messenger::group(const QString &) const
{
    return std::nullopt;
}
QList<GroupDelivery> Messenger::groupDeliveries(const QUuid &) const
{
    return {};
}
QList<QUuid> Messenger::sendToMany(const QStringList &, const QString &, QString *error)
{
    notYet(error);
    return {};
}
