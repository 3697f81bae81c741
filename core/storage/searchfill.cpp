// SPDX-License-Identifier: GPL-3.0-or-later
#include "searchfill.h"

#include "storage/searchtable.h"
#include "storage/sqliteconnection.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSqlError>
#include <QThread>
#include <QUuid>

Q_DECLARE_LOGGING_CATEGORY(lcStorage)

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 ProgressEveryMs = 100;
}

SearchFill::SearchFill(QObject *parent)
    : QObject(parent)
{}

SearchFill::~SearchFill()
{
    stop();
}

void SearchFill::stop()
{
    if (!m_thread)
        return;
    m_stop = true;
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

void SearchFill::start(const QString &file, int maxChunks)
{
    stop();
    m_stop = false;
    m_thread = QThread::create([this, file, maxChunks] {
        const QString name = u"shoal-search-fill-%1"_s.arg(
            QUuid::createUuid().toString(QUuid::Id128));
        QString error;
        bool done = false;
        qint64 indexed = 0;
        qint64 total = 0;
        {
            QSqlDatabase db = SqliteConnection::add(name, file);
            if (!db.open()) {
                error = db.lastError().text();
            } else if (!SearchTable::fillProgress(db, &indexed, &total)) {
                error = db.lastError().text();
            } else {
                QElapsedTimer sinceReport;
                sinceReport.start();
                QElapsedTimer took;
                took.start();
                const qint64 from = total - indexed;
                for (int chunks = 0; !m_stop && (maxChunks <= 0 || chunks < maxChunks); ++chunks) {
                    qint64 watermark = 0;
                    const qint64 rows = SearchTable::fillChunk(db, &watermark, &error);
                    if (rows < 0)
                        break;
                    indexed = total - qMin(total, watermark);
                    if (watermark == 0) {
                        done = true;
                        indexed = total;
                        qCInfo(lcStorage).noquote()
                            << u"search index built: %1 messages in %2 ms"_s.arg(total - from)
                                   .arg(took.elapsed());
                    }
                    const bool last = done || m_stop || (maxChunks > 0 && chunks + 1 >= maxChunks);
                    if (last || sinceReport.elapsed() >= ProgressEveryMs) {
                        sinceReport.restart();
                        QMetaObject::invokeMethod(
                            this,
                            [this, indexed, total] { Q_EMIT progress(indexed, total); },
                            Qt::QueuedConnection);
                    }
                    if (done)
                        break;
                }
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        if (!error.isEmpty()) {
            qCWarning(lcStorage).noquote() << "search index fill failed:" << error;
            QMetaObject::invokeMethod(
                this, [this, error] { Q_EMIT failed(error); }, Qt::QueuedConnection);
        } else if (done) {
            QMetaObject::invokeMethod(this, &SearchFill::finished, Qt::QueuedConnection);
        }
    });
    m_thread->setObjectName(u"shoal-search-fill"_s);
    m_thread->start(QThread::LowPriority);
}
