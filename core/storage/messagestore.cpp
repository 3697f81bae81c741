// SPDX-License-Identifier: GPL-3.0-or-later
#include "messagestore.h"

#include "storage/profiledirectory.h"
#include "storage/searchfill.h"
#include "storage/searchtokenizer.h"
#include "storage/sqliteconnection.h"
#include "storage/sqlrows.h"

#include <QDir>
#include <QLoggingCategory>
#include <QMutex>
#include <QSet>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QUuid>
#include <QWaitCondition>

#include <sqlite3.h>

using namespace Qt::StringLiterals;
using namespace SqlRows;
using namespace StoreWrite;

Q_LOGGING_CATEGORY(lcStorage, "shoal.storage")

// Every concern's schema steps, in this order within a version. A new concern adds its
// schema() here.
const QList<SchemaSteps> &MessageStore::schemaSteps()
{
    static const QList<SchemaSteps> all = {PeerTable::schema(),
                                           HistoryTable::schema(),
                                           OutgoingQueue::schema(),
                                           TransferTable::schema(),
                                           GroupTable::schema(),
                                           SearchTable::schema()};
    return all;
}

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
    // Every connection opened from now on can write to the search index (its triggers).
    SearchTokenizer::registerTokenizer();
}

MessageStore::~MessageStore()
{
    delete m_searchFill; // stops after the chunk being written
    m_searchFill = nullptr;
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
    flush();
    if (m_writer) {
        StoreWriter *writer = m_writer;
        QMetaObject::invokeMethod(
            writer, [writer] { writer->close(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
        delete writer; // its thread has ended: nothing else can touch it
    }
    if (m_inlineWriter)
        m_inlineWriter->close();
    for (StoreConcern *concern : m_concerns)
        concern->release();
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
    // The search index's tokenizer, on this connection too (it may have been opened before
    // any store registered it for every connection).
    if (version >= 10 && current < version) {
        const QVariant handle = db.driver()->handle();
        if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
            SearchTokenizer::registerTokenizer(*static_cast<sqlite3 *const *>(handle.constData()));
    }
    for (int v = current + 1; v <= version; ++v) {
        if (!db.transaction()) {
            *error = db.lastError().text();
            return false;
        }
        QSqlQuery q(db);
        for (const SchemaSteps &steps : schemaSteps()) {
            for (const SchemaStep &step : steps) {
                if (step.version != v)
                    continue;
                for (const QString &sql : step.statements) {
                    if (!q.exec(sql)) {
                        *error = u"migration to schema %1 failed: %2"_s.arg(v).arg(
                            q.lastError().text());
                        db.rollback();
                        return false;
                    }
                }
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

QString MessageStore::historyPath(const QString &profileDir)
{
    return QDir(profileDir).filePath(QStringLiteral("history.sqlite"));
}

bool MessageStore::openProfile(const QString &profileDir, QString *error)
{
    if (profileDir.isEmpty())
        return open(QStringLiteral(":memory:"), error);
    bool created = false;
    if (!ProfileDirectory::createPrivateDirectory(profileDir, &created, error))
        return false;
    // SQLite gives its -wal and -shm files the mode of the database file; those of an older
    // Shoal may still be readable by others.
    const QString path = historyPath(profileDir);
    if (!ProfileDirectory::createPrivateFile(path, error))
        return false;
    for (const char *suffix : {"-wal", "-shm", "-journal"})
        ProfileDirectory::restrictToOwner(path + QLatin1StringView(suffix));
    return open(path, error);
}

bool MessageStore::open(const QString &path, QString *error)
{
    QString file = path;
    const bool durable = path != u":memory:"_s;
    m_inMemory = !durable;
    if (m_inMemory) {
        // A SQLite in-memory database that this store's connections share (shared cache; it
        // lives while one of them is open). A shared cache locks tables, not the file, and a
        // reader's lock would make the writers fail at once (SQLITE_LOCKED: no busy wait), so
        // this connection reads uncommitted: it may see the writer thread's batch while it is
        // being written. Harmless here: the adds in it are left out until reported (m_inFlight,
        // as with WAL), and nothing is acknowledged or sent before committed().
        file = u"file:%1?mode=memory&cache=shared"_s.arg(m_connection);
    }
    const auto mode = durable ? SqliteConnection::Mode::ReadWrite
                              : SqliteConnection::Mode::SharedMemory;
    m_db = SqliteConnection::add(m_connection, file, mode);
    if (!m_db.open()) {
        qCWarning(lcStorage).noquote() << "cannot open" << path << m_db.lastError().text();
        *error = tr("Cannot open the history %1. Check that the folder can be written.").arg(path);
        return false;
    }
    // WAL: readers (this thread) never wait for the writer (the writer thread).
    const bool configured = durable ? exec(u"PRAGMA journal_mode = WAL"_s, error)
                                    : exec(u"PRAGMA read_uncommitted = 1"_s, error)
                                          // In memory, every page a transaction changes is
                                          // first copied whole into its journal: 1 KiB pages
                                          // cut a round trip's instructions by 9 %.
                                          && exec(u"PRAGMA page_size = 1024"_s, error);
    if (!configured || !exec(u"PRAGMA foreign_keys = ON"_s, error)
        || !migrate(m_db, SchemaVersion, error)) {
        m_db.close();
        return false;
    }
    for (StoreConcern *concern : m_concerns) {
        if (!concern->prepare(m_db)) {
            *error = m_db.lastError().text();
            for (StoreConcern *c : m_concerns)
                c->release();
            m_db.close();
            return false;
        }
    }
    // The writers' connections are opened when there is something to write, not here: the
    // window or `ready` does not wait for them (~2 ms, more on a busy machine).
    m_file = file;
    m_open = true;
    if (durable)
        startCheck(file);
    startSearchFill();
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
    if (m_busy || m_pending.isEmpty() || !isOpen())
        return; // collect() sends what is queued when the batch with the writer is done
    // At most MaxWritesPerCommit at a time, so that one transaction (and the wait for its
    // report) stays short; the rest is the next batch.
    QList<Write> writes;
    if (m_pending.size() > MaxWritesPerCommit) {
        // Never between a group message and its conversation row (together()).
        qsizetype n = 0;
        while (n < MaxWritesPerCommit)
            n += n + 1 < m_pending.size() && together(m_pending.at(n), m_pending.at(n + 1)) ? 2 : 1;
        writes = m_pending.first(n);
        m_pending.remove(0, n);
    } else {
        writes = std::exchange(m_pending, {});
    }
    // An add goes with the latest state it was given while queued; from now on a change to it
    // is a write of its own, in a later batch. (Room made once: grown add by add, the hash was
    // rehashed ~10 times a batch, 3 % of the main thread in a flood.)
    if (writes.size() > InlineMaxWrites) {
        m_inFlight.reserve(std::count_if(writes.cbegin(), writes.cend(), [](const Write &w) {
            return std::holds_alternative<Add>(w);
        }));
    }
    for (Write &w : writes) {
        if (auto *a = std::get_if<Add>(&w)) {
            a->message = m_pendingMessages.take(keyOf(a->message));
            m_inFlight.insert(keyOf(a->message), a->message);
            if (a->received)
                ++m_receivedInFlight[a->message.peerId];
        } else if (const auto *r = std::get_if<Remove>(&w)) {
            m_removing.remove(r->id);
            m_removingInFlight.insert(r->id);
        } else if (const auto *t = std::get_if<TransferRecord>(&w)) {
            m_transferWritesInFlight.append(keyOf(*t));
        } else if (const auto *f = std::get_if<Manifest>(&w)) {
            m_transferWritesInFlight.append(TransferKey{f->id, f->peerId, f->outgoing});
        } else if (const auto *g = std::get_if<GroupMessageRecord>(&w)) {
            m_groupMessagesInFlight.append(*g);
        } else if (const auto *c = std::get_if<GroupReceiptRecord>(&w)) {
            m_groupReceiptsInFlight.append(*c);
        }
    }
    if (writes.size() <= InlineMaxWrites && m_inlineBackoff.hasExpired()) {
        // A few writes while the writer thread is idle: committed here, sparing the two thread
        // hand-offs (~0.1 ms each here) that would double a message's round trip. One such
        // commit costs one fsync, ~0.3 ms; should the disk ever take longer than a few
        // milliseconds, everything goes to the writer thread for a while.
        CommitResult result = inlineWriter().commit(writes);
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
    StoreWriter *writer = threadWriter();
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

StoreWriter &MessageStore::inlineWriter()
{
    if (!m_inlineWriter) {
        // Should it not open, its commits fail with the reason, reported as any failed write
        // is.
        m_inlineWriter = std::make_unique<StoreWriter>();
        QString error;
        if (!m_inlineWriter->open(m_file, !m_inMemory, &error))
            qCWarning(lcStorage).noquote() << "cannot open the history for writing:" << error;
        else if (m_growthLimited)
            m_inlineWriter->setGrowthLimited(true);
    }
    return *m_inlineWriter;
}

StoreWriter *MessageStore::threadWriter()
{
    if (!m_writer) {
        m_writer = new StoreWriter;
        m_writer->moveToThread(&m_thread);
        m_thread.start();
        // Posted: the batches posted after it find it open (or fail with the reason).
        QMetaObject::invokeMethod(
            m_writer,
            [w = m_writer, file = m_file, durable = !m_inMemory, limited = m_growthLimited] {
                QString error;
                if (!w->open(file, durable, &error))
                    qCWarning(lcStorage).noquote()
                        << "cannot open the history for writing:" << error;
                else if (limited)
                    w->setGrowthLimited(true);
            },
            Qt::QueuedConnection);
    }
    return m_writer;
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

QString MessageStore::describeWriteError(int sqliteCode, const QString &sqliteText)
{
    // In the person's language for what a person can act on; SQLite's English words only for
    // the rest (a bug, not a disk), where they are what a report needs.
    switch (sqliteCode) {
    case SQLITE_FULL:
        return tr("the disk is full");
    case SQLITE_IOERR:
        return tr("the disk reported an error (full, removed, or failing)");
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return tr("the history file cannot be written");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return tr("the history file is damaged");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return tr("the history file is in use by another program");
    default:
        return sqliteText;
    }
}

void MessageStore::finish(CommitResult r)
{
    m_longestCommitUs = qMax(m_longestCommitUs, r.commitUs);
    m_inFlight.clear();
    m_removingInFlight.clear(); // removed (reported below) or failed: sendable again
    // Written or failed: read from the disk again.
    for (const TransferKey &key : std::as_const(m_transferWritesInFlight))
        m_transfers.settled(key);
    m_transferWritesInFlight.clear();
    for (const GroupMessageRecord &g : std::as_const(m_groupMessagesInFlight))
        m_groups.settled(g);
    m_groupMessagesInFlight.clear();
    for (const GroupReceiptRecord &c : std::as_const(m_groupReceiptsInFlight))
        m_groups.settled(c);
    m_groupReceiptsInFlight.clear();
    // Written or failed, they are no longer ahead of the disk.
    for (auto it = m_receivedInFlight.cbegin(); it != m_receivedInFlight.cend(); ++it) {
        if ((m_receivedBacklog[it.key()] -= it.value()) <= 0)
            m_receivedBacklog.remove(it.key());
    }
    m_receivedInFlight.clear();
    const QString why = r.ok ? QString() : describeWriteError(r.sqliteCode, r.error);
    if (!r.ok) {
        m_failedSinceFlush = true;
        // Reported; what did get written (the writer retries a failed batch write by write)
        // is reported below as usual. SQLite's own words go to the log.
        m_lastError = tr("Could not save to the history: %1. Free some disk space: messages "
                         "you write are marked \"not saved\" until you retry them; messages to "
                         "you are fetched again by themselves.")
                          .arg(why);
        qCWarning(lcStorage).noquote() << "a write failed:" << r.error;
        Q_EMIT errorOccurred(m_lastError);
    }
    const bool writableAgain = r.ok && m_failing;
    m_failing = !r.ok;
    // Acknowledged or removed for good: no longer on the wire, and a Sent or back-to-Queued
    // report still waiting for them is out of date (an ack, then the connection ended, in one
    // pass: the message stays Delivered).
    QSet<QUuid> settled;
    for (const ChatMessage &m : std::as_const(r.changed)) {
        if (m.state != MessageState::Queued) {
            m_outgoing.forgetSent(m.id);
            settled.insert(m.id);
        }
    }
    for (const QUuid &id : std::as_const(r.removed)) {
        m_outgoing.forgetSent(id);
        settled.insert(id);
    }
    if (!settled.isEmpty()) {
        m_sentToReport.removeIf([&settled](const ChatMessage &m) { return settled.contains(m.id); });
    }
    if (!r.added.isEmpty() || !r.changed.isEmpty() || !r.removed.isEmpty()
        || !r.duplicates.isEmpty()) {
        // What the listeners send on this commit is reported Sent right after it, not on a
        // pass of its own: a posted call is a wake-up and a trip through the event loop.
        const bool reporting = std::exchange(m_reportingCommit, true);
        Q_EMIT committed(r.added, r.changed, r.removed, r.duplicates);
        m_reportingCommit = reporting;
        if (!reporting && !m_sentToReport.isEmpty() && !m_sentReportPosted)
            Q_EMIT sentStateChanged(std::exchange(m_sentToReport, {}));
    }
    if (!r.failed.isEmpty()) {
        for (ChatMessage &m : r.failed) {
            if (m.outgoing) {
                m.state = MessageState::Failed;
                m_outgoing.addUnsaved(m);
            }
        }
        Q_EMIT notSaved(r.failed, why);
    }
    if (writableAgain) {
        qCInfo(lcStorage) << "the history takes writes again";
        Q_EMIT recovered();
    }
}

bool MessageStore::flush()
{
    m_failedSinceFlush = false;
    while (isOpen() && (m_busy || !m_pending.isEmpty())) {
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
    // An acknowledgement names our message by ID; the one on the wire has its row's seq.
    const qint64 seq = message.outgoing ? m_outgoing.sentSeq(message.id, message.peerId) : 0;
    m_pending.append(State{message, state, seq});
    schedule();
}

void MessageStore::markSent(const ChatMessage &message)
{
    if (const auto sent = m_outgoing.markSent(message))
        reportSent({*sent});
}

void MessageStore::unsend(const QString &peerId)
{
    const QList<ChatMessage> back = m_outgoing.unsend(peerId);
    if (!back.isEmpty())
        reportSent(back);
}

void MessageStore::reportSent(const QList<ChatMessage> &changed)
{
    // After whatever is being reported now (its add, say), and all of a pass together: at the
    // end of the commit being reported (finish()), else on the next pass.
    if (m_sentToReport.isEmpty() && !m_reportingCommit) {
        m_sentReportPosted = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_sentReportPosted = false;
                if (!m_sentToReport.isEmpty())
                    Q_EMIT sentStateChanged(std::exchange(m_sentToReport, {}));
            },
            Qt::QueuedConnection);
    }
    m_sentToReport += changed;
}

bool MessageStore::retryUnsaved(const QUuid &id)
{
    auto m = m_outgoing.takeUnsaved(id);
    if (!m)
        return false;
    // A file item is never queued: it stands for the transfer, which is not sent as chat.
    m->state = m->kind == MessageKind::File ? MessageState::Delivered : MessageState::Queued;
    addOutgoing(*m);
    return true;
}

bool MessageStore::discardUnsaved(const QUuid &id)
{
    if (!m_outgoing.takeUnsaved(id))
        return false;
    QMetaObject::invokeMethod(
        this, [this, id] { Q_EMIT unsavedDiscarded(id); }, Qt::QueuedConnection);
    return true;
}

QList<ChatMessage> MessageStore::unsaved(const QString &peerId) const
{
    return m_outgoing.unsaved(peerId);
}

void MessageStore::setGrowthLimited(bool limited)
{
    if (!isOpen())
        return;
    flush(); // what was written before is not caught by it
    m_growthLimited = limited;
    if (StoreWriter *writer = m_writer) {
        QMetaObject::invokeMethod(
            writer,
            [writer, limited] { writer->setGrowthLimited(limited); },
            Qt::BlockingQueuedConnection);
    }
    if (m_inlineWriter)
        m_inlineWriter->setGrowthLimited(limited);
}

void MessageStore::setReceiptSent(const ChatMessage &message)
{
    m_pending.append(Receipt{keyOf(message)});
    schedule();
}

void MessageStore::remove(const QUuid &id)
{
    m_removing.insert(id);
    m_pending.append(Remove{id});
    schedule();
}

void MessageStore::forget(const MessageKey &key)
{
    m_pending.append(Forget{key});
    schedule();
}

void MessageStore::savePeer(const PeerRecord &peer)
{
    m_pending.append(peer);
    schedule();
}

void MessageStore::saveTransfer(const TransferRecord &transfer)
{
    m_transfers.queued(transfer);
    m_pending.append(transfer);
    schedule();
}

void MessageStore::saveManifest(const QUuid &id,
                                const QString &peerId,
                                bool outgoing,
                                const QByteArray &blob)
{
    m_transfers.queued(TransferKey{id, peerId, outgoing}, blob);
    m_pending.append(Manifest{id, peerId, outgoing, blob});
    schedule();
}

qint64 MessageStore::readCount() const
{
    qint64 n = 0;
    for (const StoreConcern *concern : m_concerns)
        n += concern->readCount();
    return n;
}

bool MessageStore::contains(const MessageKey &key) const
{
    return m_pendingMessages.contains(key) || m_inFlight.contains(key) || m_history.stored(key)
           || (key.outgoing
               && m_outgoing.unsavedMessage(key.id).value_or(ChatMessage{}).peerId == key.peerId);
}

std::optional<ChatMessage> MessageStore::message(const MessageKey &key) const
{
    const auto pending = m_pendingMessages.constFind(key);
    if (pending != m_pendingMessages.cend())
        return *pending; // its state changes are applied to it in place
    const auto inFlight = m_inFlight.constFind(key);
    auto m = inFlight != m_inFlight.cend() ? std::optional<ChatMessage>(*inFlight)
                                           : m_history.stored(key);
    if (!m && key.outgoing) {
        m = m_outgoing.unsavedMessage(key.id);
        if (m && m->peerId != key.peerId)
            m.reset();
        return m;
    }
    if (!m)
        return std::nullopt;
    if (m->outgoing && m->state == MessageState::Queued && m_outgoing.isSent(m->id))
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
    std::optional<ChatMessage> found = m_outgoing.unsavedMessage(id);
    if (found)
        return found;
    for (const auto *queue : {&m_pendingMessages, &m_inFlight}) {
        for (const ChatMessage &m : *queue) {
            if (m.id == id && (!found || (m.outgoing && !found->outgoing)))
                found = m;
        }
    }
    if (!found || !found->outgoing) {
        if (const auto m = m_history.storedById(id); m && (!found || m->outgoing))
            found = m;
    }
    return found ? message(keyOf(*found)) : std::nullopt;
}

QList<ChatMessage> MessageStore::page(const QString &peerId,
                                      int limit,
                                      const std::optional<ChatMessage> &before) const
{
    return m_history.page(peerId, limit, before);
}

QList<ChatMessage> MessageStore::pageAfter(const QString &peerId, int limit, qint64 afterSeq) const
{
    return m_history.pageAfter(peerId, limit, afterSeq);
}

QList<ChatMessage> MessageStore::conversation(const QString &peerId) const
{
    return m_history.conversation(peerId);
}

qint64 MessageStore::count(const QString &peerId) const
{
    return m_history.count(peerId);
}

QList<ChatMessage> MessageStore::undelivered(const QString &peerId, qint64 afterSeq, int limit) const
{
    return m_outgoing.undelivered(peerId, afterSeq, limit);
}

bool MessageStore::hasUndelivered(const QString &peerId) const
{
    return m_outgoing.hasUndelivered(peerId);
}

QList<ChatMessage> MessageStore::pendingReceipts(const QString &peerId) const
{
    return m_history.pendingReceipts(peerId);
}

QList<ChatMessage> MessageStore::unread(const QString &peerId) const
{
    return m_history.unread(peerId);
}

QHash<QString, int> MessageStore::unreadCounts() const
{
    return m_history.unreadCounts();
}

QStringList MessageStore::conversationPeers() const
{
    return m_history.conversationPeers();
}

QStringList MessageStore::peersWrittenTo() const
{
    return m_history.peersWrittenTo();
}

QList<PeerRecord> MessageStore::peers() const
{
    return m_peers.peers();
}

QList<TransferRecord> MessageStore::transfers() const
{
    return m_transfers.transfers();
}

QByteArray MessageStore::manifest(const QUuid &id, const QString &peerId, bool outgoing) const
{
    return m_transfers.manifest(TransferKey{id, peerId, outgoing});
}

void MessageStore::saveGroupMessage(const GroupMessageRecord &record)
{
    m_groups.queued(record);
    m_pending.append(record);
    schedule();
}

void MessageStore::saveGroupReceipt(const GroupReceiptRecord &receipt)
{
    m_groups.queued(receipt);
    m_pending.append(receipt);
    schedule();
}

QStringList MessageStore::groupIds() const
{
    return m_groups.groupIds();
}

QList<GroupMessageRecord> MessageStore::groupMembership(const QString &group) const
{
    return m_groups.membership(group);
}

QHash<QString, GroupHead> MessageStore::groupHeads(const QString &group) const
{
    return m_groups.heads(group);
}

std::optional<GroupMessageRecord> MessageStore::groupMessage(const QString &group,
                                                             const QString &author,
                                                             qint64 seq) const
{
    return m_groups.message(group, author, seq);
}

QList<GroupMessageRecord> MessageStore::groupMessagesAfter(const QString &group,
                                                           const QHash<QString, qint64> &heads,
                                                           int maxMessages,
                                                           qint64 maxBytes) const
{
    return m_groups.after(group, heads, maxMessages, maxBytes);
}

QList<GroupReceiptRecord> MessageStore::groupReceipts(const QString &group) const
{
    return m_groups.receipts(group);
}

// --- Search (issue 15) ---
void MessageStore::startSearchFill()
{
    m_searchReady = m_search.unindexedMax() == 0;
    if (m_searchReady)
        return;
    if (m_inMemory) {
        // Never happens (a history in memory is created at the newest schema, nothing to
        // fill), and a second connection would lock the writers out of a shared cache: here.
        qint64 watermark = 1;
        QString error;
        while (watermark > 0 && SearchTable::fillChunk(m_db, &watermark, &error) >= 0) {
        }
        m_searchReady = watermark == 0;
        return;
    }
    if (!m_searchFill) {
        m_searchFill = new SearchFill(this);
        connect(m_searchFill, &SearchFill::progress, this, &MessageStore::searchIndexProgress);
        connect(m_searchFill, &SearchFill::finished, this, [this] { m_searchReady = true; });
        connect(m_searchFill, &SearchFill::failed, this, [this] {
            // Busy for long (another program holds the file), or a full disk: try again later;
            // search meanwhile finds what is indexed.
            QTimer::singleShot(SearchFillRetryMs, this, [this] {
                if (isOpen() && !m_searchReady)
                    m_searchFill->start(m_file, m_searchFillLimit);
            });
        });
    }
    m_searchFill->start(m_file, m_searchFillLimit);
}

QList<ChatMessage> MessageStore::search(const QString &text,
                                        const QString &conversation,
                                        int limit,
                                        QString *error) const
{
    return m_search.search(text, conversation, limit, error);
}

QList<ChatMessage> MessageStore::historyAround(const QString &conversation,
                                               const QUuid &id,
                                               int before,
                                               int after) const
{
    std::optional<ChatMessage> target;
    for (const bool outgoing : {true, false}) {
        target = message(MessageKey{id, conversation, outgoing});
        if (target && target->seq != 0)
            break;
        target.reset(); // not there, or not on disk yet
    }
    if (!target)
        return {};
    QList<ChatMessage> rows = before > 0 ? page(conversation, before, *target)
                                         : QList<ChatMessage>();
    rows.append(*target);
    if (after > 0)
        rows += pageAfter(conversation, after, target->seq);
    return rows;
}
// --- end search ---
