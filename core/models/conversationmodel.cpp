#include "conversationmodel.h"

#include "storage/messagelog.h"

ConversationModel::ConversationModel(const MessageLog &log, QObject *parent)
    : QAbstractListModel(parent)
    , m_log(log)
{
    connect(&m_log, &MessageLog::messageAboutToBeAdded, this, [this](const QString &peerId, int row) {
        if (peerId == m_peerId)
            beginInsertRows({}, row, row);
    });
    connect(&m_log, &MessageLog::messageAdded, this, [this](const ChatMessage &m, int) {
        if (m.peerId == m_peerId)
            endInsertRows();
    });
    connect(&m_log, &MessageLog::stateChanged, this, [this](const ChatMessage &m, int row) {
        if (m.peerId != m_peerId)
            return;
        const QModelIndex i = index(row);
        Q_EMIT dataChanged(i, i, {StateRole, StateNameRole});
    });
}

void ConversationModel::setPeer(const QString &peerId)
{
    if (peerId == m_peerId)
        return;
    beginResetModel();
    m_peerId = peerId;
    endResetModel();
}

int ConversationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_log.conversation(m_peerId).size());
}

QVariant ConversationModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ChatMessage &m = m_log.conversation(m_peerId).at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TextRole:
        return m.text;
    case IdRole:
        return m.id;
    case OutgoingRole:
        return m.outgoing;
    case SentAtRole:
        return m.sentAt;
    case StateRole:
        return int(m.state);
    case StateNameRole:
        return messageStateName(m.state);
    default:
        return {};
    }
}

QHash<int, QByteArray> ConversationModel::roleNames() const
{
    return {{IdRole, "id"},
            {TextRole, "text"},
            {OutgoingRole, "outgoing"},
            {SentAtRole, "sentAt"},
            {StateRole, "state"},
            {StateNameRole, "stateName"}};
}
