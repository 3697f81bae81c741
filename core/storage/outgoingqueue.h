// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/storeconcern.h"

#include <QSqlQuery>

#include <memory>
#include <optional>

// The state of what we send: outgoing messages waiting in the history (the `messages_waiting`
// index), those on the wire without an ack ("Sent": in memory only, never committed), and
// those whose add could not be written (unsaved: in memory only, Failed).
class OutgoingQueue final : public StoreConcern
{
public:
    explicit OutgoingQueue(WritesAhead ahead);
    ~OutgoingQueue() override;

    static SchemaSteps schema();

    // Stored and not delivered, in the order written: all, or up to `limit` after `afterSeq`.
    QList<ChatMessage> undelivered(const QString &peerId, qint64 afterSeq, int limit) const;
    // Queued, being written or stored (one index probe).
    bool hasUndelivered(const QString &peerId) const;

    // "Sent": the message with its new state, or nothing if it was on the wire already.
    std::optional<ChatMessage> markSent(const ChatMessage &message);
    // Back to Queued: those that were on the wire to `peerId`.
    QList<ChatMessage> unsend(const QString &peerId);
    void forgetSent(const QUuid &id); // delivered, failed or removed: no longer "on the wire"
    bool isSent(const QUuid &id) const { return m_sent.contains(id); }
    // The seq of our message `id` on the wire to `peerId` (its row), 0 if there is none.
    qint64 sentSeq(const QUuid &id, const QString &peerId) const;
    bool hasSent(const QString &peerId) const { return m_sentPerPeer.contains(peerId); }

    void addUnsaved(const ChatMessage &message) { m_unsaved.append(message); }
    std::optional<ChatMessage> takeUnsaved(const QUuid &id);
    std::optional<ChatMessage> unsavedMessage(const QUuid &id) const;
    QList<ChatMessage> unsaved(const QString &peerId) const;

protected:
    bool prepareQueries() override;
    void releaseQueries() override;

private:
    struct Queries;
    WritesAhead m_ahead;
    std::unique_ptr<Queries> m_q;
    QHash<QUuid, ChatMessage> m_sent;  // outgoing (our IDs), on the wire, not acknowledged
    QHash<QString, int> m_sentPerPeer; // how many of m_sent went to each peer (none: absent)
    QList<ChatMessage> m_unsaved;      // outgoing, not written; in the order they failed
};
