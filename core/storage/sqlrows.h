#pragma once

// Row helpers shared by MessageStore (reads) and StoreWriter (writes). Internal to storage/.

#include "storage/chatmessage.h"

#include <QDateTime>
#include <QSqlQuery>
#include <QVariant>

#include <optional>

namespace SqlRows {

inline constexpr auto Columns = "seq, id, peer_id, outgoing, sent_at, received_at, text, state";

inline qint64 ms(const QDateTime &t)
{
    return t.toMSecsSinceEpoch();
}

inline QDateTime fromMs(qint64 v)
{
    return QDateTime::fromMSecsSinceEpoch(v, Qt::UTC);
}

// A row selected with Columns.
inline ChatMessage fromRow(const QSqlQuery &q)
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

// Runs `byId` (a prepared "SELECT Columns ... WHERE id = ?") for one message.
inline std::optional<ChatMessage> selectById(QSqlQuery &byId, const QUuid &id)
{
    byId.addBindValue(id.toRfc4122());
    std::optional<ChatMessage> out;
    if (byId.exec() && byId.next())
        out = fromRow(byId);
    byId.finish();
    return out;
}

// Outgoing states only move forward, but for Sent falling back to Queued.
inline bool allowed(MessageState from, MessageState to)
{
    return int(to) > int(from) || (from == MessageState::Sent && to == MessageState::Queued);
}

} // namespace SqlRows
