// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A Transport without sockets: it records what the services send and dial, and the test plays
// the network (connects, disconnects, messages, writable, bytes pending).
#include "net/transport.h"
#include "protocol/messages.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QSslCertificate>

#include <functional>

class FakeTransport final : public Transport
{
public:
    struct Sent
    {
        QString peerId;
        Protocol::Message message;
    };
    struct Dial
    {
        int attempt = 0;
        QString host;
        quint16 port = 0;
        QString expectedPeerId;
    };

    using Transport::Transport;

    int connectToPeer(const QString &host,
                      quint16 port,
                      const QString &expectedPeerId,
                      StreamKind kind) override
    {
        if (kind != StreamKind::Chat)
            return 0;
        dials.append(Dial{m_nextAttempt, host, port, expectedPeerId});
        return m_nextAttempt++;
    }
    bool isConnected(const QString &peerId, StreamKind kind) const override
    {
        return kind == StreamKind::Chat && m_connected.contains(peerId);
    }
    bool send(const QString &peerId, const Protocol::Message &message, StreamKind kind) override
    {
        if (!isConnected(peerId, kind))
            return false;
        if (onSend)
            onSend(peerId, message);
        sent.append(Sent{peerId, message});
        if (countPendingBytes)
            m_pending[peerId] += Protocol::encodeFrame(message).size();
        return true;
    }
    qint64 pendingWriteBytes(const QString &peerId, StreamKind) const override
    {
        return m_pending.value(peerId);
    }
    void setReadingPaused(const QString &peerId, bool paused, StreamKind) override
    {
        if (paused)
            m_paused.insert(peerId);
        else
            m_paused.remove(peerId);
    }
    void addKnownPeer(const QString &peerId, const QHostAddress &host) override
    {
        known.insert(peerId, host);
    }
    // Issue 16: peers the test says are connected only through a carrier.
    QSet<QString> relayed;
    bool isRelayed(const QString &peerId) const override
    {
        return m_connected.contains(peerId) && relayed.contains(peerId);
    }
    QHostAddress remoteHost(const QString &peerId) const override
    {
        if (!m_connected.contains(peerId))
            return QHostAddress();
        return remoteHosts.value(peerId, QHostAddress(QHostAddress::LocalHost));
    }

    // The network, played by the test.
    void connectPeer(const QString &peerId,
                     const QString &name = {},
                     const QString &address = QStringLiteral("127.0.0.1:47800"))
    {
        m_connected.insert(peerId);
        Protocol::Hello hello;
        hello.name = name;
        hello.capabilities = helloCapabilities;
        Q_EMIT peerConnected(peerId, hello, address, QSslCertificate());
    }
    void disconnectPeer(const QString &peerId)
    {
        m_connected.remove(peerId);
        m_pending.remove(peerId);
        Q_EMIT peerDisconnected(peerId, QStringLiteral("closed by the test"));
    }
    void receive(const QString &peerId, const Protocol::Message &message)
    {
        Q_EMIT messageReceived(peerId, message, StreamKind::Chat);
    }
    // The network took everything pending: room for more.
    void drain(const QString &peerId)
    {
        m_pending.remove(peerId);
        Q_EMIT peerWritable(peerId, StreamKind::Chat);
    }
    void finishAttempt(int attempt, const QString &peerId, Net::Error error)
    {
        // Like ConnectionRegistry: a reason only when it failed.
        Q_EMIT attemptFinished(attempt,
                               peerId,
                               error,
                               error == Net::Error::None ? QString()
                                                         : QStringLiteral("as the test says"));
    }
    bool isReadingPaused(const QString &peerId) const { return m_paused.contains(peerId); }

    // What was sent of type T to `peerId`, in order.
    template<typename T>
    QList<T> sentOf(const QString &peerId) const
    {
        QList<T> out;
        for (const Sent &s : sent) {
            if (s.peerId == peerId && std::holds_alternative<T>(s.message))
                out.append(std::get<T>(s.message));
        }
        return out;
    }

    QList<Sent> sent;
    QList<Dial> dials;
    QHash<QString, QHostAddress> known;
    // Where connected peers' streams come from (default: loopback), and their hello's caps.
    QHash<QString, QHostAddress> remoteHosts;
    QStringList helloCapabilities;
    // Each frame sent counts as pending until drain(): the send window shows.
    bool countPendingBytes = false;
    // Called before a message is recorded as sent (to check what is true at that moment).
    std::function<void(const QString &, const Protocol::Message &)> onSend;

private:
    QSet<QString> m_connected;
    QSet<QString> m_paused;
    QHash<QString, qint64> m_pending;
    int m_nextAttempt = 1;
};
