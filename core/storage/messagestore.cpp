#include "messagestore.h"

#include "storage/sqliteconnection.h"
#include "storage/sqlrows.h"

#include <QLoggingCategory>
#include <QMutex>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QWaitCondition>

#include <sqlite3.h>

using namespace Qt::StringLiterals;
using namespace SqlRows;
using namespace StoreWrite;

Q_LOGGING_CATEGORY(lcStorage, "shoal.storage")

namespace {

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
        // 3: read receipts still to send, found without walking the whole conversation (on
        // every connect; 30 ms for a 100,000-message conversation without it)
        {u"CREATE INDEX messages_receipts ON messages (peer_id)"
         u" WHERE outgoing = 0 AND state = 3 AND receipt_sent = 0"_s},
        // 4: a message is (sender, ID), not ID: one peer's ID no longer shadows another's
        // message (the table is rebuilt: SQLite cannot drop a UNIQUE constraint); shown in
        // the order of arrival here, not by the sender's clock (seq, not sent_at); the
        // conversation list ordered by our clock too
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
         u"CREATE INDEX messages_waiting ON messages (peer_id, seq)"
         u" WHERE outgoing = 1 AND state IN (0, 1)"_s,
         u"CREATE INDEX messages_unread ON messages (peer_id)"
         u" WHERE outgoing = 0 AND state = 2"_s,
         u"CREATE INDEX messages_receipts ON messages (peer_id)"
         u" WHERE outgoing = 0 AND state = 3 AND receipt_sent = 0"_s,
         u"UPDATE conversations SET last_message_at = (SELECT MAX(received_at) FROM messages"
         u" WHERE messages.peer_id = conversations.peer_id)"
         u" WHERE peer_id IN (SELECT peer_id FROM messages)"_s},
    };
    return steps;
}

} // namespace

// This thread's prepared reads; the writes are StoreWriter's.
struct MessageStore::Queries
{
    explicit Queries(const QSqlDatabase &db)
        : byKey(db)
        , byId(db)
    {}
    bool prepare()
    {
        return byKey.prepare(u"SELECT %1 FROM messages WHERE %2"_s.arg(QLatin1StringView(Columns),
                                                                       QLatin1StringView(ByKey)))
               // Ours first: an outgoing ID is unique (we made it), an incoming one need not be.
               && byId.prepare(
                   u"SELECT %1 FROM messages WHERE id = ?"
                   u" ORDER BY outgoing DESC, seq LIMIT 1"_s.arg(QLatin1StringView(Columns)));
    }
    QSqlQuery byKey, byId;
};

// Where the writer leaves a batch's result: one batch is with the writer at a time.
struct MessageStore::Mailbox
{
    QMutex mutex;
    QWaitCondition ready;
    std::optional<CommitResult> result;
};

// The background check and the store: the store cancels it by interrupting its connection
// (sqlite3_interrupt may be called from another thread, never on a closed connection: the
// handle is set only while the check's query runs, under the mutex).
struct MessageStore::Check
{
    QMutex mutex;
    sqlite3 *handle = nullptr;
    bool cancelled = false;
};

MessageStore::MessageStore(QObject *parent)
    : QObject(parent)
    , m_connection(u"shoal-store-%1"_s.arg(QUuid::createUuid().toString(QUuid::Id128)))
    , m_mailbox(std::make_shared<Mailbox>())
{
    m_thread.setObjectName(u"shoal-store-writer"_s);
}

MessageStore::~MessageStore()
{
    if (m_checkThread) {
        // A read of the whole file (seconds on a cold cache for a big history): cancelled, so
        // that quitting right after start does not wait for it.
        {
            QMutexLocker lock(&m_check->mutex);
            m_check->cancelled = true;
            if (m_check->handle)
                sqlite3_interrupt(m_check->handle);
        }
        m_checkThread->wait();
        delete m_checkThread;
    }
    if (m_writer) {
        flush();
        StoreWriter *writer = m_writer;
        QMetaObject::invokeMethod(
            writer, [writer] { writer->close(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
        delete writer; // its thread has ended: nothing else can touch it
    }
    if (m_inlineWriter)
        m_inlineWriter->close();
    m_q.reset();
    SqliteConnection::remove(m_db, m_connection);
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
    QString file = path;
    const bool durable = path != u":memory:"_s;
    if (!durable) {
        // Two connections cannot share a ":memory:" database: a throwaway file instead, with no
        // fsync, removed with the store.
        m_throwaway = std::make_unique<QTemporaryDir>();
        if (!m_throwaway->isValid()) {
            *error = tr("Cannot create a temporary history: %1").arg(m_throwaway->errorString());
            return false;
        }
        file = m_throwaway->filePath(u"history.sqlite"_s);
    }
    m_db = SqliteConnection::add(m_connection, file);
    if (!m_db.open()) {
        *error = tr("Cannot open the history %1: %2").arg(path, m_db.lastError().text());
        return false;
    }
    // WAL: readers (this thread) never wait for the writer (the writer thread).
    if (!exec(u"PRAGMA journal_mode = WAL"_s, error) || !exec(u"PRAGMA foreign_keys = ON"_s, error)
        || !migrate(m_db, SchemaVersion, error)) {
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
    auto writer = std::make_unique<StoreWriter>();
    writer->moveToThread(&m_thread);
    m_thread.start();
    bool opened = false;
    QString writerError;
    QMetaObject::invokeMethod(
        writer.get(),
        [&, w = writer.get()] { opened = w->open(file, durable, &writerError); },
        Qt::BlockingQueuedConnection);
    if (!opened) {
        *error = tr("Cannot open the history %1: %2").arg(path, writerError);
        QMetaObject::invokeMethod(
            writer.get(), [w = writer.get()] { w->close(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
        m_q.reset();
        m_db.close();
        return false;
    }
    m_writer = writer.release();
    // The same for small batches on this thread (its own connection; never both at once).
    m_inlineWriter = std::make_unique<StoreWriter>();
    if (!m_inlineWriter->open(file, durable, &writerError)) {
        *error = tr("Cannot open the history %1: %2").arg(path, writerError);
        m_inlineWriter.reset();
        return false;
    }
    if (durable)
        startCheck(file);
    return true;
}

void MessageStore::startCheck(const QString &file)
{
    // A damaged page is otherwise found only when something reads it, if ever. quick_check
    // reads the whole file (0.3 s for a million messages, 300 MiB, in the page cache here), so
    // it runs on a thread of its own with its own connection, and the window opens meanwhile;
    // WAL lets the writers go on. The store's destructor cancels it.
    m_check = std::make_shared<Check>();
    m_checkThread = QThread::create([this, file, check = m_check] {
        const QString name = u"shoal-check-%1"_s.arg(QUuid::createUuid().toString(QUuid::Id128));
        QStringList findings;
        bool cancelled = false;
        bool done = false; // the query ran to its end
        {
            QSqlDatabase db = SqliteConnection::add(name, file, SqliteConnection::Mode::ReadOnly);
            QSqlQuery q(db);
            const bool opened = db.open();
            if (opened) {
                const QVariant handle = db.driver()->handle();
                QMutexLocker lock(&check->mutex);
                cancelled = check->cancelled;
                if (!cancelled && handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
                    check->handle = *static_cast<sqlite3 *const *>(handle.constData());
            }
            if (cancelled) {
                // Closed before it began.
            } else if (!opened) {
                findings.append(db.lastError().text());
                done = true;
            } else if (!q.exec(u"PRAGMA quick_check(%1)"_s.arg(MaxCheckFindings))) {
                findings.append(q.lastError().text()); // SQLITE_CORRUPT, say; or interrupted
            } else {
                done = true;
                // One finding a row, or several lines in one ("*** in database main ***",
                // then "Page 37: ..."): one line each, without the heading.
                while (q.next()) {
                    const auto lines = q.value(0).toString().split(u'\n', Qt::SkipEmptyParts);
                    for (const QString &line : lines) {
                        if (!line.startsWith(u"***"_s))
                            findings.append(line.trimmed());
                    }
                }
                done = q.lastError().type() == QSqlError::NoError;
                if (findings == QStringList{u"ok"_s})
                    findings.clear();
            }
            {
                QMutexLocker lock(&check->mutex);
                check->handle = nullptr; // before the connection closes
                cancelled = check->cancelled;
            }
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        if (cancelled && !done) {
            // What it found so far ("interrupted", or nothing) is not a finding.
            qCInfo(lcStorage).noquote()
                << (findings.isEmpty() ? u"quick_check not run"_s : u"quick_check interrupted"_s)
                       + u": the history is being closed"_s;
            return;
        }
        const QString damage = findings.join(u"; "_s);
        QMetaObject::invokeMethod(
            this,
            [this, damage] {
                if (!damage.isEmpty())
                    qCWarning(lcStorage).noquote() << "quick_check:" << damage;
                Q_EMIT checked(damage);
            },
            Qt::QueuedConnection);
    });
    m_checkThread->setObjectName(u"shoal-store-check"_s);
    m_checkThread->start(QThread::LowPriority);
}

bool MessageStore::isChecking() const
{
    if (!m_check)
        return false;
    QMutexLocker lock(&m_check->mutex);
    return m_check->handle != nullptr;
}

void MessageStore::schedule()
{
    // A posted call, not a zero timer: it runs as soon as the current event is handled and
    // whatever else is already queued, without another trip through the poll.
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    QMetaObject::invokeMethod(this, &MessageStore::dispatch, Qt::QueuedConnection);
}

void MessageStore::dispatch()
{
    m_flushScheduled = false;
    if (m_busy || m_pending.isEmpty() || !m_writer)
        return; // collect() sends what is queued when the batch with the writer is done
    // At most MaxWritesPerCommit at a time, so that one transaction (and the wait for its
    // report) stays short; the rest is the next batch.
    QList<Write> writes;
    if (m_pending.size() > MaxWritesPerCommit) {
        writes = m_pending.first(MaxWritesPerCommit);
        m_pending.remove(0, MaxWritesPerCommit);
    } else {
        writes = std::exchange(m_pending, {});
    }
    // An add goes with the latest state it was given while queued; from now on a change to it
    // is a write of its own, in a later batch.
    for (Write &w : writes) {
        if (auto *a = std::get_if<Add>(&w)) {
            a->message = m_pendingMessages.take(keyOf(a->message));
            m_inFlight.insert(keyOf(a->message), a->message);
            if (a->received)
                ++m_receivedInFlight[a->message.peerId];
        }
    }
    if (writes.size() <= InlineMaxWrites && m_inlineBackoff.hasExpired()) {
        // A few writes while the writer thread is idle: committed here, sparing the two thread
        // hand-offs (~0.1 ms each here) that would double a message's round trip. One such
        // commit costs one fsync, ~0.3 ms; should the disk ever take longer than a few
        // milliseconds, everything goes to the writer thread for a while.
        CommitResult result = m_inlineWriter->commit(writes);
        if (result.commitUs > InlineMaxCommitUs) {
            qCInfo(lcStorage) << "a small commit took" << result.commitUs / 1000.0
                              << "ms; all commits go to the writer thread for"
                              << InlineBackoffMs / 1000 << "s";
            m_inlineBackoff.setRemainingTime(InlineBackoffMs);
        }
        finish(std::move(result));
        return;
    }
    m_busy = true;
    StoreWriter *writer = m_writer;
    std::shared_ptr<Mailbox> mailbox = m_mailbox;
    QMetaObject::invokeMethod(writer, [this, writer, mailbox, writes = std::move(writes)] {
        CommitResult result = writer->commit(writes);
        {
            QMutexLocker lock(&mailbox->mutex);
            mailbox->result = std::move(result);
            mailbox->ready.wakeAll();
        }
        // If the store is gone by then, Qt drops the call with it.
        QMetaObject::invokeMethod(this, &MessageStore::collect, Qt::QueuedConnection);
    });
}

void MessageStore::collect()
{
    if (takeResult(false)) // else flush() took it already
        dispatch();
}

bool MessageStore::takeResult(bool wait)
{
    std::optional<CommitResult> result;
    {
        QMutexLocker lock(&m_mailbox->mutex);
        while (wait && !m_mailbox->result)
            m_mailbox->ready.wait(&m_mailbox->mutex);
        result = std::exchange(m_mailbox->result, std::nullopt);
    }
    if (!result)
        return false;
    m_busy = false;
    finish(std::move(*result));
    return true;
}

void MessageStore::finish(CommitResult r)
{
    m_longestCommitUs = qMax(m_longestCommitUs, r.commitUs);
    m_inFlight.clear();
    // Written or failed, they are no longer ahead of the disk.
    for (auto it = m_receivedInFlight.cbegin(); it != m_receivedInFlight.cend(); ++it) {
        if ((m_receivedBacklog[it.key()] -= it.value()) <= 0)
            m_receivedBacklog.remove(it.key());
    }
    m_receivedInFlight.clear();
    if (!r.ok) {
        m_failedSinceFlush = true;
        // Reported; what did get written (the writer retries a failed batch write by write)
        // is reported below as usual.
        m_lastError = tr("Could not save to the history: %1. Free some disk space: messages "
                         "you write are marked \"not saved\" until you retry them; messages to "
                         "you are fetched again by themselves.")
                          .arg(r.error);
        qCWarning(lcStorage).noquote() << m_lastError;
        Q_EMIT errorOccurred(m_lastError);
    }
    const bool writableAgain = r.ok && m_failing;
    m_failing = !r.ok;
    for (const ChatMessage &m : std::as_const(r.changed)) {
        if (m.state != MessageState::Queued)
            forgetSent(m.id);
    }
    for (const QUuid &id : std::as_const(r.removed))
        forgetSent(id);
    if (!r.added.isEmpty() || !r.changed.isEmpty() || !r.removed.isEmpty()
        || !r.duplicates.isEmpty())
        Q_EMIT committed(r.added, r.changed, r.removed, r.duplicates);
    if (!r.failed.isEmpty()) {
        for (ChatMessage &m : r.failed) {
            if (m.outgoing) {
                m.state = MessageState::Failed;
                m_unsaved.append(m);
            }
        }
        Q_EMIT notSaved(r.failed, r.error);
    }
    if (writableAgain) {
        qCInfo(lcStorage) << "the history takes writes again";
        Q_EMIT recovered();
    }
}

bool MessageStore::flush()
{
    m_failedSinceFlush = false;
    while (m_writer && (m_busy || !m_pending.isEmpty())) {
        if (m_busy)
            takeResult(true);
        else
            dispatch();
    }
    return !m_failedSinceFlush;
}

bool MessageStore::add(const ChatMessage &message)
{
    if (contains(keyOf(message)))
        return false;
    m_pending.append(Add{message});
    m_pendingMessages.insert(keyOf(message), message);
    schedule();
    return true;
}

void MessageStore::addOutgoing(const ChatMessage &message)
{
    m_pending.append(Add{message, false});
    m_pendingMessages.insert(keyOf(message), message);
    schedule();
}

bool MessageStore::addReceived(const ChatMessage &message)
{
    const MessageKey key = keyOf(message);
    if (m_pendingMessages.contains(key) || m_inFlight.contains(key))
        return false;
    m_pending.append(Add{message, true});
    m_pendingMessages.insert(key, message);
    ++m_receivedBacklog[message.peerId];
    schedule();
    return true;
}

void MessageStore::setState(const ChatMessage &message, MessageState state)
{
    auto it = m_pendingMessages.find(keyOf(message));
    if (it != m_pendingMessages.end()) {
        if (allowed(it->state, state))
            it->state = state;
        return; // written with the add
    }
    m_pending.append(State{message, state});
    schedule();
}

void MessageStore::markSent(const ChatMessage &message)
{
    if (m_sent.contains(message.id))
        return; // written again (the peer asked for a resend): "sent" once
    ChatMessage m = message;
    m.state = MessageState::Sent;
    m_sent.insert(m.id, m);
    ++m_sentPerPeer[m.peerId];
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
    m_sentPerPeer.remove(peerId);
    if (!back.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this, back] { Q_EMIT committed({}, back, {}, {}); }, Qt::QueuedConnection);
    }
}

void MessageStore::forgetSent(const QUuid &id)
{
    const auto it = m_sent.constFind(id);
    if (it == m_sent.cend())
        return;
    const auto count = m_sentPerPeer.find(it->peerId);
    if (count != m_sentPerPeer.end() && --*count <= 0)
        m_sentPerPeer.erase(count);
    m_sent.erase(it);
}

bool MessageStore::retryUnsaved(const QUuid &id)
{
    for (qsizetype i = 0; i < m_unsaved.size(); ++i) {
        if (m_unsaved.at(i).id == id) {
            ChatMessage m = m_unsaved.takeAt(i);
            m.state = MessageState::Queued;
            addOutgoing(m);
            return true;
        }
    }
    return false;
}

bool MessageStore::discardUnsaved(const QUuid &id)
{
    for (qsizetype i = 0; i < m_unsaved.size(); ++i) {
        if (m_unsaved.at(i).id == id) {
            m_unsaved.removeAt(i);
            // Reported on the next pass, as a removal from the history is.
            QMetaObject::invokeMethod(
                this, [this, id] { Q_EMIT committed({}, {}, {id}, {}); }, Qt::QueuedConnection);
            return true;
        }
    }
    return false;
}

QList<ChatMessage> MessageStore::unsaved(const QString &peerId) const
{
    QList<ChatMessage> out;
    for (const ChatMessage &m : m_unsaved) {
        if (m.peerId == peerId)
            out.append(m);
    }
    return out;
}

void MessageStore::setGrowthLimited(bool limited)
{
    if (!m_writer)
        return;
    flush(); // what was written before is not caught by it
    StoreWriter *writer = m_writer;
    QMetaObject::invokeMethod(
        writer,
        [writer, limited] { writer->setGrowthLimited(limited); },
        Qt::BlockingQueuedConnection);
    m_inlineWriter->setGrowthLimited(limited);
}

void MessageStore::setReceiptSent(const ChatMessage &message)
{
    m_pending.append(Receipt{keyOf(message)});
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

bool MessageStore::contains(const MessageKey &key) const
{
    return m_pendingMessages.contains(key) || m_inFlight.contains(key) || stored(key)
           || (key.outgoing && unsavedMessage(key.id).value_or(ChatMessage{}).peerId == key.peerId);
}

std::optional<ChatMessage> MessageStore::unsavedMessage(const QUuid &id) const
{
    for (const ChatMessage &m : m_unsaved) {
        if (m.id == id)
            return m;
    }
    return std::nullopt;
}

std::optional<ChatMessage> MessageStore::stored(const MessageKey &key) const
{
    if (!m_q)
        return std::nullopt;
    ++m_reads;
    return selectByKey(m_q->byKey, key);
}

std::optional<ChatMessage> MessageStore::message(const MessageKey &key) const
{
    const auto pending = m_pendingMessages.constFind(key);
    if (pending != m_pendingMessages.cend())
        return *pending; // its state changes are applied to it in place
    const auto inFlight = m_inFlight.constFind(key);
    auto m = inFlight != m_inFlight.cend() ? std::optional<ChatMessage>(*inFlight) : stored(key);
    if (!m && key.outgoing) {
        m = unsavedMessage(key.id);
        if (m && m->peerId != key.peerId)
            m.reset();
        return m;
    }
    if (!m)
        return std::nullopt;
    if (m->outgoing && m->state == MessageState::Queued && m_sent.contains(m->id))
        m->state = MessageState::Sent;
    // A state change not yet committed.
    for (const Write &w : m_pending) {
        if (const auto *s = std::get_if<State>(&w);
            s && keyOf(s->message) == key && allowed(m->state, s->state))
            m->state = s->state;
    }
    return m;
}

std::optional<ChatMessage> MessageStore::message(const QUuid &id) const
{
    // Ours first, then anyone's: a walk of what waits for the disk (small but for a flood,
    // and this is for people and tests, not for the network).
    std::optional<ChatMessage> found = unsavedMessage(id);
    if (found)
        return found;
    for (const auto *queue : {&m_pendingMessages, &m_inFlight}) {
        for (const ChatMessage &m : *queue) {
            if (m.id == id && (!found || (m.outgoing && !found->outgoing)))
                found = m;
        }
    }
    if (!found || !found->outgoing) {
        if (m_q) {
            QSqlQuery &q = m_q->byId;
            ++m_reads;
            q.addBindValue(id.toRfc4122());
            if (q.exec() && q.next()) {
                ChatMessage m = fromRow(q);
                if (!found || m.outgoing)
                    found = m;
            }
            q.finish();
        }
    }
    return found ? message(keyOf(*found)) : std::nullopt;
}

QList<ChatMessage> MessageStore::select(const QString &where,
                                        const QVariantList &values,
                                        const QString &tail) const
{
    ++m_reads;
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
    while (q.next()) {
        ChatMessage m = fromRow(q);
        // Committed but not reported yet: it appears with committed(), as if still queued.
        if (m_inFlight.isEmpty() || !m_inFlight.contains(keyOf(m)))
            out.append(std::move(m));
    }
    return out;
}

QList<ChatMessage> MessageStore::page(const QString &peerId,
                                      int limit,
                                      const std::optional<ChatMessage> &before) const
{
    QList<ChatMessage> rows;
    // In the order of arrival here (seq), never by the sender's clock.
    if (before) {
        rows = select(u"peer_id = ? AND seq < ?"_s,
                      {peerId, before->seq},
                      u"ORDER BY seq DESC LIMIT %1"_s.arg(limit));
    } else {
        rows = select(u"peer_id = ?"_s, {peerId}, u"ORDER BY seq DESC LIMIT %1"_s.arg(limit));
    }
    std::reverse(rows.begin(), rows.end());
    return rows;
}

QList<ChatMessage> MessageStore::conversation(const QString &peerId) const
{
    return select(u"peer_id = ?"_s, {peerId}, u"ORDER BY seq"_s);
}

qint64 MessageStore::count(const QString &peerId) const
{
    ++m_reads;
    QSqlQuery q(m_db);
    q.prepare(u"SELECT COUNT(*) FROM messages WHERE peer_id = ?"_s);
    q.addBindValue(peerId);
    return q.exec() && q.next() ? q.value(0).toLongLong() : 0;
}

QList<ChatMessage> MessageStore::undelivered(const QString &peerId, qint64 afterSeq, int limit) const
{
    return select(u"peer_id = ? AND outgoing = 1 AND state IN (0, 1) AND seq > ?"_s,
                  {peerId, afterSeq},
                  u"ORDER BY seq LIMIT %1"_s.arg(limit));
}

bool MessageStore::hasUndelivered(const QString &peerId) const
{
    for (const auto *queue : {&m_pendingMessages, &m_inFlight}) {
        for (const ChatMessage &m : *queue) {
            if (m.outgoing && m.peerId == peerId)
                return true;
        }
    }
    ++m_reads;
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
    ++m_reads;
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
    ++m_reads;
    QSqlQuery q(m_db);
    QStringList out;
    if (q.exec(u"SELECT peer_id FROM conversations ORDER BY last_message_at DESC"_s)) {
        while (q.next())
            out.append(q.value(0).toString());
    }
    return out;
}

QStringList MessageStore::peersWrittenTo() const
{
    // A probe per conversation on (peer_id, seq): stops at the first message of ours.
    QSqlQuery q(m_db);
    QStringList out;
    if (q.exec(u"SELECT peer_id FROM conversations WHERE EXISTS (SELECT 1 FROM messages"
               u" WHERE messages.peer_id = conversations.peer_id AND outgoing = 1)"_s)) {
        while (q.next())
            out.append(q.value(0).toString());
    }
    return out;
}

QList<PeerRecord> MessageStore::peers() const
{
    ++m_reads;
    QSqlQuery q(m_db);
    QList<PeerRecord> out;
    if (!q.exec(u"SELECT id, CAST(name AS BLOB), certificate, addresses, last_seen"
                u" FROM peers"_s))
        return out;
    while (q.next()) {
        PeerRecord p;
        p.id = q.value(0).toString();
        p.name = fromText(q.value(1));
        p.certificate = q.value(2).toByteArray();
        p.addresses = q.value(3).toString().split(u'\n', Qt::SkipEmptyParts);
        if (!q.value(4).isNull())
            p.lastSeen = fromMs(q.value(4).toLongLong());
        out.append(p);
    }
    return out;
}
