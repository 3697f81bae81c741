// SPDX-License-Identifier: GPL-3.0-or-later
#include "searchtable.h"

#include "storage/searchtokenizer.h"
#include "storage/sqlrows.h"

#include <QLoggingCategory>
#include <QSqlError>

Q_DECLARE_LOGGING_CATEGORY(lcStorage)

using namespace Qt::StringLiterals;
using namespace SqlRows;

// Forward-only: never edit a step that has shipped; add one.
SchemaSteps SearchTable::schema()
{
    return {
        // The index: external content (the text stays in messages only; the index holds the
        // tokens), rowid = messages.seq, so newest first is the index's own order. peer_key is
        // indexed as a token, so that a search in one conversation is one more term of the
        // query, not a filter over every match. Group events (kind 2) are not text anyone
        // wrote. Indexed are the rows in (unindexed_max, indexed_top]: below, the background
        // fill has not reached them yet (an older history); above, the writer indexes them at
        // the end of its batch (IndexNewRows; a trigger per row cost ~35 µs a message: FTS5
        // writes a segment at every statement). Texts are never updated; a row deleted is
        // taken out of the index with the values it was indexed with (external content: the
        // index cannot find them itself), but only if it was indexed.
        {10,
         {u"CREATE VIRTUAL TABLE search_index USING fts5(text, peer_key, content = 'messages',"
          u" content_rowid = 'seq', columnsize = 0, tokenize = 'shoal')"_s,
          u"CREATE TABLE search_fill (unindexed_max INTEGER NOT NULL,"
          u" indexed_top INTEGER NOT NULL)"_s,
          u"INSERT INTO search_fill (unindexed_max, indexed_top)"
          u" SELECT coalesce(max(seq), 0), coalesce(max(seq), 0) FROM messages"_s,
          u"CREATE TRIGGER search_index_remove AFTER DELETE ON messages WHEN old.kind <> 2"
          u" AND old.seq > (SELECT unindexed_max FROM search_fill)"
          u" AND old.seq <= (SELECT indexed_top FROM search_fill)"
          u" BEGIN INSERT INTO search_index (search_index, rowid, text, peer_key)"
          u" VALUES ('delete', old.seq, old.text, old.peer_key); END"_s}},
    };
}

struct SearchTable::Queries
{
    explicit Queries(const QSqlDatabase &db)
        : key(db)
        , match(db)
        , watermark(db)
    {}
    bool prepare()
    {
        using namespace SqlRows;
        // The query over the index is prepared at the first search, not here: preparing it
        // reads the index's own tables, and a damaged page there must not stop the history
        // from opening (tst_messagestore damagedHistoryReportedAndKept).
        return key.prepare(u"SELECT key FROM peer_keys WHERE peer_id = ?"_s)
               && watermark.prepare(u"SELECT unindexed_max FROM search_fill"_s);
    }
    bool prepareMatch()
    {
        if (matchPrepared)
            return true;
        // FTS5 walks its doclists newest first and stops at the limit.
        matchPrepared = match.prepare(
            u"SELECT "_s + QString::fromLatin1(SqlRows::Columns)
            + u" FROM messages WHERE seq IN (SELECT rowid FROM search_index"
              u" WHERE search_index MATCH ? ORDER BY rowid DESC LIMIT ?)"
              u" ORDER BY seq DESC"_s);
        return matchPrepared;
    }
    QSqlQuery key, match, watermark;
    bool matchPrepared = false;
};

SearchTable::SearchTable(WritesAhead ahead)
    : m_ahead(ahead)
{}

SearchTable::~SearchTable() = default;

bool SearchTable::prepareQueries()
{
    m_q = std::make_unique<Queries>(db());
    if (m_q->prepare())
        return true;
    m_q.reset();
    return false;
}

void SearchTable::releaseQueries()
{
    m_q.reset();
}

QString SearchTable::matchExpression(const QString &text, qint64 conversationKey)
{
    // One FTS5 string: its only special character is '"' (doubled). What the tokenizer skips
    // (spaces, control characters) becomes a space, so a NUL never ends the expression early.
    QString phrase;
    phrase.reserve(text.size() + 8);
    bool searchable = false;
    for (const char32_t c : QStringView(text).toUcs4()) {
        const bool skipped = SearchTokenizer::isSkipped(c);
        searchable = searchable || !skipped;
        if (skipped)
            phrase.append(u' ');
        else if (c == u'"')
            phrase.append(u"\"\""_s);
        else
            phrase.append(QString::fromUcs4(&c, 1));
    }
    if (!searchable)
        return {};
    // Whole words: no prefix query ("hel" does not find "Hello"). FTS5 reads the whole
    // doclist of every term a prefix matches before it returns a row: "the*" took 260 ms over a
    // million messages, "the" 0.2 ms (bench/searchbench.cpp).
    QString expr = u"text : \""_s + phrase + u'"';
    if (conversationKey >= 0)
        expr = u"peer_key : \"%1\" AND "_s.arg(conversationKey) + expr;
    return expr;
}

QList<ChatMessage> SearchTable::search(const QString &text,
                                       const QString &conversation,
                                       int limit,
                                       QString *error) const
{
    if (!m_q)
        return {};
    qint64 key = -1;
    if (!conversation.isEmpty()) {
        counted();
        QSqlQuery &q = m_q->key;
        q.addBindValue(conversation);
        const bool found = q.exec() && q.next();
        key = found ? q.value(0).toLongLong() : -1;
        q.finish();
        if (!found)
            return {}; // no message with them at all
    }
    const QString expr = matchExpression(text, key);
    if (expr.isEmpty()) {
        *error = QObject::tr("There is nothing to search for in \"%1\".").arg(text);
        return {};
    }
    if (!m_q->prepareMatch()) {
        qCWarning(lcStorage) << "search:" << m_q->match.lastError().text();
        *error
            = QObject::tr("The history cannot be searched: %1").arg(m_q->match.lastError().text());
        return {};
    }
    return select(m_q->match, {expr, limit}, m_ahead.inFlight);
}

qint64 SearchTable::unindexedMax() const
{
    if (!m_q)
        return 0;
    counted();
    QSqlQuery &q = m_q->watermark;
    const qint64 w = q.exec() && q.next() ? q.value(0).toLongLong() : 0;
    q.finish();
    return w;
}

qint64 SearchTable::fillChunk(QSqlDatabase &db, qint64 *watermark, QString *error)
{
    QSqlQuery q(db);
    // IMMEDIATE: the watermark read below is the one this transaction moves (a writer that
    // deletes a row meanwhile reads it in its own transaction, before or after this one).
    if (!q.exec(u"BEGIN IMMEDIATE"_s)) {
        *error = q.lastError().text();
        return -1;
    }
    const auto fail = [&] {
        *error = q.lastError().text();
        QSqlQuery(db).exec(u"ROLLBACK"_s);
        return qint64(-1);
    };
    if (!q.exec(u"SELECT unindexed_max FROM search_fill"_s) || !q.next())
        return fail();
    const qint64 top = q.value(0).toLongLong();
    const qint64 bottom = qMax<qint64>(0, top - MaxFillSeqs);
    q.finish();
    qint64 rows = 0;
    if (top > 0) {
        if (!q.prepare(u"INSERT INTO search_index (rowid, text, peer_key)"
                       u" SELECT seq, text, peer_key FROM messages"
                       u" WHERE seq > ? AND seq <= ? AND kind <> 2"_s))
            return fail();
        q.addBindValue(bottom);
        q.addBindValue(top);
        if (!q.exec())
            return fail();
        rows = q.numRowsAffected();
        if (!q.prepare(u"UPDATE search_fill SET unindexed_max = ?"_s))
            return fail();
        q.addBindValue(bottom);
        if (!q.exec())
            return fail();
    }
    if (!q.exec(u"COMMIT"_s))
        return fail();
    *watermark = bottom;
    return rows;
}

bool SearchTable::fillProgress(QSqlDatabase &db, qint64 *indexed, qint64 *total)
{
    // By seq, not by counting rows: a count of the rows above the watermark reads the table's
    // pages (a million messages, ~300 MB); the seq range is known from two index probes. A row
    // deleted counts as done.
    QSqlQuery q(db);
    if (!q.exec(u"SELECT (SELECT coalesce(max(seq), 0) FROM messages),"
                u" (SELECT unindexed_max FROM search_fill)"_s)
        || !q.next())
        return false;
    *total = q.value(0).toLongLong();
    *indexed = *total - qMin(*total, q.value(1).toLongLong());
    return true;
}
