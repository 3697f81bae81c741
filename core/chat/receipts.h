// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/chatmessage.h"

#include <QHash>
#include <QObject>

class MessageStore;
class Transport;

// Read receipts: what is shown in the conversation the person is looking at (an active
// window) is read; the peer is told so (Protocol::Read) when the person allows it, now or on
// its next connection.
class Receipts final : public QObject
{
    Q_OBJECT

public:
    Receipts(Transport &transport, MessageStore &store, bool send, QObject *parent = nullptr);

    void setSendReadReceipts(bool send) { m_send = send; }
    void setActiveConversation(const QString &peerId, bool visible);
    void markRead(const QString &peerId);
    // Received and stored: read at once where the person is looking, else unread.
    void onReceived(const QList<ChatMessage> &messages);

Q_SIGNALS:
    void unreadAdded(const QString &peerId, int count);
    void unreadCleared(const QString &peerId);

private:
    void sendReceipts(const QString &peerId);

    Transport &m_transport;
    MessageStore &m_store;
    bool m_send = true;
    QString m_active;
    bool m_activeVisible = false;
};
