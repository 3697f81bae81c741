// SPDX-License-Identifier: GPL-3.0-or-later
#include "groups/groupservice.h"

#include "groups/grouplimits.h"
#include "identity/identity.h"
#include "identity/signer.h"
#include "net/transport.h"
#include "storage/messagestore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

Q_LOGGING_CATEGORY(lcGroups, "shoal.groups")

using Groups::Body;
using Groups::Kind;

namespace {
// A pull nobody answered for this long no longer holds the next one back.
constexpr qint64 PullStaleMs = 30'000;

QDateTime nowMs()
{
    return QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), Qt::UTC);
}

QString shortId(const QString &id)
{
    return id.left(12);
}
} // namespace

GroupService::GroupService(Transport &transport,
                           MessageStore &store,
                           const Identity &identity,
                           QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_store(store)
    , m_self(identity.id())
    , m_selfCert(identity.certificate().toDer())
    , m_signer(std::make_unique<Signer>(identity.privateKey()))
    , m_verifier(std::make_unique<Verifier>())
{
    m_clock.start();
    connect(&m_transport,
            &Transport::peerConnected,
            this,
            [this](const QString &peerId,
                   const Protocol::Hello &,
                   const QString &,
                   const QSslCertificate &certificate) { onPeerConnected(peerId, certificate); });
    connect(&m_transport, &Transport::peerDisconnected, this, &GroupService::onPeerDisconnected);
    connect(&m_store,
            &MessageStore::committed,
            this,
            [this](const QList<ChatMessage> &added,
                   const QList<ChatMessage> &,
                   const QList<QUuid> &,
                   const QList<ChatMessage> &duplicates) { onCommitted(added, duplicates); });
    connect(&m_store, &MessageStore::notSaved, this, &GroupService::onNotSaved);
}

GroupService::~GroupService() = default;

void GroupService::load()
{
    const QStringList ids = m_store.groupIds();
    for (const QString &id : ids)
        loadGroup(id);
    for (const QString &id : ids)
        updateWanted(id);
}

void GroupService::updateWanted(const QString &group)
{
    // As in 1:1: a member who lacks our messages is dialled until it has them.
    QSet<QString> now;
    const Group *g = find(group);
    if (g && g->log.state.isMember(m_self)) {
        const qint64 mine = g->durable.value(m_self);
        for (const QString &member : g->log.state.members()) {
            if (member != m_self && g->receipts.value({member, m_self}).delivered < mine)
                now.insert(member);
        }
    }
    QSet<QString> &was = m_wantedIn[group];
    if (now == was)
        return;
    for (const QString &member : now) {
        if (!was.contains(member) && m_wantedCount[member]++ == 0)
            Q_EMIT peerWanted(member, true);
    }
    for (const QString &member : std::as_const(was)) {
        if (!now.contains(member) && --m_wantedCount[member] == 0) {
            m_wantedCount.remove(member);
            Q_EMIT peerWanted(member, false);
        }
    }
    was = now;
}

void GroupService::loadGroup(const QString &id)
{
    Group g;
    for (const GroupMessageRecord &r : m_store.groupMembership(id)) {
        QString error;
        if (const auto body = Groups::decode(r.body, &error))
            g.log.membership.append(*body);
        else
            qCWarning(lcGroups) << "group" << id << "a stored message does not decode:" << error;
    }
    g.log.state = GroupState::fold(id, g.log.membership);
    const auto heads = m_store.groupHeads(id);
    for (auto it = heads.cbegin(); it != heads.cend(); ++it) {
        g.log.heads.insert(it.key(), Head{it->seq, it->lc, it->link});
        g.log.maxLc = std::max(g.log.maxLc, it->lc);
        g.durable.insert(it.key(), it->seq);
    }
    for (const GroupReceiptRecord &r : m_store.groupReceipts(id)) {
        g.receipts.insert({r.member, r.author}, Receipt{r.delivered, r.read, r.body, r.sig});
        if (r.member == m_self)
            g.readUpTo.insert(r.author, r.read);
    }
    g.joined = g.log.state.wasMember(m_self);
    m_groups.insert(id, g);
    indexOwn(id, g.log.heads.value(m_self).seq);
}

void GroupService::indexOwn(const QString &group, qint64 upTo)
{
    for (qint64 s = 1; s <= upTo; ++s)
        m_own.insert(Groups::messageId(group, m_self, s), {group, s});
}

GroupService::Group *GroupService::find(const QString &group)
{
    const auto it = m_groups.find(group);
    return it == m_groups.end() ? nullptr : &*it;
}

const GroupService::Group *GroupService::find(const QString &group) const
{
    const auto it = m_groups.constFind(group);
    return it == m_groups.cend() ? nullptr : &*it;
}

QStringList GroupService::groupIds() const
{
    QStringList out;
    for (auto it = m_groups.cbegin(); it != m_groups.cend(); ++it) {
        if (it->joined)
            out.append(it.key());
    }
    return out;
}

const GroupState *GroupService::state(const QString &group) const
{
    const Group *g = find(group);
    return g && g->joined ? &g->log.state : nullptr;
}

QHash<QString, qint64> GroupService::heads(const QString &group) const
{
    const Group *g = find(group);
    return g ? g->durable : QHash<QString, qint64>();
}

QByteArray GroupService::certificateOf(const QString &peerId) const
{
    if (peerId == m_self)
        return m_selfCert;
    const QByteArray live = m_certs.value(peerId);
    if (!live.isEmpty())
        return live;
    for (const Group &g : m_groups) {
        const QByteArray cert = g.log.state.certificate(peerId);
        if (!cert.isEmpty())
            return cert;
    }
    for (const PeerRecord &p : m_store.peers()) {
        if (p.id == peerId)
            return p.certificate;
    }
    return {};
}

QList<GroupDelivery> GroupService::deliveries(const QUuid &messageId) const
{
    const auto own = m_own.constFind(messageId);
    if (own == m_own.cend())
        return {};
    const Group *g = find(own->first);
    if (!g)
        return {};
    const qint64 seq = own->second;
    QList<GroupDelivery> out;
    for (const QString &member : g->log.state.members()) {
        if (member == m_self)
            continue;
        const Receipt r = g->receipts.value({member, m_self});
        GroupDelivery d;
        d.member = member;
        d.state = r.read >= seq        ? MessageState::Read
                  : r.delivered >= seq ? MessageState::Delivered
                                       : MessageState::Queued;
        out.append(d);
    }
    return out;
}

// --- acceptance (rule 2) -----------------------------------------------------------------------

GroupService::Verdict GroupService::check(Log &log,
                                          const QString &group,
                                          const Body &body,
                                          const QByteArray &bytes,
                                          const QByteArray &sig,
                                          QString *why) const
{
    if (body.group != group) {
        *why = QStringLiteral("for another group");
        return Verdict::Refuse;
    }
    const Head head = log.heads.value(body.author);
    if (body.seq <= head.seq)
        return Verdict::Duplicate; // a replay or a copy: held already
    if (body.kind == Kind::Create) {
        if (!GroupState::checkCreate(group, body, why))
            return Verdict::Refuse;
        // Groups per peer: one peer naming us in group after group takes a few of our slots,
        // never all of them.
        const auto owned = std::count_if(m_groups.cbegin(), m_groups.cend(), [&](const Group &g) {
            return g.log.state.isValid() && g.log.state.owner() == body.author;
        });
        if (body.author != m_self && owned >= Groups::MaxGroupsPerOwner) {
            *why = QStringLiteral("its owner already has %1 groups here").arg(owned);
            return Verdict::Refuse;
        }
    } else if (!log.state.isValid()) {
        *why = QStringLiteral("unknown group");
        return Verdict::Refuse;
    } else if (!log.state.mayWrite(body.author, body.seq)) {
        *why = log.state.wasMember(body.author)
                   ? QStringLiteral("its author was not a member when it wrote it")
                   : QStringLiteral("its author is not a member");
        return Verdict::Refuse;
    }
    if (body.seq > head.seq + 1) {
        *why = QStringLiteral("seq %1 after %2").arg(body.seq).arg(head.seq);
        return Verdict::Gap;
    }
    const QByteArray expected = head.seq == 0 ? QByteArray(Groups::LinkBytes, '\0') : head.link;
    if (body.prev != expected) {
        *why = QStringLiteral("it does not follow its author's previous message");
        return Verdict::Refuse;
    }
    if (body.lc <= head.lc) {
        *why = QStringLiteral("its clock does not advance");
        return Verdict::Refuse;
    }
    // One message cannot take the group's clock to its end (2^53): every message after it
    // would be malformed, and the group silent for good.
    if (body.lc - head.lc > Groups::MaxClockStep) {
        *why = QStringLiteral("its clock jumps by more than 2^32");
        return Verdict::Refuse;
    }
    log.heads.insert(body.author, Head{body.seq, body.lc, Groups::linkHash(bytes, sig)});
    log.maxLc = std::max(log.maxLc, body.lc);
    if (body.kind != Kind::Text) {
        log.membership.append(body);
        log.state = GroupState::fold(group, log.membership);
    }
    return Verdict::Accept;
}

bool GroupService::acceptRun(const QString &peerId,
                             const QString &group,
                             const QList<QPair<QByteArray, QByteArray>> &run,
                             bool verifyEach,
                             const QSet<QString> &refused,
                             std::optional<Body> decoded)
{
    QElapsedTimer timer;
    timer.start();
    Group *g = find(group);
    Log log = g ? g->log : Log{};
    bool gap = false;
    QList<Accepted> accepted;
    QHash<QString, qsizetype> last; // author -> its last message in `accepted`
    for (const auto &[bytes, sig] : run) {
        QString why;
        auto body = decoded ? std::move(decoded) : Groups::decode(bytes, &why);
        decoded.reset();
        if (!body) {
            qCWarning(lcGroups).noquote()
                << "refused a message of group" << group << "from" << shortId(peerId) << ":" << why;
            continue;
        }
        if (refused.contains(body->author))
            continue;
        Log before;
        if (verifyEach)
            before = log;
        switch (check(log, group, *body, bytes, sig, &why)) {
        case Verdict::Accept:
            if (verifyEach && !m_verifier->verify(log.state.certificate(body->author), bytes, sig)) {
                qCWarning(lcGroups).noquote()
                    << "refused message" << body->seq << "of" << shortId(body->author) << "in group"
                    << group << "from" << shortId(peerId) << ": bad signature";
                log = before;
                continue;
            }
            last.insert(body->author, accepted.size());
            accepted.append(Accepted{*body, bytes, sig, log.heads.value(body->author).link});
            break;
        case Verdict::Duplicate:
            break;
        case Verdict::Gap:
            gap = true;
            break;
        case Verdict::Refuse:
            qCWarning(lcGroups).noquote()
                << "refused message" << body->seq << "of" << shortId(body->author) << "in group"
                << group << "from" << shortId(peerId) << ":" << why;
            // Perhaps its author's add is on its way by another member: once the membership
            // changes, this peer is asked again.
            if (g && log.state.isValid() && !log.state.wasMember(body->author)) {
                QSet<QString> &again = m_askAgain[group];
                if (again.size() < Groups::MaxMembers)
                    again.insert(peerId);
            }
            break;
        }
    }
    if (!verifyEach) {
        // The chain: each message's p is the hash of the one before with its signature, so the
        // last signature of a run vouches for the whole run. A run whose last signature fails
        // is refused whole, and the page checked again without it (what leaned on it, such as
        // an add, falls with it); a second failure refuses the page. Never a verify per
        // message: a hostile page costs what a good one does.
        QSet<QString> failed;
        for (auto it = last.cbegin(); it != last.cend(); ++it) {
            const Accepted &a = accepted.at(it.value());
            if (!m_verifier->verify(log.state.certificate(it.key()), a.bytes, a.sig))
                failed.insert(it.key());
        }
        if (!failed.isEmpty()) {
            for (const QString &author : std::as_const(failed)) {
                qCWarning(lcGroups).noquote()
                    << "refused a run of" << shortId(author) << "in group" << group << "from"
                    << shortId(peerId) << ": its last signature is bad";
            }
            if (!refused.isEmpty()) {
                qCWarning(lcGroups).noquote()
                    << "refused the page of group" << group << "from" << shortId(peerId);
                return gap;
            }
            return acceptRun(peerId, group, run, false, failed);
        }
    }
    if (!accepted.isEmpty()) {
        const bool isNew = !g;
        if (isNew)
            g = &m_groups[group];
        const bool wasJoined = g->joined;
        // Texts leave the state as it was: no member-by-member comparison for them (it would
        // cost every member O(members) per message).
        const bool membership = std::any_of(accepted.cbegin(),
                                            accepted.cend(),
                                            [](const Accepted &a) {
                                                return a.body.kind != Kind::Text;
                                            });
        const GroupState stateBefore = membership ? g->log.state : GroupState();
        g->log = log;
        g->joined = g->joined || log.state.wasMember(m_self);
        const QDateTime now = nowMs();
        for (const Accepted &a : std::as_const(accepted))
            keep(group, a, a.body.author == m_self, {}, now);
        if (g->joined && (!wasJoined || (membership && stateBefore != g->log.state)))
            Q_EMIT changed(group);
        if (stateBefore != g->log.state) {
            for (const QString &peer : m_askAgain.take(group))
                pull(peer, group);
            updateWanted(group);
        }
    }
    m_longestAcceptUs = std::max(m_longestAcceptUs, timer.nsecsElapsed() / 1000);
    return gap;
}

void GroupService::keep(const QString &group,
                        const Accepted &a,
                        bool outgoing,
                        const QStringList &to,
                        const QDateTime &now)
{
    const Body &b = a.body;
    GroupMessageRecord record;
    record.group = group;
    record.author = b.author;
    record.seq = b.seq;
    record.lc = b.lc;
    record.kind = int(b.kind);
    record.body = a.bytes;
    record.sig = a.sig;
    record.link = a.link;
    m_store.saveGroupMessage(record);

    ChatMessage m;
    m.id = Groups::messageId(group, b.author, b.seq);
    m.peerId = group;
    m.outgoing = outgoing;
    m.sentAt = b.sentAt;
    m.receivedAt = outgoing ? b.sentAt : now;
    m.text = b.kind == Kind::Text ? b.text : eventText(b);
    m.kind = b.kind == Kind::Text ? MessageKind::Text : MessageKind::GroupEvent;
    // A membership event is shown, never unread: the badge counts what people wrote.
    m.state = !outgoing && m.kind == MessageKind::GroupEvent ? MessageState::Read
                                                             : MessageState::Delivered;
    m.author = b.author;
    m.replyTo = b.replyTo; // issue 15: null unless a text quotes
    if (outgoing) {
        m_store.addOutgoing(m);
        m_own.insert(m.id, {group, b.seq});
    } else {
        m_store.addReceived(m);
    }
    Pending p;
    p.group = group;
    p.author = b.author;
    p.seq = b.seq;
    p.outgoing = outgoing;
    p.message = Protocol::GroupMessage{a.bytes, a.sig};
    p.to = to;
    if (outgoing && b.kind == Kind::Add) {
        for (const Groups::Member &added : b.members)
            p.added.append(added.id);
    }
    m_pending.insert(m.id, p);
    ++m_groups[group].uncommitted;
}

QString GroupService::eventText(const Body &b)
{
    static const char *const ops[] = {"text", "create", "add", "remove", "leave", "rename"};
    QJsonObject o;
    o.insert(QStringLiteral("op"), QString::fromLatin1(ops[int(b.kind)]));
    o.insert(QStringLiteral("by"), b.author);
    QJsonArray ids;
    for (const Groups::Member &m : b.members)
        ids.append(m.id);
    for (const auto &r : b.removed)
        ids.append(r.first);
    o.insert(QStringLiteral("ids"), ids);
    if (b.kind == Kind::Create || b.kind == Kind::Rename)
        o.insert(QStringLiteral("name"), b.name);
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

void GroupService::onCommitted(const QList<ChatMessage> &added, const QList<ChatMessage> &duplicates)
{
    if (m_pending.isEmpty())
        return;
    // One receipt per (group, author) a commit advanced, not one per message: a catch-up
    // commits hundreds at once, and each receipt is a signature.
    QSet<QPair<QString, QString>> advanced;
    QSet<QString> groups;
    for (const ChatMessage &m : added)
        committedOne(m, &advanced, &groups);
    for (const ChatMessage &m : duplicates)
        committedOne(m, &advanced, &groups);
    for (const auto &[group, author] : std::as_const(advanced))
        sendReceipt(group, author);
    for (const QString &group : std::as_const(groups)) {
        const Group *g = find(group);
        if (g && g->uncommitted == 0)
            continuePulls(group);
    }
}

void GroupService::committedOne(const ChatMessage &m,
                                QSet<QPair<QString, QString>> *advanced,
                                QSet<QString> *groups)
{
    if (m.author.isEmpty())
        return;
    const auto it = m_pending.find(m.id);
    if (it == m_pending.end() || it->group != m.peerId)
        return;
    const Pending p = *it;
    m_pending.erase(it);
    Group *g = find(p.group);
    if (!g)
        return;
    --g->uncommitted;
    groups->insert(p.group);
    qint64 &durable = g->durable[p.author];
    durable = std::max(durable, p.seq);
    if (p.outgoing) {
        // Live: to every member connected now; the others catch up from anyone.
        for (const QString &peer : p.to)
            m_transport.send(peer, p.message);
        // The added do not know the group yet: they pull it on a gsync.
        for (const QString &peer : p.added)
            sendSync(peer, p.group);
        updateWanted(p.group);
    } else {
        advanced->insert({p.group, p.author});
    }
}

void GroupService::onNotSaved(const QList<ChatMessage> &messages)
{
    QSet<QString> groups;
    for (const ChatMessage &m : messages) {
        const auto it = m_pending.find(m.id);
        if (it == m_pending.end() || it->group != m.peerId)
            continue;
        groups.insert(it->group);
        m_pending.erase(it);
    }
    // What the disk holds is what we hold: the lost ones come again on a later catch-up.
    for (const QString &group : std::as_const(groups)) {
        qCWarning(lcGroups) << "group" << group << "messages could not be stored: reloaded";
        int still = 0;
        for (const Pending &p : std::as_const(m_pending))
            still += p.group == group;
        loadGroup(group);
        m_groups[group].uncommitted = still;
    }
}

// --- receipts (rule 5) -------------------------------------------------------------------------

void GroupService::sendReceipt(const QString &group, const QString &author)
{
    Group *g = find(group);
    if (!g || author == m_self || !g->log.state.isMember(m_self))
        return;
    Groups::ReceiptBody r;
    r.group = group;
    r.member = m_self;
    r.author = author;
    r.delivered = g->durable.value(author);
    r.read = m_sendRead ? std::min(g->readUpTo.value(author), r.delivered)
                        : g->receipts.value({m_self, author}).read;
    r.read = std::min(r.read, r.delivered);
    r.sentAt = nowMs();
    const Receipt old = g->receipts.value({m_self, author});
    if (r.delivered <= old.delivered && r.read <= old.read)
        return;
    const QByteArray body = Groups::encodeReceipt(r);
    const QByteArray sig = m_signer->sign(body);
    if (sig.isEmpty())
        return;
    takeReceipt(group, r, body, sig);
    const Protocol::GroupReceipt message{body, sig};
    if (m_transport.isConnected(author)) {
        m_transport.send(author, message);
        return;
    }
    // The author is away: every member here keeps it and passes it on.
    for (const QString &member : g->log.state.members()) {
        if (member != m_self)
            m_transport.send(member, message);
    }
}

void GroupService::takeReceipt(const QString &group,
                               const Groups::ReceiptBody &r,
                               const QByteArray &body,
                               const QByteArray &sig)
{
    Group *g = find(group);
    if (!g)
        return;
    // A member holds only what we sent: a receipt claiming more of ours (signed, but untrue)
    // would show messages we write later as delivered at once. Refused.
    if (r.author == m_self && r.member != m_self && r.delivered > g->log.heads.value(m_self).seq) {
        qCWarning(lcGroups).noquote()
            << "refused a receipt of" << shortId(r.member) << "in group" << group << ": it claims"
            << r.delivered << "of our messages, we wrote" << g->log.heads.value(m_self).seq;
        return;
    }
    const Receipt old = g->receipts.value({r.member, r.author});
    if (r.delivered < old.delivered || (r.delivered == old.delivered && r.read <= old.read))
        return;
    Receipt now{std::max(r.delivered, old.delivered), std::max(r.read, old.read), body, sig};
    g->receipts.insert({r.member, r.author}, now);
    GroupReceiptRecord record;
    record.group = group;
    record.member = r.member;
    record.author = r.author;
    record.delivered = r.delivered;
    record.read = r.read;
    record.body = body;
    record.sig = sig;
    m_store.saveGroupReceipt(record);
    if (r.author != m_self || r.member == m_self)
        return;
    updateWanted(group);
    // Only messages we wrote: a member that claims more (signed, but untrue) costs nothing.
    const qint64 written = g->log.heads.value(m_self).seq;
    for (qint64 s = old.delivered + 1; s <= std::min(now.delivered, written); ++s) {
        const MessageState state = s <= now.read ? MessageState::Read : MessageState::Delivered;
        Q_EMIT deliveryChanged(Groups::messageId(group, m_self, s),
                               group,
                               GroupDelivery{r.member, state});
    }
    for (qint64 s = old.read + 1; s <= std::min({now.read, old.delivered, written}); ++s) {
        Q_EMIT deliveryChanged(Groups::messageId(group, m_self, s),
                               group,
                               GroupDelivery{r.member, MessageState::Read});
    }
}

void GroupService::onReceipt(const QString &peerId, const Protocol::GroupReceipt &receipt)
{
    QString why;
    const auto r = Groups::decodeReceipt(receipt.body, &why);
    if (!r) {
        qCWarning(lcGroups).noquote() << "refused a receipt from" << shortId(peerId) << ":" << why;
        return;
    }
    const Group *g = find(r->group);
    if (!g || r->member == m_self)
        return; // ours we know best; of a group we do not know: nothing to keep
    // About someone who never wrote in the group: a row kept for ever, for nothing.
    if (!g->log.state.wasMember(r->author)) {
        qCWarning(lcGroups).noquote()
            << "refused a receipt of" << shortId(r->member) << "in group" << r->group << "from"
            << shortId(peerId) << ": about a non-member";
        return;
    }
    // One held already (a replay, a relay's copy) costs no signature check.
    const Receipt old = g->receipts.value({r->member, r->author});
    const bool newer = r->delivered > old.delivered
                       || (r->delivered == old.delivered && r->read > old.read);
    if (!newer)
        return;
    const QByteArray cert = g->log.state.certificate(r->member);
    // A receipt about our own messages, straight from the member it speaks for on its own
    // stream (TLS with its certificate, whose hash is its ID), needs no signature check: the
    // stream already says who sent it, and such a receipt ends here (we never pass receipts
    // about our messages on: see onPeerConnected and the forward below). Saves one ECDSA
    // verify per member per message. A relayed one, or one for another author, is checked.
    const bool firstHand = r->member == peerId && r->author == m_self;
    if (cert.isEmpty() || (!firstHand && !m_verifier->verify(cert, receipt.body, receipt.sig))) {
        qCWarning(lcGroups).noquote()
            << "refused a receipt of" << shortId(r->member) << "in group" << r->group << "from"
            << shortId(peerId) << (cert.isEmpty() ? ": not a member" : ": bad signature");
        return;
    }
    takeReceipt(r->group, *r, receipt.body, receipt.sig);
    if (r->author != m_self && r->author != peerId && m_transport.isConnected(r->author))
        m_transport.send(r->author, receipt);
}

void GroupService::markRead(const QString &group)
{
    Group *g = find(group);
    if (!g)
        return;
    for (auto it = g->log.heads.cbegin(); it != g->log.heads.cend(); ++it) {
        if (it.key() == m_self || g->readUpTo.value(it.key()) >= it->seq)
            continue;
        g->readUpTo.insert(it.key(), it->seq);
        if (m_sendRead)
            sendReceipt(group, it.key());
    }
}

// --- catch-up (rule 4) -------------------------------------------------------------------------

void GroupService::onPeerConnected(const QString &peerId, const QSslCertificate &certificate)
{
    if (!certificate.isNull())
        m_certs.insert(peerId, certificate.toDer());
    // A stream that replaces another (both ends dialled at once) comes without a disconnect:
    // a pull in flight on the old one is lost with it, and marked in flight it would hold
    // back every pull after it (the syncs below ask again). One whose page is here is kept.
    if (auto pulling = m_pulling.find(peerId); pulling != m_pulling.end()) {
        for (auto it = pulling->begin(); it != pulling->end();) {
            const QString &group = it.key();
            const bool answered = std::any_of(m_pages.cbegin(),
                                              m_pages.cend(),
                                              [&](const PageWork &w) {
                                                  return w.peer == peerId && w.group == group;
                                              });
            it = answered ? std::next(it) : pulling->erase(it);
        }
    }
    for (auto it = m_groups.cbegin(); it != m_groups.cend(); ++it) {
        const GroupState &s = it->log.state;
        if (!s.wasMember(peerId))
            continue;
        if (s.isMember(peerId) && s.isMember(m_self)) {
            sendSync(peerId, it.key());
        } else if (s.isMember(m_self)) {
            // A former member away when it was removed learns of it only by pulling: tell it
            // what there is up to its end (the membership log's heads then), nothing after.
            const qint64 until = s.member(peerId)->ranges.constLast().endedAt;
            Protocol::GroupSync sync;
            sync.group = it.key();
            for (const Body &b : it->log.membership) {
                if (b.lc <= until)
                    sync.heads.insert(b.author, std::max(sync.heads.value(b.author), b.seq));
            }
            m_transport.send(peerId, sync);
        }
        // Receipts for its messages that it may have missed while away.
        for (auto r = it->receipts.cbegin(); r != it->receipts.cend(); ++r) {
            if (r.key().second == peerId && r.key().first != peerId)
                m_transport.send(peerId, Protocol::GroupReceipt{r->body, r->sig});
        }
    }
}

void GroupService::onPeerDisconnected(const QString &peerId)
{
    m_pulling.remove(peerId);
    for (auto it = m_pullAgain.begin(); it != m_pullAgain.end();) {
        if (it->first == peerId)
            it = m_pullAgain.erase(it);
        else
            ++it;
    }
    m_continuations.remove(peerId);
}

void GroupService::sendSync(const QString &peerId, const QString &group)
{
    const Group *g = find(group);
    if (!g || !m_transport.isConnected(peerId))
        return;
    Protocol::GroupSync sync;
    sync.group = group;
    sync.heads = g->durable;
    m_transport.send(peerId, sync);
}

void GroupService::onSync(const QString &peerId, const Protocol::GroupSync &sync)
{
    const Group *g = find(sync.group);
    if (!g) {
        // We may have been added while away: everything pulled is verified, and a group that
        // never names us is kept out of sight.
        if (m_groups.size() >= Groups::MaxGroups) {
            qCWarning(lcGroups) << "not pulling group" << sync.group << "from" << shortId(peerId)
                                << ": this profile knows" << Groups::MaxGroups << "groups";
            return;
        }
        pull(peerId, sync.group);
        return;
    }
    for (auto it = sync.heads.cbegin(); it != sync.heads.cend(); ++it) {
        if (it.value() > g->log.heads.value(it.key()).seq) {
            pull(peerId, sync.group);
            return;
        }
    }
}

void GroupService::pull(const QString &peerId, const QString &group)
{
    if (!m_transport.isConnected(peerId))
        return;
    auto &pulling = m_pulling[peerId];
    if (!find(group) && !pulling.contains(group)) {
        // Groups we do not know, asked of one peer at once: a peer naming made-up groups
        // gets a few pulls, not one per name.
        qsizetype unknown = 0;
        for (auto it = pulling.cbegin(); it != pulling.cend(); ++it)
            unknown += !find(it.key()) && m_clock.elapsed() - it.value() < PullStaleMs;
        if (unknown >= MaxUnknownPulls) {
            qCWarning(lcGroups) << "not pulling group" << group << "from" << shortId(peerId)
                                << ": already pulling" << unknown << "unknown groups from it";
            return;
        }
    }
    const auto started = pulling.constFind(group);
    if (started != pulling.cend() && m_clock.elapsed() - *started < PullStaleMs) {
        m_pullAgain.insert({peerId, group}); // what it has now may be past that page
        return;
    }
    Protocol::GroupPull p;
    p.group = group;
    if (const Group *g = find(group)) {
        for (auto it = g->log.heads.cbegin(); it != g->log.heads.cend(); ++it)
            p.heads.insert(it.key(), it->seq);
    }
    pulling.insert(group, m_clock.elapsed());
    m_transport.send(peerId, p);
}

void GroupService::continuePulls(const QString &group)
{
    QList<QString> peers;
    for (auto it = m_pullAgain.begin(); it != m_pullAgain.end();) {
        if (it->second == group && !m_pulling.value(it->first).contains(group)) {
            peers.append(it->first);
            it = m_pullAgain.erase(it);
        } else {
            ++it;
        }
    }
    for (const QString &peer : std::as_const(peers))
        pull(peer, group);
}

void GroupService::onPull(const QString &peerId, const Protocol::GroupPull &pull)
{
    const Group *g = find(pull.group);
    const GroupState::Member *member = g ? g->log.state.member(peerId) : nullptr;
    if (!member) {
        qCWarning(lcGroups) << "refused a pull of group" << pull.group << "from" << shortId(peerId)
                            << ": not a member";
        return;
    }
    // A former member gets what was said up to its removal or leave (so that one who was away
    // then learns of it), nothing after.
    const qint64 untilLc = member->isCurrent() ? GroupState::Open
                                               : member->ranges.constLast().endedAt;
    // A pull that goes on from the page just served is part of one catch-up; any other counts
    // against the peer's budget.
    const bool continuation = m_continuations.value(peerId).value(pull.group) == pull.heads
                              && m_continuations.value(peerId).contains(pull.group);
    if (!continuation) {
        auto budget = m_pullBudget.find(peerId);
        if (budget == m_pullBudget.end())
            budget = m_pullBudget.insert(peerId,
                                         TokenBucket(Groups::MaxPullsPerSecond,
                                                     Groups::MaxPullsPerSecond,
                                                     1000));
        if (!budget->tryTake(m_clock.elapsed())) {
            qCWarning(lcGroups) << "refused a pull of group" << pull.group << "from"
                                << shortId(peerId) << ": more than" << Groups::MaxPullsPerSecond
                                << "a second";
            return;
        }
    }
    auto records = m_store.groupMessagesAfter(pull.group,
                                              pull.heads,
                                              int(Groups::MaxPageMessages) + 1,
                                              Groups::MaxPageBytes);
    Protocol::GroupPage page;
    page.group = pull.group;
    const auto after = std::find_if(records.cbegin(), records.cend(), [untilLc](const auto &r) {
        return r.lc > untilLc;
    });
    const bool cut = after != records.cend();
    records.erase(after, records.cend());
    page.more = records.size() > Groups::MaxPageMessages;
    if (page.more)
        records.resize(Groups::MaxPageMessages);
    qint64 bytes = 0;
    QHash<QString, qint64> next = pull.heads;
    page.messages.reserve(records.size());
    for (const GroupMessageRecord &r : std::as_const(records)) {
        page.messages.append({r.body, r.sig});
        bytes += r.body.size();
        next.insert(r.author, std::max(next.value(r.author), r.seq));
    }
    // Stopped by the bytes, not the count: there may be more.
    page.more = page.more || (!cut && bytes + Groups::MaxGroupBody > Groups::MaxPageBytes);
    if (page.more)
        m_continuations[peerId].insert(pull.group, next);
    else
        m_continuations[peerId].remove(pull.group);
    m_transport.send(peerId, page);
}

void GroupService::onPage(const QString &peerId, const Protocol::GroupPage &page)
{
    auto pulling = m_pulling.find(peerId);
    const bool asked = pulling != m_pulling.end() && pulling->contains(page.group)
                       && std::none_of(m_pages.cbegin(), m_pages.cend(), [&](const PageWork &w) {
                              return w.peer == peerId && w.group == page.group;
                          });
    if (!asked) {
        qCWarning(lcGroups) << "ignored a page of group" << page.group << "from" << shortId(peerId)
                            << ": not asked for";
        return;
    }
    if (!find(page.group) && m_groups.size() >= Groups::MaxGroups) {
        pulling->remove(page.group);
        return;
    }
    // The pull stays in flight until the page is taken: no second one meanwhile.
    m_pages.append(PageWork{peerId, page.group, page.messages, 0, page.more, false});
    takePages();
}

void GroupService::takePages()
{
    m_pagesScheduled = false;
    if (m_pages.isEmpty())
        return;
    PageWork &work = m_pages.first();
    const auto slice = work.messages.mid(work.next, SliceMessages);
    work.next += slice.size();
    const qsizetype before = m_pending.size();
    acceptRun(work.peer, work.group, slice, false);
    work.progressed = work.progressed || m_pending.size() > before;
    if (work.next >= work.messages.size())
        finishPage(m_pages.takeFirst());
    if (!m_pages.isEmpty() && !m_pagesScheduled) {
        m_pagesScheduled = true;
        QMetaObject::invokeMethod(this, &GroupService::takePages, Qt::QueuedConnection);
    }
}

void GroupService::finishPage(const PageWork &work)
{
    if (auto pulling = m_pulling.find(work.peer); pulling != m_pulling.end())
        pulling->remove(work.group);
    // Again while it has more and we took some (a page of nothing new would loop).
    if (work.more && work.progressed && m_transport.isConnected(work.peer))
        m_pullAgain.insert({work.peer, work.group});
    const Group *g = find(work.group);
    if (!work.more && g && !g->joined)
        qCInfo(lcGroups) << "group" << work.group << "from" << shortId(work.peer)
                         << "does not name this profile: kept out of sight";
    if (g && g->uncommitted == 0)
        continuePulls(work.group);
}

void GroupService::onMessage(const QString &peerId, const Protocol::GroupMessage &message)
{
    QString why;
    auto body = Groups::decode(message.body, &why);
    if (!body) {
        qCWarning(lcGroups).noquote()
            << "refused a group message from" << shortId(peerId) << ":" << why;
        return;
    }
    const Group *g = find(body->group);
    if (!g) {
        const bool names = body->kind == Kind::Create
                           && std::any_of(body->members.cbegin(),
                                          body->members.cend(),
                                          [this](const Groups::Member &m) {
                                              return m.id == m_self;
                                          });
        if (m_groups.size() >= Groups::MaxGroups) {
            qCWarning(lcGroups) << "refused group" << body->group << "from" << shortId(peerId)
                                << ": this profile knows" << Groups::MaxGroups << "groups";
            return;
        }
        if (!names) {
            // Perhaps we were added while away: pull what there is, verified as it comes.
            pull(peerId, body->group);
            return;
        }
    }
    const QString group = body->group;
    if (acceptRun(peerId, group, {{message.body, message.sig}}, true, {}, std::move(body)))
        pull(peerId, group);
}

// --- commands ----------------------------------------------------------------------------------

bool GroupService::memberFor(const QString &id,
                             const QHash<QString, PeerRecord> &known,
                             Groups::Member *out,
                             QString *error) const
{
    if (!Protocol::isValidPeerId(id)) {
        *error = tr("%1 is not a peer ID.").arg(id);
        return false;
    }
    const PeerRecord record = known.value(id);
    QByteArray cert = m_certs.value(id);
    for (auto g = m_groups.cbegin(); cert.isEmpty() && g != m_groups.cend(); ++g)
        cert = g->log.state.certificate(id);
    if (cert.isEmpty())
        cert = record.certificate;
    if (cert.isEmpty()) {
        *error = tr("Shoal has not met peer %1 yet; connect to it once first.").arg(shortId(id));
        return false;
    }
    *out = Groups::Member{id, cert, Protocol::singleLine(record.name, Groups::MaxMemberNameLength)};
    return true;
}

QHash<QString, PeerRecord> GroupService::knownPeers() const
{
    QHash<QString, PeerRecord> out;
    for (const PeerRecord &p : m_store.peers())
        out.insert(p.id, p);
    return out;
}

GroupService::Group *GroupService::ownGroup(const QString &group, QString *error)
{
    Group *g = find(group);
    if (!g || !g->joined) {
        *error = tr("Unknown group %1.").arg(group);
        return nullptr;
    }
    if (!g->log.state.isMember(m_self)) {
        *error = tr("This profile is no longer a member of that group.");
        return nullptr;
    }
    return g;
}

namespace {
bool checkName(const QString &name, QString *out, QString *error)
{
    const QString line = Protocol::singleLine(name, Groups::MaxNameLength + 1);
    if (line.isEmpty()) {
        *error = GroupService::tr("A group needs a name.");
        return false;
    }
    if (line.size() > Groups::MaxNameLength) {
        *error = GroupService::tr("A group's name may be %1 characters long at most.")
                     .arg(Groups::MaxNameLength);
        return false;
    }
    *out = line;
    return true;
}
} // namespace

std::optional<QUuid> GroupService::author(const QString &group,
                                          Body body,
                                          const QStringList &alsoTo,
                                          QString *error)
{
    Group &g = m_groups[group];
    const Head head = g.log.heads.value(m_self);
    body.group = group;
    body.author = m_self;
    body.seq = head.seq + 1;
    body.lc = g.log.maxLc + 1;
    body.prev = head.seq == 0 ? QByteArray(Groups::LinkBytes, '\0') : head.link;
    body.sentAt = nowMs();
    const QByteArray bytes = Groups::encode(body);
    if (bytes.size() > Groups::MaxGroupBody) {
        *error = tr("The message is too long.");
        return std::nullopt;
    }
    const QByteArray sig = m_signer->sign(bytes);
    Log log = g.log;
    QString why;
    if (sig.isEmpty() || check(log, group, body, bytes, sig, &why) != Verdict::Accept) {
        qCWarning(lcGroups).noquote() << "could not sign for group" << group << why;
        *error = tr("The message could not be signed with this profile's key.");
        return std::nullopt;
    }
    const GroupState before = g.log.state;
    // Live to the members before and after it (a removed member hears of its removal, an
    // added one of its add), and whoever else it concerns.
    QStringList to = before.members() + log.state.members() + alsoTo;
    to.removeDuplicates();
    to.removeAll(m_self);
    g.log = log;
    g.joined = g.joined || log.state.wasMember(m_self);
    keep(group, Accepted{body, bytes, sig, g.log.heads.value(m_self).link}, true, to, body.sentAt);
    if (body.kind != Kind::Text && before != g.log.state)
        Q_EMIT changed(group);
    return Groups::messageId(group, m_self, body.seq);
}

std::optional<QString> GroupService::create(const QString &name,
                                            const QStringList &members,
                                            QString *error)
{
    Body body;
    body.kind = Kind::Create;
    if (!checkName(name, &body.name, error))
        return std::nullopt;
    if (m_groups.size() >= Groups::MaxGroups) {
        *error
            = tr("This profile already knows %1 groups, the most it keeps.").arg(Groups::MaxGroups);
        return std::nullopt;
    }
    body.members.append(
        Groups::Member{m_self,
                       m_selfCert,
                       Protocol::singleLine(m_ownName, Groups::MaxMemberNameLength)});
    QSet<QString> seen{m_self};
    const auto known = knownPeers();
    for (const QString &id : members) {
        if (seen.contains(id))
            continue;
        seen.insert(id);
        Groups::Member m;
        if (!memberFor(id, known, &m, error))
            return std::nullopt;
        body.members.append(m);
    }
    if (body.members.size() > Groups::MaxMembers) {
        *error = tr("A group may have %1 members at most.").arg(Groups::MaxMembers);
        return std::nullopt;
    }
    body.nonce.resize(Groups::NonceBytes);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(body.nonce.data()),
                                          Groups::NonceBytes / 4);
    const QString group = Groups::groupIdFor(m_self, body.nonce);
    if (!author(group, body, {}, error)) {
        m_groups.remove(group);
        return std::nullopt;
    }
    return group;
}

bool GroupService::add(const QString &group, const QStringList &members, QString *error)
{
    Group *g = ownGroup(group, error);
    if (!g)
        return false;
    Body body;
    body.kind = Kind::Add;
    QStringList added;
    const auto known = knownPeers();
    for (const QString &id : members) {
        if (g->log.state.isMember(id) || added.contains(id))
            continue;
        Groups::Member m;
        if (!memberFor(id, known, &m, error))
            return false;
        body.members.append(m);
        added.append(id);
    }
    if (added.isEmpty()) {
        *error = tr("They are members already.");
        return false;
    }
    if (g->log.state.members().size() + added.size() > Groups::MaxMembers) {
        *error = tr("A group may have %1 members at most.").arg(Groups::MaxMembers);
        return false;
    }
    return author(group, body, added, error).has_value();
}

bool GroupService::remove(const QString &group, const QString &member, QString *error)
{
    Group *g = ownGroup(group, error);
    if (!g)
        return false;
    if (g->log.state.owner() != m_self) {
        *error = tr("Only the group's creator may remove members.");
        return false;
    }
    if (member == m_self || !g->log.state.isMember(member)) {
        *error = tr("%1 is not another member of this group.").arg(shortId(member));
        return false;
    }
    Body body;
    body.kind = Kind::Remove;
    // Its messages up to what we hold stay; later ones are refused everywhere.
    body.removed.append({member, g->log.heads.value(member).seq});
    return author(group, body, {member}, error).has_value();
}

bool GroupService::leave(const QString &group, QString *error)
{
    if (!ownGroup(group, error))
        return false;
    Body body;
    body.kind = Kind::Leave;
    return author(group, body, {}, error).has_value();
}

bool GroupService::rename(const QString &group, const QString &name, QString *error)
{
    if (!ownGroup(group, error))
        return false;
    Body body;
    body.kind = Kind::Rename;
    if (!checkName(name, &body.name, error))
        return false;
    return author(group, body, {}, error).has_value();
}

std::optional<QUuid> GroupService::send(const QString &group,
                                        const QString &text,
                                        QString *error,
                                        const QUuid &replyTo)
{
    if (!ownGroup(group, error))
        return std::nullopt;
    if (text.trimmed().isEmpty()) {
        *error = tr("The message is empty.");
        return std::nullopt;
    }
    const qsizetype bytes = text.toUtf8().size();
    if (bytes > Groups::MaxTextBytes) {
        *error = tr("The message is %1 KiB long; the limit is %2 KiB. Split it into shorter "
                    "messages.")
                     .arg((bytes + 1023) / 1024)
                     .arg(Groups::MaxTextBytes / 1024);
        return std::nullopt;
    }
    Body body;
    body.kind = Kind::Text;
    body.text = text;
    body.replyTo = replyTo; // issue 15
    return author(group, body, {}, error);
}
