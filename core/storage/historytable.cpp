// SPDX-License-Identifier: GPL-3.0-or-later
#include "historytable.h"

#include "storage/sqlrows.h"

#include <QSqlError>

using namespace Qt::StringLiterals;
using namespace SqlRows;

// Forward-only: never edit a step that has shipped; add one. (messages_waiting is the
// outgoing queue's, peers the peer table's: OutgoingQueue::schema(), PeerTable::schema().)
SchemaSteps HistoryTable::schema()
{
    return {
        {1,
         {u"CREATE TABLE messages ("
          u" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
          u" id BLOB NOT NULL UNIQUE,"
          u" peer_id TEXT NOT NULL,"
          u" outgoing INTEGER NOT NULL,"
          u" sent_at INTEGER NOT NULL,"
          u" received_at INTEGER NOT NULL,"
          u" text TEXT NOT NULL,"
          u" state INTEGER NOT NULL)"_s,
          u"CREATE INDEX messages_by_conversation ON messages (peer_id, sent_at, seq)"_s}},
        // conversations, read receipts, and an index for the unread counts
        {2,
         {u"CREATE TABLE conversations ("
          u" peer_id TEXT PRIMARY KEY,"
          u" last_message_at INTEGER NOT NULL)"_s,
          u"INSERT INTO conversations (peer_id, last_message_at)"
          u" SELECT peer_id, MAX(sent_at) FROM messages GROUP BY peer_id"_s,
          u"ALTER TABLE messages ADD COLUMN receipt_sent INTEGER NOT NULL DEFAULT 0"_s,
          u"CREATE INDEX messages_unread ON messages (peer_id)"
          u" WHERE outgoing = 0 AND state = 2"_s}},
        // read receipts still to send, found without walking the whole conversation (on every
        // connect; 30 ms for a 100,000-message conversation without it)
        {3,
         {u"CREATE INDEX messages_receipts ON messages (peer_id)"
          u" WHERE outgoing = 0 AND state = 3 AND receipt_sent = 0"_s}},
        // a message is (sender, ID), not ID: one peer's ID no longer shadows another's message
        // (the table is rebuilt: SQLite cannot drop a UNIQUE constraint); shown in the order of
        // arrival here, not by the sender's clock (seq, not sent_at); the conversation list
        // ordered by our clock too
        {4,
         {u"CREATE TABLE messages_v4 ("
          u" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
          u" id BLOB NOT NULL,"
          u" peer_id TEXT NOT NULL,"
          u" outgoing INTEGER NOT NULL,"
          u" sent_at INTEGER NOT NULL,"
          u" received_at INTEGER NOT NULL,"
          u" text TEXT NOT NULL,"
          u" state INTEGER NOT NULL,"
          u" receipt_sent INTEGER NOT NULL DEFAULT 0,"
          u" UNIQUE (id, peer_id, outgoing))"_s,
          u"INSERT INTO messages_v4 (seq, id, peer_id, outgoing, sent_at, received_at, text, state,"
          u" receipt_sent) SELECT seq, id, peer_id, outgoing, sent_at, received_at, text, state,"
          u" receipt_sent FROM messages ORDER BY seq"_s,
          // seq keeps growing from where it was, past messages deleted at the end
          u"DELETE FROM sqlite_sequence WHERE name = 'messages_v4'"_s,
          u"INSERT INTO sqlite_sequence (name, seq)"
          u" SELECT 'messages_v4', seq FROM sqlite_sequence WHERE name = 'messages'"_s,
          u"DROP TABLE messages"_s,
          u"ALTER TABLE messages_v4 RENAME TO messages"_s,
          u"CREATE INDEX messages_by_arrival ON messages (peer_id, seq)"_s,
          u"CREATE INDEX messages_unread ON messages (peer_id)"
          u" WHERE outgoing = 0 AND state = 2"_s,
          u"CREATE INDEX messages_receipts ON messages (peer_id)"
          u" WHERE outgoing = 0 AND state = 3 AND receipt_sent = 0"_s,
          u"UPDATE conversations SET last_message_at = (SELECT MAX(received_at) FROM messages"
          u" WHERE messages.peer_id = conversations.peer_id)"
          u" WHERE peer_id IN (SELECT peer_id FROM messages)"_s}},
        // unread counts kept, not counted at every start (a GROUP BY over half a million
        // unread messages took ~0.1 s): counted once here, then kept by the writer in the
        // transaction that changes the rows, one row per peer and batch (triggers cost 1-4.5 µs
        // per received message). Incoming rows are stored unread (Delivered) and only ever
        // become Read; SQL that writes messages another way must keep this table too.
        {5,
         {u"CREATE TABLE unread_counts ("
          u" peer_id TEXT PRIMARY KEY,"
          u" unread INTEGER NOT NULL) WITHOUT ROWID"_s,
          u"INSERT INTO unread_counts (peer_id, unread) SELECT peer_id, COUNT(*) FROM messages"
          u" WHERE outgoing = 0 AND state = 2 GROUP BY peer_id"_s,
          // whether the person has written to them, kept by the writer with last_message_at
          // (found by a probe that walked a whole conversation of theirs: 0.1-0.7 s at start
          // for 5 conversations of 100,000 messages that are all theirs)
          u"ALTER TABLE conversations ADD COLUMN written_to INTEGER NOT NULL DEFAULT 0"_s,
          u"UPDATE conversations SET written_to = 1 WHERE EXISTS (SELECT 1 FROM messages"
          u" WHERE messages.peer_id = conversations.peer_id AND outgoing = 1)"_s}},
        // a message names its peer by a small integer, not by the 64-character ID that led
        // every index, stored and compared on every insert and update (a flood's CPU went
        // 18 % down with it; docs/storage.md); rebuilt as in 4 (SQLite cannot drop a column in
        // a UNIQUE constraint). conversations and unread_counts keep the ID: one row per peer.
        {6,
         {u"CREATE TABLE peer_keys ("
          u" key INTEGER PRIMARY KEY,"
          u" peer_id TEXT NOT NULL UNIQUE)"_s,
          u"INSERT INTO peer_keys (peer_id) SELECT DISTINCT peer_id FROM messages"_s,
          u"CREATE TABLE messages_v6 ("
          u" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
          u" id BLOB NOT NULL,"
          u" peer_key INTEGER NOT NULL,"
          u" outgoing INTEGER NOT NULL,"
          u" sent_at INTEGER NOT NULL,"
          u" received_at INTEGER NOT NULL,"
          u" text TEXT NOT NULL,"
          u" state INTEGER NOT NULL,"
          u" receipt_sent INTEGER NOT NULL DEFAULT 0,"
          u" UNIQUE (id, peer_key, outgoing))"_s,
          u"INSERT INTO messages_v6 (seq, id, peer_key, outgoing, sent_at, received_at, text,"
          u" state, receipt_sent) SELECT seq, id,"
          u" (SELECT key FROM peer_keys WHERE peer_keys.peer_id = messages.peer_id), outgoing,"
          u" sent_at, received_at, text, state, receipt_sent FROM messages ORDER BY seq"_s,
          u"DELETE FROM sqlite_sequence WHERE name = 'messages_v6'"_s,
          u"INSERT INTO sqlite_sequence (name, seq)"
          u" SELECT 'messages_v6', seq FROM sqlite_sequence WHERE name = 'messages'"_s,
          u"DROP TABLE messages"_s,
          u"ALTER TABLE messages_v6 RENAME TO messages"_s,
          u"CREATE INDEX messages_by_arrival ON messages (peer_key, seq)"_s,
          u"CREATE INDEX messages_unread ON messages (peer_key)"
          u" WHERE outgoing = 0 AND state = 2"_s,
          u"CREATE INDEX messages_receipts ON messages (peer_key)"
          u" WHERE outgoing = 0 AND state = 3 AND receipt_sent = 0"_s}},
        // what an item is: a message, or a file transfer's place in the conversation (0: a
        // message, as every row before). A column added with a constant default: SQLite
        // rewrites no row.
        {7, {u"ALTER TABLE messages ADD COLUMN kind INTEGER NOT NULL DEFAULT 0"_s}},
        // who wrote a message of a group's conversation (peer_key is then the group's ID);
        // NULL in 1:1, as every row before: no row is rewritten
        {8, {u"ALTER TABLE messages ADD COLUMN author TEXT"_s}},
        // the message a message replies to (its 16-byte ID; issue 15); NULL when it replies to
        // none, as every row before: no row is rewritten
        {9, {u"ALTER TABLE messages ADD COLUMN reply_to BLOB"_s}},
    };
}

struct HistoryTable::Queries
{
    explicit Queries(const QSqlDatabase &db)
        : byKey(db)
        , byId(db)
        , newest(db)
        , before(db)
        , after(db)
        , conversation(db)
        , count(db)
        , receipts(db)
        , unread(db)
        , unreadCounts(db)
        , conversationPeers(db)
        , writtenTo(db)
    {
        for (QSqlQuery *q : {&newest, &before, &after, &conversation, &receipts, &unread})
            q->setForwardOnly(true);
    }
    bool prepare()
    {
        const QString select = u"SELECT %1 FROM messages WHERE "_s.arg(QLatin1StringView(Columns));
        const QString peerIs = QLatin1StringView(PeerIs);
        return byKey.prepare(select + QLatin1StringView(ByKey))
               // Ours first: an outgoing ID is unique (we made it), an incoming one need not be.
               && byId.prepare(select + u"id = ? ORDER BY outgoing DESC, seq LIMIT 1"_s)
               // In the order of arrival here (seq), never by the sender's clock.
               && newest.prepare(select + peerIs + u" ORDER BY seq DESC LIMIT ?"_s)
               && before.prepare(select + peerIs + u" AND seq < ? ORDER BY seq DESC LIMIT ?"_s)
               && after.prepare(select + peerIs + u" AND seq > ? ORDER BY seq LIMIT ?"_s)
               && conversation.prepare(select + peerIs + u" ORDER BY seq"_s)
               && count.prepare(u"SELECT COUNT(*) FROM messages WHERE "_s + peerIs)
               && receipts.prepare(select + peerIs
                                   + u" AND outgoing = 0 AND state = 3"
                                     u" AND receipt_sent = 0 ORDER BY seq"_s)
               && unread.prepare(select + peerIs + u" AND outgoing = 0 AND state = 2 ORDER BY seq"_s)
               && unreadCounts.prepare(
                   u"SELECT peer_id, unread FROM unread_counts WHERE unread > 0"_s)
               // Peers only: a group's conversation (its 32-character ID; a peer's has 64) is
               // not someone to list, dial or queue for.
               && conversationPeers.prepare(u"SELECT peer_id FROM conversations"
                                            u" WHERE length(peer_id) = 64"
                                            u" ORDER BY last_message_at DESC"_s)
               && writtenTo.prepare(u"SELECT peer_id FROM conversations"
                                    u" WHERE written_to = 1 AND length(peer_id) = 64"_s);
    }
    QSqlQuery byKey, byId, newest, before, after, conversation, count, receipts, unread,
        unreadCounts, conversationPeers, writtenTo;
};

HistoryTable::HistoryTable(WritesAhead ahead)
    : m_ahead(ahead)
{}

HistoryTable::~HistoryTable() = default;

bool HistoryTable::prepareQueries()
{
    m_q = std::make_unique<Queries>(db());
    if (m_q->prepare())
        return true;
    m_q.reset();
    return false;
}

void HistoryTable::releaseQueries()
{
    m_q.reset();
}

std::optional<ChatMessage> HistoryTable::stored(const MessageKey &key) const
{
    if (!m_q)
        return std::nullopt;
    counted();
    return selectByKey(m_q->byKey, key);
}

std::optional<ChatMessage> HistoryTable::storedById(const QUuid &id) const
{
    if (!m_q)
        return std::nullopt;
    counted();
    QSqlQuery &q = m_q->byId;
    q.addBindValue(id.toRfc4122());
    std::optional<ChatMessage> out;
    if (q.exec() && q.next())
        out = fromRow(q);
    q.finish();
    return out;
}

QList<ChatMessage> HistoryTable::page(const QString &peerId,
                                      int limit,
                                      const std::optional<ChatMessage> &before) const
{
    if (!m_q)
        return {};
    QList<ChatMessage> rows = before ? select(m_q->before,
                                              {peerId, before->seq, limit},
                                              m_ahead.inFlight)
                                     : select(m_q->newest, {peerId, limit}, m_ahead.inFlight);
    std::reverse(rows.begin(), rows.end());
    return rows;
}

QList<ChatMessage> HistoryTable::pageAfter(const QString &peerId, int limit, qint64 afterSeq) const
{
    return m_q ? select(m_q->after, {peerId, afterSeq, limit}, m_ahead.inFlight)
               : QList<ChatMessage>();
}

QList<ChatMessage> HistoryTable::conversation(const QString &peerId) const
{
    return m_q ? select(m_q->conversation, {peerId}, m_ahead.inFlight) : QList<ChatMessage>();
}

qint64 HistoryTable::count(const QString &peerId) const
{
    if (!m_q)
        return 0;
    counted();
    QSqlQuery &q = m_q->count;
    q.addBindValue(peerId);
    const qint64 n = q.exec() && q.next() ? q.value(0).toLongLong() : 0;
    q.finish();
    return n;
}

QList<ChatMessage> HistoryTable::pendingReceipts(const QString &peerId) const
{
    return m_q ? select(m_q->receipts, {peerId}, m_ahead.inFlight) : QList<ChatMessage>();
}

QList<ChatMessage> HistoryTable::unread(const QString &peerId) const
{
    return m_q ? select(m_q->unread, {peerId}, m_ahead.inFlight) : QList<ChatMessage>();
}

QHash<QString, int> HistoryTable::unreadCounts() const
{
    QHash<QString, int> out;
    if (!m_q)
        return out;
    counted();
    QSqlQuery &q = m_q->unreadCounts;
    if (q.exec()) {
        while (q.next())
            out.insert(q.value(0).toString(), q.value(1).toInt());
    }
    q.finish();
    return out;
}

namespace {

QStringList firstColumn(QSqlQuery &q)
{
    QStringList out;
    if (q.exec()) {
        while (q.next())
            out.append(q.value(0).toString());
    }
    q.finish();
    return out;
}

} // namespace

QStringList HistoryTable::conversationPeers() const
{
    if (!m_q)
        return {};
    counted();
    return firstColumn(m_q->conversationPeers);
}

QStringList HistoryTable::peersWrittenTo() const
{
    return m_q ? firstColumn(m_q->writtenTo) : QStringList();
}
