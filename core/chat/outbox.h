// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "protocol/messages.h"
#include "storage/chatmessage.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>

#include <optional>

class MessageStore;
class Transport;

// What this profile sends: the queue of outgoing messages on disk goes out to each connected
// peer in order, within a send window, and waits again when a connection ends without an ack.
// A message is on disk before any byte leaves; once the queue has caught up, a new one goes
// out the moment it is committed, without being read back.
class Outbox final : public QObject
{
    Q_OBJECT

public:
    // The queue goes out while fewer than this many bytes wait in the connection, a page at a
    // time.
    static constexpr qint64 SendWindowBytes = 128 * 1024;
    static constexpr int SendPageSize = 128;
    // A peer's resend requests are honoured at most this often (each sends its queue again).
    static constexpr qint64 ResendMinIntervalMs = 1'000;

    Outbox(Transport &transport, MessageStore &store, QObject *parent = nullptr);

    // Queues `text` for `peerId` (checked: not empty, not too long). It goes out when the store
    // has it on disk; std::nullopt with *error set when the text cannot be sent.
    // `replyTo`: the message it quotes (issue 15), or null.
    std::optional<QUuid> enqueue(const QString &peerId,
                                 const QString &text,
                                 QString *error,
                                 const QUuid &replyTo = {});
    // A waiting message: try to deliver it now, or take it back. A message not saved (state
    // Failed): try to save it again, or drop it.
    bool retry(const QUuid &id, QString *error);
    bool remove(const QUuid &id, QString *error);

    void onAck(const QString &peerId, const Protocol::Ack &ack);
    void onRead(const QString &peerId, const Protocol::Read &read);
    // The peer lost what it could not store: everything it has not acknowledged goes again.
    void onResend(const QString &peerId, const Protocol::Resend & = {});

Q_SIGNALS:
    // Messages wait for a peer that is not connected: it should be dialled (`now`: the person
    // asked, no back-off).
    void peerWanted(const QString &peerId, bool now);

private:
    void onCommitted(const QList<ChatMessage> &added, const QList<QUuid> &removed);
    void onConnected(const QString &peerId);
    void onDisconnected(const QString &peerId);
    void flush(const QString &peerId);
    void pump(const QString &peerId);
    // False if the connection is gone (closed by the write).
    bool sendChat(const ChatMessage &message);

    Transport &m_transport;
    MessageStore &m_store;
    // Per connected peer: the seq of the last queued message written to its connection.
    QHash<QString, qint64> m_sendCursor;
    QSet<QString> m_pumpScheduled; // peers whose next queue page is posted
    QSet<QString> m_sendCaughtUp;  // peers whose whole queue up to the cursor has gone out
    // Per connected peer whose resend was served: when (m_clock), and whether a request that
    // came sooner waits for the second to be over. Forgotten when the connection ends.
    struct ResendServed
    {
        qint64 at = 0;
        bool deferred = false;
    };
    QHash<QString, ResendServed> m_resendServed;
    QElapsedTimer m_clock; // monotonic: the resend limit's time
};
