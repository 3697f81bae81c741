// SPDX-License-Identifier: GPL-3.0-or-later
// Searching in the window (issue 15): Messenger::search() off the GUI thread.
#include "messenger/messenger.h"

#include "storage/messagestore.h"
#include "storage/searchworker.h"

namespace {
constexpr int MaxSearchResults = 1'000; // as Messenger::search()
} // namespace

quint64 Messenger::startSearch(const QString &text, const QString &conversation, int limit)
{
    const quint64 ticket = ++m_searchTicket;
    // A history in memory has one connection (this thread's); bad input needs no SQL.
    if (m_store->isInMemory() || m_config.profileDir.isEmpty() || text.trimmed().isEmpty()
        || limit < 1) {
        QString error;
        const QList<SearchHit> hits = search(text, conversation, limit, &error);
        QMetaObject::invokeMethod(
            this,
            [this, ticket, hits, error] { Q_EMIT searchFinished(ticket, hits, error); },
            Qt::QueuedConnection);
        return ticket;
    }
    if (!m_searchWorker) {
        m_searchWorker = new SearchWorker(MessageStore::historyPath(m_config.profileDir), this);
        connect(m_searchWorker,
                &SearchWorker::finished,
                this,
                [this](quint64 ticket, const QList<ChatMessage> &found, const QString &error) {
                    Q_EMIT searchFinished(ticket, searchHits(found), error);
                });
    }
    m_searchWorker->request(ticket, text, conversation, qMin(limit, MaxSearchResults));
    return ticket;
}
