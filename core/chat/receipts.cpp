// SPDX-License-Identifier: GPL-3.0-or-later
#include "receipts.h"

#include "net/transport.h"
#include "storage/messagestore.h"

#include <QSet>

Receipts::Receipts(Transport &transport, MessageStore &store, bool send, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_store(store)
    , m_send(send)
{
    // Those the peer missed while away.
    connect(&m_transport, &Transport::peerConnected, this, &Receipts::sendReceipts);
}

void Receipts::setActiveConversation(const QString &peerId, bool visible)
{
    m_active = peerId;
    m_activeVisible = visible;
    if (visible && !peerId.isEmpty())
        markRead(peerId);
}

void Receipts::markRead(const QString &peerId)
{
    const auto unread = m_store.unread(peerId);
    bool receiptsDue = false;
    for (const ChatMessage &m : unread) {
        m_store.setState(m, MessageState::Read);
        // A file item is read like a message, but no receipt goes out for it (its transfer
        // has messages of its own): settled now, so it never waits as a receipt due.
        if (m.kind == MessageKind::Text)
            receiptsDue = true;
        else
            m_store.setReceiptSent(m);
    }
    Q_EMIT unreadCleared(peerId);
    if (receiptsDue && m_send)
        sendReceipts(peerId);
}

void Receipts::onReceived(const QList<ChatMessage> &messages)
{
    QHash<QString, int> unread; // one update per peer, not per message
    bool readNow = false;
    for (const ChatMessage &m : messages) {
        if (m.state == MessageState::Read) // arrived read (a group's membership event)
            continue;
        if (m.peerId == m_active && m_activeVisible)
            readNow = true;
        else
            ++unread[m.peerId];
    }
    for (auto it = unread.cbegin(); it != unread.cend(); ++it)
        Q_EMIT unreadAdded(it.key(), it.value());
    if (readNow)
        markRead(m_active);
}

void Receipts::sendReceipts(const QString &peerId)
{
    if (!m_send || !m_transport.isConnected(peerId))
        return;
    // Includes the ones just marked: message() sees queued state changes, pendingReceipts()
    // only committed ones, so ask for both.
    QList<ChatMessage> receipts = m_store.pendingReceipts(peerId);
    for (const ChatMessage &m : m_store.unread(peerId)) {
        if (m.kind == MessageKind::Text
            && m_store.message(keyOf(m)).value_or(m).state == MessageState::Read)
            receipts.append(m);
    }
    for (const ChatMessage &m : std::as_const(receipts)) {
        if (m.kind != MessageKind::Text)
            m_store.setReceiptSent(m); // never told; markRead() settles it unless that failed
        else if (m_transport.send(peerId, Protocol::Read{m.id}))
            m_store.setReceiptSent(m);
    }
}
