#include "storewriter.h"

#include "storage/sqliteconnection.h"
#include "storage/sqlrows.h"

#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <limits>

using namespace Qt::StringLiterals;
using namespace SqlRows;
using namespace StoreWrite;

Q_LOGGING_CATEGORY(lcWriter, "shoal.storage.writer")

struct StoreWriter::Queries
{
    explicit Queries(const QSqlDatabase &db)
        : insert(db)
        , insertReceived(db)
        , update(db)
        , receipt(db)
        , remove(db)
        , peer(db)
        , conversation(db)
        , unread(db)
        , byKey(db)
        , begin(db)
        , commit(db)
        , rollback(db)
    {}
    bool prepare()
    {
        // Texts are bound as UTF-8 (SqlRows::text), cast to TEXT.
        return insert.prepare(u"INSERT INTO messages (id, peer_id, outgoing, sent_at, received_at,"
                              u" text, state) VALUES (?, ?, ?, ?, ?, CAST(? AS TEXT), ?)"_s)
               && insertReceived.prepare(u"INSERT OR IGNORE INTO messages (id, peer_id, outgoing,"
                                         u" sent_at, received_at, text, state)"
                                         u" VALUES (?, ?, ?, ?, ?, CAST(? AS TEXT), ?)"_s)
               && update.prepare(u"UPDATE messages SET state = :s WHERE id = :id"
                                 u" AND peer_id = :p AND outgoing = :o"
                                 u" AND (state < :s OR (state = 1 AND :s = 0))"_s)
               && receipt.prepare(
                   u"UPDATE messages SET receipt_sent = 1 WHERE %1"_s.arg(QLatin1StringView(ByKey)))
               && remove.prepare(u"DELETE FROM messages WHERE id = ? AND outgoing = 1"
                                 u" AND state IN (0, 1)"_s)
               && peer.prepare(
                   u"INSERT INTO peers (id, name, certificate, addresses, last_seen)"
                   u" VALUES (?, CAST(? AS TEXT), ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                   u" name = excluded.name, certificate = excluded.certificate,"
                   u" addresses = excluded.addresses, last_seen = excluded.last_seen"_s)
               && conversation.prepare(
                   u"INSERT INTO conversations (peer_id, last_message_at, written_to)"
                   u" VALUES (?, ?, ?) ON CONFLICT (peer_id) DO UPDATE SET"
                   u" last_message_at = MAX(last_message_at, excluded.last_message_at),"
                   u" written_to = MAX(written_to, excluded.written_to)"_s)
               && unread.prepare(u"INSERT INTO unread_counts (peer_id, unread) VALUES (?, ?)"
                                 u" ON CONFLICT (peer_id) DO UPDATE SET"
                                 u" unread = unread + excluded.unread"_s)
               && byKey.prepare(u"SELECT %1 FROM messages WHERE %2"_s.arg(QLatin1StringView(Columns),
                                                                          QLatin1StringView(ByKey)))
               && begin.prepare(u"BEGIN"_s) && commit.prepare(u"COMMIT"_s)
               && rollback.prepare(u"ROLLBACK"_s);
    }
    QSqlQuery insert, insertReceived, update, receipt, remove, peer, conversation, unread, byKey,
        begin, commit, rollback;
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
    m_q = std::make_unique<Queries>(m_db);
    if (!m_q->prepare()) {
        *error = m_openError = m_db.lastError().text();
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
    // One bad write must not take the others with it: each on its own, and only the ones
    // that fail are lost (and reported).
    qCWarning(lcWriter).noquote() << "a batch of" << writes.size() << "writes failed:" << r.error
                                  << "- writing them one by one";
    CommitResult all;
    all.ok = true;
    all.commitUs = r.commitUs;
    for (const Write &w : writes) {
        CommitResult one = transaction({w});
        all.commitUs += one.commitUs;
        if (!one.ok) {
            if (all.ok)
                all.error = one.error; // the first is reported
            all.ok = false;
            all.failed += addsIn({w});
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
    auto run = [&]() -> bool {
        if (!m_q->begin.exec())
            return fail(m_q->begin);
        for (const Write &w : writes) {
            if (const auto *a = std::get_if<Add>(&w)) {
                ChatMessage m = a->message;
                QSqlQuery &q = a->received ? m_q->insertReceived : m_q->insert;
                q.addBindValue(m.id.toRfc4122());
                q.addBindValue(m.peerId);
                q.addBindValue(m.outgoing);
                q.addBindValue(ms(m.sentAt));
                q.addBindValue(ms(m.receivedAt));
                q.addBindValue(text(m.text));
                q.addBindValue(int(m.state));
                if (!q.exec())
                    return fail(q);
                if (q.numRowsAffected() == 0) {
                    r.duplicates.append(m);
                    continue;
                }
                m.seq = q.lastInsertId().toLongLong();
                // Our clock: a peer's cannot move its conversation to the top of the list.
                Conversation &c = conversations[m.peerId];
                c.lastMessageAt = qMax(c.lastMessageAt, ms(m.receivedAt));
                c.writtenTo = c.writtenTo || m.outgoing;
                if (!m.outgoing && m.state == MessageState::Delivered)
                    ++unread[m.peerId];
                r.added.append(m);
            } else if (const auto *s = std::get_if<State>(&w)) {
                QSqlQuery &q = m_q->update;
                q.bindValue(u":s"_s, int(s->state));
                q.bindValue(u":id"_s, s->message.id.toRfc4122());
                q.bindValue(u":p"_s, s->message.peerId);
                q.bindValue(u":o"_s, s->message.outgoing);
                if (!q.exec())
                    return fail(q);
                if (q.numRowsAffected() > 0) {
                    ChatMessage m = s->message;
                    m.state = s->state;
                    // Incoming: stored Delivered, and a state only moves forward: read now.
                    if (!m.outgoing)
                        unread[m.peerId] += m.state == MessageState::Delivered ? 1 : -1;
                    r.changed.append(m);
                }
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
            } else if (const auto *p = std::get_if<PeerRecord>(&w)) {
                QSqlQuery &q = m_q->peer;
                q.addBindValue(p->id);
                q.addBindValue(text(p->name)); // never NULL
                q.addBindValue(p->certificate);
                q.addBindValue(p->addresses.isEmpty() ? u""_s : p->addresses.join(u'\n'));
                q.addBindValue(p->lastSeen.isValid() ? QVariant(ms(p->lastSeen)) : QVariant());
                if (!q.exec())
                    return fail(q);
            }
        }
        for (auto it = conversations.cbegin(); it != conversations.cend(); ++it) {
            m_q->conversation.addBindValue(it.key());
            m_q->conversation.addBindValue(it->lastMessageAt);
            m_q->conversation.addBindValue(it->writtenTo);
            if (!m_q->conversation.exec())
                return fail(m_q->conversation);
        }
        for (auto it = unread.cbegin(); it != unread.cend(); ++it) {
            if (it.value() == 0)
                continue;
            m_q->unread.addBindValue(it.key());
            m_q->unread.addBindValue(it.value());
            if (!m_q->unread.exec())
                return fail(m_q->unread);
        }
        if (!m_q->commit.exec())
            return fail(m_q->commit);
        return true;
    };
    if (!run()) {
        m_q->rollback.exec();
        r = CommitResult{false, r.error, {}, {}, {}, {}, {}, clock.nsecsElapsed() / 1000};
        return r;
    }
    r.ok = true;
    // INSERT OR IGNORE also ignores what breaks a NOT NULL constraint: a duplicate counts only
    // if its row is there.
    r.duplicates.removeIf([this](const ChatMessage &d) { return !stored(keyOf(d)); });
    r.commitUs = clock.nsecsElapsed() / 1000;
    return r;
}
