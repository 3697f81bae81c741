#pragma once

#include "storage/chatmessage.h"

#include <QHash>
#include <QList>
#include <QObject>

#include <optional>

// The conversations of this run, in memory. Persistent history replaces it in its own issue;
// the models and the messenger only use this interface.
class MessageLog final : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    bool contains(const QUuid &id) const { return m_index.contains(id); }
    std::optional<ChatMessage> message(const QUuid &id) const;
    // Adds a message in its place in sender order; returns false if the ID is known.
    bool add(const ChatMessage &message);
    bool setState(const QUuid &id, MessageState state);
    const QList<ChatMessage> &conversation(const QString &peerId) const;
    // Outgoing messages to `peerId` not yet delivered, oldest first.
    QList<ChatMessage> undelivered(const QString &peerId) const;

Q_SIGNALS:
    // Bracket the insertion so that models can follow it row by row.
    void messageAboutToBeAdded(const QString &peerId, int row);
    void messageAdded(const ChatMessage &message, int row);
    void stateChanged(const ChatMessage &message, int row);

private:
    // Messages are ordered by (sender time, arrival sequence); the key finds one by bisection.
    struct Key
    {
        QString peerId;
        QDateTime sentAt;
        quint64 seq = 0;
    };
    struct Conversation
    {
        QList<ChatMessage> messages;
        QList<quint64> seqs; // parallel to messages
    };
    qsizetype rowOf(const Key &key) const;

    QHash<QString, Conversation> m_conversations;
    QHash<QUuid, Key> m_index;
    quint64 m_nextSeq = 0;
};
