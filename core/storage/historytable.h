// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/storeconcern.h"

#include <QSqlQuery>

#include <memory>
#include <optional>

// The messages as stored: the `messages`, `conversations` and `unread_counts` tables and the
// reads over them (a page, a conversation, counts, unread messages, read receipts due).
// Reads run on MessageStore's connection and see what committed() has reported: rows
// committed but not reported yet (WritesAhead::inFlight) are left out.
class HistoryTable final : public StoreConcern
{
public:
    explicit HistoryTable(WritesAhead ahead);
    ~HistoryTable() override;

    static SchemaSteps schema();

    std::optional<ChatMessage> stored(const MessageKey &key) const;
    // Ours with this ID if there is one, else a peer's.
    std::optional<ChatMessage> storedById(const QUuid &id) const;
    QList<ChatMessage> page(const QString &peerId,
                            int limit,
                            const std::optional<ChatMessage> &before) const;
    // Up to `limit` messages that arrived after the one with seq `afterSeq`, oldest first.
    QList<ChatMessage> pageAfter(const QString &peerId, int limit, qint64 afterSeq) const;
    QList<ChatMessage> conversation(const QString &peerId) const;
    qint64 count(const QString &peerId) const;
    QList<ChatMessage> pendingReceipts(const QString &peerId) const;
    QList<ChatMessage> unread(const QString &peerId) const;
    // Kept by the writer in the same transaction as the rows (schema 5): no count at start.
    QHash<QString, int> unreadCounts() const;
    // Peers only (a 64-character ID), never a group.
    QStringList conversationPeers() const;
    // Kept with the conversation (schema 5): once written to, always (a message of ours
    // deleted while waiting does not undo it). Peers only.
    QStringList peersWrittenTo() const;

protected:
    bool prepareQueries() override;
    void releaseQueries() override;

private:
    struct Queries;
    WritesAhead m_ahead;
    std::unique_ptr<Queries> m_q;
};
