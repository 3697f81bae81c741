// SPDX-License-Identifier: GPL-3.0-or-later
// Messenger's history search (issue 15): forwarded to the history's search index
// (core/storage/searchtable), with who wrote each message found.
#include "messenger/messenger.h"

#include "storage/messagestore.h"

namespace {
// More than a person reads; a limit keeps a search of "a" in a million messages short.
constexpr int MaxSearchResults = 1'000;
} // namespace

QList<SearchHit> Messenger::search(const QString &text,
                                   const QString &conversation,
                                   int limit,
                                   QString *error) const
{
    QString ignored;
    QString *err = error ? error : &ignored;
    if (text.trimmed().isEmpty()) {
        *err = tr("Type something to search for.");
        return {};
    }
    if (limit < 1) {
        *err = tr("The number of results must be at least 1.");
        return {};
    }
    const QList<ChatMessage> found
        = m_store->search(text, conversation, qMin(limit, MaxSearchResults), err);
    return searchHits(found);
}

QList<SearchHit> Messenger::searchHits(const QList<ChatMessage> &found) const
{
    QList<SearchHit> hits;
    hits.reserve(found.size());
    for (const ChatMessage &m : found) {
        SearchHit hit;
        hit.id = m.id;
        hit.conversation = m.peerId;
        hit.outgoing = m.outgoing;
        hit.from = m.outgoing ? id() : (m.author.isEmpty() ? m.peerId : m.author);
        hit.text = m.text;
        hit.sentAt = m.sentAt;
        hit.seq = m.seq;
        hit.kind = m.kind;
        hits.append(hit);
    }
    return hits;
}

bool Messenger::searchIndexReady() const
{
    return m_store->searchIndexReady();
}

QList<ChatMessage> Messenger::historyAround(
    const QString &conversation, const QUuid &id, int before, int after, QString *error) const
{
    const QList<ChatMessage> rows = m_store->historyAround(conversation, id, before, after);
    if (rows.isEmpty() && error)
        *error = tr("There is no message %1 in this conversation.")
                     .arg(id.toString(QUuid::WithoutBraces));
    return rows;
}
