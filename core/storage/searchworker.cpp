// SPDX-License-Identifier: GPL-3.0-or-later
#include "searchworker.h"

#include "storage/searchtable.h"
#include "storage/sqliteconnection.h"

#include <QSqlError>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace {
// Rows committed and not reported yet are the owner's business: this connection sees disk.
const QHash<MessageKey, ChatMessage> NothingAhead;
} // namespace

struct SearchWorker::Reader
{
    explicit Reader(const QString &file)
        : name(u"shoal-search-%1"_s.arg(QUuid::createUuid().toString(QUuid::Id128)))
        , db(SqliteConnection::add(name, file, SqliteConnection::Mode::ReadOnly))
    {
        if (!db.open())
            error = db.lastError().text();
        else if (!table.prepare(db))
            error = db.lastError().text();
    }
    ~Reader()
    {
        table.release();
        SqliteConnection::remove(db, name);
    }
    QString name;
    QSqlDatabase db;
    SearchTable table{WritesAhead{NothingAhead, NothingAhead}};
    QString error;
};

SearchWorker::SearchWorker(const QString &file, QObject *parent)
    : QObject(parent)
    , m_file(file)
    , m_context(new QObject)
{
    m_thread.setObjectName(u"shoal-search"_s);
    m_context->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
}

SearchWorker::~SearchWorker()
{
    m_latest = 0;
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            delete m_reader;
            m_reader = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void SearchWorker::request(quint64 ticket,
                           const QString &text,
                           const QString &conversation,
                           int limit)
{
    m_latest = ticket;
    QMetaObject::invokeMethod(
        m_context,
        [this, ticket, text, conversation, limit] {
            if (ticket != m_latest)
                return; // a newer one is queued behind it
            if (!m_reader)
                m_reader = new Reader(m_file);
            QString error = m_reader->error;
            QList<ChatMessage> found;
            if (error.isEmpty())
                found = m_reader->table.search(text, conversation, limit, &error);
            Q_EMIT finished(ticket, found, error);
        },
        Qt::QueuedConnection);
}
