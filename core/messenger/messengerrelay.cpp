// SPDX-License-Identifier: GPL-3.0-or-later
// Carried delivery (issue 16; docs/relay.md, docs/protocol.md "Carried delivery"): Messenger's
// side of core/relay. The Courier sits between the mux and the direct transport, so the
// services see relayed peers as connected ones; this file opens its store, hands it what waits
// for an offline peer (deposit), tells it what was delivered, and reports "via" and "held by".
#include "messenger.h"

#include "chat/outbox.h"
#include "net/connectionregistry.h"
#include "net/dispatcher.h"
#include "net/transportmux.h"
#include "peers/roster.h"
#include "relay/carrystore.h"
#include "relay/courier.h"
#include "storage/messagestore.h"
#include "storage/profiledirectory.h"

#include <QDir>
#include <QLoggingCategory>
#include <QTimer>

Q_DECLARE_LOGGING_CATEGORY(lcMessenger)

using namespace Qt::StringLiterals;

namespace {

Protocol::Chat relayChatOf(const ChatMessage &m)
{
    return Protocol::Chat{m.id, m.sentAt, m.text, m.replyTo};
}

} // namespace

void Messenger::wireRelay()
{
    // Before the mux and the services: the courier is the mux's primary transport.
    m_carryStore = new CarryStore;
    const QString path = m_config.profileDir.isEmpty() ? QString()
                                                       : CarryStore::pathIn(m_config.profileDir);
    // Owner-only like the history: made 0600 before SQLite opens it (its -wal and -shm files
    // take the database file's mode).
    QString error;
    const bool opened = (path.isEmpty() || ProfileDirectory::createPrivateFile(path, &error))
                        && m_carryStore->open(path, &error);
    if (!opened) {
        // Chatting goes on; what would be carried is kept in memory for this run only.
        const QString warning
            = tr("The relay store %1 could not be opened (%2). Relayed and held messages are "
                 "kept in memory until Shoal quits; check the profile folder's permissions.")
                  .arg(QDir::toNativeSeparators(path), error);
        qCWarning(lcMessenger).noquote() << warning;
        m_warnings.append(warning);
        delete m_carryStore;
        m_carryStore = new CarryStore;
        if (QString memoryError; !m_carryStore->open(QString(), &memoryError))
            qCWarning(lcMessenger).noquote() << "relay store in memory:" << memoryError;
    }
    m_courier = new Courier(m_identity, *m_registry, *m_carryStore, this);
    // An absent peer's certificate, to seal for it: the roster saves every verified peer's in
    // the history (rarely asked: a deposit or a receipt for a peer not connected, then kept).
    m_courier->setCertificateLookup([this](const QString &peerId) {
        for (const PeerRecord &p : m_store->peers()) {
            if (p.id == peerId)
                return p.certificate;
        }
        return QByteArray();
    });
}

// After the services exist (the constructor's end): what the courier says, to the roster and
// the interfaces; what the outbox and the store say, to the courier.
void Messenger::wireRelayServices()
{
    // The carry messages never get past the courier; the dispatcher has a handler for every
    // type all the same (tst_dispatcher), which says so should one ever arrive.
    const auto consumed = [](const QString &peerId, const auto &message) {
        qCDebug(lcMessenger) << "carry message past the courier from" << peerId
                             << Protocol::toString(Protocol::Message(message));
    };
    m_dispatcher->on<Protocol::Carry>(consumed);
    m_dispatcher->on<Protocol::Routes>(consumed);
    m_dispatcher->on<Protocol::RelayEnvelope>(consumed);
    m_dispatcher->on<Protocol::DeliverEnvelope>(consumed);
    m_dispatcher->on<Protocol::HoldEnvelope>(consumed);
    m_dispatcher->on<Protocol::Held>(consumed);
    m_dispatcher->on<Protocol::Got>(consumed);

    connect(m_courier,
            &Courier::viaChanged,
            this,
            [this](const QString &peerId, const QString &carrier) {
                m_roster->setVia(peerId, carrier);
                Q_EMIT viaChanged(peerId, carrier);
            });
    connect(m_courier,
            &Courier::heldByChanged,
            this,
            [this](const QUuid &messageId, const QString &peerId, const QStringList &helpers) {
                Q_EMIT heldByChanged(messageId, peerId, helpers);
                if (const auto m = m_store->message(MessageKey{messageId, peerId, true}))
                    Q_EMIT messageStateChanged(withCarry(*m));
            });
    connect(m_courier, &Courier::holdingChanged, this, &Messenger::heldChanged);
    connect(m_courier, &Courier::helpersChanged, this, [this] {
        // Rare (a helper came online): every peer away with messages waiting, one index probe
        // each.
        for (const PeerInfo &p : m_roster->peers()) {
            if (!p.ipmsg && !m_mux->isConnected(p.id))
                depositWaiting(p.id);
        }
    });
    // The person retried a waiting message: everything waiting for that peer, again.
    connect(m_outbox, &Outbox::peerWanted, this, [this](const QString &peerId, bool now) {
        if (now && !isGroupId(peerId))
            depositWaiting(peerId);
    });
    // A peer that went away with messages sent but not acknowledged: they wait again. Looked
    // at on the next pass, as a relayed session ending may be a direct one beginning.
    connect(m_mux, &Transport::peerDisconnected, this, [this](const QString &peerId) {
        if (isGroupId(peerId) || isIpmsgPeer(peerId))
            return;
        QTimer::singleShot(0, this, [this, peerId] {
            if (!m_mux->isConnected(peerId))
                depositWaiting(peerId);
        });
    });
}

void Messenger::depositWaiting(const QString &peerId)
{
    if (!m_store->hasUndelivered(peerId))
        return;
    // The oldest first, as many as one author may have held at one helper: a long queue is
    // not read whole at every disconnection.
    QList<Protocol::Chat> waiting;
    const int limit = m_carryStore->limits().perAuthorCount;
    for (const ChatMessage &m : m_store->undelivered(peerId, 0, limit)) {
        if (m.kind == MessageKind::Text)
            waiting.append(relayChatOf(m));
    }
    if (!waiting.isEmpty())
        m_courier->deposit(peerId, waiting);
}

void Messenger::onCommittedForRelay(const QList<ChatMessage> &added,
                                    const QList<ChatMessage> &changed,
                                    const QList<QUuid> &removed)
{
    // New messages for a peer that is away go to the helpers as they are committed (the rest of
    // its queue was handed over before): no read of the history on the send path.
    QHash<QString, QList<Protocol::Chat>> waiting;
    QHash<QString, bool> away; // asked once per peer of the batch
    for (const ChatMessage &m : added) {
        if (!m.outgoing || m.kind != MessageKind::Text || m.state != MessageState::Queued
            || isGroupId(m.peerId))
            continue;
        auto it = away.find(m.peerId);
        if (it == away.end())
            it = away.insert(m.peerId, !m_mux->isConnected(m.peerId) && !isIpmsgPeer(m.peerId));
        if (*it)
            waiting[m.peerId].append(relayChatOf(m));
    }
    for (auto it = waiting.cbegin(); it != waiting.cend(); ++it)
        m_courier->deposit(it.key(), it.value());
    // Delivered (or read), or taken back: no helper needs to keep it any longer.
    for (const ChatMessage &m : changed) {
        if (m.outgoing && (m.state == MessageState::Delivered || m.state == MessageState::Read))
            m_courier->forgetMessage(m.id);
    }
    for (const QUuid &id : removed)
        m_courier->forgetMessage(id);
}

ChatMessage Messenger::withCarry(ChatMessage m) const
{
    if (m.outgoing && m.kind == MessageKind::Text && !isGroupId(m.peerId)) {
        m.via = m_courier->via(m.peerId);
        m.heldBy = m_courier->heldBy(m.id);
    }
    return m;
}

bool Messenger::setAllowRelay(const QString &peerId, bool allow, QString *error)
{
    if (!checkCarrier(peerId, error))
        return false;
    CarryStore::Switches s = m_courier->allowed(peerId);
    s.relay = allow;
    return m_courier->setAllowed(peerId, s, error);
}

bool Messenger::setAllowHold(const QString &peerId, bool allow, QString *error)
{
    if (!checkCarrier(peerId, error))
        return false;
    CarryStore::Switches s = m_courier->allowed(peerId);
    s.hold = allow;
    return m_courier->setAllowed(peerId, s, error);
}

bool Messenger::checkCarrier(const QString &peerId, QString *error) const
{
    QString ignored;
    if (!Protocol::isValidPeerId(peerId)) {
        (error ? *error : ignored) = tr("%1 is not a peer ID.").arg(peerId);
        return false;
    }
    if (peerId == id()) {
        (error ? *error : ignored) = tr("That is this profile's own ID.");
        return false;
    }
    if (isIpmsgPeer(peerId)) {
        (error ? *error : ignored) = tr("IP Messenger users cannot relay or hold messages: they "
                                        "do not speak Shoal's protocol.");
        return false;
    }
    return true;
}

bool Messenger::allowsRelay(const QString &peerId) const
{
    return m_courier->allowed(peerId).relay;
}

bool Messenger::allowsHold(const QString &peerId) const
{
    return m_courier->allowed(peerId).hold;
}

QString Messenger::via(const QString &peerId) const
{
    return m_courier->via(peerId);
}

QStringList Messenger::heldBy(const QUuid &messageId) const
{
    return m_courier->heldBy(messageId);
}

QList<Messenger::HeldItem> Messenger::held() const
{
    QList<HeldItem> out;
    for (const CarryStore::HeldEnvelope &e : m_courier->heldForOthers()) {
        out.append(HeldItem{e.recipient,
                            e.author,
                            e.size,
                            QDateTime::fromMSecsSinceEpoch(e.receivedAt, Qt::UTC),
                            QDateTime::fromMSecsSinceEpoch(e.expiresAt, Qt::UTC)});
    }
    return out;
}
