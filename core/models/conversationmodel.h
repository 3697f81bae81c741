#pragma once

#include "storage/chatmessage.h"

#include <QAbstractListModel>

class MessageLog;

// The messages exchanged with one peer, oldest first.
class ConversationModel final : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        TextRole,
        OutgoingRole,
        SentAtRole,
        StateRole,     // MessageState as int
        StateNameRole, // "queued", "sent", ...
    };

    explicit ConversationModel(const MessageLog &log, QObject *parent = nullptr);

    void setPeer(const QString &peerId);
    QString peer() const { return m_peerId; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    const MessageLog &m_log;
    QString m_peerId;
};
