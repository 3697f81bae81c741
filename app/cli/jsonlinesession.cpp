// SPDX-License-Identifier: GPL-3.0-or-later
#include "jsonlinesession.h"

#include "messenger/messenger.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSocketNotifier>

#include <optional>

#include <unistd.h>

using namespace Qt::StringLiterals;

// Text is at most 64 KiB, which JSON escaping can grow sixfold.
static constexpr qsizetype MaxLineBytes = 1024 * 1024;

namespace {

// Honest presence: the wire names of PeerInfo::DialProblem (README, "peer" event).
QString reasonText(PeerInfo::DialProblem problem)
{
    using P = PeerInfo::DialProblem;
    switch (problem) {
    case P::None:
        break;
    case P::Refused:
        return u"refused"_s;
    case P::TimedOut:
        return u"timeout"_s;
    case P::Unreachable:
        return u"unreachable"_s;
    case P::IdentityMismatch:
        return u"identity-mismatch"_s;
    case P::NotShoal:
        return u"not-shoal"_s;
    case P::Other:
        return u"other"_s;
    }
    return {};
}

QJsonObject peerJson(const PeerInfo &p)
{
    QJsonObject o{{u"id"_s, p.id},
                  {u"name"_s, p.name},
                  {u"address"_s, p.address.isEmpty() ? p.heardAt.value(0) : p.address},
                  {u"addresses"_s, QJsonArray::fromStringList(p.heardAt)},
                  {u"online"_s, p.online},
                  {u"source"_s, p.lan ? u"lan"_s : u"direct"_s},
                  {u"invited"_s, p.invited}, // from an invite link, not reached yet
                  // Issue 15: what the peer says of itself.
                  {u"status"_s, PeerInfo::statusName(p.status)},
                  {u"status_text"_s, p.statusText}};
    // --- IP Messenger (issue 17) ---
    // An IP Messenger / FeiQ / iptux user: "source" says so instead of how a Shoal peer was
    // found ("lan", "direct"); "protocol" tells the two kinds apart for every peer.
    o.insert(u"protocol"_s, p.ipmsg ? u"ipmsg"_s : u"shoal"_s);
    if (p.ipmsg) {
        o.insert(u"source"_s, u"ipmsg"_s);
        o.insert(u"group"_s, p.group);
    }
    // --- end IP Messenger ---
    // --- Carried delivery (issue 16): online through this carrier ---
    if (!p.via.isEmpty())
        o.insert(u"via"_s, p.via);
    // --- end carried delivery ---
    // Not online and its last dial failed: heard, perhaps, but messages to it wait.
    const bool reachable = p.online || p.problem == PeerInfo::DialProblem::None;
    o.insert(u"reachable"_s, reachable);
    if (!reachable) {
        o.insert(u"reason"_s, reasonText(p.problem));
        o.insert(u"detail"_s, p.problemDetail);
    }
    return o;
}

QString isoTime(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

QString uuidText(const QUuid &id)
{
    return id.toString(QUuid::WithoutBraces);
}

QJsonObject transferJson(const TransferInfo &t)
{
    QJsonObject o{{u"id"_s, uuidText(t.id)},
                  {t.outgoing ? u"to"_s : u"from"_s, t.peerId},
                  {u"name"_s, t.name},
                  {u"size"_s, t.size},
                  {u"files"_s, t.files},
                  {u"folder"_s, t.folder},
                  {u"state"_s, transferStateName(t.state)},
                  {u"bytes"_s, t.bytesDone}};
    if (!t.savedPath.isEmpty())
        o.insert(u"path"_s, t.savedPath);
    if (!t.error.isEmpty())
        o.insert(u"error"_s, t.error);
    if (t.state == TransferState::Paused)
        o.insert(u"by_peer"_s, t.pausedByPeer);
    return o;
}

QJsonArray memberIds(const GroupInfo &g, bool onlineOnly = false)
{
    QJsonArray ids;
    for (const GroupMemberInfo &m : g.members) {
        if (!onlineOnly || m.online)
            ids.append(m.id);
    }
    return ids;
}

QJsonObject groupJson(const GroupInfo &g)
{
    QJsonObject names;
    for (const GroupMemberInfo &m : g.members)
        names.insert(m.id, m.name);
    return {{u"id"_s, g.id},
            {u"name"_s, g.name},
            {u"owner"_s, g.owner},
            {u"members"_s, memberIds(g)},
            {u"names"_s, names},
            {u"online"_s, memberIds(g, true)},
            {u"member"_s, g.isMember},
            {u"unread"_s, g.unread}};
}

// --- Network changes (issue 14, r-netwatch) ---
QJsonArray addressList(const QList<QHostAddress> &addresses)
{
    QJsonArray out;
    for (const QHostAddress &a : addresses)
        out.append(a.toString());
    return out;
}

QJsonObject changeJson(const NetworkChange &c)
{
    return {{u"at"_s, isoTime(c.at)},
            {u"added"_s, addressList(c.added)},
            {u"removed"_s, addressList(c.removed)},
            {u"up"_s, QJsonArray::fromStringList(c.up)},
            {u"down"_s, QJsonArray::fromStringList(c.down)},
            {u"resumed"_s, c.resumed}};
}
// --- end network changes ---

// A command's list of peer IDs: every item a string, at least one.
std::optional<QStringList> stringList(const QJsonValue &v)
{
    if (!v.isArray() || v.toArray().isEmpty())
        return std::nullopt;
    QStringList out;
    for (const QJsonValue &item : v.toArray()) {
        if (!item.isString())
            return std::nullopt;
        out.append(item.toString());
    }
    return out;
}

} // namespace

JsonLineSession::JsonLineSession(Messenger &messenger, int inputFd, FILE *output, QObject *parent)
    : QObject(parent)
    , m_messenger(messenger)
    , m_inputFd(inputFd)
    , m_output(output)
    , m_notifier(new QSocketNotifier(inputFd, QSocketNotifier::Read, this))
{
    connect(m_notifier, &QSocketNotifier::activated, this, &JsonLineSession::onInput);
    connect(&m_messenger, &Messenger::peerUpdated, this, [this](const PeerInfo &p) {
        QJsonObject e = peerJson(p);
        e.insert(u"event"_s, u"peer"_s);
        e.insert(u"avatar"_s, avatarJson(p.id)); // avatars (issue 15)
        emitEvent(e);
    });
    // --- Avatars (issue 15): a peer's picture arrived or went: its peer event again ---
    connect(&m_messenger, &Messenger::avatarChanged, this, [this](const QString &peerId) {
        const auto p = m_messenger.peer(peerId);
        if (!p)
            return; // our own: answered by the avatar command
        QJsonObject e = peerJson(*p);
        e.insert(u"event"_s, u"peer"_s);
        e.insert(u"avatar"_s, avatarJson(p->id));
        emitEvent(e);
    });
    // --- end avatars ---
    connect(&m_messenger, &Messenger::networkChanged, this, [this](const NetworkChange &c) {
        QJsonObject e = changeJson(c);
        e.insert(u"event"_s, u"network-change"_s);
        emitEvent(e);
    });
    connect(&m_messenger, &Messenger::messageReceived, this, [this](const ChatMessage &m) {
        if (m.kind == MessageKind::File)
            return; // an offer: its own event
        QJsonObject e{{u"event"_s, u"message"_s},
                      {u"id"_s, m.id.toString(QUuid::WithoutBraces)},
                      {u"from"_s, m.author.isEmpty() ? m.peerId : m.author},
                      {u"text"_s, m.text},
                      {u"sent_at"_s, isoTime(m.sentAt)},
                      {u"received_at"_s, isoTime(m.receivedAt)}};
        if (isGroupId(m.peerId))
            e.insert(u"group"_s, m.peerId);
        if (m.kind == MessageKind::GroupEvent)
            e.insert(u"kind"_s, u"group-event"_s); // text: the change as compact JSON
        if (!m.replyTo.isNull())                   // issue 15
            e.insert(u"reply_to"_s, m.replyTo.toString(QUuid::WithoutBraces));
        emitEvent(e);
    });
    // --- Typing and quoting (issue 15) ---
    connect(&m_messenger, &Messenger::peerTyping, this, [this](const QString &peerId, bool on) {
        emitEvent({{u"event"_s, u"typing"_s}, {u"from"_s, peerId}, {u"on"_s, on}});
    });
    // --- end typing and quoting ---
    // The reply to "send" is the message's first state, "queued" (on disk) or "failed" (not
    // saved), with the command's ref.
    connect(&m_messenger, &Messenger::messageStateChanged, this, [this](const ChatMessage &m) {
        if (m.kind == MessageKind::File)
            return; // a transfer's item: its state is the transfer's
        if (isGroupId(m.peerId))
            return; // where it stands with each member: the groupDeliveryChanged events
        QJsonObject e{{u"event"_s, u"state"_s},
                      {u"id"_s, m.id.toString(QUuid::WithoutBraces)},
                      {u"to"_s, m.peerId},
                      {u"state"_s, messageStateName(m.state)}};
        // --- Carried delivery (issue 16) ---
        if (!m.via.isEmpty())
            e.insert(u"via"_s, m.via);
        if (m.outgoing)
            e.insert(u"held_by"_s, QJsonArray::fromStringList(m.heldBy));
        // --- end carried delivery ---
        emitEvent(e, m_sendRefs.take(m.id));
    });
    connect(&m_messenger,
            &Messenger::messageFailed,
            this,
            [this](const ChatMessage &m, const QString &reason) {
                emitEvent({{u"event"_s, u"state"_s},
                           {u"id"_s, m.id.toString(QUuid::WithoutBraces)},
                           {u"to"_s, m.peerId},
                           {u"state"_s, messageStateName(MessageState::Failed)},
                           {u"reason"_s, reason}},
                          m_sendRefs.take(m.id));
            });
    connect(&m_messenger, &Messenger::messageDeleted, this, [this](const QUuid &id) {
        emitEvent({{u"event"_s, u"state"_s},
                   {u"id"_s, id.toString(QUuid::WithoutBraces)},
                   {u"state"_s, u"deleted"_s}});
    });
    connect(&m_messenger, &Messenger::transferOffered, this, [this](const TransferInfo &t) {
        emitEvent({{u"event"_s, u"offer"_s},
                   {u"id"_s, uuidText(t.id)},
                   {u"from"_s, t.peerId},
                   {u"name"_s, t.name},
                   {u"size"_s, t.size},
                   {u"files"_s, t.files},
                   {u"folder"_s, t.folder}});
    });
    // A new state is a "transfer" event (the reply to send-file is the first, with its ref);
    // progress in between is a "progress" event, at most 4 a second.
    connect(&m_messenger, &Messenger::transferChanged, this, [this](const TransferInfo &t) {
        const auto last = m_transferStates.constFind(t.id);
        const bool offeredBefore = last != m_transferStates.cend();
        if (!offeredBefore && t.outgoing && t.manifestHash.isEmpty() && !isFinal(t.state))
            return; // still reading the folder
        const bool seenChanged = t.outgoing && t.seen && !m_transferSeen.contains(t.id);
        if (seenChanged)
            m_transferSeen.insert(t.id);
        if (!offeredBefore || *last != t.state || seenChanged) {
            m_transferStates.insert(t.id, t.state);
            QJsonObject e = transferJson(t);
            e.insert(u"event"_s, u"transfer"_s);
            if (t.outgoing)
                e.insert(u"seen"_s, t.seen);
            if (t.state == TransferState::Done && !t.sha256.isEmpty())
                e.insert(u"sha256"_s, t.sha256);
            emitEvent(e, m_transferRefs.take(t.id));
            return;
        }
        if (t.state == TransferState::Running) {
            emitEvent({{u"event"_s, u"progress"_s},
                       {u"id"_s, uuidText(t.id)},
                       {u"bytes"_s, t.bytesDone},
                       {u"size"_s, t.size},
                       {u"rate"_s, qRound64(t.bytesPerSecond)}});
        }
    });
    connect(&m_messenger, &Messenger::groupChanged, this, [this](const GroupInfo &g) {
        QJsonObject e = groupJson(g);
        e.insert(u"event"_s, u"group"_s);
        emitEvent(e);
    });
    connect(&m_messenger,
            &Messenger::groupDeliveryChanged,
            this,
            [this](const QUuid &id, const QString &group, const GroupDelivery &d) {
                emitEvent({{u"event"_s, u"state"_s},
                           {u"id"_s, uuidText(id)},
                           {u"group"_s, group},
                           {u"member"_s, d.member},
                           {u"state"_s, messageStateName(d.state)}});
            });
    connect(&m_messenger,
            &Messenger::identityMismatch,
            this,
            [this](const QString &peerId, const QString &warning) {
                emitEvent({{u"event"_s, u"identity-mismatch"_s},
                           {u"id"_s, peerId},
                           {u"message"_s, warning}});
            });
    connect(&m_messenger,
            &Messenger::connectFinished,
            this,
            [this](int attempt, const QString &peerId, const QString &error) {
                const QJsonValue ref = m_connectRefs.take(attempt);
                if (error.isEmpty())
                    emitEvent({{u"event"_s, u"connected"_s}, {u"id"_s, peerId}}, ref);
                else
                    emitError(error, ref);
            });
    wireMail(); // e-mail notices (issue 16)
}

void JsonLineSession::emitEvent(QJsonObject event, const QJsonValue &ref)
{
    if (m_ended)
        return;
    if (!ref.isUndefined() && !ref.isNull())
        event.insert(u"ref"_s, ref);
    const QByteArray line = QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), m_output);
    std::fflush(m_output);
}

void JsonLineSession::emitError(const QString &message, const QJsonValue &ref)
{
    emitEvent({{u"event"_s, u"error"_s}, {u"message"_s, message}}, ref);
}

void JsonLineSession::end(const QJsonValue &ref)
{
    if (m_ended)
        return;
    emitEvent({{u"event"_s, u"bye"_s}}, ref);
    m_ended = true; // "bye" is the last line: nothing of the shutdown follows it
    Q_EMIT quitRequested();
}

void JsonLineSession::onInput()
{
    char chunk[65536];
    const ssize_t n = ::read(m_inputFd, chunk, sizeof chunk);
    if (n <= 0) {
        // End of input: a script that closes stdin is done with us.
        m_notifier->setEnabled(false);
        if (!m_buffer.isEmpty() && !m_discarding)
            handleLine(m_buffer);
        m_buffer.clear();
        if (m_quitAtEnd)
            Q_EMIT quitRequested();
        return;
    }
    m_buffer.append(chunk, n);
    for (;;) {
        const qsizetype newline = m_buffer.indexOf('\n');
        if (newline < 0)
            break;
        const QByteArray line = m_buffer.left(newline);
        m_buffer.remove(0, newline + 1);
        if (m_discarding) {
            m_discarding = false;
            continue;
        }
        handleLine(line);
    }
    if (m_buffer.size() > MaxLineBytes) {
        m_buffer.clear();
        if (!m_discarding)
            emitError(u"line longer than %1 bytes ignored"_s.arg(MaxLineBytes));
        m_discarding = true;
    }
}

void JsonLineSession::handleLine(const QByteArray &line)
{
    if (line.trimmed().isEmpty())
        return;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        emitError(parseError.error != QJsonParseError::NoError
                      ? u"not JSON: %1"_s.arg(parseError.errorString())
                      : u"a command must be a JSON object"_s);
        return;
    }
    handleCommand(doc.object());
}

void JsonLineSession::handleCommand(const QJsonObject &command)
{
    const QJsonValue ref = command.value(u"ref"_s);
    const QString cmd = command.value(u"cmd"_s).toString();
    auto fail = [&](const QString &message) { emitError(message, ref); };

    // Invite links (issue 14): {"cmd":"invite"}, {"cmd":"connect","invite":LINK}.
    if (cmd == u"invite"_s) {
        emitEvent({{u"event"_s, u"invite"_s}, {u"link"_s, m_messenger.inviteLink()}}, ref);
        return;
    }
    if (cmd == u"connect"_s && command.contains(u"invite"_s)) {
        const QJsonValue link = command.value(u"invite"_s);
        if (!link.isString())
            return fail(u"connect needs \"invite\": \"shoal:invite?…\""_s);
        QString error, peerId;
        if (!m_messenger.connectInvite(link.toString(), &error, &peerId))
            return fail(error);
        // Then "peer" events: online once its key matched the link's, or "identity-mismatch".
        emitEvent({{u"event"_s, u"connecting"_s}, {u"id"_s, peerId}}, ref);
        return;
    }
    if (cmd == u"connect"_s) {
        const QJsonValue address = command.value(u"address"_s);
        if (!address.isString())
            return fail(u"connect needs \"address\": \"HOST:PORT\""_s);
        QString error;
        const int attempt = m_messenger.connectToAddress(address.toString(), &error);
        if (!attempt)
            return fail(error);
        m_connectRefs.insert(attempt, ref);
        return;
    }
    if (cmd == u"send"_s) {
        const QJsonValue to = command.value(u"to"_s);
        const QJsonValue text = command.value(u"text"_s);
        const QJsonValue replyTo = command.value(u"reply_to"_s); // issue 15
        const QUuid re = QUuid::fromString(replyTo.toString());
        if (!to.isString() || !text.isString() || (!replyTo.isUndefined() && re.isNull()))
            return fail(u"send needs \"to\": PEER_ID and \"text\": TEXT, optional "
                        u"\"reply_to\": MSG_ID"_s);
        QString error;
        const auto id = m_messenger.sendMessage(to.toString(), text.toString(), &error, re);
        if (!id)
            return fail(error);
        // Answered once the store has tried: "queued" only when it is on disk.
        m_sendRefs.insert(*id, ref);
        return;
    }
    if (cmd == u"peers"_s) {
        QJsonArray peers;
        for (const PeerInfo &p : m_messenger.peers()->peers()) {
            QJsonObject o = peerJson(p);
            o.insert(u"avatar"_s, avatarJson(p.id)); // avatars (issue 15)
            peers.append(o);
        }
        emitEvent({{u"event"_s, u"peers"_s}, {u"peers"_s, peers}}, ref);
        return;
    }
    if (cmd == u"history"_s) {
        const QJsonValue with = command.value(u"with"_s);
        const QJsonValue limit = command.value(u"limit"_s);
        const QJsonValue before = command.value(u"before"_s);
        if (!with.isString() || (!limit.isUndefined() && !limit.isDouble())
            || (!before.isUndefined() && !before.isString()))
            return fail(u"history needs \"with\": PEER_ID or GROUP_ID, optional \"limit\": N and "
                        u"\"before\": MSG_ID"_s);
        const int n = limit.isUndefined() ? 50 : qBound(1, limit.toInt(), 1000);
        std::optional<QUuid> cursor;
        if (before.isString())
            cursor = QUuid::fromString(before.toString());
        QString error;
        const auto page = m_messenger.historyPage(with.toString(), n, cursor, &error);
        if (!error.isEmpty())
            return fail(u"unknown message \"%1\" in this conversation"_s.arg(before.toString()));
        QJsonArray messages;
        for (const ChatMessage &m : page) {
            const QString author = m.author.isEmpty() ? m.peerId : m.author;
            QJsonObject o{{u"id"_s, m.id.toString(QUuid::WithoutBraces)},
                          {u"from"_s, m.outgoing ? m_messenger.id() : author},
                          {u"text"_s, m.text},
                          {u"sent_at"_s, isoTime(m.sentAt)},
                          {u"received_at"_s, isoTime(m.receivedAt)},
                          {u"state"_s, messageStateName(m.state)}};
            if (m.kind == MessageKind::File) {
                // A transfer's place in the conversation: its state is the transfer's.
                o.insert(u"kind"_s, u"file"_s);
                if (const auto t = m_messenger.transfer(m.id))
                    o.insert(u"transfer"_s, transferJson(*t));
            } else if (m.kind == MessageKind::GroupEvent) {
                o.insert(u"kind"_s, u"group-event"_s);
            }
            if (!m.replyTo.isNull()) // issue 15
                o.insert(u"reply_to"_s, m.replyTo.toString(QUuid::WithoutBraces));
            if (m.outgoing && isGroupId(m.peerId)) {
                // Stored as delivered; where it stands with each member is what matters.
                QJsonObject states;
                for (const GroupDelivery &d : m_messenger.groupDeliveries(m.id))
                    states.insert(d.member, messageStateName(d.state));
                o.insert(u"members"_s, states);
            }
            messages.append(o);
        }
        emitEvent({{u"event"_s, u"history"_s}, {u"with"_s, with}, {u"messages"_s, messages}}, ref);
        return;
    }
    if (cmd == u"read"_s) {
        const QJsonValue with = command.value(u"with"_s);
        if (!with.isString()
            || !(m_messenger.peers()->peer(with.toString()) || m_messenger.group(with.toString())))
            return fail(u"read needs \"with\": a known PEER_ID or GROUP_ID"_s);
        m_messenger.markRead(with.toString());
        emitEvent({{u"event"_s, u"read"_s}, {u"with"_s, with}}, ref);
        return;
    }
    // --- Typing and quoting (issue 15) ---
    if (cmd == u"typing"_s) {
        const QJsonValue to = command.value(u"to"_s);
        const QJsonValue on = command.value(u"on"_s);
        if (!to.isString() || !(on.isBool() || on.isUndefined())
            || !m_messenger.peers()->peer(to.toString()))
            return fail(u"typing needs \"to\": a known PEER_ID, optional \"on\": true|false"_s);
        m_messenger.setTyping(to.toString(), on.toBool(true));
        emitEvent({{u"event"_s, u"typing-set"_s}, {u"to"_s, to}, {u"on"_s, on.toBool(true)}}, ref);
        return;
    }
    // --- end typing and quoting ---
    if (cmd == u"retry"_s || cmd == u"delete"_s) {
        const QJsonValue id = command.value(u"id"_s);
        const QUuid uuid = QUuid::fromString(id.toString());
        if (uuid.isNull())
            return fail(u"%1 needs \"id\": MSG_ID"_s.arg(cmd));
        QString error;
        const bool ok = cmd == u"retry"_s ? m_messenger.retryMessage(uuid, &error)
                                          : m_messenger.deleteMessage(uuid, &error);
        if (!ok)
            return fail(error);
        emitEvent({{u"event"_s, cmd}, {u"id"_s, id}}, ref);
        return;
    }
    if (cmd == u"network"_s) {
        const NetworkStatus n = m_messenger.networkStatus();
        QJsonObject e{{u"event"_s, u"network"_s},
                      {u"id"_s, n.id},
                      {u"port"_s, int(n.tcpPort)},
                      {u"addresses"_s, QJsonArray::fromStringList(n.listenAddresses)},
                      {u"warnings"_s, QJsonArray::fromStringList(n.warnings)}};
        if (n.discoveryEnabled) {
            const DiscoveryStats &d = n.discovery;
            QJsonArray targets;
            for (const auto &t : d.targets) {
                targets.append(QJsonObject{{u"interface"_s, t.interfaceName},
                                           {u"address"_s, t.address},
                                           {u"sent"_s, qint64(t.sent)},
                                           {u"errors"_s, qint64(t.sendErrors)}});
            }
            QJsonObject received;
            for (auto it = d.receivedByInterface.cbegin(); it != d.receivedByInterface.cend(); ++it)
                received.insert(it.key(), qint64(it.value()));
            e.insert(u"discovery"_s,
                     QJsonObject{{u"port"_s, d.port},
                                 {u"targets"_s, targets},
                                 {u"received"_s, received},
                                 {u"malformed"_s, qint64(d.malformed)},
                                 {u"rate_limited"_s, qint64(d.rateLimited)},
                                 {u"foreign"_s, qint64(d.foreignSource)},
                                 {u"self_test"_s, d.ownEchoes > 0},
                                 {u"peers"_s, d.peersPresent}});
        }
        // --- IP Messenger (issue 17) ---
        QJsonObject ipmsg{{u"enabled"_s, n.ipmsgEnabled},
                          {u"running"_s, n.ipmsgRunning},
                          {u"port"_s, int(n.ipmsgPort)},
                          {u"error"_s,
                           n.ipmsgError.isEmpty() ? QJsonValue() : QJsonValue(n.ipmsgError)}};
        e.insert(u"ipmsg"_s, ipmsg);
        // --- end IP Messenger ---
        QJsonArray changes;
        for (const NetworkChange &c : n.changes)
            changes.append(changeJson(c));
        e.insert(u"changes"_s, changes);
        if (!n.hint.isEmpty())
            e.insert(u"hint"_s, n.hint);
        emitEvent(e, ref);
        return;
    }
    // --- Avatars (issue 15): {"cmd":"avatar","path":FILE}; null or "" removes ours ---
    if (cmd == u"avatar"_s) {
        const QJsonValue path = command.value(u"path"_s);
        if (!path.isString() && !path.isNull())
            return fail(u"avatar needs \"path\": FILE (or null to remove the picture)"_s);
        QString error;
        if (!m_messenger.setAvatarFile(path.toString(), &error))
            return fail(error);
        emitEvent({{u"event"_s, u"avatar"_s}, {u"avatar"_s, avatarJson(m_messenger.id())}}, ref);
        return;
    }
    // --- end avatars ---
    // --- Presence (issue 15) ---
    if (cmd == u"status"_s) {
        const QJsonValue status = command.value(u"status"_s);
        const QJsonValue text = command.value(u"text"_s);
        const QString name = status.toString();
        if (!status.isUndefined()
            && (!status.isString()
                || (name != u"available"_s && name != u"away"_s && name != u"busy"_s)))
            return fail(u"status takes \"status\": \"available\", \"away\" or \"busy\""_s);
        if (!text.isUndefined() && !text.isString())
            return fail(u"status takes \"text\" as a string"_s);
        if (!status.isUndefined() || !text.isUndefined()) {
            // What is not given stays as it was.
            m_messenger.setStatus(status.isUndefined() ? m_messenger.status()
                                                       : PeerInfo::statusFromName(name),
                                  text.isUndefined() ? m_messenger.statusText() : text.toString());
            Q_EMIT settingsChanged();
        }
        emitEvent({{u"event"_s, u"status"_s},
                   {u"status"_s, PeerInfo::statusName(m_messenger.status())},
                   {u"text"_s, m_messenger.statusText()}},
                  ref);
        return;
    }
    // --- end presence ---
    // --- Peer exchange (docs/protocol.md, "Peer exchange") ---
    if (cmd == u"set"_s) {
        const QJsonValue pex = command.value(u"peer_exchange"_s);
        const QJsonValue ipmsg = command.value(u"ipmsg"_s); // issue 17
        if ((!pex.isBool() && !pex.isUndefined()) || (!ipmsg.isBool() && !ipmsg.isUndefined()))
            return fail(u"set takes \"peer_exchange\": true or false, \"ipmsg\": true or false"_s);
        if (pex.isBool()) {
            m_messenger.setPeerExchange(pex.toBool());
            Q_EMIT settingsChanged();
        }
        // IP Messenger (issue 17): for this run only; shoal-cli starts it unless --no-ipmsg.
        if (ipmsg.isBool())
            m_messenger.setIpmsgEnabled(ipmsg.toBool());
        // Without a setting: what they are now.
        emitEvent({{u"event"_s, u"settings"_s},
                   {u"peer_exchange"_s, m_messenger.peerExchange()},
                   {u"not_shared"_s, QJsonArray::fromStringList(m_messenger.notSharedWithOthers())},
                   {u"ipmsg"_s, m_messenger.networkStatus().ipmsgEnabled}},
                  ref);
        return;
    }
    if (cmd == u"exclude"_s) {
        const QJsonValue peer = command.value(u"peer"_s);
        const QJsonValue given = command.value(u"exclude"_s);
        const QJsonValue exclude = given.isUndefined() ? QJsonValue(true) : given;
        if (!peer.isString() || !exclude.isBool())
            return fail(u"exclude needs \"peer\": PEER_ID and optional \"exclude\": true|false"_s);
        QString error;
        if (!m_messenger.setSharedWithOthers(peer.toString(), !exclude.toBool(), &error))
            return fail(error);
        Q_EMIT settingsChanged();
        emitEvent({{u"event"_s, u"exclude"_s},
                   {u"peer"_s, peer.toString()},
                   {u"exclude"_s, !m_messenger.isSharedWithOthers(peer.toString())}},
                  ref);
        return;
    }
    if (cmd == u"send-file"_s) {
        const QJsonValue to = command.value(u"to"_s);
        const QJsonValue path = command.value(u"path"_s);
        const QJsonValue paths = command.value(u"paths"_s);
        QStringList list;
        if (path.isString())
            list.append(path.toString());
        for (const QJsonValue &p : paths.toArray())
            list.append(p.toString());
        if (!to.isString() || list.isEmpty() || list.contains(QString()))
            return fail(u"send-file needs \"to\": PEER_ID and \"path\": PATH (a file or a folder)"
                        u" or \"paths\": [PATH, ...]"_s);
        // One folder alone goes as a folder offer: it arrives as one new folder.
        const bool asFolder = list.size() == 1 && QFileInfo(list.first()).isDir();
        QString error;
        const auto id = m_messenger.sendFiles(to.toString(), list, asFolder, &error);
        if (!id)
            return fail(error);
        m_transferRefs.insert(*id, ref);
        return;
    }
    if (cmd == u"accept"_s || cmd == u"decline"_s || cmd == u"pause"_s || cmd == u"resume"_s
        || cmd == u"cancel"_s) {
        const QUuid id = QUuid::fromString(command.value(u"id"_s).toString());
        const QJsonValue dir = command.value(u"dir"_s);
        if (id.isNull() || (!dir.isUndefined() && !dir.isString()))
            return fail(u"%1 needs \"id\": TRANSFER_ID"_s.arg(cmd)
                        + (cmd == u"accept"_s ? u" and optional \"dir\": DIR"_s : QString()));
        QString error;
        bool ok = false;
        // Answered by the transfer event of its new state, sent while the command runs.
        m_transferRefs.insert(id, ref);
        if (cmd == u"accept"_s)
            ok = m_messenger.acceptTransfer(id, dir.toString(), &error);
        else if (cmd == u"decline"_s)
            ok = m_messenger.declineTransfer(id, &error);
        else if (cmd == u"pause"_s)
            ok = m_messenger.pauseTransfer(id, &error);
        else if (cmd == u"resume"_s)
            ok = m_messenger.resumeTransfer(id, &error);
        else
            ok = m_messenger.cancelTransfer(id, &error);
        if (!ok) {
            m_transferRefs.remove(id);
            return fail(error);
        }
        return;
    }
    if (cmd == u"transfers"_s) {
        QJsonArray list;
        for (const TransferInfo &t : m_messenger.transfers())
            list.append(transferJson(t));
        emitEvent({{u"event"_s, u"transfers"_s}, {u"transfers"_s, list}}, ref);
        return;
    }
    if (cmd.startsWith(u"group"_s) || cmd == u"send-many"_s)
        return handleGroupCommand(cmd, command);
    // --- Search (issue 15) ---
    if (cmd == u"search"_s)
        return handleSearchCommand(command);
    // --- end search ---
    // --- Carried delivery (issue 16) ---
    if (cmd == u"allow-relay"_s || cmd == u"allow-hold"_s || cmd == u"held"_s)
        return handleRelayCommand(cmd, command);
    // --- E-mail notices (issue 16) ---
    if (cmd == u"contact"_s || cmd == u"mail"_s)
        return handleMailCommand(cmd, command);
    // --- end e-mail notices ---
    // --- end carried delivery ---
    if (cmd == u"quit"_s) {
        end(ref);
        return;
    }
    fail(cmd.isEmpty() ? u"missing \"cmd\""_s : u"unknown command \"%1\""_s.arg(cmd));
}

void JsonLineSession::handleGroupCommand(const QString &cmd, const QJsonObject &command)
{
    const QJsonValue ref = command.value(u"ref"_s);
    auto fail = [&](const QString &message) { emitError(message, ref); };
    QString error;

    if (cmd == u"groups"_s) {
        QJsonArray list;
        for (const GroupInfo &g : m_messenger.groups())
            list.append(groupJson(g));
        emitEvent({{u"event"_s, u"groups"_s}, {u"groups"_s, list}}, ref);
        return;
    }
    if (cmd == u"send-many"_s) {
        const auto to = stringList(command.value(u"to"_s));
        const QJsonValue text = command.value(u"text"_s);
        if (!to || !text.isString())
            return fail(u"send-many needs \"to\": [PEER_ID, ...] and \"text\": TEXT"_s);
        const QList<QUuid> ids = m_messenger.sendToMany(*to, text.toString(), &error);
        if (ids.isEmpty())
            return fail(error);
        // Each answered as a send is: its first state, once the store has tried.
        for (const QUuid &id : ids)
            m_sendRefs.insert(id, ref);
        return;
    }
    if (cmd == u"group-create"_s) {
        const QJsonValue name = command.value(u"name"_s);
        const auto members = stringList(command.value(u"members"_s));
        if (!name.isString() || !members)
            return fail(u"group-create needs \"name\": NAME and \"members\": [PEER_ID, ...]"_s);
        const auto id = m_messenger.createGroup(name.toString(), *members, &error);
        if (!id)
            return fail(error);
        const auto g = m_messenger.group(*id);
        QJsonObject e = g ? groupJson(*g) : QJsonObject{{u"id"_s, *id}};
        e.insert(u"event"_s, u"group"_s);
        emitEvent(e, ref);
        return;
    }

    const QJsonValue group = command.value(u"group"_s);
    if (cmd == u"group-send"_s) {
        const QJsonValue text = command.value(u"text"_s);
        const QJsonValue replyTo = command.value(u"reply_to"_s); // group replies (issue 15)
        const QUuid re = QUuid::fromString(replyTo.toString());
        if (!group.isString() || !text.isString() || (!replyTo.isUndefined() && re.isNull()))
            return fail(u"group-send needs \"group\": GROUP_ID and \"text\": TEXT, optional "
                        u"\"reply_to\": MSG_ID"_s);
        const auto id = m_messenger.sendGroupMessage(group.toString(), text.toString(), &error, re);
        if (!id)
            return fail(error);
        // Signed and stored; "state" events per member follow.
        emitEvent({{u"event"_s, u"sent"_s}, {u"id"_s, uuidText(*id)}, {u"group"_s, group}}, ref);
        return;
    }
    bool ok = false;
    if (cmd == u"group-add"_s) {
        const auto members = stringList(command.value(u"members"_s));
        if (!group.isString() || !members)
            return fail(u"group-add needs \"group\": GROUP_ID and \"members\": [PEER_ID, ...]"_s);
        ok = m_messenger.addGroupMembers(group.toString(), *members, &error);
    } else if (cmd == u"group-remove"_s) {
        const QJsonValue member = command.value(u"member"_s);
        if (!group.isString() || !member.isString())
            return fail(u"group-remove needs \"group\": GROUP_ID and \"member\": PEER_ID"_s);
        ok = m_messenger.removeGroupMember(group.toString(), member.toString(), &error);
    } else if (cmd == u"group-leave"_s) {
        if (!group.isString())
            return fail(u"group-leave needs \"group\": GROUP_ID"_s);
        ok = m_messenger.leaveGroup(group.toString(), &error);
    } else if (cmd == u"group-rename"_s) {
        const QJsonValue name = command.value(u"name"_s);
        if (!group.isString() || !name.isString())
            return fail(u"group-rename needs \"group\": GROUP_ID and \"name\": NAME"_s);
        ok = m_messenger.renameGroup(group.toString(), name.toString(), &error);
    } else {
        return fail(u"unknown command \"%1\""_s.arg(cmd));
    }
    if (!ok)
        return fail(error);
    // Done here (signed, on its way); the new list comes as a "group" event.
    emitEvent({{u"event"_s, cmd}, {u"group"_s, group}}, ref);
}

// --- Avatars (issue 15) ---
QJsonValue JsonLineSession::avatarJson(const QString &peerId) const
{
    const QByteArray hash = m_messenger.avatarHashOf(peerId);
    return hash.isEmpty() ? QJsonValue(QJsonValue::Null)
                          : QJsonValue(QString::fromLatin1(hash.toHex()));
}
// --- end avatars ---
