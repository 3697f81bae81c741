// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Row helpers shared by MessageStore (reads) and StoreWriter (writes). Internal to storage/.

#include "storage/chatmessage.h"

#include <QDateTime>
#include <QSqlQuery>
#include <QStringDecoder>
#include <QVariant>

#include <optional>

namespace SqlRows {

// A message names its peer by peer_keys.key (schema 6), not by the 64-character ID: every
// index on messages leads with it, and a short integer is cheaper to store and to compare.
// The text is read as its UTF-8 bytes (fromText): SQLite's own UTF-8 to UTF-16 conversion
// turns U+FFFE and U+FFFF into U+FFFD.
inline constexpr auto Columns
    = "seq, id, (SELECT peer_id FROM peer_keys WHERE key = messages.peer_key), outgoing, sent_at,"
      " received_at, CAST(text AS BLOB), state, kind, author, reply_to";

// "The peer is the one bound here", by its ID (an ID without a key matches nothing).
inline constexpr auto PeerIs = "peer_key = (SELECT key FROM peer_keys WHERE peer_id = ?)";

inline qint64 ms(const QDateTime &t)
{
    return t.toMSecsSinceEpoch();
}

inline QDateTime fromMs(qint64 v)
{
    return QDateTime::fromMSecsSinceEpoch(v, Qt::UTC);
}

// Text to bind as CAST(? AS TEXT): UTF-8 bytes, never NULL (an empty text is '').
// Bound as a QString, Qt hands SQLite UTF-16, and SQLite takes a leading U+FEFF as a byte-order
// mark and drops it (a leading U+FFFE even byte-swaps the whole text): what was sent would not
// be what is stored. UTF-8 bytes are stored as they are.
inline QByteArray text(const QString &s)
{
    QByteArray utf8 = s.toUtf8();
    if (utf8.isNull())
        utf8 = QByteArray("", 0);
    return utf8;
}

// Bytes to bind to a NOT NULL column: an empty array is x'', never NULL.
inline QByteArray blob(const QByteArray &b)
{
    return b.isNull() ? QByteArray("", 0) : b;
}

// The reverse of text(). QString::fromUtf8() would drop a leading U+FEFF too: a decoder that
// keeps it.
inline QString fromText(const QVariant &v)
{
    QStringDecoder decode(QStringDecoder::Utf8,
                          QStringDecoder::Flag::Stateless | QStringDecoder::Flag::ConvertInitialBom);
    return decode(v.toByteArray());
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
    m.text = fromText(q.value(6));
    m.state = MessageState(q.value(7).toInt());
    m.kind = MessageKind(q.value(8).toInt());
    m.author = q.value(9).toString(); // NULL (empty) in 1:1
    if (const QByteArray re = q.value(10).toByteArray(); re.size() == 16)
        m.replyTo = QUuid::fromRfc4122(re);
    return m;
}

// The WHERE clause of ByKey; byKey() binds it.
inline constexpr auto ByKey
    = "id = ? AND peer_key = (SELECT key FROM peer_keys WHERE peer_id = ?) AND outgoing = ?";

// Runs `byKey` (a prepared "SELECT Columns FROM messages WHERE ByKey") for one message.
inline std::optional<ChatMessage> selectByKey(QSqlQuery &byKey, const MessageKey &key)
{
    byKey.addBindValue(key.id.toRfc4122());
    byKey.addBindValue(key.peerId);
    byKey.addBindValue(key.outgoing);
    std::optional<ChatMessage> out;
    if (byKey.exec() && byKey.next())
        out = fromRow(byKey);
    byKey.finish();
    return out;
}

// Outgoing states only move forward, but for Sent falling back to Queued.
inline bool allowed(MessageState from, MessageState to)
{
    return int(to) > int(from) || (from == MessageState::Sent && to == MessageState::Queued);
}

} // namespace SqlRows
