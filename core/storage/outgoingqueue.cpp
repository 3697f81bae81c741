// SPDX-License-Identifier: GPL-3.0-or-later
#include "outgoingqueue.h"

#include "storage/sqlrows.h"

using namespace Qt::StringLiterals;
using namespace SqlRows;

SchemaSteps OutgoingQueue::schema()
{
    // Made again in 4 and 6: the rebuilt table lost it (6: by the peer's key).
    const QString waiting = u"CREATE INDEX messages_waiting ON messages (peer_id, seq)"
                            u" WHERE outgoing = 1 AND state IN (0, 1)"_s;
    return {{2, {waiting}},
            {4, {waiting}},
            {6,
             {u"CREATE INDEX messages_waiting ON messages (peer_key, seq)"
              u" WHERE outgoing = 1 AND state IN (0, 1)"_s}}};
}

struct OutgoingQueue::Queries
{
    explicit Queries(const QSqlDatabase &db)
        : undelivered(db)
        , any(db)
    {
        undelivered.setForwardOnly(true);
    }
    bool prepare()
    {
        return undelivered.prepare(u"SELECT %1 FROM messages WHERE %2 AND outgoing = 1"
                                   u" AND state IN (0, 1) AND seq > ? ORDER BY seq LIMIT ?"_s
                                       .arg(QLatin1StringView(Columns), QLatin1StringView(PeerIs)))
               && any.prepare(u"SELECT 1 FROM messages WHERE %1 AND outgoing = 1"
                              u" AND state IN (0, 1) LIMIT 1"_s.arg(QLatin1StringView(PeerIs)));
    }
    QSqlQuery undelivered, any;
};

OutgoingQueue::OutgoingQueue(WritesAhead ahead)
    : m_ahead(ahead)
{}

OutgoingQueue::~OutgoingQueue() = default;

bool OutgoingQueue::prepareQueries()
{
    m_q = std::make_unique<Queries>(db());
    if (m_q->prepare())
        return true;
    m_q.reset();
    return false;
}

void OutgoingQueue::releaseQueries()
{
    m_q.reset();
}

QList<ChatMessage> OutgoingQueue::undelivered(const QString &peerId,
                                              qint64 afterSeq,
                                              int limit) const
{
    // LIMIT -1: no limit.
    return m_q ? select(m_q->undelivered, {peerId, afterSeq, limit}, m_ahead.inFlight)
               : QList<ChatMessage>();
}

bool OutgoingQueue::hasUndelivered(const QString &peerId) const
{
    for (const auto *queue : {&m_ahead.queued, &m_ahead.inFlight}) {
        for (const ChatMessage &m : *queue) {
            // A file item is never sent as chat: nothing waits for it. Nor for a message stored
            // Delivered (a group's: its members' receipts say where it is), as on disk.
            if (m.outgoing && m.kind == MessageKind::Text
                && (m.state == MessageState::Queued || m.state == MessageState::Sent)
                && m.peerId == peerId)
                return true;
        }
    }
    if (!m_q)
        return false;
    counted();
    QSqlQuery &q = m_q->any;
    q.addBindValue(peerId);
    const bool found = q.exec() && q.next();
    q.finish();
    return found;
}

std::optional<ChatMessage> OutgoingQueue::markSent(const ChatMessage &message)
{
    if (m_sent.contains(message.id))
        return std::nullopt; // written again (the peer asked for a resend): "sent" once
    ChatMessage m = message;
    m.state = MessageState::Sent;
    m_sent.insert(m.id, m);
    ++m_sentPerPeer[m.peerId];
    return m;
}

QList<ChatMessage> OutgoingQueue::unsend(const QString &peerId)
{
    QList<ChatMessage> back;
    if (!m_sentPerPeer.remove(peerId))
        return back;
    for (auto it = m_sent.begin(); it != m_sent.end();) {
        if (it->peerId == peerId) {
            ChatMessage m = *it;
            m.state = MessageState::Queued;
            back.append(m);
            it = m_sent.erase(it);
        } else {
            ++it;
        }
    }
    return back;
}

qint64 OutgoingQueue::sentSeq(const QUuid &id, const QString &peerId) const
{
    const auto it = m_sent.constFind(id);
    return it != m_sent.cend() && it->peerId == peerId ? it->seq : 0;
}

void OutgoingQueue::forgetSent(const QUuid &id)
{
    const auto it = m_sent.constFind(id);
    if (it == m_sent.cend())
        return;
    const auto count = m_sentPerPeer.find(it->peerId);
    if (count != m_sentPerPeer.end() && --*count <= 0)
        m_sentPerPeer.erase(count);
    m_sent.erase(it);
}

std::optional<ChatMessage> OutgoingQueue::takeUnsaved(const QUuid &id)
{
    for (qsizetype i = 0; i < m_unsaved.size(); ++i) {
        if (m_unsaved.at(i).id == id)
            return m_unsaved.takeAt(i);
    }
    return std::nullopt;
}

std::optional<ChatMessage> OutgoingQueue::unsavedMessage(const QUuid &id) const
{
    for (const ChatMessage &m : m_unsaved) {
        if (m.id == id)
            return m;
    }
    return std::nullopt;
}

QList<ChatMessage> OutgoingQueue::unsaved(const QString &peerId) const
{
    QList<ChatMessage> out;
    for (const ChatMessage &m : m_unsaved) {
        if (m.peerId == peerId)
            out.append(m);
    }
    return out;
}
