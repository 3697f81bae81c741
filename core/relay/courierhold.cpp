// SPDX-License-Identifier: GPL-3.0-or-later
// Carried delivery (issue 16), the hold half of the Courier: store and forward by helpers
// (docs/protocol.md, "Hold"). The depositor hands sealed copies of waiting chats to helpers,
// the helper keeps them (CarryStore) and delivers them when their recipient connects, the
// recipient answers `got` once it has handled them; its receipts for an author who is away go
// back the same way.
#include "courier.h"

#include "identity/identity.h"

#include <QLoggingCategory>

#include <algorithm>

Q_LOGGING_CATEGORY(lcHold, "shoal.relay")

namespace {

// A deposit is sealed again (a new eid) when less than this is left of its life: helpers
// would refuse it, or drop it before its recipient is likely to come.
constexpr qint64 HoldResealMarginMs = 3600 * 1000;
// Carriers remembered per author, for its receipts.
constexpr qsizetype HoldCarriersPerAuthor = 8;

QString holdWhy(CarryStore::HoldResult result)
{
    switch (result) {
    case CarryStore::HoldResult::Kept:
    case CarryStore::HoldResult::Duplicate:
        return {};
    case CarryStore::HoldResult::Quota:
        return QStringLiteral("quota");
    case CarryStore::HoldResult::Expired:
        return QStringLiteral("expired");
    case CarryStore::HoldResult::TooBig:
        return QStringLiteral("too-big");
    case CarryStore::HoldResult::Conflict:
        return QStringLiteral("conflict");
    case CarryStore::HoldResult::Error:
        break;
    }
    // The disk failed: to the depositor that is no room here, as a full quota.
    return QStringLiteral("quota");
}

// `got` for these envelopes to `carrier`, in messages of at most Got::MaxIds.
void sendGotTo(Transport &direct, const QString &carrier, const QList<QByteArray> &ids)
{
    for (qsizetype i = 0; i < ids.size(); i += Protocol::Got::MaxIds) {
        Protocol::Got got;
        got.envelopeIds = ids.mid(i, Protocol::Got::MaxIds);
        if (!direct.send(carrier, got)) {
            // It keeps them and delivers them again next time: they are answered then.
            qCDebug(lcHold).noquote() << "got to" << carrier.left(8) << "not sent: not connected";
            return;
        }
    }
}

} // namespace

// --- Helper ---

bool Courier::mayHoldFor(const QString &author, const QString &recipient) const
{
    if (author.isEmpty() || recipient.isEmpty() || author == recipient || author == m_identity.id()
        || recipient == m_identity.id())
        return false;
    // Our switches for both, the author's carry in this session, and the recipient's last carry
    // (kept on disk: it counts while the recipient is away).
    const auto carry = m_carryFrom.constFind(author);
    return m_store.allowed(author).hold && m_store.allowed(recipient).hold
           && carry != m_carryFrom.cend() && carry->hold && m_store.granted(recipient).hold;
}

void Courier::onHold(const QString &peerId, const Protocol::HoldEnvelope &hold)
{
    QString error;
    const std::optional<Relay::EnvelopeHeader> header = Relay::readHeader(hold.envelope, &error);
    if (!header) {
        // No eid to answer with.
        qCWarning(lcHold).noquote() << "hold from" << peerId.left(8) << "dropped:" << error;
        return;
    }
    const auto answer = [&](bool ok, const QString &why) {
        m_direct.send(peerId, Protocol::Held{header->id, ok, why});
    };
    if (!mayHoldFor(peerId, header->to)) {
        qCInfo(lcHold).noquote() << "hold from" << peerId.left(8) << "for" << header->to.left(8)
                                 << "refused: not allowed";
        answer(false, QStringLiteral("not-allowed"));
        return;
    }
    const qint64 t = now();
    CarryStore::HeldEnvelope envelope;
    envelope.id = header->id;
    envelope.recipient = header->to;
    envelope.author = peerId;
    envelope.expiresAt = header->expiresAt;
    envelope.receivedAt = t;
    envelope.size = hold.envelope.size();
    envelope.envelope = hold.envelope;
    const CarryStore::HoldResult result = m_store.hold(envelope, t);
    if (result == CarryStore::HoldResult::Error) {
        qCWarning(lcHold).noquote()
            << "hold from" << peerId.left(8) << "not kept:" << m_store.lastError();
    } else if (result != CarryStore::HoldResult::Kept
               && result != CarryStore::HoldResult::Duplicate) {
        qCInfo(lcHold).noquote() << "hold from" << peerId.left(8) << "refused:" << holdWhy(result);
    }
    const bool ok = result == CarryStore::HoldResult::Kept
                    || result == CarryStore::HoldResult::Duplicate;
    answer(ok, holdWhy(result));
    if (result == CarryStore::HoldResult::Kept) {
        Q_EMIT holdingChanged();
        // Its recipient is here (connected to us, not to the author): it goes out at once.
        deliverHeld(header->to);
    }
}

void Courier::deliverHeld(const QString &recipient)
{
    if (!m_direct.isConnected(recipient) || !m_store.allowed(recipient).hold)
        return;
    // Its carry in this session if it sent one already, else the last one on disk.
    const auto carry = m_carryFrom.constFind(recipient);
    const bool granted = carry != m_carryFrom.cend() ? carry->hold
                                                     : m_store.granted(recipient).hold;
    if (!granted)
        return;
    if (!m_deliveries.contains(recipient)) {
        if (!m_store.holdsFor(recipient))
            return;
        expire(); // nothing past its expiry goes out
        m_deliveries.insert(recipient, Delivery{});
    }
    sendDeliveryWindow(recipient);
}

void Courier::sendDeliveryWindow(const QString &recipient)
{
    const auto it = m_deliveries.find(recipient);
    if (it == m_deliveries.end())
        return;
    const qsizetype room = DeliverWindow - (it->sent.size() - it->passed);
    if (room <= 0)
        return;
    // Sent oldest first, and what is kept later comes later: the next are those after the last
    // sent (from the oldest when it is gone).
    const QByteArray after = it->sent.isEmpty() ? QByteArray() : it->sent.last();
    const QList<CarryStore::HeldEnvelope> held = m_store.heldFor(recipient, int(room), after);
    qsizetype count = 0;
    for (const CarryStore::HeldEnvelope &e : held) {
        if (it->sent.contains(e.id))
            continue;
        if (!m_direct.send(recipient, Protocol::DeliverEnvelope{e.envelope}))
            break;
        it->sent.append(e.id);
        ++count;
    }
    if (count > 0) {
        it->progress.start();
        if (!m_redeliverTimer.isActive()) // until nothing is out without a `got`
            m_redeliverTimer.start();
        qCDebug(lcHold).noquote() << "delivered" << count << "held envelopes to"
                                  << recipient.left(8);
        m_direct.flush();
    }
}

void Courier::onGot(const QString &peerId, const Protocol::Got &got)
{
    if (!m_store.allowed(peerId).hold) {
        qCInfo(lcHold).noquote() << "got from" << peerId.left(8) << "dropped: not allowed";
        return;
    }
    // Only what is held for the sender itself: a `got` cannot drop another's envelopes.
    const int dropped = m_store.drop(peerId, got.envelopeIds);
    if (dropped > 0)
        Q_EMIT holdingChanged();
    const auto it = m_deliveries.find(peerId);
    if (it == m_deliveries.end())
        return;
    // The recipient answers in the order it got them: what was sent before an answered one and
    // is not answered was dropped there (it did not open), and no longer fills the window. It
    // stays out of this session's deliveries all the same.
    qsizetype newest = -1;
    for (const QByteArray &id : got.envelopeIds)
        newest = std::max(newest, it->sent.indexOf(id));
    it->passed = std::max(it->passed, newest + 1);
    it->progress.start();
    for (const QByteArray &id : got.envelopeIds) {
        const qsizetype i = it->sent.indexOf(id);
        if (i < 0)
            continue;
        it->sent.removeAt(i);
        if (i < it->passed)
            --it->passed;
    }
    if (it->sent.size() - it->passed <= DeliverWindow / 2)
        sendDeliveryWindow(peerId);
}

void Courier::setRedeliverAfter(int ms)
{
    m_redeliverAfterMs = ms;
    m_redeliverTimer.setInterval(std::max(1, ms / 2));
}

void Courier::redeliverStalled()
{
    QStringList again;
    bool outstanding = false;
    for (auto it = m_deliveries.begin(); it != m_deliveries.end(); ++it) {
        if (it->sent.size() <= it->passed)
            continue;
        outstanding = true;
        if (it->progress.isValid() && it->progress.elapsed() >= m_redeliverAfterMs
            && m_direct.isConnected(it.key()))
            again.append(it.key());
    }
    for (const QString &recipient : std::as_const(again)) {
        const auto it = m_deliveries.find(recipient);
        if (it == m_deliveries.end())
            continue;
        qCInfo(lcHold).noquote() << "no got from" << recipient.left(8) << "for"
                                 << m_redeliverAfterMs << "ms:" << (it->sent.size() - it->passed)
                                 << "held envelopes go again";
        it->sent.clear();
        it->passed = 0;
        it->progress.start();
        sendDeliveryWindow(recipient);
    }
    if (!outstanding)
        m_redeliverTimer.stop(); // no wake-up while nothing waits for a `got`
}

void Courier::expire()
{
    // Receipts that waited for a helper all their life: nobody would keep them now.
    const qint64 t = now();
    QStringList receiptsFor;
    for (auto it = m_deposits.begin(); it != m_deposits.end();) {
        if (it->receipt && it->waiting && it->expiresAt <= t) {
            receiptsFor.append(it->recipient);
            m_depositByEnvelope.remove(it->envelopeId);
            it = m_deposits.erase(it);
        } else {
            ++it;
        }
    }
    for (const QString &author : std::as_const(receiptsFor))
        forgetDeliverersIfDone(author);
    const int dropped = m_store.dropExpired(now());
    if (dropped > 0) {
        qCInfo(lcHold).noquote() << dropped << "held envelopes expired";
        Q_EMIT holdingChanged();
    }
}

// --- Depositor ---

QStringList Courier::onlineHelpers(const QString &recipient, const QStringList &prefer) const
{
    QStringList all;
    for (auto it = m_carryFrom.cbegin(); it != m_carryFrom.cend(); ++it) {
        if (it.key() != recipient && it->hold && m_direct.isConnected(it.key())
            && m_store.allowed(it.key()).hold)
            all.append(it.key());
    }
    std::sort(all.begin(), all.end());
    QStringList out;
    for (const QString &p : prefer) {
        if (all.contains(p) && !out.contains(p))
            out.append(p);
    }
    for (const QString &a : std::as_const(all)) {
        if (!out.contains(a))
            out.append(a);
    }
    return out;
}

void Courier::askHelpers(const QUuid &key)
{
    const auto it = m_deposits.find(key);
    if (it == m_deposits.end())
        return;
    Deposit &d = *it;
    if (!d.receipt && isConnected(d.recipient))
        return; // it goes straight to its recipient
    d.asked.removeIf([this](const QString &h) { return !m_direct.isConnected(h); });
    const QStringList prefer = d.receipt ? m_carriersOf.value(d.recipient).carriers : QStringList();
    for (const QString &h : onlineHelpers(d.recipient, prefer)) {
        if (d.heldBy.size() + d.asked.size() >= MaxHelpers)
            break;
        if (d.heldBy.contains(h) || d.asked.contains(h) || d.refused.contains(h))
            continue;
        if (m_direct.send(h, Protocol::HoldEnvelope{d.envelope}))
            d.asked.append(h);
    }
    // A receipt is forgotten once it is held and nobody is left to answer for it, or when
    // nobody at all would take it; one whose asks were lost with their helpers waits for the
    // next helper (onHelperConnected), until its expiry (expire()).
    if (d.receipt && d.asked.isEmpty() && (!d.heldBy.isEmpty() || !d.waiting)) {
        const QString author = d.recipient;
        m_depositByEnvelope.remove(d.envelopeId);
        m_deposits.erase(it);
        forgetDeliverersIfDone(author);
    }
}

void Courier::deposit(const QString &peerId, const QList<Protocol::Chat> &waiting)
{
    if (waiting.isEmpty() || isConnected(peerId))
        return;
    // Nothing is sealed while nobody could take it (sealing costs a key agreement and a
    // signature per message).
    if (onlineHelpers(peerId).isEmpty())
        return;
    const QSslCertificate certificate = certificateOf(peerId);
    if (certificate.isNull())
        return;
    const qint64 t = now();
    // A short lifetime (the person's choice) is not resealed at every call.
    const qint64 margin = std::min(HoldResealMarginMs, m_holdLifetimeMs / 4);
    for (const Protocol::Chat &chat : waiting) {
        auto it = m_deposits.find(chat.id);
        if (it != m_deposits.end() && it->expiresAt - margin <= t) {
            // Its helpers drop it soon or did: sealed again with a new eid.
            const bool wasHeld = !it->heldBy.isEmpty();
            m_depositByEnvelope.remove(it->envelopeId);
            m_deposits.erase(it);
            it = m_deposits.end();
            if (wasHeld)
                Q_EMIT heldByChanged(chat.id, peerId, {});
        }
        if (it == m_deposits.end()) {
            Deposit d;
            d.recipient = peerId;
            d.expiresAt = t + m_holdLifetimeMs;
            QString error;
            d.envelope = m_sealer.seal(certificate, chat, d.expiresAt, &d.envelopeId, &error);
            if (d.envelope.isEmpty()) {
                qCWarning(lcHold).noquote() << "message" << chat.id.toString(QUuid::WithoutBraces)
                                            << "for" << peerId.left(8) << "not sealed:" << error;
                continue;
            }
            m_depositByEnvelope.insert(d.envelopeId, chat.id);
            it = m_deposits.insert(chat.id, d);
        }
        if (it->heldBy.size() < MaxHelpers)
            askHelpers(chat.id);
    }
    m_direct.flush();
}

void Courier::onHeld(const QString &helper, const Protocol::Held &held)
{
    const QUuid key = m_depositByEnvelope.value(held.envelopeId);
    auto it = m_deposits.find(key);
    if (key.isNull() || it == m_deposits.end() || !it->asked.contains(helper)) {
        // A peer claiming to hold what we never handed to it.
        qCInfo(lcHold).noquote() << "held from" << helper.left(8)
                                 << "ignored: no such envelope was handed to it";
        return;
    }
    it->asked.removeAll(helper);
    if (held.ok) {
        it->heldBy.append(helper);
        if (it->receipt) {
            if (it->asked.isEmpty()) {
                const QString author = it->recipient;
                m_depositByEnvelope.remove(it->envelopeId);
                m_deposits.erase(it);
                forgetDeliverersIfDone(author);
            }
            return;
        }
        Q_EMIT heldByChanged(key, it->recipient, it->heldBy);
        return;
    }
    qCInfo(lcHold).noquote() << "helper" << helper.left(8) << "refused to hold:"
                             << Protocol::singleLine(held.why, Protocol::MaxReasonLength);
    it->refused.append(helper);
    askHelpers(key);
    m_direct.flush();
}

QStringList Courier::heldBy(const QUuid &messageId) const
{
    const auto it = m_deposits.constFind(messageId);
    if (it == m_deposits.cend() || it->receipt)
        return {};
    return it->heldBy;
}

void Courier::forgetMessage(const QUuid &messageId)
{
    const auto it = m_deposits.find(messageId);
    if (it == m_deposits.end() || it->receipt)
        return;
    m_depositByEnvelope.remove(it->envelopeId);
    m_deposits.erase(it);
}

void Courier::onHelperConnected(const QString &peerId)
{
    // Called on each `carry` from it, which starts every session: a hold it has not answered may
    // have been lost with a connection this one replaced. Asked again (it answers ok for what it
    // has already).
    QList<QUuid> again;
    for (auto it = m_deposits.begin(); it != m_deposits.end(); ++it) {
        if (it->asked.removeAll(peerId) > 0)
            again.append(it.key());
    }
    for (const QUuid &key : std::as_const(again))
        askHelpers(key);
    if (!again.isEmpty())
        m_direct.flush();
    const auto carry = m_carryFrom.constFind(peerId);
    if (carry != m_carryFrom.cend() && carry->hold && m_store.allowed(peerId).hold) {
        // Receipts whose helpers went without answering: to this one.
        QList<QUuid> receipts;
        for (auto it = m_deposits.cbegin(); it != m_deposits.cend(); ++it) {
            if (it->waiting)
                receipts.append(it.key());
        }
        for (const QUuid &key : std::as_const(receipts)) {
            const auto it = m_deposits.find(key);
            if (it == m_deposits.end())
                continue;
            it->waiting = false;
            askHelpers(key);
        }
        if (!receipts.isEmpty())
            m_direct.flush();
        Q_EMIT helpersChanged();
    }
}

void Courier::onHelperDisconnected(const QString &peerId)
{
    // A receipt handed to it and not answered is lost with the connection: it goes to another
    // helper now, or waits for the next one.
    QList<QUuid> receipts;
    QStringList done;
    for (auto it = m_deposits.begin(); it != m_deposits.end();) {
        if (!it->receipt || it->asked.removeAll(peerId) == 0) {
            ++it;
        } else if (!it->heldBy.isEmpty()) {
            if (it->asked.isEmpty()) { // held elsewhere, nobody else to answer: done
                done.append(it->recipient);
                m_depositByEnvelope.remove(it->envelopeId);
                it = m_deposits.erase(it);
            } else {
                ++it;
            }
        } else {
            receipts.append(it.key());
            ++it;
        }
    }
    for (const QUuid &key : std::as_const(receipts)) {
        auto it = m_deposits.find(key);
        it->waiting = true;
        askHelpers(key);
        it = m_deposits.find(key);
        if (it != m_deposits.end() && !it->asked.isEmpty())
            it->waiting = false;
    }
    for (const QString &author : std::as_const(done))
        forgetDeliverersIfDone(author);
}

bool Courier::holdReceipt(const QString &peerId, const Protocol::Message &message)
{
    if (!std::holds_alternative<Protocol::Ack>(message)
        && !std::holds_alternative<Protocol::Read>(message))
        return false;
    if (onlineHelpers(peerId).isEmpty())
        return false;
    const QSslCertificate certificate = certificateOf(peerId);
    if (certificate.isNull())
        return false;
    Deposit d;
    d.recipient = peerId;
    d.receipt = true;
    d.expiresAt = now() + m_holdLifetimeMs;
    QString error;
    d.envelope = m_sealer.seal(certificate, message, d.expiresAt, &d.envelopeId, &error);
    if (d.envelope.isEmpty()) {
        qCWarning(lcHold).noquote() << "receipt for" << peerId.left(8) << "not sealed:" << error;
        return false;
    }
    const QUuid key = QUuid::createUuid();
    m_depositByEnvelope.insert(d.envelopeId, key);
    m_deposits.insert(key, d);
    askHelpers(key);
    // askHelpers forgets a receipt nobody was asked for.
    return m_deposits.contains(key);
}

// --- Recipient ---

void Courier::afterOpened(const QString &carrier, const Relay::Opened &opened, bool duplicate)
{
    // Only a carrier that may hold for us can have held it; one that only relays keeps
    // nothing, and is not told.
    const auto carry = m_carryFrom.constFind(carrier);
    if (!m_store.allowed(carrier).hold || carry == m_carryFrom.cend() || !carry->hold)
        return;
    if (!duplicate) {
        if (const auto *chat = std::get_if<Protocol::Chat>(&opened.message)) {
            // Answered when the inbox has it on disk (its ack, answerGot). That ack, if the
            // author is away, is held by this carrier first: it meets the author.
            m_awaitingAck[chat->id].append(AwaitingAck{opened.author, carrier, opened.envelopeId});
            Deliverers &d = m_carriersOf[opened.author];
            ++d.awaiting;
            d.carriers.removeAll(carrier);
            d.carriers.prepend(carrier);
            if (d.carriers.size() > HoldCarriersPerAuthor)
                d.carriers.removeLast();
            return;
        }
    }
    // A receipt or typing notice is handled as it is emitted; a duplicate was handled before.
    sendGotTo(m_direct, carrier, {opened.envelopeId});
}

void Courier::afterUnopened(const QString &carrier, const QByteArray &envelope)
{
    QString error;
    const std::optional<Relay::EnvelopeHeader> header = Relay::readHeader(envelope, &error);
    if (!header || header->to != m_identity.id())
        return;
    const auto carry = m_carryFrom.constFind(carrier);
    if (!m_store.allowed(carrier).hold || carry == m_carryFrom.cend() || !carry->hold)
        return;
    // Whatever it was, its author still has it queued until our ack.
    sendGotTo(m_direct, carrier, {header->id});
}

void Courier::answerGot(const QString &peerId, const Protocol::Message &message)
{
    const auto *ack = std::get_if<Protocol::Ack>(&message);
    if (!ack)
        return;
    const auto it = m_awaitingAck.find(ack->id);
    if (it == m_awaitingAck.end())
        return;
    // Only for the author's own message: a chat of someone else's with the same ID (a forgery)
    // acknowledged to them must not make a helper drop the author's envelope.
    QHash<QString, QList<QByteArray>> byCarrier;
    for (qsizetype i = it->size() - 1; i >= 0; --i) {
        const AwaitingAck &a = it->at(i);
        if (a.author != peerId)
            continue;
        byCarrier[a.carrier].append(a.envelopeId);
        it->removeAt(i);
        const auto d = m_carriersOf.find(a.author);
        if (d != m_carriersOf.end())
            --d->awaiting; // forgotten once the ack is on its way (Courier::send)
    }
    if (it->isEmpty())
        m_awaitingAck.erase(it);
    for (auto c = byCarrier.cbegin(); c != byCarrier.cend(); ++c)
        sendGotTo(m_direct, c.key(), c.value());
}

void Courier::forgetDeliverersIfDone(const QString &author)
{
    const auto d = m_carriersOf.find(author);
    if (d == m_carriersOf.end() || d->awaiting > 0)
        return;
    // A receipt for the author still being handed to helpers may ask again (a refusal, a
    // helper gone).
    for (const Deposit &deposit : std::as_const(m_deposits)) {
        if (deposit.receipt && deposit.recipient == author)
            return;
    }
    m_carriersOf.erase(d);
}
