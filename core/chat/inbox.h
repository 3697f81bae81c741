// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/messages.h"
#include "storage/chatmessage.h"

#include <QObject>
#include <QSet>
#include <QTimer>

class MessageStore;
class Transport;

// What peers send: a chat is acknowledged only once it is on disk (so its sender may forget
// it), a copy of one stored before is acknowledged again and never stored twice, a peer far
// ahead of the disk is not read until the disk catches up, and what could not be stored (a
// full disk) is asked for again.
class Inbox final : public QObject
{
    Q_OBJECT

public:
    // Received messages from one peer waiting for the disk: over this, its connection is not
    // read until half of them are stored (TCP then slows the peer down), so a flood can
    // neither grow memory without end nor push everyone else's messages far back in the queue.
    static constexpr int MaxReceivedBacklog = 1'000;
    // Received messages that could not be stored (a full disk) are asked for again when a
    // write succeeds, or after this delay, doubling up to the maximum while writes keep failing.
    static constexpr int RefetchFirstDelayMs = 1'000;
    static constexpr int RefetchMaxDelayMs = 10'000;

    Inbox(Transport &transport, MessageStore &store, QObject *parent = nullptr);

    void onChat(const QString &peerId, const Protocol::Chat &chat);

Q_SIGNALS:
    // Stored and acknowledged, in the order they were written.
    void received(const QList<ChatMessage> &messages);

private:
    void onCommitted(const QList<ChatMessage> &added, const QList<ChatMessage> &duplicates);
    void onNotSaved(const QList<ChatMessage> &messages);
    void requestResend();
    void resumeReading();

    Transport &m_transport;
    MessageStore &m_store;
    QSet<MessageKey> m_ackAfterCommit; // duplicates of received messages not yet on disk
    QSet<QString> m_readingPaused;     // peers far ahead of the disk
    // Peers whose messages could not be stored (a full disk): asked to send them again
    // (Protocol::Resend) once a write succeeds, or when m_refetchTimer fires (with back-off).
    QSet<QString> m_refetch;
    QTimer m_refetchTimer;
    int m_refetchDelayMs = 0;
};
