// SPDX-License-Identifier: GPL-3.0-or-later
#include "storewriter.h"

#include "storage/searchtable.h"
#include "storage/sqliteconnection.h"
#include "storage/sqlrows.h"

#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QSet>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <limits>

#include <sqlite3.h>

using namespace Qt::StringLiterals;
using namespace SqlRows;
using namespace StoreWrite;

Q_LOGGING_CATEGORY(lcWriter, "shoal.storage.writer")

namespace {

// A statement of the commit path, run through SQLite itself: through QSqlQuery, binding a
// value (QSqlResult::addBindValue: a QString::arg and a hash look-up each, then QVariants)
// cost a quarter of a commit's time, ~4 µs a message here. Bound as QSQLite binds: texts as
// UTF-16, byte arrays as blobs, null ones as NULL, bools as integers.
class Statement
{
public:
    Statement() = default;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    ~Statement() { sqlite3_finalize(m_s); }

    bool prepare(sqlite3 *db, const char *sql)
    {
        m_db = db;
        return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_s, nullptr)
               == SQLITE_OK;
    }
    void bind(int i, qint64 v) { sqlite3_bind_int64(m_s, i, v); }
    void bind(int i, const QString &v)
    {
        if (v.isNull())
            sqlite3_bind_null(m_s, i);
        else
            sqlite3_bind_text16(m_s, i, v.utf16(), int(v.size() * 2), SQLITE_TRANSIENT);
    }
    void bind(int i, const QByteArray &v)
    {
        if (v.isNull())
            sqlite3_bind_null(m_s, i);
        else
            sqlite3_bind_blob(m_s, i, v.constData(), int(v.size()), SQLITE_TRANSIENT);
    }
    // Runs it to its end and resets it; false with *error set when SQLite refuses.
    bool exec(QString *error)
    {
        const int rc = sqlite3_step(m_s);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            *error = QString::fromUtf8(sqlite3_errmsg(m_db));
        sqlite3_reset(m_s);
        return rc == SQLITE_DONE || rc == SQLITE_ROW;
    }
    // Runs it for its first row's first column as an integer and resets it; nullopt without a
    // row (or with *error set when SQLite refuses).
    std::optional<qint64> integer(QString *error)
    {
        const int rc = sqlite3_step(m_s);
        std::optional<qint64> out;
        if (rc == SQLITE_ROW)
            out = sqlite3_column_int64(m_s, 0);
        else if (rc != SQLITE_DONE)
            *error = QString::fromUtf8(sqlite3_errmsg(m_db));
        sqlite3_reset(m_s);
        return out;
    }
    qint64 changes() const { return sqlite3_changes64(m_db); }
    qint64 lastInsertId() const { return sqlite3_last_insert_rowid(m_db); }

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_s = nullptr;
};

// Adds in one INSERT, when a batch has that many in a row.
constexpr int InsertRun = 16;
// The values an add binds (Queries::insertSql()).
constexpr int AddValues = 10;
// State changes in one UPDATE over their rows, when a batch has at least that many in a row
// whose rows follow each other (a flood's acks).
constexpr int StateRunMin = 4;

} // namespace

struct StoreWriter::Queries
{
    static QByteArray insertSql(bool received, int rows)
    {
        QByteArray sql = received ? "INSERT OR IGNORE" : "INSERT";
        sql += " INTO messages (id, peer_key, outgoing, sent_at, received_at, text, state, kind,"
               " author, reply_to) VALUES ";
        for (int i = 0; i < rows; ++i)
            sql += i > 0 ? ", (?, ?, ?, ?, ?, CAST(? AS TEXT), ?, ?, ?, ?)"
                         : "(?, ?, ?, ?, ?, CAST(? AS TEXT), ?, ?, ?, ?)";
        return sql;
    }

    explicit Queries(const QSqlDatabase &db)
        : receipt(db)
        , remove(db)
        , forget(db)
        , forgetUnread(db)
        , peer(db)
        , byKey(db)
        , transfer(db)
        , manifest(db)
    {}
    bool prepare(sqlite3 *db)
    {
        // Texts are bound as UTF-8 (SqlRows::text), cast to TEXT.
        return insert.prepare(db, insertSql(false, 1).constData())
               && insertRun.prepare(db, insertSql(false, InsertRun).constData())
               && insertRunReceived.prepare(db, insertSql(true, InsertRun).constData())
               && lastSeq.prepare(db,
                                  "SELECT MAX(IFNULL((SELECT seq FROM sqlite_sequence"
                                  " WHERE name = 'messages'), 0), IFNULL(MAX(seq), 0))"
                                  " FROM messages")
               && insertReceived.prepare(db, insertSql(true, 1).constData())
               // The same with the row's seq, when it is known: a look-up by rowid, not in the
               // ID index (a fifth of an update). The key is checked all the same.
               && updateBySeq.prepare(db,
                                      "UPDATE messages SET state = ?1 WHERE seq = ?5 AND id = ?2"
                                      " AND peer_key = ?3 AND outgoing = ?4"
                                      " AND (state < ?1 OR (state = 1 AND ?1 = 0))")
               // A run of them (StateRunMin): the rows seq ?2 to ?3 are exactly the run's,
               // whose seqs this profile gave them (AUTOINCREMENT: never reused). Changed in
               // one statement only when every one of them moves (counted first: RETURNING
               // would cost 60 % more per row).
               && movable.prepare(db,
                                  "SELECT COUNT(*) FROM messages WHERE seq BETWEEN ?2 AND ?3"
                                  " AND peer_key = ?4 AND outgoing = ?5"
                                  " AND (state < ?1 OR (state = 1 AND ?1 = 0))")
               && updateRange.prepare(db,
                                      "UPDATE messages SET state = ?1 WHERE seq BETWEEN ?2 AND ?3"
                                      " AND peer_key = ?4 AND outgoing = ?5"
                                      " AND (state < ?1 OR (state = 1 AND ?1 = 0))")
               && update.prepare(db,
                                 "UPDATE messages SET state = ?1 WHERE id = ?2"
                                 " AND peer_key = ?3 AND outgoing = ?4"
                                 " AND (state < ?1 OR (state = 1 AND ?1 = 0))")
               && receipt.prepare(
                   u"UPDATE messages SET receipt_sent = 1 WHERE %1"_s.arg(QLatin1StringView(ByKey)))
               && remove.prepare(u"DELETE FROM messages WHERE id = ? AND outgoing = 1"
                                 u" AND state IN (0, 1)"_s)
               // Delete for oneself (issue 15): any one message, by its key. An ordinary DELETE:
               // what keeps other tables in step with messages (triggers) sees it.
               && forget.prepare(u"DELETE FROM messages WHERE %1"_s.arg(QLatin1StringView(ByKey)))
               && forgetUnread.prepare(u"UPDATE unread_counts SET unread = MAX(unread - 1, 0)"
                                       u" WHERE peer_id = ?"_s)
               && peer.prepare(
                   u"INSERT INTO peers (id, name, certificate, addresses, last_seen, avatar_hash)"
                   u" VALUES (?, CAST(? AS TEXT), ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                   u" name = excluded.name,"
                   // Avatars (issue 15): a record without a certificate (a picture changed)
                   // keeps the pinned one.
                   u" certificate = COALESCE(excluded.certificate, certificate),"
                   u" addresses = excluded.addresses, last_seen = excluded.last_seen,"
                   u" avatar_hash = excluded.avatar_hash"_s)
               && conversation
                      .prepare(db,
                               "INSERT INTO conversations (peer_id, last_message_at, written_to)"
                               " VALUES (?, ?, ?) ON CONFLICT (peer_id) DO UPDATE SET"
                               " last_message_at = MAX(last_message_at, excluded.last_message_at),"
                               " written_to = MAX(written_to, excluded.written_to)")
               && unread.prepare(db,
                                 "INSERT INTO unread_counts (peer_id, unread) VALUES (?, ?)"
                                 " ON CONFLICT (peer_id) DO UPDATE SET"
                                 " unread = unread + excluded.unread")
               && byKey.prepare(u"SELECT %1 FROM messages WHERE %2"_s.arg(QLatin1StringView(Columns),
                                                                          QLatin1StringView(ByKey)))
               && transfer.prepare(
                   u"INSERT OR REPLACE INTO transfers (id, peer_id, outgoing, created_at, name,"
                   u" size, files, entries, folder, manifest_hash, state, seen, source_dir,"
                   u" destination, saved_path, bytes_done, error) VALUES (?, ?, ?, ?,"
                   u" CAST(? AS TEXT), ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT),"
                   u" CAST(? AS TEXT), ?, CAST(? AS TEXT))"_s)
               && manifest.prepare(u"INSERT OR REPLACE INTO transfer_manifests (id, peer_id,"
                                   u" outgoing, manifest) VALUES (?, ?, ?, ?)"_s)
               && groupMessage
                      .prepare(db,
                               "INSERT OR IGNORE INTO group_messages (grp, author, seq,"
                               " lc, kind, body, sig, link) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
               // The newest receipt (highest delivered, then read): its body says so, signed,
               // so the row is replaced whole or not at all.
               && groupReceipt.prepare(
                   db,
                   "INSERT INTO group_receipts (grp, member, author, delivered, read, body, sig)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (grp, member, author) DO UPDATE SET"
                   " delivered = excluded.delivered, read = excluded.read, body = excluded.body,"
                   " sig = excluded.sig WHERE excluded.delivered > delivered"
                   " OR (excluded.delivered = delivered AND excluded.read > read)")
               && peerKey.prepare(db, "SELECT key FROM peer_keys WHERE peer_id = ?")
               && newPeerKey.prepare(db, "INSERT INTO peer_keys (peer_id) VALUES (?)")
               && begin.prepare(db, "BEGIN IMMEDIATE") && commit.prepare(db, "COMMIT")
               && rollback.prepare(db, "ROLLBACK")
               // --- Search (issue 15) ---
               && searchIndex.prepare(db, SearchTable::IndexNewRows)
               && searchTop.prepare(db, SearchTable::MoveIndexedTop);
        // --- end search ---
    }
    Statement searchIndex, searchTop; // Search (issue 15)
    Statement insert, insertReceived, insertRun, insertRunReceived, lastSeq, update, updateBySeq,
        movable, updateRange, conversation, unread, groupMessage, groupReceipt, peerKey, newPeerKey,
        begin, commit, rollback;
    QSqlQuery receipt, remove, forget, forgetUnread, peer, byKey, transfer, manifest;
};

StoreWriter::StoreWriter()
    : m_connection(u"shoal-writer-%1"_s.arg(QUuid::createUuid().toString(QUuid::Id128)))
{}

StoreWriter::~StoreWriter() = default;

bool StoreWriter::open(const QString &path, bool durable, QString *error)
{
    m_db = SqliteConnection::add(m_connection,
                                 path,
                                 durable ? SqliteConnection::Mode::ReadWrite
                                         : SqliteConnection::Mode::SharedMemory);
    QSqlQuery q(m_db);
    if (!m_db.open()
        // FULL: a commit is on disk when it returns, so nothing acknowledged or shown as sent
        // is lost with the power.
        || !q.exec(durable ? u"PRAGMA synchronous = FULL"_s : u"PRAGMA synchronous = OFF"_s)
        // 32 MiB of page cache: the message-ID index is written in random order.
        || !q.exec(u"PRAGMA cache_size = -32768"_s)) {
        *error = m_openError = m_db.lastError().text();
        return false;
    }
    q.finish();
    const QVariant handle = m_db.driver()->handle();
    sqlite3 *db = handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0
                      ? *static_cast<sqlite3 *const *>(handle.constData())
                      : nullptr;
    m_q = std::make_unique<Queries>(m_db);
    m_sqlite = db;
    if (!db || !m_q->prepare(db)) {
        *error = m_openError = db && m_db.lastError().type() == QSqlError::NoError
                                   ? QString::fromUtf8(sqlite3_errmsg(db))
                                   : m_db.lastError().text();
        m_q.reset();
        return false;
    }
    return true;
}

void StoreWriter::close()
{
    m_q.reset();
    SqliteConnection::remove(m_db, m_connection);
}

bool StoreWriter::setGrowthLimited(bool limited)
{
    QSqlQuery q(m_db);
    qint64 pages = std::numeric_limits<qint32>::max(); // SQLite's default at most
    if (limited) {
        if (!q.exec(u"PRAGMA page_count"_s) || !q.next())
            return false;
        pages = q.value(0).toLongLong();
        q.finish();
    }
    return q.exec(u"PRAGMA max_page_count = %1"_s.arg(pages));
}

std::optional<qint64> StoreWriter::peerKey(const QString &peerId, bool make, QString *error)
{
    if (const auto it = m_peerKeys.constFind(peerId); it != m_peerKeys.cend())
        return *it;
    m_q->peerKey.bind(1, peerId);
    std::optional<qint64> key = m_q->peerKey.integer(error);
    if (!key && make && error->isEmpty()) {
        m_q->newPeerKey.bind(1, peerId);
        if (m_q->newPeerKey.exec(error))
            key = m_q->newPeerKey.lastInsertId();
    }
    if (key)
        m_peerKeys.insert(peerId, *key);
    return key;
}

std::optional<ChatMessage> StoreWriter::stored(const MessageKey &key)
{
    return selectByKey(m_q->byKey, key);
}

namespace {

QList<ChatMessage> addsIn(const QList<Write> &writes)
{
    QList<ChatMessage> out;
    for (const Write &w : writes) {
        if (const auto *a = std::get_if<Add>(&w))
            out.append(a->message);
    }
    return out;
}

} // namespace

CommitResult StoreWriter::commit(const QList<Write> &writes)
{
    CommitResult r = transaction(writes);
    if (r.ok)
        return r;
    if (writes.size() < 2) {
        r.failed = addsIn(writes);
        return r;
    }
    // One bad write must not take the others with it: each on its own (a group message with
    // its conversation row, together()), and only the ones that fail are lost (and reported).
    qCWarning(lcWriter).noquote() << "a batch of" << writes.size() << "writes failed:" << r.error
                                  << "- writing them one by one";
    CommitResult all;
    all.ok = true;
    all.commitUs = r.commitUs;
    for (qsizetype i = 0; i < writes.size(); ++i) {
        const qsizetype n = i + 1 < writes.size() && together(writes.at(i), writes.at(i + 1)) ? 2
                                                                                              : 1;
        const QList<Write> w = writes.mid(i, n);
        i += n - 1;
        CommitResult one = transaction(w);
        all.commitUs += one.commitUs;
        if (!one.ok) {
            if (all.ok) { // the first is reported
                all.error = one.error;
                all.sqliteCode = one.sqliteCode;
            }
            all.ok = false;
            all.failed += addsIn(w);
            continue;
        }
        all.added += one.added;
        all.changed += one.changed;
        all.removed += one.removed;
        all.duplicates += one.duplicates;
    }
    return all;
}

CommitResult StoreWriter::transaction(const QList<Write> &writes)
{
    CommitResult r;
    if (!m_q) {
        r.error = m_openError.isEmpty() ? u"the history is not open"_s : m_openError;
        return r;
    }
    QElapsedTimer clock;
    clock.start();
    struct Conversation
    {
        qint64 lastMessageAt = 0;
        bool writtenTo = false;
    };
    QHash<QString, Conversation> conversations;
    QHash<QString, int> unread; // per peer: incoming messages not yet shown, added or read
    auto fail = [&](const QSqlQuery &q) {
        r.error = q.lastError().text();
        return false;
    };
    auto added = [&](ChatMessage m, qint64 seq) {
        m.seq = seq;
        // Our clock: a peer's cannot move its conversation to the top of the list.
        Conversation &c = conversations[m.peerId];
        c.lastMessageAt = qMax(c.lastMessageAt, ms(m.receivedAt));
        c.writtenTo = c.writtenTo || m.outgoing;
        if (!m.outgoing && m.state == MessageState::Delivered)
            ++unread[m.peerId];
        r.added.append(m);
    };
    // Binds the add as row `row` of an insert (its AddValues values from AddValues * row + 1
    // on).
    auto bindAdd = [&](Statement &q, int row, const ChatMessage &m) {
        const int at = AddValues * row;
        q.bind(at + 1, m.id.toRfc4122());
        if (m.peerId.isNull()) {
            q.bind(at + 2, QByteArray()); // NULL: refused (or ignored) as before schema 6
        } else {
            const std::optional<qint64> key = peerKey(m.peerId, true, &r.error);
            if (!key)
                return false;
            q.bind(at + 2, *key);
        }
        q.bind(at + 3, m.outgoing);
        q.bind(at + 4, ms(m.sentAt));
        q.bind(at + 5, ms(m.receivedAt));
        q.bind(at + 6, text(m.text));
        q.bind(at + 7, int(m.state));
        q.bind(at + 8, int(m.kind));
        q.bind(at + 9, m.author.isEmpty() ? QString() : m.author);                  // NULL in 1:1
        q.bind(at + 10, m.replyTo.isNull() ? QByteArray() : m.replyTo.toRfc4122()); // NULL: none
        return true;
    };
    // InsertRun adds of one kind from writes[i] on, in one statement.
    auto addRun = [&](qsizetype i, bool received) {
        Statement &q = received ? m_q->insertRunReceived : m_q->insertRun;
        for (int k = 0; k < InsertRun; ++k) {
            if (!bindAdd(q, k, std::get<Add>(writes.at(i + k)).message))
                return false;
        }
        // Received: some may be ignored (stored before), and an ignored row may use up a seq
        // too: which are new is told by the seq there was before.
        std::optional<qint64> lastSeq = 0;
        if (received && !(lastSeq = m_q->lastSeq.integer(&r.error)))
            return false;
        if (!q.exec(&r.error))
            return false;
        // AUTOINCREMENT: new rows are numbered in order after every seq there was.
        if (q.changes() == InsertRun) {
            const qint64 first = q.lastInsertId() - InsertRun + 1;
            for (int k = 0; k < InsertRun; ++k)
                added(std::get<Add>(writes.at(i + k)).message, first + k);
            return true;
        }
        QSet<MessageKey> seen;
        for (int k = 0; k < InsertRun; ++k) {
            const ChatMessage &m = std::get<Add>(writes.at(i + k)).message;
            const MessageKey key = keyOf(m);
            const std::optional<ChatMessage> row = stored(key);
            if (row && row->seq > *lastSeq && !seen.contains(key))
                added(m, row->seq);
            else
                r.duplicates.append(m);
            seen.insert(key);
        }
        return true;
    };
    // A change of state for its message (changed: it moved).
    auto stateChanged = [&](const State &s) {
        ChatMessage m = s.message;
        m.state = s.state;
        // Incoming: stored Delivered, and a state only moves forward: read now.
        if (!m.outgoing)
            unread[m.peerId] += m.state == MessageState::Delivered ? 1 : -1;
        r.changed.append(m);
    };
    // At least StateRunMin state changes from writes[i] on, to one state for one peer's rows
    // numbered one after the other, in one statement: how many (0: no such run here), nullopt
    // when SQLite refused.
    qsizetype oneByOneUntil = 0;
    auto stateRun = [&](qsizetype i) -> std::optional<qsizetype> {
        const State &first = std::get<State>(writes.at(i));
        if (first.seq <= 0 || i + StateRunMin > writes.size() || i < oneByOneUntil)
            return 0;
        qsizetype n = 1;
        while (i + n < writes.size()) {
            const auto *next = std::get_if<State>(&writes.at(i + n));
            if (!next || next->seq != first.seq + n || next->state != first.state
                || next->message.outgoing != first.message.outgoing
                || next->message.peerId != first.message.peerId)
                break;
            ++n;
        }
        if (n < StateRunMin)
            return 0;
        const std::optional<qint64> key = peerKey(first.message.peerId, false, &r.error);
        if (!r.error.isEmpty())
            return std::nullopt;
        if (!key)
            return n; // no message of that peer's is stored
        auto bindRun = [&](Statement &q) {
            q.bind(1, int(first.state));
            q.bind(2, first.seq);
            q.bind(3, first.seq + n - 1);
            q.bind(4, *key);
            q.bind(5, first.message.outgoing);
        };
        bindRun(m_q->movable);
        const std::optional<qint64> movable = m_q->movable.integer(&r.error);
        if (!movable)
            return std::nullopt;
        if (*movable != n) {
            // One by one, so that which moved is reported; not counted again from each.
            oneByOneUntil = i + n;
            return 0;
        }
        bindRun(m_q->updateRange);
        if (!m_q->updateRange.exec(&r.error))
            return std::nullopt;
        for (qsizetype k = 0; k < n; ++k)
            stateChanged(std::get<State>(writes.at(i + k)));
        return n;
    };
    auto run = [&]() -> bool {
        if (!m_q->begin.exec(&r.error))
            return false;
        for (qsizetype i = 0; i < writes.size(); ++i) {
            const Write &w = writes.at(i);
            if (const auto *a = std::get_if<Add>(&w)) {
                // A flood's batch is mostly adds: InsertRun of them in one statement cost a
                // quarter less each than one by one.
                qsizetype n = 0;
                while (n < InsertRun && i + n < writes.size()) {
                    const auto *next = std::get_if<Add>(&writes.at(i + n));
                    if (!next || next->received != a->received || next->message.peerId.isNull())
                        break;
                    ++n;
                }
                if (n == InsertRun) {
                    if (!addRun(i, a->received))
                        return false;
                    i += n - 1;
                    continue;
                }
                Statement &q = a->received ? m_q->insertReceived : m_q->insert;
                if (!bindAdd(q, 0, a->message) || !q.exec(&r.error))
                    return false;
                if (q.changes() == 0)
                    r.duplicates.append(a->message);
                else
                    added(a->message, q.lastInsertId());
            } else if (const auto *s = std::get_if<State>(&w)) {
                const std::optional<qsizetype> n = stateRun(i);
                if (!n)
                    return false;
                if (*n > 0) {
                    i += *n - 1;
                    continue;
                }
                const std::optional<qint64> key = peerKey(s->message.peerId, false, &r.error);
                if (!r.error.isEmpty())
                    return false;
                if (!key)
                    continue; // no message of that peer's is stored
                const QByteArray id = s->message.id.toRfc4122();
                const qint64 seq = s->seq > 0 ? s->seq : s->message.seq;
                auto update = [&](Statement &q) {
                    q.bind(1, int(s->state));
                    q.bind(2, id);
                    q.bind(3, *key);
                    q.bind(4, s->message.outgoing);
                    if (&q == &m_q->updateBySeq)
                        q.bind(5, seq);
                    return q.exec(&r.error);
                };
                bool changed = false;
                if (seq > 0) {
                    if (!update(m_q->updateBySeq))
                        return false;
                    changed = m_q->updateBySeq.changes() > 0;
                }
                // No seq, or not this message's (or the state did not move): by the key.
                if (!changed) {
                    if (!update(m_q->update))
                        return false;
                    changed = m_q->update.changes() > 0;
                }
                if (changed)
                    stateChanged(*s);
            } else if (const auto *c = std::get_if<Receipt>(&w)) {
                m_q->receipt.addBindValue(c->key.id.toRfc4122());
                m_q->receipt.addBindValue(c->key.peerId);
                m_q->receipt.addBindValue(c->key.outgoing);
                if (!m_q->receipt.exec())
                    return fail(m_q->receipt);
            } else if (const auto *d = std::get_if<Remove>(&w)) {
                m_q->remove.addBindValue(d->id.toRfc4122());
                if (!m_q->remove.exec())
                    return fail(m_q->remove);
                if (m_q->remove.numRowsAffected() > 0)
                    r.removed.append(d->id);
            } else if (const auto *f = std::get_if<Forget>(&w)) {
                // Unread (incoming, Delivered): the kept count goes down with it.
                const std::optional<ChatMessage> row = selectByKey(m_q->byKey, f->key);
                if (row) {
                    m_q->forget.addBindValue(f->key.id.toRfc4122());
                    m_q->forget.addBindValue(f->key.peerId);
                    m_q->forget.addBindValue(f->key.outgoing);
                    if (!m_q->forget.exec())
                        return fail(m_q->forget);
                    if (!row->outgoing && row->state == MessageState::Delivered) {
                        m_q->forgetUnread.addBindValue(row->peerId);
                        if (!m_q->forgetUnread.exec())
                            return fail(m_q->forgetUnread);
                    }
                    if (m_q->forget.numRowsAffected() > 0)
                        r.removed.append(f->key.id);
                }
            } else if (const auto *p = std::get_if<PeerRecord>(&w)) {
                QSqlQuery &q = m_q->peer;
                q.addBindValue(p->id);
                q.addBindValue(text(p->name));          // never NULL
                q.addBindValue(p->certificate.isEmpty() // NULL: keep the pinned one
                                   ? QVariant(QMetaType(QMetaType::QByteArray))
                                   : QVariant(p->certificate));
                q.addBindValue(p->addresses.isEmpty() ? u""_s : p->addresses.join(u'\n'));
                q.addBindValue(p->lastSeen.isValid() ? QVariant(ms(p->lastSeen)) : QVariant());
                // Avatars (issue 15): NULL for none.
                q.addBindValue(p->avatarHash.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray))
                                                       : QVariant(p->avatarHash));
                if (!q.exec())
                    return fail(q);
            } else if (const auto *t = std::get_if<TransferRecord>(&w)) {
                QSqlQuery &q = m_q->transfer;
                q.addBindValue(t->id.toRfc4122());
                q.addBindValue(t->peerId);
                q.addBindValue(t->outgoing);
                q.addBindValue(t->createdAt.isValid() ? QVariant(ms(t->createdAt)) : QVariant());
                q.addBindValue(text(t->name));
                q.addBindValue(t->size);
                q.addBindValue(t->files);
                q.addBindValue(t->entries);
                q.addBindValue(t->folder);
                q.addBindValue(blob(t->manifestHash));
                q.addBindValue(int(t->state));
                q.addBindValue(t->seen);
                q.addBindValue(text(t->sourceDir));
                q.addBindValue(text(t->destination));
                q.addBindValue(text(t->savedPath));
                q.addBindValue(t->bytesDone);
                q.addBindValue(text(t->error));
                if (!q.exec())
                    return fail(q);
            } else if (const auto *f = std::get_if<Manifest>(&w)) {
                QSqlQuery &q = m_q->manifest;
                q.addBindValue(f->id.toRfc4122());
                q.addBindValue(f->peerId);
                q.addBindValue(f->outgoing);
                q.addBindValue(blob(f->blob));
                if (!q.exec())
                    return fail(q);
            } else if (const auto *gm = std::get_if<GroupMessageRecord>(&w)) {
                Statement &q = m_q->groupMessage;
                q.bind(1, gm->group);
                q.bind(2, gm->author);
                q.bind(3, gm->seq);
                q.bind(4, gm->lc);
                q.bind(5, qint64(gm->kind));
                q.bind(6, blob(gm->body));
                q.bind(7, blob(gm->sig));
                q.bind(8, blob(gm->link));
                if (!q.exec(&r.error))
                    return false;
            } else if (const auto *gr = std::get_if<GroupReceiptRecord>(&w)) {
                Statement &q = m_q->groupReceipt;
                q.bind(1, gr->group);
                q.bind(2, gr->member);
                q.bind(3, gr->author);
                q.bind(4, gr->delivered);
                q.bind(5, gr->read);
                q.bind(6, blob(gr->body));
                q.bind(7, blob(gr->sig));
                if (!q.exec(&r.error))
                    return false;
            }
        }
        for (auto it = conversations.cbegin(); it != conversations.cend(); ++it) {
            m_q->conversation.bind(1, it.key());
            m_q->conversation.bind(2, it->lastMessageAt);
            m_q->conversation.bind(3, it->writtenTo);
            if (!m_q->conversation.exec(&r.error))
                return false;
        }
        for (auto it = unread.cbegin(); it != unread.cend(); ++it) {
            if (it.value() == 0)
                continue;
            m_q->unread.bind(1, it.key());
            m_q->unread.bind(2, it.value());
            if (!m_q->unread.exec(&r.error))
                return false;
        }
        // --- Search (issue 15) ---
        // The rows added are indexed in one statement: FTS5 writes its pending terms out as a
        // segment at every statement that writes to it (its savepoint), so a trigger per row
        // cost ~35 µs a message; one statement per batch costs a few µs a message.
        if (!r.added.isEmpty()
            && (!m_q->searchIndex.exec(&r.error) || !m_q->searchTop.exec(&r.error)))
            return false;
        // --- end search ---
        return m_q->commit.exec(&r.error);
    };
    if (!run()) {
        // Before the rollback, which sets its own.
        const int code = m_sqlite ? sqlite3_errcode(m_sqlite) & 0xff : 0;
        QString ignored; // the first error is the one reported
        m_q->rollback.exec(&ignored);
        m_peerKeys.clear(); // a key made in it is gone with it
        r = CommitResult{false, r.error, {}, {}, {}, {}, {}, clock.nsecsElapsed() / 1000, code};
        return r;
    }
    r.ok = true;
    // INSERT OR IGNORE also ignores what breaks a NOT NULL constraint: a duplicate counts only
    // if its row is there.
    r.duplicates.removeIf([this](const ChatMessage &d) { return !stored(keyOf(d)); });
    r.commitUs = clock.nsecsElapsed() / 1000;
    return r;
}
