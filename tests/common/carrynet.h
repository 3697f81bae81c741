// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A small fake network for Courier tests (issue 16), without sockets.
//
//   CarryNet net(3);                        // nodes 0, 1, 2: each an Identity (generated), a
//                                           // CarryStore in memory, a CarryNetTransport (the
//                                           // node's direct transport) and a Courier over it
//   net.allowAll(0, 1);                     // both switches on, both ways (Courier::setAllowed)
//   net.link(0, 1);                         // 0 and 1 directly connected: peerConnected on both
//                                           // transports, with real hellos and certificates
//   net.node(0).courier->send(net.id(1), Protocol::Chat{...});
//   net.deliverAll();                       // or wait: queued frames go on the event loop
//   net.unlink(0, 1);                       // peerDisconnected on both; frames in flight lost
//
// What one node's direct transport sends to a linked node is queued (net.queue) and delivered
// to the other's as messageReceived, in order, on the next pass of the event loop (autoDeliver,
// the default) or by deliverAll(). Between the two a test may reorder, drop, replay or change
// frames: set autoDeliver = false and edit net.queue, or set `tap`, which sees every frame as
// it is delivered and may change it or return false to drop it. Every frame delivered is
// recorded on both sides (CarryNetTransport::sent / received) so a test can check what a
// carrier saw. Frames go through encode()/decode(), as on a real connection.

#include "identity/identity.h"
#include "net/transport.h"
#include "protocol/messages.h"
#include "relay/carrystore.h"
#include "relay/courier.h"

#include <QList>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

class CarryNet;

// One node's direct transport (ConnectionRegistry's place), played by the CarryNet.
class CarryNetTransport final : public Transport
{
public:
    struct Frame
    {
        QString peerId; // to (sent) or from (received)
        Protocol::Message message;
    };

    CarryNetTransport(CarryNet &net, int index)
        : m_net(net)
        , m_index(index)
    {}

    int connectToPeer(const QString &, quint16, const QString &, StreamKind) override { return 0; }
    bool isConnected(const QString &peerId, StreamKind kind) const override
    {
        return kind == StreamKind::Chat && m_connected.contains(peerId);
    }
    inline bool send(const QString &peerId,
                     const Protocol::Message &message,
                     StreamKind kind) override;
    qint64 pendingWriteBytes(const QString &, StreamKind) const override { return 0; }
    void setReadingPaused(const QString &, bool, StreamKind) override {}
    void addKnownPeer(const QString &, const QHostAddress &) override {}
    QHostAddress remoteHost(const QString &peerId) const override
    {
        return m_connected.contains(peerId) ? QHostAddress(QHostAddress::LocalHost)
                                            : QHostAddress();
    }

    // What went out and came in, in order (frames dropped by the test are in neither).
    QList<Frame> sent;
    QList<Frame> received;

    // Played by CarryNet.
    void up(const QString &peerId,
            const Protocol::Hello &hello,
            const QString &address,
            const QSslCertificate &certificate)
    {
        m_connected.insert(peerId);
        Q_EMIT peerConnected(peerId, hello, address, certificate);
    }
    void down(const QString &peerId, const QString &reason)
    {
        if (m_connected.remove(peerId))
            Q_EMIT peerDisconnected(peerId, reason);
    }
    void deliver(const QString &from, const Protocol::Message &message)
    {
        received.append(Frame{from, message});
        Q_EMIT messageReceived(from, message, StreamKind::Chat);
    }

private:
    CarryNet &m_net;
    int m_index;
    QSet<QString> m_connected;
};

class CarryNet final
{
public:
    struct Node
    {
        std::optional<Identity> identity;
        QString name;
        CarryStore store;
        std::unique_ptr<CarryNetTransport> direct;
        std::unique_ptr<Courier> courier;
        // The certificates of the peers it met directly, as the messenger's roster keeps them
        // (the courier's certificate lookup).
        QHash<QString, QByteArray> met;
    };
    // A frame on its way: from node `from` to node `to`.
    struct Packet
    {
        int from = 0;
        int to = 0;
        Protocol::Message message;
    };

    explicit CarryNet(int nodes, const QStringList &names = {})
    {
        for (int i = 0; i < nodes; ++i) {
            auto n = std::make_unique<Node>();
            QString error;
            n->identity = Identity::generate(&error);
            Q_ASSERT_X(n->identity, "CarryNet", qPrintable(error));
            n->name = i < names.size() ? names.at(i) : QStringLiteral("node%1").arg(i);
            const bool opened = n->store.open({}, &error);
            Q_ASSERT_X(opened, "CarryNet", qPrintable(error));
            Q_UNUSED(opened)
            n->direct = std::make_unique<CarryNetTransport>(*this, i);
            n->courier = std::make_unique<Courier>(*n->identity, *n->direct, n->store);
            n->courier->setCertificateLookup(
                [node = n.get()](const QString &peerId) { return node->met.value(peerId); });
            m_nodes.push_back(std::move(n));
        }
        m_timer.setSingleShot(true);
        m_timer.setInterval(0);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { deliverAll(); });
    }
    ~CarryNet()
    {
        // Couriers first: they hold references to their transports and stores.
        for (auto &n : m_nodes)
            n->courier.reset();
    }

    Node &node(int i) { return *m_nodes.at(i); }
    QString id(int i) const { return m_nodes.at(i)->identity->id(); }
    Courier &courier(int i) { return *m_nodes.at(i)->courier; }
    CarryNetTransport &direct(int i) { return *m_nodes.at(i)->direct; }
    int indexOf(const QString &peerId) const
    {
        for (int i = 0; i < int(m_nodes.size()); ++i) {
            if (m_nodes.at(i)->identity->id() == peerId)
                return i;
        }
        return -1;
    }

    // a allows b, and b allows a, these switches (both on by default).
    void allow(int a, int b, CarryStore::Switches s = {true, true})
    {
        QString error;
        const bool ok = courier(a).setAllowed(id(b), s, &error);
        Q_ASSERT_X(ok, "CarryNet::allow", qPrintable(error));
        Q_UNUSED(ok)
    }
    void allowAll(int a, int b, CarryStore::Switches s = {true, true})
    {
        allow(a, b, s);
        allow(b, a, s);
    }

    bool isLinked(int a, int b) const { return m_links.contains(key(a, b)); }
    void link(int a, int b)
    {
        if (isLinked(a, b))
            return;
        m_links.insert(key(a, b));
        node(a).met.insert(id(b), node(b).identity->certificate().toDer());
        node(b).met.insert(id(a), node(a).identity->certificate().toDer());
        direct(a).up(id(b), hello(b), address(b), node(b).identity->certificate());
        direct(b).up(id(a), hello(a), address(a), node(a).identity->certificate());
    }
    void unlink(int a, int b)
    {
        if (!m_links.remove(key(a, b)))
            return;
        // Frames in flight between them are lost, as with a dropped TCP connection.
        queue.erase(std::remove_if(queue.begin(),
                                   queue.end(),
                                   [&](const Packet &p) {
                                       return (p.from == a && p.to == b)
                                              || (p.from == b && p.to == a);
                                   }),
                    queue.end());
        direct(a).down(id(b), QStringLiteral("unlinked by the test"));
        direct(b).down(id(a), QStringLiteral("unlinked by the test"));
    }

    // Delivers every queued frame (and those their delivery queues), in order.
    void deliverAll()
    {
        while (!queue.isEmpty()) {
            Packet p = queue.takeFirst();
            if (!isLinked(p.from, p.to))
                continue;
            // As on the wire: encoded and decoded again.
            QString error;
            auto decoded = Protocol::decode(Protocol::encode(p.message), &error);
            if (!decoded)
                continue;
            p.message = *decoded;
            if (tap && !tap(p))
                continue;
            delivered.append(p);
            direct(p.from).sent.append({id(p.to), p.message});
            direct(p.to).deliver(id(p.from), p.message);
        }
    }

    // Called by a node's transport.
    bool enqueue(int from, const QString &toId, const Protocol::Message &message)
    {
        const int to = indexOf(toId);
        if (to < 0 || !isLinked(from, to))
            return false;
        queue.append(Packet{from, to, message});
        if (autoDeliver && !m_timer.isActive())
            m_timer.start();
        return true;
    }

    // Frames not yet delivered (a test may edit it with autoDeliver off).
    QList<Packet> queue;
    // Every frame delivered, in order.
    QList<Packet> delivered;
    bool autoDeliver = true;
    // Sees each frame as it is delivered: may change it, or return false to drop it.
    std::function<bool(Packet &)> tap;

private:
    static quint64 key(int a, int b)
    {
        return a < b ? (quint64(a) << 32) | quint32(b) : (quint64(b) << 32) | quint32(a);
    }
    Protocol::Hello hello(int i)
    {
        Protocol::Hello h;
        h.peerId = id(i);
        h.name = node(i).name;
        h.port = quint16(47800 + i);
        return h;
    }
    static QString address(int i) { return QStringLiteral("127.0.0.1:%1").arg(47800 + i); }

    std::vector<std::unique_ptr<Node>> m_nodes;
    QSet<quint64> m_links;
    QTimer m_timer;
};

bool CarryNetTransport::send(const QString &peerId,
                             const Protocol::Message &message,
                             StreamKind kind)
{
    if (!isConnected(peerId, kind))
        return false;
    return m_net.enqueue(m_index, peerId, message);
}
