#include "messagestore.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcStorage, "shoal.storage")

namespace {

constexpr auto Columns = "seq, id, peer_id, outgoing, sent_at, received_at, text, state";

// Forward-only: step N takes a database at version N-1 to version N. Never edit a step that
// has shipped; add one.
const QList<QStringList> &migrationSteps()
{
    static const QList<QStringList> steps = {
        // 1: peers and messages
        {u"CREATE TABLE peers ("
         u" id TEXT PRIMARY KEY,"
         u" name TEXT NOT NULL DEFAULT '',"
         u" certificate BLOB,"
         u" addresses TEXT NOT NULL DEFAULT '',"
         u" last_seen INTEGER)"_s,
         u"CREATE TABLE messages ("
         u" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
         u" id BLOB NOT NULL UNIQUE,"
         u" peer_id TEXT NOT NULL,"
         u" outgoing INTEGER NOT NULL,"
         u" sent_at INTEGER NOT NULL,"
         u" received_at INTEGER NOT NULL,"
         u" text TEXT NOT NULL,"
         u" state INTEGER NOT NULL)"_s,
         u"CREATE INDEX messages_by_conversation ON messages (peer_id, sent_at, seq)"_s},
        // 2: conversations, read receipts, and indexes for the queue and unread counts
        {u"CREATE TABLE conversations ("
         u" peer_id TEXT PRIMARY KEY,"
         u" last_message_at INTEGER NOT NULL)"_s,
         u"INSERT INTO conversations (peer_id, last_message_at)"
         u" SELECT peer_id, MAX(sent_at) FROM messages GROUP BY peer_id"_s,
         u"ALTER TABLE messages ADD COLUMN receipt_sent INTEGER NOT NULL DEFAULT 0"_s,
         u"CREATE INDEX messages_waiting ON messages (peer_id, seq)"
         u" WHERE outgoing = 1 AND state IN (0, 1)"_s,
         u"CREATE INDEX messages_unread ON messages (peer_id)"
         u" WHERE outgoing = 0 AND state = 2"_s},
    };
    return steps;
}

qint64 ms(const QDateTime &t)
{
    return t.toMSecsSinceEpoch();
}

QDateTime fromMs(qint64 v)
{
    return QDateTime::fromMSecsSinceEpoch(v, Qt::UTC);
}

ChatMessage fromRow(const QSqlQuery &q)
{
    ChatMessage m;
    m.seq = q.value(0).toLongLong();
    m.id = QUuid::fromRfc4122(q.value(1).toByteArray());
    m.peerId = q.value(2).toString();
    m.outgoing = q.value(3).toBool();
    m.sentAt = fromMs(q.value(4).toLongLong());
    m.receivedAt = fromMs(q.value(5).toLongLong());
    m.text = q.value(6).toString();
    m.state = MessageState(q.value(7).toInt());
    return m;
}

// Outgoing states only move forward, but for Sent falling back to Queued.
bool allowed(MessageState from, MessageState to)
{
    return int(to) > int(from) || (from == MessageState::Sent && to == MessageState::Queued);
}

} // namespace

struct MessageStore::Queries
{
    explicit Queries(const QSqlDatabase &db)
        : insert(db)
        , update(db)
        , receipt(db)
        , remove(db)
        , peer(db)
        , conversation(db)
        , contains(db)
        , byId(db)
        , insertReceived(db)
        , updateMatching(db)
        , begin(db)
        , commit(db)
        , rollback(db)
    {}
    bool prepare()
    {
        return insert.prepare(u"INSERT INTO messages (id, peer_id, outgoing, sent_at, received_at,"
                              u" text, state) VALUES (?, ?, ?, ?, ?, ?, ?)"_s)
               && update.prepare(u"UPDATE messages SET state = :s WHERE id = :id"
                                 u" AND (state < :s OR (state = 1 AND :s = 0))"_s)
               && receipt.prepare(u"UPDATE messages SET receipt_sent = 1 WHERE id = ?"_s)
               && remove.prepare(u"DELETE FROM messages WHERE id = ? AND outgoing = 1"
                                 u" AND state IN (0, 1)"_s)
               && peer.prepare(u"INSERT INTO peers (id, name, certificate, addresses, last_seen)"
                               u" VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                               u" name = excluded.name, certificate = excluded.certificate,"
                               u" addresses = excluded.addresses, last_seen = excluded.last_seen"_s)
               && conversation.prepare(u"INSERT INTO conversations (peer_id, last_message_at)"
                                       u" VALUES (?, ?) ON CONFLICT (peer_id) DO UPDATE SET"
                                       u" last_message_at ="
                                       u" MAX(last_message_at, excluded.last_message_at)"_s)
               && insertReceived.prepare(u"INSERT OR IGNORE INTO messages (id, peer_id, outgoing,"
                                         u" sent_at, received_at, text, state)"
                                         u" VALUES (?, ?, ?, ?, ?, ?, ?)"_s)
               && updateMatching.prepare(u"UPDATE messages SET state = :s WHERE id = :id"
                                         u" AND peer_id = :p AND outgoing = :o"
                                         u" AND (state < :s OR (state = 1 AND :s = 0))"_s)
               && contains.prepare(u"SELECT 1 FROM messages WHERE id = ?"_s)
               && begin.prepare(u"BEGIN"_s) && commit.prepare(u"COMMIT"_s)
               && rollback.prepare(u"ROLLBACK"_s)
               && byId.prepare(
                   u"SELECT %1 FROM messages WHERE id = ?"_s.arg(QLatin1StringView(Columns)));
    }
    QSqlQuery insert, update, receipt, remove, peer, conversation, contains, byId, insertReceived,
        updateMatching, begin, commit, rollback;
};

MessageStore::MessageStore(QObject *parent)
    : QObject(parent)
    , m_connection(u"shoal-store-%1"_s.arg(QUuid::createUuid().toString(QUuid::Id128)))
{}

MessageStore::~MessageStore()
{
    if (m_db.isOpen()) {
        flush();
        m_q.reset();
        m_db.close();
    }
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connection);
}

bool MessageStore::exec(const QString &sql, QString *error)
{
    QSqlQuery q(m_db);
    if (!q.exec(sql)) {
        *error = u"%1: %2"_s.arg(sql.left(60), q.lastError().text());
        return false;
    }
    return true;
}

int MessageStore::schemaVersion(QSqlDatabase &db)
{
    QSqlQuery q(db);
    return q.exec(u"PRAGMA user_version"_s) && q.next() ? q.value(0).toInt() : -1;
}

bool MessageStore::migrate(QSqlDatabase &db, int version, QString *error)
{
    const int current = schemaVersion(db);
    if (current < 0) {
        *error = u"cannot read the schema version"_s;
        return false;
    }
    if (current > SchemaVersion) {
        *error = tr("The history was written by a newer Shoal (schema %1; this one knows up to "
                    "%2). Update Shoal.")
                     .arg(current)
                     .arg(SchemaVersion);
        return false;
    }
    for (int v = current + 1; v <= version; ++v) {
        if (!db.transaction()) {
            *error = db.lastError().text();
            return false;
        }
        QSqlQuery q(db);
        for (const QString &sql : migrationSteps().at(v - 1)) {
            if (!q.exec(sql)) {
                *error = u"migration to schema %1 failed: %2"_s.arg(v).arg(q.lastError().text());
                db.rollback();
                return false;
            }
        }
        if (!q.exec(u"PRAGMA user_version = %1"_s.arg(v)) || !db.commit()) {
            *error = u"migration to schema %1 failed: %2"_s.arg(v).arg(db.lastError().text());
            db.rollback();
            return false;
        }
        qCInfo(lcStorage) << "migrated history to schema" << v;
    }
    return true;
}

bool MessageStore::open(const QString &path, QString *error)
{
    m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connection);
    m_db.setDatabaseName(path);
    if (!m_db.open()) {
        *error = tr("Cannot open the history %1: %2").arg(path, m_db.lastError().text());
        return false;
    }
    // WAL: readers never wait for the writer. FULL: a commit is on disk when it returns, so
    // nothing acknowledged or shown as sent is lost with the power.
    if (!exec(u"PRAGMA journal_mode = WAL"_s, error) || !exec(u"PRAGMA synchronous = FULL"_s, error)
        || !exec(u"PRAGMA foreign_keys = ON"_s, error)
        // 32 MiB of page cache: the message-ID index is written in random order.
        || !exec(u"PRAGMA cache_size = -32768"_s, error) || !migrate(m_db, SchemaVersion, error)) {
        m_db.close();
        return false;
    }
    m_q = std::make_unique<Queries>(m_db);
    if (!m_q->prepare()) {
        *error = m_db.lastError().text();
        m_q.reset();
        m_db.close();
        return false;
    }
    return true;
}

void MessageStore::schedule()
{
    // A posted call, not a zero timer: it runs as soon as the current event is handled and
    // whatever else is already queued, without another trip through the poll.
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    QMetaObject::invokeMethod(this, &MessageStore::flush, Qt::QueuedConnection);
}

bool MessageStore::add(const ChatMessage &message)
{
    if (contains(message.id))
        return false;
    m_pending.append(Add{message});
    m_pendingMessages.insert(message.id, message);
    schedule();
    return true;
}

void MessageStore::addOutgoing(const ChatMessage &message)
{
    m_pending.append(Add{message, false});
    m_pendingMessages.insert(message.id, message);
    schedule();
}

bool MessageStore::addReceived(const ChatMessage &message)
{
    if (m_pendingMessages.contains(message.id))
        return false;
    m_pending.append(Add{message, true});
    m_pendingMessages.insert(message.id, message);
    schedule();
    return true;
}

void MessageStore::setState(const ChatMessage &message, MessageState state)
{
    auto it = m_pendingMessages.find(message.id);
    if (it != m_pendingMessages.end()) {
        if (it->peerId == message.peerId && it->outgoing == message.outgoing
            && allowed(it->state, state))
            it->state = state;
        return;
    }
    m_pending.append(State{message.id, state, message});
    schedule();
}

void MessageStore::setState(const QUuid &id, MessageState state)
{
    auto it = m_pendingMessages.find(id);
    if (it != m_pendingMessages.end()) {
        if (allowed(it->state, state))
            it->state = state;
        return; // written with the add
    }
    m_pending.append(State{id, state, std::nullopt});
    schedule();
}

void MessageStore::markSent(const ChatMessage &message)
{
    ChatMessage m = message;
    m.state = MessageState::Sent;
    m_sent.insert(m.id, m);
    // Reported on the next pass, after whatever is being reported now (its add, say), and
    // all of a pass together.
    if (m_sentToReport.isEmpty()) {
        QMetaObject::invokeMethod(
            this,
            [this] { Q_EMIT committed({}, std::exchange(m_sentToReport, {}), {}, {}); },
            Qt::QueuedConnection);
    }
    m_sentToReport.append(m);
}

void MessageStore::unsend(const QString &peerId)
{
    QList<ChatMessage> back;
    for (auto it = m_sent.begin(); it != m_sent.end();) {
        if (it->peerId == peerId) {
            ChatMessage m = *it;
            m.state = MessageState::Queued;
            back.append(m);
            it = m_sent.erase(it);
        } else {
            ++it;
        }
    }
    if (!back.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this, back] { Q_EMIT committed({}, back, {}, {}); }, Qt::QueuedConnection);
    }
}

void MessageStore::setReceiptSent(const QUuid &id)
{
    m_pending.append(Receipt{id});
    schedule();
}

void MessageStore::remove(const QUuid &id)
{
    m_pending.append(Remove{id});
    schedule();
}

void MessageStore::savePeer(const PeerRecord &peer)
{
    m_pending.append(peer);
    schedule();
}

bool MessageStore::flush()
{
    m_flushScheduled = false;
    if (m_pending.isEmpty() || !m_q)
        return true;
    QElapsedTimer clock;
    clock.start();
    auto measure = qScopeGuard(
        [&] { m_longestFlushUs = qMax(m_longestFlushUs, clock.nsecsElapsed() / 1000); });
    // At most MaxWritesPerCommit at a time, so that a huge burst (a pasted script, a long
    // queue) never holds the thread for long; the rest follows on the next pass.
    QList<Write> writes;
    if (m_pending.size() > MaxWritesPerCommit) {
        writes = m_pending.first(MaxWritesPerCommit);
        m_pending.remove(0, MaxWritesPerCommit);
        schedule();
    } else {
        writes = std::exchange(m_pending, {});
    }
    QHash<QUuid, ChatMessage> pendingMessages;
    for (const Write &w : std::as_const(writes)) {
        if (const auto *a = std::get_if<Add>(&w))
            pendingMessages.insert(a->message.id, m_pendingMessages.take(a->message.id));
    }

    QList<ChatMessage> added;
    QList<QUuid> changedIds;
    QList<ChatMessage> changed;
    QList<QUuid> removed;
    QList<ChatMessage> duplicates;
    QHash<QString, qint64> lastMessageAt;
    QString error;
    auto fail = [&](const QSqlQuery &q) {
        error = q.lastError().text();
        return false;
    };
    auto run = [&]() -> bool {
        if (!m_q->begin.exec())
            return fail(m_q->begin);
        QSqlQuery &insert = m_q->insert, &update = m_q->update, &receipt = m_q->receipt,
                  &remove = m_q->remove, &peer = m_q->peer, &conversation = m_q->conversation;
        for (const Write &w : writes) {
            if (const auto *a = std::get_if<Add>(&w)) {
                ChatMessage m = pendingMessages.value(a->message.id, a->message);
                QSqlQuery &q = a->received ? m_q->insertReceived : insert;
                q.addBindValue(m.id.toRfc4122());
                q.addBindValue(m.peerId);
                q.addBindValue(m.outgoing);
                q.addBindValue(ms(m.sentAt));
                q.addBindValue(ms(m.receivedAt));
                q.addBindValue(m.text);
                q.addBindValue(int(m.state));
                if (!q.exec())
                    return fail(q);
                if (q.numRowsAffected() == 0) {
                    duplicates.append(m);
                    continue;
                }
                m.seq = q.lastInsertId().toLongLong();
                qint64 &last = lastMessageAt[m.peerId];
                last = qMax(last, ms(m.sentAt));
                added.append(m);
            } else if (const auto *s = std::get_if<State>(&w)) {
                if (s->match) {
                    QSqlQuery &q = m_q->updateMatching;
                    q.bindValue(u":s"_s, int(s->state));
                    q.bindValue(u":id"_s, s->id.toRfc4122());
                    q.bindValue(u":p"_s, s->match->peerId);
                    q.bindValue(u":o"_s, s->match->outgoing);
                    if (!q.exec())
                        return fail(q);
                    if (q.numRowsAffected() > 0) {
                        ChatMessage m = *s->match;
                        m.state = s->state;
                        changed.append(m);
                    }
                    continue;
                }
                update.bindValue(u":s"_s, int(s->state));
                update.bindValue(u":id"_s, s->id.toRfc4122());
                if (!update.exec())
                    return fail(update);
                if (update.numRowsAffected() > 0 && !changedIds.contains(s->id))
                    changedIds.append(s->id);
            } else if (const auto *r = std::get_if<Receipt>(&w)) {
                receipt.addBindValue(r->id.toRfc4122());
                if (!receipt.exec())
                    return fail(receipt);
            } else if (const auto *d = std::get_if<Remove>(&w)) {
                remove.addBindValue(d->id.toRfc4122());
                if (!remove.exec())
                    return fail(remove);
                if (remove.numRowsAffected() > 0)
                    removed.append(d->id);
            } else if (const auto *p = std::get_if<PeerRecord>(&w)) {
                peer.addBindValue(p->id);
                peer.addBindValue(p->name);
                peer.addBindValue(p->certificate);
                peer.addBindValue(p->addresses.join(u'\n'));
                peer.addBindValue(p->lastSeen.isValid() ? QVariant(ms(p->lastSeen)) : QVariant());
                if (!peer.exec())
                    return fail(peer);
            }
        }
        for (auto it = lastMessageAt.cbegin(); it != lastMessageAt.cend(); ++it) {
            conversation.addBindValue(it.key());
            conversation.addBindValue(it.value());
            if (!conversation.exec())
                return fail(conversation);
        }
        if (!m_q->commit.exec())
            return fail(m_q->commit);
        return true;
    };
    if (!run()) {
        m_q->rollback.exec();
        m_lastError = tr("Could not save to the history: %1").arg(error);
        qCWarning(lcStorage).noquote() << m_lastError;
        Q_EMIT errorOccurred(m_lastError);
        return false;
    }
    for (const QUuid &id : std::as_const(changedIds)) {
        if (auto m = stored(id))
            changed.append(*m);
    }
    for (const ChatMessage &m : std::as_const(changed)) {
        if (m.state != MessageState::Queued)
            m_sent.remove(m.id);
    }
    for (const QUuid &id : std::as_const(removed))
        m_sent.remove(id);
    // A duplicate counts only if the stored one came from the same peer, the same way.
    duplicates.removeIf([this](const ChatMessage &d) {
        const auto m = stored(d.id);
        return !m || m->peerId != d.peerId || m->outgoing != d.outgoing;
    });
    if (!added.isEmpty() || !changed.isEmpty() || !removed.isEmpty() || !duplicates.isEmpty())
        Q_EMIT committed(added, changed, removed, duplicates);
    return true;
}

bool MessageStore::contains(const QUuid &id) const
{
    if (m_pendingMessages.contains(id))
        return true;
    if (!m_q)
        return false;
    QSqlQuery &q = m_q->contains;
    q.addBindValue(id.toRfc4122());
    const bool found = q.exec() && q.next();
    q.finish();
    return found;
}

std::optional<ChatMessage> MessageStore::stored(const QUuid &id) const
{
    if (!m_q)
        return std::nullopt;
    QSqlQuery &q = m_q->byId;
    q.addBindValue(id.toRfc4122());
    std::optional<ChatMessage> out;
    if (q.exec() && q.next())
        out = fromRow(q);
    q.finish();
    return out;
}

std::optional<ChatMessage> MessageStore::message(const QUuid &id) const
{
    const auto pending = m_pendingMessages.constFind(id);
    if (pending != m_pendingMessages.cend())
        return *pending;
    auto m = stored(id);
    if (!m)
        return std::nullopt;
    if (m->state == MessageState::Queued && m_sent.contains(id))
        m->state = MessageState::Sent;
    // A queued state change not yet committed.
    for (const Write &w : m_pending) {
        if (const auto *s = std::get_if<State>(&w); s && s->id == id && allowed(m->state, s->state))
            m->state = s->state;
    }
    return m;
}

QList<ChatMessage> MessageStore::select(const QString &where,
                                        const QVariantList &values,
                                        const QString &tail) const
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT %1 FROM messages WHERE %2 %3"_s.arg(QLatin1StringView(Columns), where, tail));
    for (const QVariant &v : values)
        q.addBindValue(v);
    QList<ChatMessage> out;
    if (!q.exec()) {
        qCWarning(lcStorage) << "query failed:" << q.lastError().text();
        return out;
    }
    while (q.next())
        out.append(fromRow(q));
    return out;
}

QList<ChatMessage> MessageStore::page(const QString &peerId,
                                      int limit,
                                      const std::optional<ChatMessage> &before) const
{
    QList<ChatMessage> rows;
    if (before) {
        rows = select(u"peer_id = ? AND (sent_at < ? OR (sent_at = ? AND seq < ?))"_s,
                      {peerId, ms(before->sentAt), ms(before->sentAt), before->seq},
                      u"ORDER BY sent_at DESC, seq DESC LIMIT %1"_s.arg(limit));
    } else {
        rows = select(u"peer_id = ?"_s,
                      {peerId},
                      u"ORDER BY sent_at DESC, seq DESC LIMIT %1"_s.arg(limit));
    }
    std::reverse(rows.begin(), rows.end());
    return rows;
}

QList<ChatMessage> MessageStore::conversation(const QString &peerId) const
{
    return select(u"peer_id = ?"_s, {peerId}, u"ORDER BY sent_at, seq"_s);
}

qint64 MessageStore::count(const QString &peerId) const
{
    QSqlQuery q(m_db);
    q.prepare(u"SELECT COUNT(*) FROM messages WHERE peer_id = ?"_s);
    q.addBindValue(peerId);
    return q.exec() && q.next() ? q.value(0).toLongLong() : 0;
}

QList<ChatMessage> MessageStore::undelivered(const QString &peerId) const
{
    return select(u"peer_id = ? AND outgoing = 1 AND state IN (0, 1)"_s,
                  {peerId},
                  u"ORDER BY seq"_s);
}

bool MessageStore::hasUndelivered(const QString &peerId) const
{
    for (const ChatMessage &m : std::as_const(m_pendingMessages)) {
        if (m.outgoing && m.peerId == peerId)
            return true;
    }
    QSqlQuery q(m_db);
    q.prepare(u"SELECT 1 FROM messages WHERE peer_id = ? AND outgoing = 1 AND state IN (0, 1)"
              u" LIMIT 1"_s);
    q.addBindValue(peerId);
    return q.exec() && q.next();
}

QList<ChatMessage> MessageStore::pendingReceipts(const QString &peerId) const
{
    return select(u"peer_id = ? AND outgoing = 0 AND state = 3 AND receipt_sent = 0"_s,
                  {peerId},
                  u"ORDER BY seq"_s);
}

QList<ChatMessage> MessageStore::unread(const QString &peerId) const
{
    return select(u"peer_id = ? AND outgoing = 0 AND state = 2"_s, {peerId}, u"ORDER BY seq"_s);
}

QHash<QString, int> MessageStore::unreadCounts() const
{
    QSqlQuery q(m_db);
    QHash<QString, int> out;
    if (!q.exec(u"SELECT peer_id, COUNT(*) FROM messages WHERE outgoing = 0 AND state = 2"
                u" GROUP BY peer_id"_s))
        return out;
    while (q.next())
        out.insert(q.value(0).toString(), q.value(1).toInt());
    return out;
}

QStringList MessageStore::conversationPeers() const
{
    QSqlQuery q(m_db);
    QStringList out;
    if (q.exec(u"SELECT peer_id FROM conversations ORDER BY last_message_at DESC"_s)) {
        while (q.next())
            out.append(q.value(0).toString());
    }
    return out;
}

QList<PeerRecord> MessageStore::peers() const
{
    QSqlQuery q(m_db);
    QList<PeerRecord> out;
    if (!q.exec(u"SELECT id, name, certificate, addresses, last_seen FROM peers"_s))
        return out;
    while (q.next()) {
        PeerRecord p;
        p.id = q.value(0).toString();
        p.name = q.value(1).toString();
        p.certificate = q.value(2).toByteArray();
        p.addresses = q.value(3).toString().split(u'\n', Qt::SkipEmptyParts);
        if (!q.value(4).isNull())
            p.lastSeen = fromMs(q.value(4).toLongLong());
        out.append(p);
    }
    return out;
}
