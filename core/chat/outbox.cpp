// SPDX-License-Identifier: GPL-3.0-or-later
#include "outbox.h"

#include "net/transport.h"
#include "storage/messagestore.h"

#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcOutbox, "shoal.chat")

Outbox::Outbox(Transport &transport, MessageStore &store, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_store(store)
{
    m_clock.start();
    connect(&m_transport, &Transport::peerConnected, this, &Outbox::onConnected);
    connect(&m_transport, &Transport::peerDisconnected, this, &Outbox::onDisconnected);
    connect(&m_transport,
            &Transport::peerWritable,
            this,
            [this](const QString &peerId, StreamKind kind) {
                if (kind == StreamKind::Chat)
                    pump(peerId);
            });
    connect(&m_store,
            &MessageStore::committed,
            this,
            [this](const QList<ChatMessage> &added,
                   const QList<ChatMessage> &,
                   const QList<QUuid> &removed) { onCommitted(added, removed); });
}

std::optional<QUuid> Outbox::enqueue(const QString &peerId,
                                     const QString &text,
                                     QString *error,
                                     const QUuid &replyTo)
{
    if (text.trimmed().isEmpty()) {
        *error = tr("The message is empty.");
        return std::nullopt;
    }
    const qsizetype bytes = text.toUtf8().size();
    if (bytes > Protocol::MaxTextBytes) {
        *error = tr("The message is %1 KiB long; the limit is %2 KiB. Split it into shorter "
                    "messages.")
                     .arg((bytes + 1023) / 1024)
                     .arg(Protocol::MaxTextBytes / 1024);
        return std::nullopt;
    }
    ChatMessage m;
    m.id = newMessageId();
    m.peerId = peerId;
    m.outgoing = true;
    // Millisecond precision: what the wire carries.
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(),
                                                         Qt::UTC);
    m.sentAt = now;
    m.receivedAt = now;
    m.text = text;
    m.replyTo = replyTo;
    m.state = MessageState::Queued;
    // On disk before any byte leaves: it goes out when the store reports it committed.
    m_store.addOutgoing(m);
    return m.id;
}

bool Outbox::retry(const QUuid &id, QString *error)
{
    const auto m = m_store.message(id);
    if (m && m->outgoing && m->state == MessageState::Failed) {
        m_store.retryUnsaved(id); // reported like a new message: committed, or not saved again
        return true;
    }
    if (!m || !m->outgoing || m->state != MessageState::Queued) {
        *error = tr("Only a waiting message can be retried.");
        return false;
    }
    if (m_transport.isConnected(m->peerId))
        flush(m->peerId);
    else
        Q_EMIT peerWanted(m->peerId, true);
    return true;
}

bool Outbox::remove(const QUuid &id, QString *error)
{
    const auto m = m_store.message(id);
    if (m && m->outgoing && m->state == MessageState::Failed)
        return m_store.discardUnsaved(id);
    if (!m || !m->outgoing || m->state != MessageState::Queued) {
        *error = tr("Only a waiting message can be deleted; this one may already have arrived.");
        return false;
    }
    m_store.remove(id);
    return true;
}

void Outbox::onAck(const QString &peerId, const Protocol::Ack &ack)
{
    ChatMessage target;
    target.id = ack.id;
    target.peerId = peerId; // only the peer the message went to can acknowledge it
    target.outgoing = true;
    m_store.setState(target, MessageState::Delivered);
}

void Outbox::onRead(const QString &peerId, const Protocol::Read &read)
{
    ChatMessage target;
    target.id = read.id;
    target.peerId = peerId;
    target.outgoing = true;
    m_store.setState(target, MessageState::Read);
}

void Outbox::onConnected(const QString &peerId)
{
    flush(peerId);
}

void Outbox::onDisconnected(const QString &peerId)
{
    m_sendCursor.remove(peerId);
    m_sendCaughtUp.remove(peerId);
    m_resendServed.remove(peerId);
    // Sent but not acknowledged: it waits again and goes out on the next connection.
    m_store.unsend(peerId);
}

void Outbox::onCommitted(const QList<ChatMessage> &added, const QList<QUuid> &removed)
{
    QSet<QString> sendNow;
    // Looked up once per run of messages to one peer (a batch is mostly one peer's), not per
    // message: hashing the peer's 64-character ID for each look-up was 7 % of the main thread
    // in a flood.
    const QString *peer = nullptr;
    bool connected = false;
    bool atOnce = false;  // nothing older waits: out without reading it back from the store
    qint64 lastSent = -1; // the run's last message sent at once
    auto endRun = [&] {
        if (peer && lastSent >= 0)
            m_sendCursor[*peer] = lastSent;
    };
    for (const ChatMessage &m : added) {
        // Deleted by the person before its add was committed (both in this commit): it must
        // not leave. A file item stands for a transfer, whose own messages go out for it.
        if (!m.outgoing || m.kind != MessageKind::Text
            || (!removed.isEmpty() && removed.contains(m.id)))
            continue;
        if (!peer || m.peerId != *peer) {
            endRun();
            peer = &m.peerId;
            lastSent = -1;
            connected = m_transport.isConnected(m.peerId);
            atOnce = connected && m_sendCaughtUp.contains(m.peerId) && !sendNow.contains(m.peerId);
            if (!connected)
                Q_EMIT peerWanted(m.peerId, false);
        }
        if (!connected)
            continue;
        if (atOnce && m_transport.pendingWriteBytes(m.peerId) < SendWindowBytes) {
            if (!sendChat(m)) {
                // The write closed the connection: the rest waits for the next one, and
                // so does the cursor (onDisconnected() dropped it).
                connected = false;
                lastSent = -1;
                Q_EMIT peerWanted(m.peerId, false);
                continue;
            }
            lastSent = m.seq;
        } else if (atOnce || !sendNow.contains(m.peerId)) {
            atOnce = false;
            m_sendCaughtUp.remove(m.peerId);
            sendNow.insert(m.peerId); // the queue, from the cursor
        }
    }
    endRun();
    for (const QString &p : std::as_const(sendNow))
        pump(p);
}

void Outbox::onResend(const QString &peerId, const Protocol::Resend &)
{
    // Its disk has room again: everything it has not acknowledged goes again (it drops what it
    // has). Only what is on this connection without an ack can be missing there, and the store
    // knows that without SQL: a peer we owe nothing (a stranger, one asking in a loop) costs
    // nothing.
    if (!m_store.hasSent(peerId))
        return;
    // At most once a second, as each sends the whole queue. A request that comes sooner is
    // served when the second is over, not dropped: it may follow a write that went through
    // just after the last one failed. A monotonic clock, so that a clock set back neither
    // holds it back nor swallows later ones.
    const qint64 now = m_clock.elapsed();
    const auto served = m_resendServed.find(peerId);
    if (served != m_resendServed.end() && now < served->at + ResendMinIntervalMs) {
        if (!served->deferred) {
            served->deferred = true;
            const qint64 at = served->at;
            QTimer::singleShot(at + ResendMinIntervalMs - now, this, [this, peerId, at] {
                // Not if the connection ended meanwhile (its entry went with it).
                const auto it = m_resendServed.find(peerId);
                if (it == m_resendServed.end() || !it->deferred || it->at != at)
                    return;
                it->deferred = false;
                onResend(peerId);
            });
        }
        return;
    }
    m_resendServed.insert(peerId, ResendServed{now, false});
    qCInfo(lcOutbox) << peerId << "asked for its unacknowledged messages again";
    // The queue from its start, without the read receipts a new connection gets: those are
    // not lost.
    m_sendCursor.insert(peerId, 0);
    m_sendCaughtUp.remove(peerId);
    pump(peerId);
}

void Outbox::flush(const QString &peerId)
{
    // Everything not acknowledged goes (again): on a new connection the old one's unacked
    // messages may be lost; the receiver drops what it has already.
    m_sendCursor.insert(peerId, 0);
    m_sendCaughtUp.remove(peerId);
    pump(peerId);
}

void Outbox::pump(const QString &peerId)
{
    // The queue goes out a page at a time while the connection takes it, and continues when
    // the network has taken some (peerWritable): a long queue neither holds the thread nor
    // piles up in memory, and what is typed meanwhile goes out after it, in order.
    // One page per pass of the event loop, so the window gets its turn between pages.
    // Caught up, nothing waits: what is committed from now on goes out from onCommitted(), so
    // a write to the socket (a pong, an ack: peerWritable()) asks the history nothing.
    auto cursor = m_sendCursor.find(peerId);
    if (cursor == m_sendCursor.end() || m_sendCaughtUp.contains(peerId)
        || !m_transport.isConnected(peerId)
        || m_transport.pendingWriteBytes(peerId) >= SendWindowBytes)
        return; // not connected, or the window is full: peerWritable() comes back here
    const auto page = m_store.undelivered(peerId, *cursor, SendPageSize);
    for (const ChatMessage &m : page) {
        sendChat(m);
        *cursor = m.seq;
    }
    if (page.size() < SendPageSize)
        m_sendCaughtUp.insert(peerId); // what is committed from now on can go out at once
    else
        m_sendCaughtUp.remove(peerId);
    if (page.size() == SendPageSize && !m_pumpScheduled.contains(peerId)) {
        m_pumpScheduled.insert(peerId);
        QMetaObject::invokeMethod(
            this,
            [this, peerId] {
                m_pumpScheduled.remove(peerId);
                pump(peerId);
            },
            Qt::QueuedConnection);
    }
}

bool Outbox::sendChat(const ChatMessage &m)
{
    if (m_store.isBeingRemoved(m.id))
        return true; // the person took it back; its removal is being committed
    if (!m_transport.send(m.peerId, Protocol::Chat{m.id, m.sentAt, m.text, m.replyTo}))
        return m_transport.isConnected(m.peerId);
    m_store.markSent(m);
    return true;
}
