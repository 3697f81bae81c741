// SPDX-License-Identifier: GPL-3.0-or-later
#include "messenger.h"

#include "avatars/avatarservice.h"
#include "chat/inbox.h"
#include "chat/outbox.h"
#include "chat/receipts.h"
#include "chat/typingnotices.h" // issue 15
#include "files/filetransfers.h"
#include "groups/groupservice.h"
#include "ipmsg/ipmsgfiles.h"     // issue 17
#include "ipmsg/ipmsgtransport.h" // issue 17
#include "mail/mailnotices.h"     // e-mail notices (issue 16)
#include "messenger/transportslot.h"
#include "models/conversationmodel.h"
#include "net/connectionregistry.h"
#include "net/dispatcher.h"
#include "net/peeraddress.h"
#include "net/transportmux.h"
#include "peers/dialer.h"
#include "peers/peerexchange.h"
#include "peers/presence.h"
#include "peers/roster.h"
#include "relay/carrystore.h" // issue 16
#include "relay/courier.h"    // issue 16
#include "storage/messagestore.h"

#include <QDir>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMessenger, "shoal.messenger")

Messenger::Messenger(const Identity &identity, MessengerConfig config, QObject *parent)
    : QObject(parent)
    , m_identity(identity)
    , m_config(std::move(config))
    , m_registry(new ConnectionRegistry(m_identity, m_config.timeouts, this))
    // Issue 17: IP Messenger users beside the Shoal peers, one Transport for the services.
    , m_ipmsgSlot(new TransportSlot(tr("IP Messenger is turned off."), this))
    , m_store(new MessageStore(this))
    , m_dispatcher(std::make_unique<Dispatcher>())
{
    // --- Carried delivery (issue 16) ---
    // The services see the courier (direct peers and peers reached through a carrier) and,
    // beside it, IP Messenger users.
    wireRelay();
    m_mux = new TransportMux(*m_courier, this);
    // --- end carried delivery ---
    m_registry->setDisplayName(m_config.name);
    // Before the services connect theirs: an outgoing message is reported on disk (Queued)
    // before the outbox sends it and reports it sent.
    connect(m_store, &MessageStore::committed, this, &Messenger::onCommitted);
    // "Sent" is kept in memory, never committed: reported apart, shown all the same.
    connect(m_store, &MessageStore::sentStateChanged, this, [this](const QList<ChatMessage> &c) {
        for (const ChatMessage &m : c)
            Q_EMIT messageStateChanged(withCarry(m)); // issue 16: via, held by
    });
    connect(m_store, &MessageStore::unsavedDiscarded, this, &Messenger::messageDeleted);
    wireIpmsg(); // issue 17: before the services, which see the mux
    Transport &transport = *m_mux;
    m_roster = new Roster(transport, *m_store, this);
    m_peerList = new PeerListModel(*m_roster, this);
    m_outbox = new Outbox(transport, *m_store, this);
    m_inbox = new Inbox(transport, *m_store, this);
    m_receipts = new Receipts(transport, *m_store, m_config.sendReadReceipts, this);
    m_dialer = new Dialer(id(), transport, *m_store, *m_roster, this);
    // After the roster: it reads who is online when a stream comes up.
    m_pex = new PeerExchange(id(), transport, *m_roster, this);
    m_pex->setEnabled(m_config.peerExchange);
    for (const QString &peerId : std::as_const(m_config.notSharedWithOthers))
        m_pex->setExcluded(peerId, true);
    connect(m_pex,
            &PeerExchange::peerHinted,
            m_dialer,
            [this](const QString &peerId, const QStringList &addresses, const QString &informant) {
                m_dialer->onPeerHinted(peerId, addresses, Dialer::HintSource::Exchange, informant);
            });
    // --- Presence (issue 15) ---
    m_presence = new Presence(transport, this);
    connect(m_presence,
            &Presence::received,
            m_roster,
            [this](const QString &peerId, const Protocol::Presence &p) {
                m_roster->onPresence(peerId,
                                     p.name,
                                     PeerInfo::Status(int(p.status)),
                                     p.statusText,
                                     p.avatarHash);
            });
    m_config.statusText = Protocol::singleLine(m_config.statusText, Protocol::MaxStatusTextLength);
    publishPresence(true);
    // --- end presence ---
    m_files = new FileTransfers(transport,
                                *m_store,
                                FilesConfig{m_config.downloadDir,
                                            m_config.acceptFilesInto,
                                            m_config.offerLimits,
                                            m_config.maxPendingOffersPerPeer},
                                this);
    connect(m_files, &FileTransfers::changed, this, &Messenger::transferChanged);
    connect(m_files, &FileTransfers::offered, this, &Messenger::transferOffered);
    // Two services may want one peer: it is dialled while either does.
    connect(m_files, &FileTransfers::peerWanted, this, [this](const QString &peerId, bool wanted) {
        setWantedBy(m_filesWant, peerId, wanted);
    });

    m_groups = new GroupService(transport, *m_store, m_identity, this);
    m_groups->setOwnName(m_config.name);
    m_groups->setSendReadReceipts(m_config.sendReadReceipts);
    connect(m_groups, &GroupService::changed, this, &Messenger::reportGroup);
    connect(m_groups, &GroupService::deliveryChanged, this, &Messenger::groupDeliveryChanged);
    connect(m_groups, &GroupService::peerWanted, this, [this](const QString &peerId, bool wanted) {
        setWantedBy(m_groupsWant, peerId, wanted);
    });
    wireAvatars(); // avatars (issue 15)
    // A member coming or going changes what the group's members panel shows.
    connect(m_mux, &Transport::peerConnected, this, &Messenger::reportGroupsOf);
    connect(m_mux, &Transport::peerDisconnected, this, &Messenger::reportGroupsOf);

    connect(m_roster, &Roster::peerUpdated, this, &Messenger::peerUpdated);
    connect(m_outbox, &Outbox::peerWanted, this, [this](const QString &peerId, bool now) {
        // A group's own messages are stored delivered and go out through the groups service;
        // the outbox sees their rows pass, and a group ID is nobody to dial.
        if (isGroupId(peerId))
            return;
        now ? m_dialer->retry(peerId) : m_dialer->dial(peerId);
    });
    // Reported before the receipts mark what the person is looking at as read.
    connect(m_inbox, &Inbox::received, this, [this](const QList<ChatMessage> &messages) {
        for (const ChatMessage &m : messages) {
            // Not of a group pulled that does not name this profile (kept out of sight).
            if (m.author.isEmpty() || m_groups->state(m.peerId))
                Q_EMIT messageReceived(m);
        }
    });
    connect(m_inbox, &Inbox::received, m_receipts, &Receipts::onReceived);
    connect(m_receipts, &Receipts::unreadAdded, this, [this](const QString &id, int count) {
        if (!isGroupId(id)) {
            m_roster->addUnread(id, count);
            return;
        }
        m_groupUnread[id] += count;
        reportGroup(id);
    });
    connect(m_receipts, &Receipts::unreadCleared, this, [this](const QString &id) {
        if (!isGroupId(id)) {
            m_roster->clearUnread(id);
            return;
        }
        // Shown: a group's read receipts are its own (grcpt), never a 1:1 `read`.
        m_groups->markRead(id);
        if (m_groupUnread.remove(id))
            reportGroup(id);
    });
    connect(m_dialer,
            &Dialer::identityMismatch,
            this,
            [this](const QString &peerId, const QString &dialerWarning) {
                QString warning = dialerWarning;
                // Invite links: the person should know the link is what did not match.
                if (m_invitesWant.contains(peerId))
                    warning.prepend(
                        tr("The key at an address from the invite link for %1 differs from the "
                           "invite link's. ")
                            .arg(m_roster->peer(peerId).value_or(PeerInfo{}).name));
                addWarning(warning);
                Q_EMIT identityMismatch(peerId, warning);
            });
    // Honest presence: why a peer heard (or remembered) cannot be reached, before gaveUp may
    // drop a row that was only heard.
    connect(m_dialer, &Dialer::dialProblem, m_roster, &Roster::setDialProblem);
    connect(m_dialer, &Dialer::gaveUp, this, &Messenger::dropIfOnlyHeard);
    connect(m_mux, &Transport::peerDisconnected, this, [this](const QString &peerId) {
        // A connection that ended means the peer is gone until it is heard again.
        if (m_discovery && m_roster->peer(peerId))
            m_discovery->forget(peerId);
    });
    connect(m_dialer, &Dialer::addressDialFinished, this, &Messenger::connectFinished);
    connect(m_mux,
            &Transport::messageReceived,
            this,
            [this](const QString &peerId, const Protocol::Message &message, StreamKind kind) {
                // The conversation's types belong on its stream; a bulk stream carries none of
                // them yet (a peer that sends them there is ignored, not believed).
                // The files' data and its requests belong on the bulk stream.
                if (kind == StreamKind::Chat)
                    m_dispatcher->dispatch(peerId, message);
                else
                    m_files->onBulkMessage(peerId, message);
            });
    registerHandlers();
    wireInvites();
    wireTyping();        // issue 15
    wireRelayServices(); // issue 16
    wireMail();          // e-mail notices (issue 16)

    // After the services have reacted to a commit (sent what it made sendable, acknowledged
    // what it stored): out in this pass, together, instead of on the next one.
    connect(m_store, &MessageStore::committed, m_mux, &Transport::flush);
    connect(m_store, &MessageStore::errorOccurred, this, &Messenger::addWarning);
    connect(m_store,
            &MessageStore::notSaved,
            this,
            [this](const QList<ChatMessage> &messages, const QString &error) {
                for (const ChatMessage &m : messages) {
                    if (m.outgoing)
                        Q_EMIT messageFailed(m, error);
                }
            });
    // --- Search (issue 15) ---
    connect(m_store, &MessageStore::searchIndexProgress, this, &Messenger::searchIndexProgress);
    // --- end search ---
    connect(m_store, &MessageStore::checked, this, [this](const QString &damage) {
        if (damage.isEmpty())
            return;
        const QString warning
            = tr("The history file %1 is damaged (%2). Shoal goes on using it as it is; some "
                 "messages may be missing. Keep a copy of the file before anything else.")
                  .arg(QDir::toNativeSeparators(MessageStore::historyPath(m_config.profileDir)),
                       damage);
        qCWarning(lcMessenger).noquote() << warning;
        addWarning(warning);
    });
}

Messenger::~Messenger()
{
    // Children go in the order they were made, the transport first, and the store reports its
    // last commits as it closes: to services already gone, or using a transport already gone.
    // Nobody listens any more.
    m_registry->disconnect();
    m_mux->disconnect();
    m_courier->disconnect(); // issue 16
    m_ipmsgSlot->disconnect();
    m_store->disconnect();
    // Issue 17: BR_EXIT to the IP Messenger users, before what it stands on goes.
    m_ipmsgSlot->setTarget(nullptr);
    if (m_ipmsgFiles) { // its sockets close, its partial files go; before the transport
        m_ipmsgFiles->disconnect();
        delete std::exchange(m_ipmsgFiles, nullptr);
    }
    delete m_ipmsg;
    m_ipmsg = nullptr;
    delete m_mux;
    delete m_ipmsgSlot;
    delete m_courier; // issue 16: stands on the registry and the carry store
    m_courier = nullptr;
    delete m_registry;
    delete m_store;
    delete m_carryStore; // issue 16
}

void Messenger::registerHandlers()
{
    // Every type but the session's (Hello, Ping, Pong, Bye: PeerConnection's) has a handler
    // here; tst_dispatcher checks it.
    m_dispatcher->on(m_inbox, &Inbox::onChat);
    m_dispatcher->on(m_outbox, &Outbox::onAck);
    m_dispatcher->on(m_outbox, &Outbox::onRead);
    m_dispatcher->on(m_outbox, &Outbox::onResend);
    m_dispatcher->on(m_files, &FileTransfers::onOffer);
    m_dispatcher->on(m_files, &FileTransfers::onControl);
    m_dispatcher->on(m_groups, &GroupService::onMessage);
    m_dispatcher->on(m_groups, &GroupService::onPage);
    m_dispatcher->on(m_groups, &GroupService::onSync);
    m_dispatcher->on(m_groups, &GroupService::onPull);
    m_dispatcher->on(m_groups, &GroupService::onReceipt);
    m_dispatcher->on(m_pex, &PeerExchange::onPex);
    // --- Avatars (issue 15) ---
    m_dispatcher->on(m_avatars, &AvatarService::onAvatarGet);
    m_dispatcher->on(m_avatars, &AvatarService::onAvatar);
    // --- end avatars ---
    m_dispatcher->on(m_presence, &Presence::onPresence); // issue 15
    // The files' bulk messages are not the conversation's: on a chat stream they are ignored.
    const auto notHere = [](const QString &peerId, const auto &message) {
        qCDebug(lcMessenger) << "ignored on the chat stream from" << peerId
                             << Protocol::toString(Protocol::Message(message));
    };
    m_dispatcher->on<Protocol::ManifestRequest>(notHere);
    m_dispatcher->on<Protocol::ManifestPage>(notHere);
    m_dispatcher->on<Protocol::FileGet>(notHere);
    m_dispatcher->on<Protocol::FileData>(notHere);
    m_dispatcher->on<Protocol::FileEnd>(notHere);
    // A newer peer's type: ignored, as the protocol says, on purpose.
    m_dispatcher->on<Protocol::Unknown>([](const QString &, const Protocol::Unknown &) {});
}

const Dispatcher &Messenger::dispatcher() const
{
    return *m_dispatcher;
}

bool Messenger::start()
{
    if (!m_store->openProfile(m_config.profileDir, &m_errorString))
        return false;
    m_roster->load();
    m_files->load();
    m_groups->load();
    loadAvatars(); // avatars (issue 15)
    startMail();   // e-mail notices (issue 16)
    const auto unread = m_store->unreadCounts();
    for (auto it = unread.cbegin(); it != unread.cend(); ++it) {
        if (isGroupId(it.key()))
            m_groupUnread.insert(it.key(), it.value());
    }
    for (const GroupInfo &g : groups())
        m_peerList->setGroup(g);
    if (!m_registry->listen(m_config.listenAddress, m_config.port)) {
        m_errorString = m_registry->errorString();
        return false;
    }
    m_started = true;
    // Issue 17: IP Messenger users; a port taken is said, never fatal.
    if (m_ipmsgEnabled)
        startIpmsg();
    m_dialer->start(); // known peers with messages waiting
    // Issue 14 (r-netwatch): peers verified before are tried where they were, and the network
    // is watched so that a new address or link is acted on at once.
    m_dialer->dialRemembered();
    m_monitor = new NetworkMonitor(this);
    m_redialAfterChangeTimer.setSingleShot(true);
    connect(&m_redialAfterChangeTimer, &QTimer::timeout, this, &Messenger::redialAfterChange);
    connect(m_monitor, &NetworkMonitor::changed, this, &Messenger::onNetworkChanged);
    if (QString error; !m_monitor->start(&error))
        m_warnings.append(error);
    if (m_config.discovery) {
        m_discovery = new DiscoveryService(id(), *m_config.discovery, this);
        m_discovery->setName(m_config.name);
        m_discovery->setStatus(Protocol::Status(int(m_config.status))); // issue 15
        m_discovery->setTcpPort(port());
        connect(m_discovery,
                &DiscoveryService::peerSeen,
                this,
                [this](const QString &peerId,
                       const QString &name,
                       const QStringList &addresses,
                       Protocol::Status status) {
                    m_roster->onPeerSeen(peerId, name, addresses, PeerInfo::Status(int(status)));
                    m_dialer->onPeerSeen(peerId);
                });
        connect(m_discovery, &DiscoveryService::peerGone, this, &Messenger::onDiscoveryGone);
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
    m_groups->setOwnName(m_config.name);
    if (m_discovery)
        m_discovery->setName(m_config.name);
    publishPresence(); // issue 15: connected peers see it at once
    if (m_mailNotices) // e-mail notices (issue 16)
        m_mailNotices->setOwnName(m_config.name);
}

// --- Presence (issue 15) ---
void Messenger::setStatus(PeerInfo::Status status, const QString &text)
{
    const QString line = Protocol::singleLine(text, Protocol::MaxStatusTextLength);
    if (status == m_config.status && line == m_config.statusText)
        return;
    m_config.status = status;
    m_config.statusText = line;
    publishPresence();
    Q_EMIT statusChanged(status, line);
}

PeerInfo::Status Messenger::status() const
{
    return m_config.status;
}

QString Messenger::statusText() const
{
    return m_config.statusText;
}

void Messenger::setAvatarHash(const QByteArray &sha256)
{
    if (!sha256.isEmpty() && sha256.size() != Protocol::Sha256Bytes)
        return;
    m_avatarHash = sha256;
    publishPresence();
}

QByteArray Messenger::avatarHash() const
{
    return m_avatarHash;
}

void Messenger::publishPresence(bool initial)
{
    const auto status = Protocol::Status(int(m_config.status));
    m_registry->setHelloPresence(status, m_config.statusText, m_avatarHash);
    if (m_discovery)
        m_discovery->setStatus(status);
    if (m_ipmsg) // issue 17: their lists show our name and absence
        m_ipmsg->setSelf(m_config.name, status, m_config.statusText);
    const Protocol::Presence own{m_config.name, status, m_config.statusText, m_avatarHash};
    initial ? m_presence->setInitial(own) : m_presence->setOwn(own);
}
// --- end presence ---

quint16 Messenger::port() const
{
    return m_registry->listeningPort();
}

QStringList Messenger::listenAddresses() const
{
    return m_registry->advertisedAddresses();
}

std::optional<PeerInfo> Messenger::peer(const QString &peerId) const
{
    return m_roster->peer(peerId);
}

ConversationModel *Messenger::createConversationModel(QObject *parent)
{
    auto *model = new ConversationModel(*m_store, parent);
    connect(this, &Messenger::transferChanged, model, &ConversationModel::updateTransfer);
    return model;
}

QList<ChatMessage> Messenger::historyPage(const QString &peerId,
                                          int count,
                                          const std::optional<QUuid> &before,
                                          QString *error) const
{
    std::optional<ChatMessage> cursor;
    if (before) {
        // Ours or theirs in this conversation (a peer may reuse one of our IDs).
        cursor = m_store->message(MessageKey{*before, peerId, true});
        if (!cursor || cursor->seq == 0)
            cursor = m_store->message(MessageKey{*before, peerId, false});
        if (!cursor || cursor->seq == 0) {
            *error = tr("Unknown message %1 in this conversation.")
                         .arg(before->toString(QUuid::WithoutBraces));
            return {};
        }
    }
    return m_store->page(peerId, count, cursor);
}

bool Messenger::hasOpenConnections() const
{
    return m_registry->hasOpenSockets();
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
    if (m_monitor)
        s.changes = m_monitor->recentChanges();
    if (m_discovery && s.discovery.announcingForMs > NoPeersHeardHintMs && !s.discovery.othersHeard)
        s.hint = u"no-peers-heard"_s;
    // --- IP Messenger (issue 17) ---
    s.ipmsgEnabled = m_ipmsgEnabled;
    s.ipmsgRunning = m_ipmsg && m_ipmsg->isRunning();
    s.ipmsgPort = m_ipmsg ? m_ipmsg->port() : m_config.ipmsg.value_or(IpmsgConfig{}).port;
    s.ipmsgError = m_ipmsgError;
    // Files: the TCP side of the port failed while the UDP side may run.
    if (!m_ipmsgFilesError.isEmpty())
        s.ipmsgError = s.ipmsgError.isEmpty() ? m_ipmsgFilesError
                                              : s.ipmsgError + u' ' + m_ipmsgFilesError;
    // --- end IP Messenger ---
    return s;
}

int Messenger::connectToAddress(const QString &address, QString *error)
{
    const auto parsed = PeerAddress::parse(address, DefaultPort, error);
    if (!parsed)
        return 0;
    return m_dialer->dialAddress(parsed->host, parsed->port);
}

std::optional<QUuid> Messenger::sendMessage(const QString &peerId,
                                            const QString &text,
                                            QString *error,
                                            const QUuid &replyTo)
{
    if (!m_roster->peer(peerId)) {
        *error = tr("Unknown peer %1. Connect to it first.").arg(peerId);
        return std::nullopt;
    }
    // --- Typing and quoting (issue 15) ---
    if (!replyTo.isNull() && !m_store->contains(MessageKey{replyTo, peerId, true})
        && !m_store->contains(MessageKey{replyTo, peerId, false})) {
        *error = tr("The message to reply to (%1) is not in this conversation.")
                     .arg(replyTo.toString(QUuid::WithoutBraces));
        return std::nullopt;
    }
    const auto id = m_outbox->enqueue(peerId, text, error, replyTo);
    if (id)
        setTyping(peerId, false);
    return id;
    // --- end typing and quoting ---
}

void Messenger::setActiveConversation(const QString &peerId, bool visible)
{
    m_receipts->setActiveConversation(peerId, visible);
}

void Messenger::markRead(const QString &peerId)
{
    m_receipts->markRead(peerId);
}

void Messenger::setSendReadReceipts(bool send)
{
    m_config.sendReadReceipts = send;
    m_receipts->setSendReadReceipts(send);
    m_groups->setSendReadReceipts(send);
    m_typing->setEnabled(send); // issue 15: typing notices go with read receipts
}

bool Messenger::retryMessage(const QUuid &id, QString *error)
{
    return m_outbox->retry(id, error);
}

bool Messenger::deleteMessage(const QUuid &id, QString *error)
{
    // --- Delete for me (issue 15) ---
    const auto m = m_store->message(id);
    if (m && m->outgoing && (m->state == MessageState::Queued || m->state == MessageState::Failed))
        return m_outbox->remove(id, error); // taken back: it never leaves
    if (!m) {
        *error = tr("There is no message %1.").arg(id.toString(QUuid::WithoutBraces));
        return false;
    }
    if (m->kind == MessageKind::File) {
        // It stands for a transfer, which has its own record and its own end (cancel).
        *error = tr("A file transfer stays in the conversation; cancel it instead.");
        return false;
    }
    m_store->forget(keyOf(*m));
    return true;
    // --- end delete for me ---
}

void Messenger::setPeerExchange(bool enabled)
{
    m_config.peerExchange = enabled;
    m_pex->setEnabled(enabled);
}

const Dialer &Messenger::dialer() const
{
    return *m_dialer;
}

bool Messenger::peerExchange() const
{
    return m_pex->isEnabled();
}

bool Messenger::setSharedWithOthers(const QString &peerId, bool shared, QString *error)
{
    if (!Protocol::isValidPeerId(peerId)) {
        if (error)
            *error = tr("%1 is not a peer ID.").arg(peerId);
        return false;
    }
    m_pex->setExcluded(peerId, !shared);
    m_config.notSharedWithOthers = m_pex->excluded();
    return true;
}

bool Messenger::isSharedWithOthers(const QString &peerId) const
{
    return !m_pex->isExcluded(peerId);
}

QStringList Messenger::notSharedWithOthers() const
{
    return m_pex->excluded();
}

void Messenger::hostResumed()
{
    if (m_monitor)
        m_monitor->reportResumed(); // reported as a change even if no address changed
}

void Messenger::onNetworkChanged(const NetworkChange &change)
{
    // Who was online just before: if their connection goes now, they are dialled again at
    // once, wherever they or we are now.
    QStringList wereOnline;
    for (const PeerInfo &p : m_roster->peers()) {
        if (p.online)
            wereOnline.append(p.id);
    }
    if (m_discovery)
        m_discovery->networkChanged();
    if (m_ipmsg) // issue 17: IP Messenger users on the new network hear our entry
        m_ipmsg->announce();
    // A connection over an address that is gone is dead, whatever TCP thinks; keepalive
    // would take up to deadAfterMs to say so.
    if (!change.removed.isEmpty() || !change.down.isEmpty()) {
        if (const int closed = m_registry->closeIfLocalAddressGone(m_monitor->addresses()))
            qCInfo(lcMessenger) << "closed" << closed << "connections over addresses now gone";
    }
    // After a sleep the peers may have given up on us: each connection must answer soon.
    if (change.resumed)
        m_registry->probeAll();
    m_redialAfterChange.unite(QSet<QString>(wereOnline.cbegin(), wereOnline.cend()));
    // A flapping link changes many times a second: everyone is dialled afresh at most once a
    // RedialAfterChangeMs, the last change included.
    const qint64 since = m_lastRedialAfterChange.isValid() ? m_lastRedialAfterChange.elapsed()
                                                           : RedialAfterChangeMs;
    if (since >= RedialAfterChangeMs)
        redialAfterChange();
    else if (!m_redialAfterChangeTimer.isActive())
        m_redialAfterChangeTimer.start(int(RedialAfterChangeMs - since));
    Q_EMIT networkChanged(change);
}

void Messenger::redialAfterChange()
{
    m_lastRedialAfterChange.start();
    m_dialer->resetBackOff();
    for (const QString &id : std::exchange(m_redialAfterChange, {}))
        m_dialer->dial(id);
    m_dialer->dialRemembered();
}

void Messenger::shutdown()
{
    if (m_monitor)
        m_monitor->stop();
    m_dialer->stop();
    if (m_discovery)
        m_discovery->stop();
    stopIpmsg(); // issue 17: BR_EXIT
    m_registry->closeAll();
    m_store->flush();
}

void Messenger::onCommitted(const QList<ChatMessage> &added,
                            const QList<ChatMessage> &changed,
                            const QList<QUuid> &removed)
{
    for (const ChatMessage &m : added) {
        if (m.outgoing)
            Q_EMIT messageStateChanged(withCarry(m)); // on disk: "queued" means that
    }
    for (const ChatMessage &m : changed)
        Q_EMIT messageStateChanged(withCarry(m)); // issue 16: via, held by
    for (const QUuid &id : removed)
        Q_EMIT messageDeleted(id);
    onCommittedForRelay(added, changed, removed); // issue 16: deposits, and what to forget
    // --- E-mail notices (issue 16): a timer for when a new message will have waited enough ---
    if (m_mailNotices) {
        for (const ChatMessage &m : added) {
            if (m.outgoing && m.kind == MessageKind::Text && m.state == MessageState::Queued)
                m_mailNotices->messageQueued(m.sentAt);
        }
    }
    // --- end e-mail notices ---
}

void Messenger::onDiscoveryGone(const QString &peerId)
{
    m_roster->onPeerGone(peerId);
    dropIfOnlyHeard(peerId);
}

void Messenger::dropIfOnlyHeard(const QString &peerId)
{
    if (m_invitesWant.contains(peerId))
        return; // the person asked for it: listed until it is reached
    if (m_roster->dropIfOnlyHeard(peerId, m_dialer->isDialling(peerId)))
        m_dialer->forget(peerId);
}

void Messenger::addWarning(const QString &warning)
{
    if (m_warnings.contains(warning))
        return;
    m_warnings.append(warning);
    Q_EMIT warningAdded(warning);
}

void Messenger::setWantedBy(QSet<QString> &by, const QString &peerId, bool wanted)
{
    if (wanted)
        by.insert(peerId);
    else
        by.remove(peerId);
    m_dialer->setWanted(peerId,
                        m_filesWant.contains(peerId) || m_groupsWant.contains(peerId)
                            || m_invitesWant.contains(peerId));
}
