// SPDX-License-Identifier: GPL-3.0-or-later
#include "transfertable.h"

#include "storage/sqlrows.h"

#include <QLoggingCategory>
#include <QSqlError>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;
using namespace SqlRows;

Q_DECLARE_LOGGING_CATEGORY(lcStorage)

// Forward-only: never edit a step that has shipped; add one.
SchemaSteps TransferTable::schema()
{
    return {
        // Texts (names, paths, the error) are stored exactly as messages are: UTF-8 bytes cast
        // to TEXT, never NULL. One row per transfer, not per message: the peer by its ID.
        {7,
         {u"CREATE TABLE transfers ("
          u" id BLOB NOT NULL,"
          u" peer_id TEXT NOT NULL,"
          u" outgoing INTEGER NOT NULL,"
          u" created_at INTEGER," // our clock, ms, UTC
          u" name TEXT NOT NULL,"
          u" size INTEGER NOT NULL,"
          u" files INTEGER NOT NULL,"
          u" entries INTEGER NOT NULL,"
          u" folder INTEGER NOT NULL,"
          u" manifest_hash BLOB NOT NULL,"
          u" state INTEGER NOT NULL," // TransferState
          u" seen INTEGER NOT NULL,"
          u" source_dir TEXT NOT NULL,"
          u" destination TEXT NOT NULL,"
          u" saved_path TEXT NOT NULL,"
          u" bytes_done INTEGER NOT NULL,"
          u" error TEXT NOT NULL,"
          u" PRIMARY KEY (id, peer_id, outgoing)) WITHOUT ROWID"_s,
          // Apart: a manifest may be megabytes, read once per transfer, and a WITHOUT ROWID
          // table keeps its rows in the tree's pages.
          u"CREATE TABLE transfer_manifests ("
          u" id BLOB NOT NULL,"
          u" peer_id TEXT NOT NULL,"
          u" outgoing INTEGER NOT NULL,"
          u" manifest BLOB NOT NULL,"
          u" PRIMARY KEY (id, peer_id, outgoing))"_s}},
    };
}

struct TransferTable::Queries
{
    explicit Queries(const QSqlDatabase &db)
        : all(db)
        , manifest(db)
    {
        all.setForwardOnly(true);
        manifest.setForwardOnly(true);
    }
    bool prepare()
    {
        return all.prepare(u"SELECT id, peer_id, outgoing, created_at, CAST(name AS BLOB), size,"
                           u" files, entries, folder, manifest_hash, state, seen,"
                           u" CAST(source_dir AS BLOB), CAST(destination AS BLOB),"
                           u" CAST(saved_path AS BLOB), bytes_done, CAST(error AS BLOB)"
                           u" FROM transfers ORDER BY created_at, id"_s)
               && manifest.prepare(u"SELECT manifest FROM transfer_manifests"
                                   u" WHERE id = ? AND peer_id = ? AND outgoing = ?"_s);
    }
    QSqlQuery all, manifest;
};

TransferTable::TransferTable() = default;
TransferTable::~TransferTable() = default;

bool TransferTable::prepareQueries()
{
    m_q = std::make_unique<Queries>(db());
    if (m_q->prepare())
        return true;
    m_q.reset();
    return false;
}

void TransferTable::releaseQueries()
{
    m_q.reset();
}

QList<TransferRecord> TransferTable::transfers() const
{
    QList<TransferRecord> out;
    if (m_q) {
        counted();
        QSqlQuery &q = m_q->all;
        if (!q.exec())
            qCWarning(lcStorage) << "query failed:" << q.lastError().text();
        while (q.next()) {
            TransferRecord t;
            t.id = QUuid::fromRfc4122(q.value(0).toByteArray());
            t.peerId = q.value(1).toString();
            t.outgoing = q.value(2).toBool();
            if (!q.value(3).isNull())
                t.createdAt = fromMs(q.value(3).toLongLong());
            t.name = fromText(q.value(4));
            t.size = q.value(5).toLongLong();
            t.files = q.value(6).toLongLong();
            t.entries = q.value(7).toLongLong();
            t.folder = q.value(8).toBool();
            t.manifestHash = q.value(9).toByteArray();
            t.state = TransferState(q.value(10).toInt());
            t.seen = q.value(11).toBool();
            t.sourceDir = fromText(q.value(12));
            t.destination = fromText(q.value(13));
            t.savedPath = fromText(q.value(14));
            t.bytesDone = q.value(15).toLongLong();
            t.error = fromText(q.value(16));
            out.append(t);
        }
        q.finish();
    }
    // What waits for the disk replaces what is there, or joins it.
    for (auto it = m_ahead.cbegin(); it != m_ahead.cend(); ++it) {
        if (!it->record)
            continue;
        const auto on = std::find_if(out.begin(), out.end(), [&](const TransferRecord &t) {
            return keyOf(t) == it.key();
        });
        if (on != out.end())
            *on = *it->record;
        else
            out.append(*it->record);
    }
    if (!m_ahead.isEmpty()) {
        // In the order they were made, as the query gives them (those without a time first).
        std::stable_sort(out.begin(),
                         out.end(),
                         [](const TransferRecord &a, const TransferRecord &b) {
                             const auto at = [](const TransferRecord &t) {
                                 return t.createdAt.isValid() ? ms(t.createdAt)
                                                              : std::numeric_limits<qint64>::min();
                             };
                             return at(a) < at(b);
                         });
    }
    return out;
}

QByteArray TransferTable::manifest(const TransferKey &key) const
{
    if (const auto it = m_ahead.constFind(key); it != m_ahead.cend() && it->manifest)
        return *it->manifest;
    if (!m_q)
        return {};
    counted();
    QSqlQuery &q = m_q->manifest;
    q.addBindValue(key.id.toRfc4122());
    q.addBindValue(key.peerId);
    q.addBindValue(key.outgoing);
    QByteArray out;
    if (!q.exec())
        qCWarning(lcStorage) << "query failed:" << q.lastError().text();
    else if (q.next())
        out = q.value(0).toByteArray();
    q.finish();
    return out;
}

void TransferTable::queued(const TransferRecord &record)
{
    Ahead &a = m_ahead[keyOf(record)];
    a.record = record;
    ++a.writes;
}

void TransferTable::queued(const TransferKey &key, const QByteArray &manifest)
{
    Ahead &a = m_ahead[key];
    a.manifest = manifest;
    ++a.writes;
}

void TransferTable::settled(const TransferKey &key)
{
    const auto it = m_ahead.find(key);
    if (it != m_ahead.end() && --it->writes <= 0)
        m_ahead.erase(it);
}
