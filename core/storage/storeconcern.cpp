// SPDX-License-Identifier: GPL-3.0-or-later
#include "storeconcern.h"

#include "storage/sqlrows.h"

#include <QLoggingCategory>
#include <QSqlError>

Q_DECLARE_LOGGING_CATEGORY(lcStorage)

QList<ChatMessage> StoreConcern::select(QSqlQuery &q,
                                        const QVariantList &values,
                                        const QHash<MessageKey, ChatMessage> &hidden) const
{
    counted();
    for (const QVariant &v : values)
        q.addBindValue(v);
    QList<ChatMessage> out;
    if (!q.exec()) {
        qCWarning(lcStorage) << "query failed:" << q.lastError().text();
        q.finish();
        return out;
    }
    while (q.next()) {
        ChatMessage m = SqlRows::fromRow(q);
        // Committed but not reported yet: it appears with committed(), as if still queued.
        if (hidden.isEmpty() || !hidden.contains(keyOf(m)))
            out.append(std::move(m));
    }
    // Reset: a statement left open would hold its read snapshot (WAL) or its table lock (a
    // shared in-memory database).
    q.finish();
    return out;
}
