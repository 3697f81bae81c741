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

Q_DECLARE_METATYPE(ChatMessage)
