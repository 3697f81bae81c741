// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectionregistry.h"

#include "net/peeraddress.h"
#include "net/tcplistener.h"
#include "net/tlsconfiguration.h"

#include <QLoggingCategory>
#include <QNetworkInterface>
#include <QTimer>

#include <unistd.h>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcNet)

ConnectionRegistry::ConnectionRegistry(const Identity &identity,
                                       ConnectionLimits timeouts,
                                       QObject *parent)
    : Transport(parent)
    , m_identity(identity)
    , m_timeouts(timeouts)
    , m_server(new TcpListener(this))
{
    m_sslConfig = Tls::configuration(m_identity);
    connect(m_server, &TcpListener::socketAccepted, this, &ConnectionRegistry::onSocketAccepted);
    m_clock.start();
}

void ConnectionRegistry::addKnownPeer(const QString &peerId, const QHostAddress &host)
{
    if (m_knownPeers.size() < MaxKnownPeers)
        m_knownPeers.insert(peerId);
    if (!host.isNull() && m_knownHosts.size() < MaxKnownHosts)
        m_knownHosts.insert(PeerAddress::plain(host));
}

ConnectionRegistry::~ConnectionRegistry() = default;

bool ConnectionRegistry::listen(const QHostAddress &address, quint16 port)
{
    if (m_server->listen(address, port)) {
        qCInfo(lcNet) << "listening on" << m_server->serverAddress() << m_server->serverPort();
        return true;
    }
    if (m_server->serverError() == QAbstractSocket::AddressInUseError) {
        m_errorString = tr("Port %1 is in use by another program (or another Shoal); start "
                           "Shoal with --port and another number, or --port 0 for any free "
                           "port.")
                            .arg(port);
    } else {
        m_errorString = tr("Cannot listen on %1 port %2: %3")
                            .arg(address.toString())
                            .arg(port)
                            .arg(m_server->errorString());
    }
    return false;
}

quint16 ConnectionRegistry::listeningPort() const
{
    return m_server->serverPort();
}

QHostAddress ConnectionRegistry::listeningAddress() const
{
    return m_server->serverAddress();
}

QStringList ConnectionRegistry::advertisedAddresses() const
{
    const QHostAddress bound = listeningAddress();
    const quint16 port = listeningPort();
    if (bound != QHostAddress::Any && bound != QHostAddress::AnyIPv4
        && bound != QHostAddress::AnyIPv6)
        return {PeerAddress::format(bound, port)};
    QStringList out;
    const auto addresses = QNetworkInterface::allAddresses();
    for (const QHostAddress &a : addresses) {
        if (!a.isLoopback() && !a.isLinkLocal())
            out.append(PeerAddress::format(a, port));
    }
    if (out.isEmpty())
        out.append(PeerAddress::format(QHostAddress::LocalHost, port));
    return out;
}

Protocol::Hello ConnectionRegistry::ownHello() const
{
    Protocol::Hello hello;
    hello.peerId = m_identity.id();
    hello.name = m_name;
    hello.port = listeningPort();
    hello.status = m_status; // issue 15
    hello.statusText = m_statusText;
    hello.avatarHash = m_avatarHash;
    // Bulk streams may be dialled to us, and we take pex; a version 1 peer ignores these.
    hello.capabilities = {QString::fromLatin1(Protocol::StreamsCapability),
                          QString::fromLatin1(Protocol::AvatarCapability), // avatars (issue 15)
                          QString::fromLatin1(Protocol::PexCapability)};
    return hello;
}

PeerConnection *ConnectionRegistry::adopt(QSslSocket *socket,
                                          PeerConnection::Direction direction,
                                          StreamKind kind)
{
    Protocol::Hello hello = ownHello();
    hello.stream = Protocol::Stream(int(kind)); // what we dial names its kind
    auto *connection = new PeerConnection(socket, direction, hello, m_timeouts, this);
    m_connections.insert(connection);
    connect(connection, &PeerConnection::ready, this, [this, connection] { onReady(connection); });
    connect(connection,
            &PeerConnection::closed,
            this,
            [this, connection](PeerConnection::Error error, const QString &reason) {
                onClosed(connection, error, reason);
            });
    connect(connection,
            &PeerConnection::messageReceived,
            this,
            [this, connection](const Protocol::Message &message) {
                touch(connection, message, false);
                // Also from a losing duplicate: what was in flight on it still counts.
                Q_EMIT messageReceived(connection->peerId(), message, connection->kind());
            });
    connect(connection, &PeerConnection::bytesWritten, this, [this, connection] {
        const StreamKind kind = connection->kind();
        if (connection->isReady() && active(kind).value(connection->peerId()) == connection)
            Q_EMIT peerWritable(connection->peerId(), kind);
    });
    return connection;
}

int ConnectionRegistry::connectToPeer(const QString &host,
                                      quint16 port,
                                      const QString &expectedPeerId,
                                      StreamKind kind)
{
    if (kind != StreamKind::Chat
        && (expectedPeerId.isEmpty() || !supportsStream(expectedPeerId, kind))) {
        qCInfo(lcNet) << "not dialling a bulk stream to" << expectedPeerId
                      << "- it is not connected for chat, or does not take streams";
        return 0;
    }
    auto *socket = new QSslSocket;
    socket->setSslConfiguration(m_sslConfig);
    // Listening on one address: dial from it too, so that the peer sees (and records, and
    // redials) an address where we listen. A name, or another family, is dialled unbound.
    const QHostAddress local = listeningAddress();
    const bool anyAddress = local == QHostAddress::Any || local == QHostAddress::AnyIPv4
                            || local == QHostAddress::AnyIPv6;
    if (!local.isNull() && !anyAddress && QHostAddress(host).protocol() == local.protocol()
        && !socket->bind(local)) {
        qCWarning(lcNet) << "cannot dial from" << local << "(" << socket->errorString()
                         << "); dialling" << host << "from any address";
        delete socket;
        socket = new QSslSocket;
        socket->setSslConfiguration(m_sslConfig);
    }
    PeerConnection *connection = adopt(socket, PeerConnection::Direction::Outgoing, kind);
    const int attempt = m_nextAttempt++;
    m_attempts.insert(connection, attempt);
    connection->connectTo(host, port, expectedPeerId);
    return attempt;
}

void ConnectionRegistry::onSocketAccepted(qintptr descriptor)
{
    auto *socket = new QSslSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcNet) << "cannot take an incoming connection:" << socket->errorString();
        delete socket;
        ::close(int(descriptor)); // nobody owns it now
        return;
    }
    // Refused before any TLS work: one host cannot take every slot, and nobody can keep us
    // busy with handshakes. The caps count what is already here, ready or not.
    const QHostAddress from = PeerAddress::plain(socket->peerAddress());
    int fromThere = 0;
    int handshaking = 0;
    for (const PeerConnection *c : std::as_const(m_connections)) {
        if (c->direction() != PeerConnection::Direction::Incoming)
            continue;
        fromThere += PeerAddress::plain(c->remoteAddress()) == from;
        handshaking += !c->isReady();
    }
    const char *limit = nullptr;
    if (fromThere >= MaxIncomingPerAddress)
        limit = "connections from one address";
    else if (!takeConnectionToken(from))
        limit = "new connections per second from one address";
    // Full: rather than refuse everyone for as long as strangers hold the room (they can, by
    // opening again what is closed), make room when that is fair to the newcomer.
    const bool allFull = m_connections.size() >= MaxConnections;
    const bool handshakesFull = handshaking >= MaxHandshakesInProgress;
    if (!limit && (allFull || handshakesFull)) {
        PeerConnection *evict = evictionCandidate(from, true);
        if (!evict && allFull && !handshakesFull)
            evict = evictionCandidate(from, false);
        if (evict) {
            if (m_evicted.count())
                qCWarning(lcNet) << "limit on"
                                 << (allFull ? "connections in all" : "handshakes in progress")
                                 << "reached: closing"
                                 << (evict->isReady() ? "an idle stranger" : "a handshake")
                                 << "from" << evict->remoteAddress() << "to make room for" << from
                                 << "(" << m_evicted.total() << "closed so far)";
            evict->close(PeerConnection::Error::LocalClose, u"too many connections; making room"_s);
        } else {
            limit = allFull ? "connections in all" : "handshakes in progress";
        }
    }
    if (limit) {
        if (m_refused.count())
            qCWarning(lcNet) << "limit on" << limit << "reached: refusing" << from << "("
                             << fromThere << "from there," << handshaking << "handshaking,"
                             << m_connections.size() << "in all;" << m_refused.total()
                             << "refused so far)";
        socket->abort();
        socket->deleteLater();
        return;
    }
    socket->setSslConfiguration(m_sslConfig);
    PeerConnection *connection = adopt(socket,
                                       PeerConnection::Direction::Incoming,
                                       StreamKind::Chat);
    m_lastActive.insert(connection, m_clock.elapsed());
    socket->startServerEncryption();
}

PeerConnection *ConnectionRegistry::evictionCandidate(const QHostAddress &from,
                                                      bool handshakesOnly) const
{
    // Candidates: incoming handshakes not from a known peer's host (oldest first), or
    // incoming ready peers that are not known peers, whatever they have sent us (least
    // recently active first). Outgoing connections and known peers are never closed here.
    // Fair shares: take from the address that holds the most candidates, and only if it holds
    // more than one more than the newcomer's, so strangers that reconnect what was closed
    // cannot push each other (or anyone else) out in turn. A known peer's host may take from
    // an address that holds more than it does (its own protected connections counted), but
    // not from one that holds as many: an attacker on that host cannot push out a newcomer.
    const bool knownHost = m_knownHosts.contains(from);
    QHash<QHostAddress, QList<PeerConnection *>> byAddress;
    qsizetype fromKnownHost = 0;
    for (PeerConnection *c : std::as_const(m_connections)) {
        if (c->direction() != PeerConnection::Direction::Incoming || c->isClosed())
            continue;
        if (c->isReady() == handshakesOnly)
            continue;
        const QHostAddress address = PeerAddress::plain(c->remoteAddress());
        fromKnownHost += knownHost && address == from;
        if (handshakesOnly ? m_knownHosts.contains(address) : m_knownPeers.contains(c->peerId()))
            continue;
        byAddress[address].append(c);
    }
    const qsizetype newcomers = byAddress.value(from).size();
    const QList<PeerConnection *> *most = nullptr;
    for (auto it = byAddress.cbegin(); it != byAddress.cend(); ++it) {
        if (!most || it->size() > most->size())
            most = &it.value();
    }
    if (!most)
        return nullptr;
    if (knownHost ? most->size() <= fromKnownHost : most->size() <= newcomers + 1)
        return nullptr;
    return *std::min_element(most->cbegin(), most->cend(), [this](auto *a, auto *b) {
        return m_lastActive.value(a) < m_lastActive.value(b);
    });
}

void ConnectionRegistry::touch(PeerConnection *connection,
                               const Protocol::Message &message,
                               bool sentByUs)
{
    if (!std::holds_alternative<Protocol::Chat>(message)
        && !std::holds_alternative<Protocol::Ack>(message)
        && !std::holds_alternative<Protocol::Read>(message))
        return;
    if (auto it = m_lastActive.find(connection); it != m_lastActive.end())
        *it = m_clock.elapsed();
    // The person wrote to them: from now on a known peer, and its host a known host. A chat
    // they send us does not count: identities are free, so it would make any stranger known.
    // Once per connection: its peer and host do not change, and known ones are never forgotten.
    if (sentByUs && std::holds_alternative<Protocol::Chat>(message) && connection->isReady()
        && !m_madeKnown.contains(connection)) {
        m_madeKnown.insert(connection);
        addKnownPeer(connection->peerId(), connection->remoteAddress());
    }
}

bool ConnectionRegistry::takeConnectionToken(const QHostAddress &from)
{
    // A token bucket per address: `rate` a second, up to twice that saved up.
    const double rate = m_timeouts.newConnectionsPerAddressPerSecond;
    if (m_newConnections.size() >= MaxBuckets && !m_newConnections.contains(from))
        m_newConnections.clear(); // many addresses at once: forget, rather than grow
    auto it = m_newConnections.find(from);
    if (it == m_newConnections.end())
        it = m_newConnections.insert(from, TokenBucket(2 * rate, rate, 1000));
    return it->tryTake(m_clock.elapsed());
}

bool ConnectionRegistry::prefer(const PeerConnection *a, const PeerConnection *b) const
{
    const QString &self = m_identity.id();
    const QString initiatorA = a->direction() == PeerConnection::Direction::Outgoing ? self
                                                                                     : a->peerId();
    const QString initiatorB = b->direction() == PeerConnection::Direction::Outgoing ? self
                                                                                     : b->peerId();
    return initiatorA < initiatorB;
}

void ConnectionRegistry::onReady(PeerConnection *connection)
{
    const QString id = connection->peerId();
    const StreamKind kind = connection->kind();
    if (kind != StreamKind::Chat && !active(StreamKind::Chat).contains(id)) {
        // Another stream only beside a verified chat stream: it is part of a conversation, and
        // a stranger gets no more connections than one for chat (docs/protocol.md, "Streams").
        if (connection->direction() == PeerConnection::Direction::Incoming)
            connection->close(PeerConnection::Error::ProtocolError,
                              u"no chat stream to open a bulk stream beside"_s);
        else
            connection->close(PeerConnection::Error::LocalClose,
                              u"the chat stream closed before the bulk stream was ready"_s);
        return;
    }
    PeerConnection *current = active(kind).value(id);
    bool keep = true;
    bool check = false;
    if (current) {
        // Same initiator on both: the newer one wins (the old one is probably half-dead).
        const bool sameInitiator = current->direction() == connection->direction();
        keep = sameInitiator || !prefer(current, connection);
        // The old one would win but has been quiet, or the new one runs between other
        // addresses: its peer may have moved and dialled again from there. Ask before keeping
        // what may be dead. (Mid-conversation the old one is not quiet: receipts came on it
        // until the address went. Found by tst_reach, addressChangeMidConversation.)
        const bool moved = current->remoteAddress() != connection->remoteAddress()
                           || current->localAddress() != connection->localAddress();
        check = !keep && current->isReady()
                && (moved || current->msSinceHeard() >= LivenessQuietMs);
    }
    if (keep)
        install(connection, current);
    // Reported after the peer is known, so that whoever asked finds it in the list.
    if (const int attempt = m_attempts.take(connection))
        Q_EMIT attemptFinished(attempt, id, PeerConnection::Error::None, {});
    if (check)
        checkDuplicate(connection, current);
    else if (!keep)
        connection->close(PeerConnection::Error::Replaced, u"duplicate connection"_s);
}

void ConnectionRegistry::install(PeerConnection *connection, PeerConnection *current)
{
    const QString id = connection->peerId();
    const StreamKind kind = connection->kind();
    active(kind).insert(id, connection);
    if (current)
        current->close(PeerConnection::Error::Replaced, u"duplicate connection"_s);
    if (kind == StreamKind::Chat) {
        Q_EMIT peerConnected(id,
                             connection->remoteHello(),
                             connection->remoteListenAddress(),
                             connection->peerCertificate());
        return;
    }
    // The one it replaces ended: what was on it (a request, data) is lost, and its service
    // must know, to ask again on this one (its close reports nothing: it is no longer the
    // peer's stream by then).
    if (current)
        Q_EMIT streamClosed(id, kind, u"duplicate connection"_s);
    Q_EMIT streamOpened(id, kind);
}

void ConnectionRegistry::checkDuplicate(PeerConnection *connection, PeerConnection *current)
{
    // Both ends apply the same rule to the same two connections; the check only differs
    // where one of them is dead, and a dead one is dropped either way.
    qCInfo(lcNet) << "duplicate connection with" << connection->peerId() << ": the old one was"
                  << "quiet for" << current->msSinceHeard() << "ms; asking whether it is alive";
    m_checking.insert(connection, current);
    connect(
        current,
        &PeerConnection::alive,
        connection,
        [this, connection] { settleDuplicate(connection, true); },
        Qt::SingleShotConnection);
    QTimer::singleShot(LivenessTimeoutMs, connection, [this, connection] {
        settleDuplicate(connection, false);
    });
    current->checkAlive();
}

void ConnectionRegistry::settleDuplicate(PeerConnection *connection, bool oldAlive)
{
    PeerConnection *old = m_checking.take(connection);
    if (!old || connection->isClosed())
        return;
    if (oldAlive) {
        connection->close(PeerConnection::Error::Replaced, u"duplicate connection"_s);
        return;
    }
    // Closed as any dead connection is (the peer is disconnected, what was sent on it and not
    // acknowledged goes out again); onClosed() then puts the new one in its place.
    m_checking.insert(connection, old);
    old->close(PeerConnection::Error::Timeout,
               u"no answer to a ping while a newer connection waited"_s);
}

void ConnectionRegistry::onClosed(PeerConnection *connection,
                                  PeerConnection::Error error,
                                  const QString &reason)
{
    m_connections.remove(connection);
    m_lastActive.remove(connection);
    m_madeKnown.remove(connection);
    m_checking.remove(connection);
    if (const int attempt = m_attempts.take(connection)) {
        QString text = PeerConnection::describe(error);
        // Only our own (translated) wording: a peer's bye reason is in its language, not the
        // person's, and stays in the log.
        if (error == PeerConnection::Error::IdentityMismatch
            || error == PeerConnection::Error::IncompatibleVersion) {
            if (!reason.isEmpty())
                text = reason;
        }
        QString answered;
        if (error == PeerConnection::Error::IdentityMismatch
            && Identity::looksLikeShoal(connection->peerCertificate()))
            answered = Identity::fingerprint(connection->peerCertificate());
        Q_EMIT attemptFinished(attempt, answered, error, text);
    }
    const QString id = connection->peerId();
    const StreamKind kind = connection->kind();
    if (id.isEmpty() || active(kind).value(id) != connection) {
        promoteWaiting(connection);
        return;
    }
    active(kind).remove(id);
    if (kind != StreamKind::Chat) {
        Q_EMIT streamClosed(id, kind, reason); // the peer stays connected for chat
        promoteWaiting(connection);
        return;
    }
    // The other streams live beside the chat stream only: the peer is gone for all of them.
    if (PeerConnection *bulk = active(StreamKind::Bulk).value(id))
        bulk->close(PeerConnection::Error::LocalClose, u"chat stream closed"_s);
    Q_EMIT peerDisconnected(id, reason);
    promoteWaiting(connection);
}

void ConnectionRegistry::promoteWaiting(PeerConnection *closed)
{
    // A duplicate held for the liveness check of the one that just closed takes its place.
    PeerConnection *next = nullptr;
    for (auto it = m_checking.begin(); it != m_checking.end();) {
        if (it.value() != closed) {
            ++it;
            continue;
        }
        PeerConnection *waiting = it.key();
        it = m_checking.erase(it);
        if (waiting->isClosed())
            continue;
        if (!next)
            next = waiting;
        else
            waiting->close(PeerConnection::Error::Replaced, u"duplicate connection"_s);
    }
    if (!next)
        return;
    if (active(next->kind()).contains(next->peerId()))
        next->close(PeerConnection::Error::Replaced, u"duplicate connection"_s);
    else
        install(next, nullptr);
}

void ConnectionRegistry::probeAll()
{
    const auto connections = m_connections;
    for (PeerConnection *c : connections)
        c->probe();
}

int ConnectionRegistry::closeIfLocalAddressGone(const QSet<QHostAddress> &current)
{
    if (current.isEmpty())
        return 0; // no interface at all is more likely a failed look than a bare host
    // Scope IDs aside: a socket may name the interface by number, the snapshot by name.
    QSet<QHostAddress> here;
    bool loopback = false; // up: all of 127/8 is, though only 127.0.0.1 is listed
    for (const QHostAddress &a : current) {
        QHostAddress plain = PeerAddress::plain(a);
        plain.setScopeId({});
        here.insert(plain);
        loopback |= plain.isLoopback();
    }
    int closed = 0;
    const auto connections = m_connections;
    for (PeerConnection *c : connections) {
        QHostAddress local = PeerAddress::plain(c->localAddress());
        local.setScopeId({});
        if (c->isClosed() || local.isNull() || here.contains(local)
            || (loopback && local.isLoopback()))
            continue;
        c->close(PeerConnection::Error::LocalClose,
                 u"this computer's address %1 is gone"_s.arg(local.toString()));
        ++closed;
    }
    return closed;
}

bool ConnectionRegistry::isConnected(const QString &peerId, StreamKind kind) const
{
    return active(kind).contains(peerId);
}

QHostAddress ConnectionRegistry::remoteHost(const QString &peerId) const
{
    const PeerConnection *connection = active(StreamKind::Chat).value(peerId);
    return connection ? connection->remoteAddress() : QHostAddress();
}

bool ConnectionRegistry::supportsStream(const QString &peerId, StreamKind kind) const
{
    if (kind == StreamKind::Chat)
        return true;
    // An older peer would take a second connection for a duplicate chat and close one.
    const PeerConnection *chat = active(StreamKind::Chat).value(peerId);
    return chat
           && chat->remoteHello().hasCapability(QLatin1StringView(Protocol::StreamsCapability));
}

int ConnectionRegistry::openStream(const QString &peerId, StreamKind kind)
{
    const PeerConnection *chat = active(StreamKind::Chat).value(peerId);
    if (kind == StreamKind::Chat || !chat || chat->remoteHello().port == 0)
        return 0; // chat is dialled by address; a peer that does not listen dials us
    return connectToPeer(PeerAddress::plain(chat->remoteAddress()).toString(),
                         chat->remoteHello().port,
                         peerId,
                         kind);
}

bool ConnectionRegistry::send(const QString &peerId,
                              const Protocol::Message &message,
                              StreamKind kind)
{
    PeerConnection *connection = active(kind).value(peerId);
    if (!connection || !connection->send(message))
        return false;
    touch(connection, message, true);
    if (!m_unflushed.contains(connection))
        m_unflushed.append(connection);
    return true;
}

void ConnectionRegistry::flush()
{
    // A connection closed meanwhile is gone from the list: QPointer.
    for (const QPointer<PeerConnection> &connection : std::exchange(m_unflushed, {})) {
        if (connection)
            connection->flush();
    }
}

void ConnectionRegistry::setReadingPaused(const QString &peerId, bool paused, StreamKind kind)
{
    if (PeerConnection *connection = active(kind).value(peerId))
        connection->setReadingPaused(paused);
}

qint64 ConnectionRegistry::pendingWriteBytes(const QString &peerId, StreamKind kind) const
{
    const PeerConnection *connection = active(kind).value(peerId);
    return connection ? connection->pendingWriteBytes() : 0;
}

void ConnectionRegistry::closeAll()
{
    // Streams beside chat first, so that each says why it closes (not "chat stream closed").
    const auto connections = m_connections;
    for (PeerConnection *c : connections) {
        if (c->kind() != StreamKind::Chat)
            c->close(PeerConnection::Error::LocalClose, u"shutting down"_s);
    }
    for (PeerConnection *c : connections)
        c->close(PeerConnection::Error::LocalClose, u"shutting down"_s);
}

bool ConnectionRegistry::hasOpenSockets() const
{
    return !findChildren<PeerConnection *>(Qt::FindDirectChildrenOnly).isEmpty();
}
