// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/storeconcern.h"

#include <QSqlQuery>
#include <QUuid>

#include <memory>

// History search: the full-text index `search_index` (SQLite FTS5 over messages.text, tokenized
// by SearchTokenizer), kept in step with `messages` by the writer (IndexNewRows) and a delete
// trigger, and the reads over it. An
// older history's rows are indexed in the background (SearchFill), newest first, below a
// watermark (`search_fill.unindexed_max`: rows with a seq up to it are not indexed yet).
class SearchTable final : public StoreConcern
{
public:
    explicit SearchTable(WritesAhead ahead);
    ~SearchTable() override;

    static SchemaSteps schema();

    // The messages whose text holds `text` (a phrase of whole words, or characters for
    // Chinese and the like), newest first (order of arrival), at most `limit`, in `conversation` (a
    // peer's or a group's ID) or in all when it is empty. Empty and *error set when `text` has
    // nothing to search for.
    QList<ChatMessage> search(const QString &text,
                              const QString &conversation,
                              int limit,
                              QString *error) const;
    // Run by the writer at the end of every batch that added messages, in its transaction: the
    // rows above `search_fill.indexed_top` (what the batch added, and what SQL outside the
    // writer inserted since) are indexed, and indexed_top moves up to the newest.
    static constexpr auto IndexNewRows
        = "INSERT INTO search_index (rowid, text, peer_key) SELECT seq, text, peer_key"
          " FROM messages WHERE seq > (SELECT indexed_top FROM search_fill) AND kind <> 2";
    static constexpr auto MoveIndexedTop
        = "UPDATE search_fill SET indexed_top = (SELECT coalesce(max(seq), 0) FROM messages)"
          " WHERE indexed_top < (SELECT coalesce(max(seq), 0) FROM messages)";
    // The watermark: rows with a seq up to it are not indexed yet (0: all are).
    qint64 unindexedMax() const;

    // The FTS5 query for `text` in `conversationKey` (peer_keys.key, or -1 for all); empty
    // when `text` has nothing to search for. User text is always one quoted phrase: never
    // query syntax.
    static QString matchExpression(const QString &text, qint64 conversationKey);

    // The background fill, on a connection of its own (SearchFill's): indexes the rows below
    // the watermark with a seq above `watermark - MaxFillSeqs`, in one transaction with the
    // watermark's move. Returns the rows indexed and sets *watermark to the new one, or -1 and
    // *error.
    static constexpr qint64 MaxFillSeqs = 4'096;
    static qint64 fillChunk(QSqlDatabase &db, qint64 *watermark, QString *error);
    // How far the fill is, in rows of the history by seq (group events and deleted rows
    // count): indexed and in all.
    static bool fillProgress(QSqlDatabase &db, qint64 *indexed, qint64 *total);

protected:
    bool prepareQueries() override;
    void releaseQueries() override;

private:
    struct Queries;
    WritesAhead m_ahead;
    std::unique_ptr<Queries> m_q;
};
