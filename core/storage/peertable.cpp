// SPDX-License-Identifier: GPL-3.0-or-later
#include "peertable.h"

#include "storage/sqlrows.h"

using namespace Qt::StringLiterals;
using namespace SqlRows;

SchemaSteps PeerTable::schema()
{
    return {
        {1,
         {u"CREATE TABLE peers ("
          u" id TEXT PRIMARY KEY,"
          u" name TEXT NOT NULL DEFAULT '',"
          u" certificate BLOB,"
          u" addresses TEXT NOT NULL DEFAULT '',"
          u" last_seen INTEGER)"_s}},
        // Avatars (issue 15): the picture each peer last announced (its SHA-256), so that an
        // offline peer's picture still shows after a restart.
        {11, {u"ALTER TABLE peers ADD COLUMN avatar_hash BLOB"_s}},
    };
}

PeerTable::PeerTable() = default;
PeerTable::~PeerTable() = default;

bool PeerTable::prepareQueries()
{
    m_all = std::make_unique<QSqlQuery>(db());
    m_all->setForwardOnly(true);
    if (m_all->prepare(u"SELECT id, CAST(name AS BLOB), certificate, addresses, last_seen,"
                       u" avatar_hash FROM peers"_s))
        return true;
    m_all.reset();
    return false;
}

void PeerTable::releaseQueries()
{
    m_all.reset();
}

QList<PeerRecord> PeerTable::peers() const
{
    QList<PeerRecord> out;
    if (!m_all)
        return out;
    counted();
    QSqlQuery &q = *m_all;
    if (q.exec()) {
        while (q.next()) {
            PeerRecord p;
            p.id = q.value(0).toString();
            p.name = fromText(q.value(1));
            p.certificate = q.value(2).toByteArray();
            p.addresses = q.value(3).toString().split(u'\n', Qt::SkipEmptyParts);
            if (!q.value(4).isNull())
                p.lastSeen = fromMs(q.value(4).toLongLong());
            p.avatarHash = q.value(5).toByteArray(); // avatars (issue 15)
            out.append(p);
        }
    }
    q.finish();
    return out;
}
