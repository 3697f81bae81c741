#include "messenger.h"

#include "models/conversationmodel.h"
#include "net/connectionregistry.h"
#include "net/peeraddress.h"
#include "storage/messagestore.h"
#include "storage/profiledirectory.h"

#include <QDir>
#include <QLoggingCategory>
#include <QNetworkInterface>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMessenger, "shoal.messenger")

static constexpr int RedialTickMs = 1'000;
static constexpr int RedialFirstDelayMs = 2'000;
static constexpr int RedialMaxDelayMs = 60'000;
// When both hear each other, the lower ID dials at once and the higher one only if no
// connection has come by then: usually one connection, never none.
static constexpr int HigherIdDialDelayMs = 1'500;
// The queue goes out while fewer than this many bytes wait in the connection, a page at a time.
static constexpr qint64 SendWindowBytes = 128 * 1024;
static constexpr int SendPageSize = 128;
// Received messages from one peer waiting for the disk: over this, its connection is not read
// until half of them are stored (TCP then slows the peer down), so a flood can neither grow
// memory without end nor push everyone else's messages far back in the queue.
static constexpr int MaxReceivedBacklog = 1'000;
// Received messages that could not be stored (a full disk) are asked for again when a write
// succeeds, or after this delay, doubling up to the maximum while writes keep failing.
static constexpr int RefetchFirstDelayMs = 1'000;
static constexpr int RefetchMaxDelayMs = 10'000;
// A peer's resend requests are honoured at most this often (each sends its queue again).
static constexpr qint64 ResendMinIntervalMs = 1'000;

static std::optional<PeerAddress> parseAddress(const QString &text)
{
    QString error;
    return PeerAddress::parse(text, DefaultPort, &error);
}

Messenger::Messenger(const Identity &identity, MessengerConfig config, QObject *parent)
    : QObject(parent)
    , m_identity(identity)
    , m_config(std::move(config))
    , m_registry(new ConnectionRegistry(m_identity, m_config.timeouts, this))
    , m_store(new MessageStore(this))
{
    m_registry->setDisplayName(m_config.name);
    connect(m_registry, &ConnectionRegistry::peerConnected, this, &Messenger::onPeerConnected);
    connect(m_registry, &ConnectionRegistry::peerDisconnected, this, [this](const QString &peerId) {
        onPeerDisconnected(peerId);
    });
    connect(m_registry, &ConnectionRegistry::messageReceived, this, &Messenger::onMessage);
    connect(m_registry, &ConnectionRegistry::peerWritable, this, &Messenger::pump);
    connect(m_registry,
            &ConnectionRegistry::attemptFinished,
            this,
            [this](int attempt,
                   const QString &peerId,
                   PeerConnection::Error error,
                   const QString &reason) {
                const QString dialled = m_redialAttempts.take(attempt);
                if (dialled.isEmpty()) {
                    // The person dialled this address: whoever answered is someone they chose.
                    if (error == PeerConnection::Error::None) {
                        const PeerConnection *c = m_registry->activeConnection(peerId);
                        m_registry->addKnownPeer(peerId, c ? c->remoteAddress() : QHostAddress());
                    }
                    Q_EMIT connectFinished(attempt, peerId, reason);
                    return;
                }
                onDialFinished(dialled, error, peerId);
                if (error == PeerConnection::Error::None) {
                    m_dials.remove(dialled);
                    return;
                }
                qCDebug(lcMessenger) << "dial of" << dialled << "failed:" << reason;
                if (error == PeerConnection::Error::IdentityMismatch) {
                    const QString warning
                        = tr("Security warning: an address where %1 was expected answered with "
                             "another identity and was refused; nothing was sent there. %2")
                              .arg(m_peers.peer(dialled).value_or(PeerInfo{}).name, reason);
                    qCWarning(lcMessenger).noquote() << Protocol::quoted(warning); // a name
                    addWarning(warning);
                    Q_EMIT identityMismatch(dialled, warning);
                }
                dialNext(dialled);
            });
    connect(m_store, &MessageStore::committed, this, &Messenger::onCommitted);
    connect(m_store, &MessageStore::sentStateChanged, this, [this](const QList<ChatMessage> &c) {
        for (const ChatMessage &m : c)
            Q_EMIT messageStateChanged(m);
    });
    connect(m_store, &MessageStore::errorOccurred, this, &Messenger::addWarning);
    connect(m_store, &MessageStore::errorOccurred, this, &Messenger::resumeReading);
    connect(m_store, &MessageStore::notSaved, this, &Messenger::onNotSaved);
    connect(m_store, &MessageStore::checked, this, [this](const QString &damage) {
        if (damage.isEmpty())
            return;
        const QString warning
            = tr("The history file %1 is damaged (%2). Shoal goes on using it as it is; some "
                 "messages may be missing. Keep a copy of the file before anything else.")
                  .arg(QDir::toNativeSeparators(
                           QDir(m_config.profileDir).filePath(u"history.sqlite"_s)),
                       damage);
        qCWarning(lcMessenger).noquote() << warning;
        addWarning(warning);
    });
    connect(m_store, &MessageStore::recovered, this, &Messenger::requestResend);
    m_refetchTimer.setSingleShot(true);
    connect(&m_refetchTimer, &QTimer::timeout, this, &Messenger::requestResend);
    connect(&m_redialTimer, &QTimer::timeout, this, &Messenger::redial);
    m_clock.start();
}

Messenger::~Messenger() = default;

bool Messenger::start()
{
    bool created = false;
    if (!m_config.profileDir.isEmpty()
        && !ProfileDirectory::createPrivateDirectory(m_config.profileDir, &created, &m_errorString)) {
        return false;
    }
    const QString path = m_config.profileDir.isEmpty()
                             ? u":memory:"_s
                             : QDir(m_config.profileDir).filePath(u"history.sqlite"_s);
    if (!m_config.profileDir.isEmpty()) {
        // SQLite gives its -wal and -shm files the mode of the database file; those of an
        // older Shoal may still be readable by others.
        if (!ProfileDirectory::createPrivateFile(path, &m_errorString))
            return false;
        for (const char *suffix : {"-wal", "-shm", "-journal"})
            ProfileDirectory::restrictToOwner(path + QLatin1StringView(suffix));
    }
    if (!m_store->open(path, &m_errorString))
        return false;
    loadKnownPeers();
    if (!m_registry->listen(m_config.listenAddress, m_config.port)) {
        m_errorString = m_registry->errorString();
        return false;
    }
    scheduleRedial(); // known peers with messages waiting
    if (m_config.discovery) {
        m_discovery = new DiscoveryService(id(), *m_config.discovery, this);
        m_discovery->setName(m_config.name);
        m_discovery->setTcpPort(port());
        connect(m_discovery, &DiscoveryService::peerSeen, this, &Messenger::onPeerSeen);
        connect(m_discovery, &DiscoveryService::peerGone, this, &Messenger::onPeerGone);
        QString error;
        if (!m_discovery->start(&error)) {
            // Chatting by address still works; say what is missing.
            m_warnings.append(error);
            delete m_discovery;
            m_discovery = nullptr;
        }
    }
    return true;
}

void Messenger::setName(const QString &name)
{
    m_config.name = Protocol::singleLine(name, Protocol::MaxNameLength);
    m_registry->setDisplayName(m_config.name);
    if (m_discovery)
        m_discovery->setName(m_config.name);
}

quint16 Messenger::port() const
{
    return m_registry->listeningPort();
}

QStringList Messenger::listenAddresses() const
{
    const QHostAddress bound = m_registry->listeningAddress();
    QStringList out;
    if (bound != QHostAddress::Any && bound != QHostAddress::AnyIPv4
        && bound != QHostAddress::AnyIPv6) {
        out.append(PeerAddress::format(bound, port()));
        return out;
    }
    const auto addresses = QNetworkInterface::allAddresses();
    for (const QHostAddress &a : addresses) {
        if (a.isLoopback() || a.isLinkLocal())
            continue;
        out.append(PeerAddress::format(a, port()));
    }
    if (out.isEmpty())
        out.append(PeerAddress::format(QHostAddress::LocalHost, port()));
    return out;
}

ConversationModel *Messenger::createConversationModel(QObject *parent)
{
    return new ConversationModel(*m_store, parent);
}

NetworkStatus Messenger::networkStatus() const
{
    NetworkStatus s;
    s.id = id();
    s.name = name();
    s.tcpPort = port();
    s.listenAddresses = listenAddresses();
    s.discoveryEnabled = m_discovery != nullptr;
    if (m_discovery)
        s.discovery = m_discovery->stats();
    s.warnings = m_warnings;
    return s;
}

int Messenger::connectToAddress(const QString &address, QString *error)
{
    const auto parsed = PeerAddress::parse(address, DefaultPort, error);
    if (!parsed)
        return 0;
    return m_registry->connectToPeer(parsed->host, parsed->port);
}

std::optional<QUuid> Messenger::sendMessage(const QString &peerId,
                                            const QString &text,
                                            QString *error)
{
    if (!m_peers.peer(peerId)) {
        *error = tr("Unknown peer %1. Connect to it first.").arg(peerId);
        return std::nullopt;
    }
    if (text.trimmed().isEmpty()) {
        *error = tr("The message is empty.");
        return std::nullopt;
    }
    const qsizetype bytes = text.toUtf8().size();
    if (bytes > Protocol::MaxTextBytes) {
        *error = tr("The message is %1 KiB long; the limit is %2 KiB. Split it into shorter "
                    "messages.")
                     .arg((bytes + 1023) / 1024)
                     .arg(Protocol::MaxTextBytes / 1024);
        return std::nullopt;
    }
    ChatMessage m;
    m.id = newMessageId();
    m.peerId = peerId;
    m.outgoing = true;
    // Millisecond precision: what the wire carries.
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(),
                                                         Qt::UTC);
    m.sentAt = now;
    m.receivedAt = now;
    m.text = text;
    m.state = MessageState::Queued;
    // On disk before any byte leaves: it goes out when the store reports it committed.
    m_store->addOutgoing(m);
    return m.id;
}

void Messenger::setActiveConversation(const QString &peerId, bool visible)
{
    m_activeConversation = peerId;
    m_activeVisible = visible;
    if (visible && !peerId.isEmpty())
        markRead(peerId);
}

void Messenger::markRead(const QString &peerId)
{
    const auto unread = m_store->unread(peerId);
    for (const ChatMessage &m : unread)
        m_store->setState(m, MessageState::Read);
    m_peers.clearUnread(peerId);
    if (!unread.isEmpty() && m_config.sendReadReceipts)
        sendReceipts(peerId);
}

void Messenger::sendReceipts(const QString &peerId)
{
    if (!m_config.sendReadReceipts || !m_registry->isConnected(peerId))
        return;
    // Includes the ones just marked: message() sees queued state changes, pendingReceipts()
    // only committed ones, so ask for both.
    QList<ChatMessage> receipts = m_store->pendingReceipts(peerId);
    for (const ChatMessage &m : m_store->unread(peerId)) {
        if (m_store->message(keyOf(m)).value_or(m).state == MessageState::Read)
            receipts.append(m);
    }
    for (const ChatMessage &m : std::as_const(receipts)) {
        if (m_registry->send(peerId, Protocol::Read{m.id}))
            m_store->setReceiptSent(m);
    }
}

bool Messenger::retryMessage(const QUuid &id, QString *error)
{
    const auto m = m_store->message(id);
    if (m && m->outgoing && m->state == MessageState::Failed) {
        m_store->retryUnsaved(id); // reported like a new message: committed, or not saved again
        return true;
    }
    if (!m || !m->outgoing || m->state != MessageState::Queued) {
        *error = tr("Only a waiting message can be retried.");
        return false;
    }
    if (m_registry->isConnected(m->peerId)) {
        flush(m->peerId);
        return true;
    }
    m_redial.remove(m->peerId); // no back-off: the person asked
    dial(m->peerId);
    return true;
}

bool Messenger::deleteMessage(const QUuid &id, QString *error)
{
    const auto m = m_store->message(id);
    if (m && m->outgoing && m->state == MessageState::Failed)
        return m_store->discardUnsaved(id);
    if (!m || !m->outgoing || m->state != MessageState::Queued) {
        *error = tr("Only a waiting message can be deleted; this one may already have arrived.");
        return false;
    }
    m_store->remove(id);
    return true;
}

void Messenger::shutdown()
{
    m_shutDown = true;
    m_redialTimer.stop();
    if (m_discovery)
        m_discovery->stop();
    m_registry->closeAll();
    m_store->flush();
}

void Messenger::onPeerConnected(const QString &peerId,
                                const Protocol::Hello &hello,
                                const QString &address,
                                const QSslCertificate &certificate)
{
    PeerInfo info = m_peers.peer(peerId).value_or(PeerInfo{});
    info.id = peerId;
    info.name = hello.name;
    info.address = address;
    info.online = true;
    info.verified = true;
    info.lastSeen = QDateTime::currentDateTimeUtc();
    updatePeer(info);
    rememberPeer(info, certificate);
    if (const auto a = parseAddress(address))
        m_dialGuard.verified(QHostAddress(a->host), a->port);
    m_redial.remove(peerId);
    flush(peerId);
}

void Messenger::onPeerDisconnected(const QString &peerId)
{
    m_sendCursor.remove(peerId);
    m_sendCaughtUp.remove(peerId);
    m_readingPaused.remove(peerId);
    m_resendServed.remove(peerId);
    auto info = m_peers.peer(peerId);
    if (!info)
        return;
    // Sent but not acknowledged: it waits again and goes out on the next connection.
    m_store->unsend(peerId);
    // A connection that ended means the peer is gone until it is heard again.
    if (m_discovery)
        m_discovery->forget(peerId);
    info = m_peers.peer(peerId);
    info->online = false;
    info->lan = false;
    info->heardAt.clear();
    info->lastSeen = QDateTime::currentDateTimeUtc();
    updatePeer(*info);
    scheduleRedial(); // it may have messages waiting, or be heard again
}

void Messenger::onPeerSeen(const QString &peerId, const QString &name, const QStringList &addresses)
{
    PeerInfo info = m_peers.peer(peerId).value_or(PeerInfo{});
    info.id = peerId;
    // A datagram's name is a claim; the one from a TLS hello is not replaced by it.
    if (!info.verified || info.name.isEmpty())
        info.name = name;
    info.heardAt = addresses;
    info.lan = true;
    // Heard is not verified: online only once a TLS session has proved who it is.
    info.online = m_registry->isConnected(peerId);
    if (!m_peers.peer(peerId) || !(*m_peers.peer(peerId) == info)) {
        info.lastSeen = QDateTime::currentDateTimeUtc();
        updatePeer(info);
    }
    if (m_registry->isConnected(peerId) || m_dials.contains(peerId))
        return;
    scheduleRedial(); // should the dial below be held back or fail
    if (id() < peerId) {
        dial(peerId);
    } else {
        QTimer::singleShot(HigherIdDialDelayMs, this, [this, peerId] {
            if (!m_registry->isConnected(peerId))
                dial(peerId);
        });
    }
}

void Messenger::onPeerGone(const QString &peerId)
{
    auto info = m_peers.peer(peerId);
    if (!info || !info->lan)
        return;
    info->lan = false;
    info->heardAt.clear();
    info->online = m_registry->isConnected(peerId);
    info->lastSeen = QDateTime::currentDateTimeUtc();
    updatePeer(*info);
    dropIfOnlyHeard(peerId);
}

void Messenger::dropIfOnlyHeard(const QString &peerId)
{
    // Only ever a datagram's claim, no longer heard, and nothing written either way: nothing
    // to keep. (A storm of forged announcements leaves no trace in the list.)
    const auto info = m_peers.peer(peerId);
    if (!info || info->lan || info->verified || info->online || info->unread != 0
        || m_dials.contains(peerId) || m_store->count(peerId) != 0)
        return;
    m_peers.remove(peerId);
    m_redial.remove(peerId);
}

void Messenger::flush(const QString &peerId)
{
    // Everything not acknowledged goes (again): on a new connection the old one's unacked
    // messages may be lost; the receiver drops what it has already.
    m_sendCursor.insert(peerId, 0);
    m_sendCaughtUp.remove(peerId);
    pump(peerId);
    sendReceipts(peerId);
}

void Messenger::pump(const QString &peerId)
{
    // The queue goes out a page at a time while the connection takes it, and continues when
    // the network has taken some (peerWritable): a long queue neither holds the thread nor
    // piles up in memory, and what is typed meanwhile goes out after it, in order.
    // One page per pass of the event loop, so the window gets its turn between pages.
    // Caught up, nothing waits: what is committed from now on goes out from onCommitted(), so
    // a write to the socket (a pong, an ack: peerWritable()) asks the history nothing.
    auto cursor = m_sendCursor.find(peerId);
    if (cursor == m_sendCursor.end() || m_sendCaughtUp.contains(peerId)
        || !m_registry->isConnected(peerId)
        || m_registry->pendingWriteBytes(peerId) >= SendWindowBytes)
        return; // not connected, or the window is full: peerWritable() comes back here
    const auto page = m_store->undelivered(peerId, *cursor, SendPageSize);
    for (const ChatMessage &m : page) {
        sendChat(m);
        *cursor = m.seq;
    }
    if (page.size() < SendPageSize)
        m_sendCaughtUp.insert(peerId); // what is committed from now on can go out at once
    else
        m_sendCaughtUp.remove(peerId);
    if (page.size() == SendPageSize && !m_pumpScheduled.contains(peerId)) {
        m_pumpScheduled.insert(peerId);
        QMetaObject::invokeMethod(
            this,
            [this, peerId] {
                m_pumpScheduled.remove(peerId);
                pump(peerId);
            },
            Qt::QueuedConnection);
    }
}

void Messenger::sendChat(const ChatMessage &m)
{
    if (m_registry->send(m.peerId, Protocol::Chat{m.id, m.sentAt, m.text}))
        m_store->markSent(m);
}

void Messenger::onMessage(const QString &peerId, const Protocol::Message &message)
{
    if (const auto *chat = std::get_if<Protocol::Chat>(&message)) {
        ChatMessage m;
        m.id = chat->id;
        m.peerId = peerId;
        m.outgoing = false;
        m.sentAt = chat->sentAt;
        m.receivedAt = QDateTime::currentDateTimeUtc();
        m.text = chat->text;
        m.state = MessageState::Delivered;
        // Acknowledged once on disk (onCommitted); an ID stored before comes back from the
        // store as a duplicate and is acknowledged again, never stored twice.
        if (m_store->addReceived(m)) {
            if (m_store->receivedBacklog(peerId) >= MaxReceivedBacklog
                && !m_readingPaused.contains(peerId)) {
                qCInfo(lcMessenger) << "not reading from" << peerId << "until"
                                    << MaxReceivedBacklog / 2 << "of its messages are stored";
                m_readingPaused.insert(peerId);
                m_registry->setReadingPaused(peerId, true);
            }
        } else {
            m_ackAfterCommit.insert(keyOf(m)); // the same, from the same peer, not on disk yet
        }
        return;
    }
    if (std::holds_alternative<Protocol::Resend>(message)) {
        onResendAsked(peerId);
        return;
    }
    ChatMessage target;
    target.peerId = peerId; // only the peer the message went to can acknowledge it
    target.outgoing = true;
    MessageState state = MessageState::Delivered;
    if (const auto *ack = std::get_if<Protocol::Ack>(&message)) {
        target.id = ack->id;
    } else if (const auto *read = std::get_if<Protocol::Read>(&message)) {
        target.id = read->id;
        state = MessageState::Read;
    } else {
        return;
    }
    m_store->setState(target, state);
}

void Messenger::onResendAsked(const QString &peerId)
{
    // Its disk has room again: everything it has not acknowledged goes again (it drops what it
    // has). Only what is on this connection without an ack can be missing there, and the store
    // knows that without SQL: a peer we owe nothing (a stranger, one asking in a loop) costs
    // nothing.
    if (!m_store->hasSent(peerId))
        return;
    // At most once a second, as each sends the whole queue. A request that comes sooner is
    // served when the second is over, not dropped: it may follow a write that went through
    // just after the last one failed. A monotonic clock, so that a clock set back neither
    // holds it back nor swallows later ones.
    const qint64 now = m_clock.elapsed();
    const auto served = m_resendServed.find(peerId);
    if (served != m_resendServed.end() && now < served->at + ResendMinIntervalMs) {
        if (!served->deferred) {
            served->deferred = true;
            const qint64 at = served->at;
            QTimer::singleShot(at + ResendMinIntervalMs - now, this, [this, peerId, at] {
                // Not if the connection ended meanwhile (its entry went with it).
                const auto it = m_resendServed.find(peerId);
                if (it == m_resendServed.end() || !it->deferred || it->at != at)
                    return;
                it->deferred = false;
                onResendAsked(peerId);
            });
        }
        return;
    }
    m_resendServed.insert(peerId, ResendServed{now, false});
    qCInfo(lcMessenger) << peerId << "asked for its unacknowledged messages again";
    // The queue from its start, without the read receipts flush() adds: those are not lost.
    m_sendCursor.insert(peerId, 0);
    m_sendCaughtUp.remove(peerId);
    pump(peerId);
}

void Messenger::onCommitted(const QList<ChatMessage> &added,
                            const QList<ChatMessage> &changed,
                            const QList<QUuid> &removed,
                            const QList<ChatMessage> &duplicates)
{
    resumeReading();
    // Seen before: the first ack may have been lost.
    for (const ChatMessage &m : duplicates)
        m_registry->send(m.peerId, Protocol::Ack{m.id});
    QSet<QString> readNow;
    QSet<QString> sendNow;
    QHash<QString, int> unread; // one model update per peer, not per message
    for (const ChatMessage &m : added) {
        if (m.outgoing) {
            Q_EMIT messageStateChanged(m); // on disk: "queued" means that
            if (!m_registry->isConnected(m.peerId)) {
                dial(m.peerId);
            } else if (m_sendCaughtUp.contains(m.peerId) && !sendNow.contains(m.peerId)
                       && m_registry->pendingWriteBytes(m.peerId) < SendWindowBytes) {
                // Nothing older waits: out at once, without reading it back from the store.
                sendChat(m);
                m_sendCursor[m.peerId] = m.seq;
            } else {
                m_sendCaughtUp.remove(m.peerId);
                sendNow.insert(m.peerId); // the queue, from the cursor
            }
            continue;
        }
        // Durable: now the sender may forget it.
        m_registry->send(m.peerId, Protocol::Ack{m.id});
        m_refetchDelayMs = 0; // the disk takes received messages again
        if (m.peerId == m_activeConversation && m_activeVisible)
            readNow.insert(m.peerId);
        else
            ++unread[m.peerId];
        Q_EMIT messageReceived(m);
    }
    for (auto it = unread.cbegin(); it != unread.cend(); ++it)
        m_peers.addUnread(it.key(), it.value());
    for (const QString &peer : std::as_const(sendNow))
        pump(peer);
    for (auto it = m_ackAfterCommit.begin(); it != m_ackAfterCommit.end();) {
        if (m_store->message(*it).value_or(ChatMessage{}).seq != 0) {
            m_registry->send(it->peerId, Protocol::Ack{it->id});
            it = m_ackAfterCommit.erase(it);
        } else {
            ++it;
        }
    }
    for (const ChatMessage &m : changed)
        Q_EMIT messageStateChanged(m);
    for (const QUuid &id : removed)
        Q_EMIT messageDeleted(id);
    for (const QString &peer : std::as_const(readNow))
        markRead(peer);
}

void Messenger::onNotSaved(const QList<ChatMessage> &messages, const QString &error)
{
    for (const ChatMessage &m : messages) {
        if (m.outgoing) {
            Q_EMIT messageFailed(m, error);
            continue;
        }
        // Not acknowledged, so its sender still has it: ask for it again later. A copy that
        // came meanwhile must not be acknowledged on this one's behalf.
        m_ackAfterCommit.remove(keyOf(m));
        m_refetch.insert(m.peerId);
    }
    if (!m_refetch.isEmpty() && !m_refetchTimer.isActive()) {
        m_refetchDelayMs = qBound(RefetchFirstDelayMs, m_refetchDelayMs * 2, RefetchMaxDelayMs);
        m_refetchTimer.start(m_refetchDelayMs);
    }
}

void Messenger::requestResend()
{
    // After a write went through (recovered()), or as a probe when the timer fires: what they
    // resend is stored, or fails again and brings us back here, later.
    m_refetchTimer.stop();
    const QSet<QString> peers = std::exchange(m_refetch, {});
    for (const QString &peerId : peers) {
        // Not connected: a new connection sends everything unacknowledged anyway.
        if (m_registry->send(peerId, Protocol::Resend{}))
            qCInfo(lcMessenger) << "asked" << peerId << "to send again what could not be stored";
    }
}

void Messenger::dial(const QString &peerId)
{
    if (m_registry->isConnected(peerId) || m_dials.contains(peerId))
        return;
    scheduleRedial(); // held back, or failing: tried again
    const auto info = m_peers.peer(peerId);
    if (!info)
        return;
    const qint64 now = m_clock.elapsed(); // monotonic: a clock stepped back stalls no redial
    if (now < m_redial.value(peerId).notBefore)
        return;
    // Where it was heard just now first, then where it was last reached; of the addresses
    // heard, only those announcements may make us dial now (DialGuard). If none, the redial
    // tick asks again.
    QStringList addresses;
    for (const QString &address : std::as_const(info->heardAt)) {
        if (mayDial(*info, address))
            addresses.append(address);
    }
    if (!info->address.isEmpty() && !addresses.contains(info->address))
        addresses.append(info->address);
    if (addresses.isEmpty())
        return;
    Redial &r = m_redial[peerId];
    r.delayMs = qBound(RedialFirstDelayMs, r.delayMs * 2, RedialMaxDelayMs);
    r.notBefore = now + r.delayMs;
    m_dials.insert(peerId, Dial{addresses, 0, 0, {}, false});
    dialNext(peerId);
}

bool Messenger::mayDial(const PeerInfo &peer, const QString &address)
{
    if (address == peer.address)
        return true; // verified there over TLS: not an announcement's claim
    const auto parsed = parseAddress(address);
    if (!parsed)
        return false;
    const char *refusal
        = m_dialGuard.refusal(QHostAddress(parsed->host), parsed->port, m_clock.elapsed(), peer.id);
    if (!refusal)
        return true;
    // The first time, then every 1,000th: a storm must not flood the log too.
    if (m_dialsHeldBack.count())
        qCInfo(lcMessenger) << "limit on" << refusal << "reached: not dialling" << address
                            << "as announced for" << peer.id << "(" << m_dialsHeldBack.total()
                            << "dials held back so far)";
    return false;
}

void Messenger::onDialFinished(const QString &peerId,
                               PeerConnection::Error error,
                               const QString &answered)
{
    const auto it = m_dials.constFind(peerId);
    if (it == m_dials.cend() || !it->guarded)
        return;
    const auto parsed = parseAddress(it->current);
    if (!parsed)
        return;
    DialGuard::Outcome outcome = DialGuard::Outcome::Failed;
    if (error == PeerConnection::Error::None)
        outcome = DialGuard::Outcome::Verified;
    else if (error == PeerConnection::Error::IdentityMismatch && !answered.isEmpty())
        outcome = DialGuard::Outcome::OtherIdentity; // a Shoal is there, the claim was false
    else if (error == PeerConnection::Error::TlsFailed)
        outcome = DialGuard::Outcome::NotShoal;
    m_dialGuard.finished(QHostAddress(parsed->host),
                         parsed->port,
                         outcome,
                         m_clock.elapsed(),
                         peerId);
}

void Messenger::resumeReading()
{
    for (auto it = m_readingPaused.begin(); it != m_readingPaused.end();) {
        if (m_store->receivedBacklog(*it) <= MaxReceivedBacklog / 2) {
            m_registry->setReadingPaused(*it, false);
            it = m_readingPaused.erase(it);
        } else {
            ++it;
        }
    }
}

void Messenger::addWarning(const QString &warning)
{
    if (m_warnings.contains(warning))
        return;
    m_warnings.append(warning);
    Q_EMIT warningAdded(warning);
}

void Messenger::dialNext(const QString &peerId)
{
    auto it = m_dials.find(peerId);
    if (it == m_dials.end())
        return;
    const auto info = m_peers.peer(peerId);
    while (info && it->next < it->addresses.size()) {
        QString error;
        const QString text = it->addresses.at(it->next++);
        const auto address = PeerAddress::parse(text, DefaultPort, &error);
        if (!address)
            continue;
        // Asked again: an earlier address of this dial may have used the budget up.
        it->guarded = text != info->address;
        if (it->guarded && !mayDial(*info, text))
            continue;
        it->current = text;
        if (it->guarded)
            m_dialGuard.started(QHostAddress(address->host), address->port, m_clock.elapsed());
        // The expected ID: an address that answers with another key is refused.
        it->attempt = m_registry->connectToPeer(address->host, address->port, peerId);
        m_redialAttempts.insert(it->attempt, peerId);
        return;
    }
    m_dials.erase(it);
    dropIfOnlyHeard(peerId); // it may have stopped being heard while we dialled
}

void Messenger::scheduleRedial()
{
    if (!m_shutDown && !m_redialTimer.isActive())
        m_redialTimer.start(RedialTickMs);
}

void Messenger::redial()
{
    // Heard but not reached yet (the dial bounds held it back, or it failed): again, as the
    // bounds allow; and whoever has messages waiting. Those never tried go first, so that
    // made-up peers already dialled in vain cannot keep a real newcomer waiting.
    // The timer runs only while someone waits: idle, nothing wakes up to ask the store.
    bool waiting = !m_dials.isEmpty();
    for (const bool tried : {false, true}) {
        for (const PeerInfo &peer : m_peers.peers()) {
            if (m_redial.contains(peer.id) != tried || m_registry->isConnected(peer.id))
                continue;
            if (m_dials.contains(peer.id)) {
                waiting = true;
                continue;
            }
            if ((peer.lan && !peer.heardAt.isEmpty()) || m_store->hasUndelivered(peer.id)) {
                waiting = true;
                dial(peer.id);
            }
        }
    }
    if (!waiting && m_dials.isEmpty())
        m_redialTimer.stop(); // until a peer goes, is heard, or is written to (scheduleRedial)
}

void Messenger::updatePeer(const PeerInfo &peer)
{
    m_peers.upsert(peer);
    Q_EMIT peerUpdated(*m_peers.peer(peer.id));
}

void Messenger::loadKnownPeers()
{
    const QHash<QString, int> unread = m_store->unreadCounts();
    const auto known = m_store->peers();
    for (const PeerRecord &p : known) {
        if (!Protocol::isValidPeerId(p.id))
            continue;
        PeerInfo info;
        info.id = p.id;
        info.name = Protocol::singleLine(p.name, Protocol::MaxNameLength);
        info.address = p.addresses.value(0);
        info.lastSeen = p.lastSeen;
        info.verified = true;
        m_peers.upsert(info);
        m_peers.addUnread(p.id, unread.value(p.id));
    }
    // Someone written to but never reached (only heard on the LAN): still listed, with history.
    const QStringList partners = m_store->conversationPeers();
    // Room is kept for those the person wrote to when strangers fill the connection limits;
    // not for those who only wrote to us (a stranger's one chat must not make it known).
    const QStringList writtenTo = m_store->peersWrittenTo();
    for (const QString &id : writtenTo) {
        const auto address = parseAddress(m_peers.peer(id).value_or(PeerInfo{}).address);
        m_registry->addKnownPeer(id, address ? QHostAddress(address->host) : QHostAddress());
    }
    for (const QString &id : partners) {
        if (!Protocol::isValidPeerId(id) || m_peers.peer(id))
            continue;
        PeerInfo info;
        info.id = id;
        m_peers.upsert(info);
        m_peers.addUnread(id, unread.value(id));
    }
}

void Messenger::rememberPeer(const PeerInfo &peer, const QSslCertificate &certificate)
{
    PeerRecord record;
    record.id = peer.id;
    record.name = peer.name;
    // The pinned certificate: its hash is the peer ID.
    record.certificate = certificate.toDer();
    record.addresses = {peer.address};
    record.lastSeen = peer.lastSeen;
    m_store->savePeer(record);
}
