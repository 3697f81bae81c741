// SPDX-License-Identifier: GPL-3.0-or-later
#include "inbox.h"

#include "net/transport.h"
#include "storage/messagestore.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcInbox, "shoal.chat")

Inbox::Inbox(Transport &transport, MessageStore &store, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_store(store)
{
    connect(&m_transport, &Transport::peerDisconnected, this, [this](const QString &peerId) {
        m_readingPaused.remove(peerId);
    });
    connect(&m_store,
            &MessageStore::committed,
            this,
            [this](const QList<ChatMessage> &added,
                   const QList<ChatMessage> &,
                   const QList<QUuid> &,
                   const QList<ChatMessage> &duplicates) { onCommitted(added, duplicates); });
    connect(&m_store, &MessageStore::errorOccurred, this, &Inbox::resumeReading);
    connect(&m_store, &MessageStore::notSaved, this, &Inbox::onNotSaved);
    connect(&m_store, &MessageStore::recovered, this, &Inbox::requestResend);
    m_refetchTimer.setSingleShot(true);
    connect(&m_refetchTimer, &QTimer::timeout, this, &Inbox::requestResend);
}

void Inbox::onChat(const QString &peerId, const Protocol::Chat &chat)
{
    ChatMessage m;
    m.id = chat.id;
    m.peerId = peerId;
    m.outgoing = false;
    m.sentAt = chat.sentAt;
    m.receivedAt = QDateTime::currentDateTimeUtc();
    m.text = chat.text;
    m.replyTo = chat.replyTo; // issue 15: whatever it names; shown "not available" if unknown
    m.state = MessageState::Delivered;
    // Acknowledged once on disk (onCommitted); an ID stored before comes back from the store
    // as a duplicate and is acknowledged again, never stored twice.
    if (!m_store.addReceived(m)) {
        m_ackAfterCommit.insert(keyOf(m)); // the same, from the same peer, not on disk yet
        return;
    }
    if (m_store.receivedBacklog(peerId) >= MaxReceivedBacklog && !m_readingPaused.contains(peerId)) {
        qCInfo(lcInbox) << "not reading from" << peerId << "until" << MaxReceivedBacklog / 2
                        << "of its messages are stored";
        m_readingPaused.insert(peerId);
        m_transport.setReadingPaused(peerId, true);
    }
}

void Inbox::onCommitted(const QList<ChatMessage> &added, const QList<ChatMessage> &duplicates)
{
    resumeReading();
    // Seen before: the first ack may have been lost. A file item is never acknowledged: it
    // stands for a transfer, which its own messages settle, and its sender awaits no ack.
    for (const ChatMessage &m : duplicates) {
        if (m.kind == MessageKind::Text)
            m_transport.send(m.peerId, Protocol::Ack{m.id});
    }
    qsizetype incoming = 0;
    for (const ChatMessage &m : added) {
        if (m.outgoing)
            continue;
        // Durable: now the sender may forget it.
        if (m.kind == MessageKind::Text)
            m_transport.send(m.peerId, Protocol::Ack{m.id});
        m_refetchDelayMs = 0; // the disk takes received messages again
        ++incoming;
    }
    for (auto it = m_ackAfterCommit.begin(); it != m_ackAfterCommit.end();) {
        if (m_store.message(*it).value_or(ChatMessage{}).seq != 0) {
            m_transport.send(it->peerId, Protocol::Ack{it->id});
            it = m_ackAfterCommit.erase(it);
        } else {
            ++it;
        }
    }
    if (incoming == added.size()) {
        if (incoming > 0)
            Q_EMIT received(added); // shared, not copied: the usual commit on a receiving side
    } else if (incoming > 0) {
        QList<ChatMessage> received;
        received.reserve(incoming);
        std::copy_if(added.cbegin(),
                     added.cend(),
                     std::back_inserter(received),
                     [](const ChatMessage &m) { return !m.outgoing; });
        Q_EMIT this->received(received);
    }
}

void Inbox::onNotSaved(const QList<ChatMessage> &messages)
{
    for (const ChatMessage &m : messages) {
        // A file item is not the sender's to send again as chat (resend): its transfer's.
        if (m.outgoing || m.kind != MessageKind::Text)
            continue;
        // Not acknowledged, so its sender still has it: ask for it again later. A copy that
        // came meanwhile must not be acknowledged on this one's behalf.
        m_ackAfterCommit.remove(keyOf(m));
        m_refetch.insert(m.peerId);
    }
    if (!m_refetch.isEmpty() && !m_refetchTimer.isActive()) {
        m_refetchDelayMs = qBound(RefetchFirstDelayMs, m_refetchDelayMs * 2, RefetchMaxDelayMs);
        m_refetchTimer.start(m_refetchDelayMs);
    }
}

void Inbox::requestResend()
{
    // After a write went through (recovered()), or as a probe when the timer fires: what they
    // resend is stored, or fails again and brings us back here, later.
    m_refetchTimer.stop();
    const QSet<QString> peers = std::exchange(m_refetch, {});
    for (const QString &peerId : peers) {
        // Not connected: a new connection sends everything unacknowledged anyway.
        if (m_transport.send(peerId, Protocol::Resend{}))
            qCInfo(lcInbox) << "asked" << peerId << "to send again what could not be stored";
    }
}

void Inbox::resumeReading()
{
    for (auto it = m_readingPaused.begin(); it != m_readingPaused.end();) {
        if (m_store.receivedBacklog(*it) <= MaxReceivedBacklog / 2) {
            m_transport.setReadingPaused(*it, false);
            it = m_readingPaused.erase(it);
        } else {
            ++it;
        }
    }
}
