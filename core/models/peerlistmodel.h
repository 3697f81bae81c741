#pragma once

#include <QAbstractListModel>
#include <QDateTime>
#include <QList>

struct PeerInfo
{
    QString id;
    QString name;
    QString address;       // "host:port" where it was last reached over TLS
    QStringList heardAt;   // "host:port" where LAN discovery heard it, freshest first
    bool online = false;   // a verified TLS session with it is up (never from a datagram alone)
    bool lan = false;      // currently heard by LAN discovery (a claim until it is online)
    bool verified = false; // name and address come from a TLS session, not only a datagram
    int unread = 0;
    QDateTime lastSeen;

    bool operator==(const PeerInfo &o) const
    {
        return id == o.id && name == o.name && address == o.address && heardAt == o.heardAt
               && online == o.online && lan == o.lan && verified == o.verified
               && unread == o.unread;
    }
};

// Every peer this profile knows, online or not. Fed by connections now, by discovery later.
class PeerListModel final : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        NameRole,
        ShortIdRole,
        AddressRole,
        OnlineRole,
        UnreadRole,
        LastSeenRole,
        LanRole, // heard on the LAN now (verified or not)
    };

    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Inserts or updates by ID; keeps the unread count.
    void upsert(const PeerInfo &peer);
    void setOnline(const QString &id, bool online);
    void remove(const QString &id);
    void addUnread(const QString &id, int count);
    void clearUnread(const QString &id);

    int rowOf(const QString &id) const;
    std::optional<PeerInfo> peer(const QString &id) const;
    const QList<PeerInfo> &peers() const { return m_peers; }

    static QString shortId(const QString &id);

private:
    void changed(int row);

    QList<PeerInfo> m_peers;
};
