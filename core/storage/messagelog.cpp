#include "messagelog.h"

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

std::optional<ChatMessage> MessageLog::message(const QUuid &id) const
{
    const auto peer = m_index.constFind(id);
    if (peer == m_index.cend())
        return std::nullopt;
    for (const ChatMessage &m : m_conversations.value(*peer)) {
        if (m.id == id)
            return m;
    }
    return std::nullopt;
}

bool MessageLog::add(const ChatMessage &message)
{
    if (m_index.contains(message.id))
        return false;
    QList<ChatMessage> &list = m_conversations[message.peerId];
    // Usually the newest: search from the end for its place in sender order.
    qsizetype row = list.size();
    while (row > 0 && list.at(row - 1).sentAt > message.sentAt)
        --row;
    Q_EMIT messageAboutToBeAdded(message.peerId, int(row));
    list.insert(row, message);
    m_index.insert(message.id, message.peerId);
    Q_EMIT messageAdded(message, int(row));
    return true;
}

bool MessageLog::setState(const QUuid &id, MessageState state)
{
    const auto peer = m_index.constFind(id);
    if (peer == m_index.cend())
        return false;
    QList<ChatMessage> &list = m_conversations[*peer];
    for (qsizetype row = list.size() - 1; row >= 0; --row) {
        if (list.at(row).id == id) {
            if (list.at(row).state == state)
                return false;
            list[row].state = state;
            Q_EMIT stateChanged(list.at(row), int(row));
            return true;
        }
    }
    return false;
}

const QList<ChatMessage> &MessageLog::conversation(const QString &peerId) const
{
    static const QList<ChatMessage> empty;
    const auto it = m_conversations.constFind(peerId);
    return it == m_conversations.cend() ? empty : *it;
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
