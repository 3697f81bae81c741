#include "messagelog.h"

#include <algorithm>

using namespace Qt::StringLiterals;

QString messageStateName(MessageState state)
{
    switch (state) {
    case MessageState::Queued:
        return u"queued"_s;
    case MessageState::Sent:
        return u"sent"_s;
    case MessageState::Delivered:
        return u"delivered"_s;
    case MessageState::Failed:
        return u"failed"_s;
    }
    return {};
}

qsizetype MessageLog::rowOf(const Key &key) const
{
    const auto it = m_conversations.constFind(key.peerId);
    if (it == m_conversations.cend())
        return -1;
    const Conversation &c = *it;
    // First row not ordered before the key.
    qsizetype lo = 0, hi = c.messages.size();
    while (lo < hi) {
        const qsizetype mid = (lo + hi) / 2;
        const QDateTime &t = c.messages.at(mid).sentAt;
        if (t < key.sentAt || (t == key.sentAt && c.seqs.at(mid) < key.seq))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c.messages.size() && c.seqs.at(lo) == key.seq ? lo : -1;
}

std::optional<ChatMessage> MessageLog::message(const QUuid &id) const
{
    const auto key = m_index.constFind(id);
    if (key == m_index.cend())
        return std::nullopt;
    const qsizetype row = rowOf(*key);
    if (row < 0)
        return std::nullopt;
    return m_conversations.value(key->peerId).messages.at(row);
}

bool MessageLog::add(const ChatMessage &message)
{
    if (m_index.contains(message.id))
        return false;
    Conversation &c = m_conversations[message.peerId];
    const quint64 seq = m_nextSeq++;
    // Usually the newest: search from the end for its place in sender order.
    qsizetype row = c.messages.size();
    while (row > 0 && c.messages.at(row - 1).sentAt > message.sentAt)
        --row;
    Q_EMIT messageAboutToBeAdded(message.peerId, int(row));
    c.messages.insert(row, message);
    c.seqs.insert(row, seq);
    m_index.insert(message.id, Key{message.peerId, message.sentAt, seq});
    Q_EMIT messageAdded(message, int(row));
    return true;
}

bool MessageLog::setState(const QUuid &id, MessageState state)
{
    const auto key = m_index.constFind(id);
    if (key == m_index.cend())
        return false;
    const qsizetype row = rowOf(*key);
    if (row < 0)
        return false;
    ChatMessage &m = m_conversations[key->peerId].messages[row];
    if (m.state == state)
        return false;
    m.state = state;
    Q_EMIT stateChanged(m, int(row));
    return true;
}

const QList<ChatMessage> &MessageLog::conversation(const QString &peerId) const
{
    static const QList<ChatMessage> empty;
    const auto it = m_conversations.constFind(peerId);
    return it == m_conversations.cend() ? empty : it->messages;
}

QList<ChatMessage> MessageLog::undelivered(const QString &peerId) const
{
    QList<ChatMessage> out;
    for (const ChatMessage &m : conversation(peerId)) {
        if (m.outgoing && (m.state == MessageState::Queued || m.state == MessageState::Sent))
            out.append(m);
    }
    return out;
}
