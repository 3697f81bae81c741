#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QUuid>

enum class MessageState { Queued, Sent, Delivered, Failed };

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
};

QString messageStateName(MessageState state);

Q_DECLARE_METATYPE(ChatMessage)
