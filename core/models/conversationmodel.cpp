// SPDX-License-Identifier: GPL-3.0-or-later
#include "conversationmodel.h"

#include "storage/messagestore.h"

#include <algorithm>

namespace {

// The order of arrival here (never the sender's clock, which a peer controls); messages not
// saved (no seq) stay at the end until they are retried or deleted.
bool before(const ChatMessage &a, const ChatMessage &b)
{
    return a.seq != 0 && (b.seq == 0 || a.seq < b.seq);
}

} // namespace

ConversationModel::ConversationModel(const MessageStore &store, QObject *parent)
    : QAbstractListModel(parent)
    , m_store(store)
{
    connect(&m_store, &MessageStore::committed, this, &ConversationModel::onCommitted);
    connect(&m_store, &MessageStore::sentStateChanged, this, [this](const QList<ChatMessage> &c) {
        onCommitted({}, c, {});
    });
    connect(&m_store, &MessageStore::unsavedDiscarded, this, [this](const QUuid &id) {
        onCommitted({}, {}, {id});
    });
    connect(&m_store, &MessageStore::notSaved, this, &ConversationModel::onNotSaved);
}

void ConversationModel::setPeer(const QString &peerId)
{
    beginResetModel();
    m_peerId = peerId;
    m_deliveries.clear();
    m_quoted.clear();
    m_heldBy.clear(); // issue 16
    m_rows = peerId.isEmpty() ? QList<ChatMessage>() : m_store.page(peerId, PageSize);
    m_rowIndexStale = true;
    m_hasOlder = m_rows.size() == PageSize;
    m_hasNewer = false;
    if (!peerId.isEmpty())
        m_rows += m_store.unsaved(peerId);
    endResetModel();
}

int ConversationModel::loadOlder()
{
    if (!m_hasOlder || m_rows.isEmpty())
        return 0;
    const QList<ChatMessage> older = m_store.page(m_peerId, PageSize, m_rows.first());
    m_hasOlder = older.size() == PageSize;
    if (older.isEmpty())
        return 0;
    beginInsertRows({}, 0, int(older.size()) - 1);
    m_rows = older + m_rows;
    m_rowIndexStale = true;
    endInsertRows();
    return int(older.size());
}

// --- Revealing a message (issue 15) ---
int ConversationModel::loadNewer()
{
    if (!m_hasNewer || m_rows.isEmpty())
        return 0;
    QList<ChatMessage> newer = m_store.pageAfter(m_peerId, PageSize, m_rows.last().seq);
    m_hasNewer = newer.size() == PageSize;
    if (!m_hasNewer)
        newer += m_store.unsaved(m_peerId);
    if (newer.isEmpty())
        return 0;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(newer.size()) - 1);
    m_rows += newer;
    m_rowIndexStale = true;
    endInsertRows();
    return int(newer.size());
}

void ConversationModel::loadNewest()
{
    if (m_hasNewer)
        setPeer(m_peerId);
}

int ConversationModel::revealMessage(const QUuid &id)
{
    if (m_peerId.isEmpty() || id.isNull())
        return -1;
    for (const bool outgoing : {true, false}) {
        if (const int row = rowOf({id, m_peerId, outgoing}); row >= 0)
            return row;
    }
    // The page around it, not every page between it and the newest (a hit a million back).
    constexpr int Half = PageSize / 2;
    const QList<ChatMessage> around = m_store.historyAround(m_peerId, id, Half, Half);
    // historyAround() takes ours first, as message() does (a peer may reuse an ID).
    auto it = std::find_if(around.cbegin(), around.cend(), [&](const ChatMessage &m) {
        return m.id == id && m.outgoing;
    });
    if (it == around.cend()) {
        it = std::find_if(around.cbegin(), around.cend(), [&](const ChatMessage &m) {
            return m.id == id;
        });
    }
    if (it == around.cend())
        return -1; // not there, or not on disk yet (it comes with committed())
    const int row = int(it - around.cbegin());
    beginResetModel();
    m_rows = around;
    m_hasOlder = row == Half;
    m_hasNewer = around.size() - row - 1 == Half;
    if (!m_hasNewer)
        m_rows += m_store.unsaved(m_peerId);
    m_rowIndexStale = true;
    endResetModel();
    return row;
}
// --- end Revealing a message ---

void ConversationModel::onCommitted(const QList<ChatMessage> &added,
                                    const QList<ChatMessage> &changed,
                                    const QList<QUuid> &removed)
{
    for (const ChatMessage &m : added) {
        if (m.peerId != m_peerId)
            continue;
        // A message not saved before, saved now (retried): it moves to where it now belongs.
        if (const int old = m.outgoing ? rowOf(keyOf(m)) : -1; old >= 0) {
            beginRemoveRows({}, old, old);
            m_rows.removeAt(old);
            m_rowIndexStale = true;
            endRemoveRows();
        }
        // Almost always the newest: reports come in the order of the writes.
        int row = int(m_rows.size());
        while (row > 0 && before(m, m_rows.at(row - 1)))
            --row;
        if (row == 0 && m_hasOlder)
            continue; // older than everything loaded: it comes with its page
        if (row == m_rows.size() && m_hasNewer)
            continue; // newer than the window (a message revealed far back): with its page
        beginInsertRows({}, row, row);
        m_rows.insert(row, m);
        if (row == m_rows.size() - 1 && !m_rowIndexStale)
            m_rowIndex.insert(keyOf(m), row);
        else
            m_rowIndexStale = true;
        endInsertRows();
    }
    for (const ChatMessage &m : changed) {
        if (m.peerId != m_peerId)
            continue;
        const int row = rowOf(keyOf(m));
        if (row < 0)
            continue;
        m_rows[row].state = m.state;
        const QModelIndex i = index(row);
        Q_EMIT dataChanged(i, i, {StateRole, StateNameRole});
    }
    if (!added.isEmpty() || !removed.isEmpty())
        m_quoted.clear(); // a quoted message may have come or gone (issue 15)
    for (const QUuid &id : removed) {
        int row = rowOf({id, m_peerId, true});
        if (row < 0)
            row = rowOf({id, m_peerId, false}); // deleted for oneself (issue 15)
        if (row < 0)
            continue;
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        m_rowIndexStale = true;
        endRemoveRows();
    }
}

void ConversationModel::onNotSaved(const QList<ChatMessage> &messages)
{
    for (ChatMessage m : messages) {
        if (m.peerId != m_peerId || !m.outgoing || m_hasNewer) // at the end: with loadNewer()
            continue;
        m.state = MessageState::Failed;
        if (const int row = rowOf(keyOf(m)); row >= 0) { // retried, and not saved again
            m_rows[row].state = m.state;
            const QModelIndex i = index(row);
            Q_EMIT dataChanged(i, i, {StateRole, StateNameRole});
            continue;
        }
        const int row = int(m_rows.size());
        beginInsertRows({}, row, row);
        m_rows.append(m);
        m_rowIndexStale = true;
        endInsertRows();
    }
}

void ConversationModel::updateTransfer(const TransferInfo &transfer)
{
    const MessageKey key{transfer.id, transfer.peerId, transfer.outgoing};
    m_transfers.insert(key, transfer);
    if (transfer.peerId != m_peerId)
        return;
    if (const int row = rowOf(key); row >= 0) {
        const QModelIndex i = index(row);
        Q_EMIT dataChanged(i, i, {TransferRole});
    }
}

std::optional<TransferInfo> ConversationModel::transferAt(int row) const
{
    const ChatMessage &m = m_rows.at(row);
    if (m.kind != MessageKind::File)
        return std::nullopt;
    const auto it = m_transfers.constFind(keyOf(m));
    if (it == m_transfers.cend())
        return std::nullopt;
    return *it;
}

void ConversationModel::setDeliveries(DeliveriesOf deliveriesOf)
{
    m_deliveriesOf = std::move(deliveriesOf);
    m_deliveries.clear();
}

QList<GroupDelivery> ConversationModel::deliveriesAt(int row) const
{
    const ChatMessage &m = m_rows.at(row);
    if (!m.outgoing || m.kind != MessageKind::Text || !isGroupId(m.peerId) || !m_deliveriesOf)
        return {};
    auto it = m_deliveries.find(m.id);
    if (it == m_deliveries.end())
        it = m_deliveries.insert(m.id, m_deliveriesOf(m.id));
    return *it;
}

void ConversationModel::updateDelivery(const QUuid &messageId,
                                       const QString &groupId,
                                       const GroupDelivery &delivery)
{
    if (groupId != m_peerId)
        return;
    const int row = rowOf({messageId, m_peerId, true});
    if (row < 0)
        return;
    // Asked afresh when it was never asked (the whole list then comes from the messenger).
    auto it = m_deliveries.find(messageId);
    if (it != m_deliveries.end()) {
        auto same = std::find_if(it->begin(), it->end(), [&](const GroupDelivery &d) {
            return d.member == delivery.member;
        });
        if (same != it->end())
            *same = delivery;
        else
            it->append(delivery);
    }
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {DeliveriesRole});
}

int ConversationModel::rowOf(const MessageKey &key) const
{
    if (m_rowIndexStale) {
        m_rowIndex.clear();
        m_rowIndex.reserve(m_rows.size());
        for (int row = 0; row < int(m_rows.size()); ++row)
            m_rowIndex.insert(keyOf(m_rows.at(row)), row);
        m_rowIndexStale = false;
    }
    return m_rowIndex.value(key, -1);
}

int ConversationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ConversationModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ChatMessage &m = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TextRole:
        return m.text;
    case IdRole:
        return m.id;
    case OutgoingRole:
        return m.outgoing;
    case SentAtRole:
        return m.sentAt;
    case StateRole:
        return int(m.state);
    case StateNameRole:
        return messageStateName(m.state);
    case ReceivedAtRole:
        return m.receivedAt;
    case SenderTimeFarOffRole:
        return senderTimeFarOff(m);
    case KindRole:
        return int(m.kind);
    case TransferRole:
        if (const auto t = transferAt(index.row()))
            return QVariant::fromValue(*t);
        return {};
    case AuthorRole:
        return m.author;
    case AuthorNameRole:
        if (m.author.isEmpty())
            return {};
        return m_nameOf ? m_nameOf(m.author) : m.author;
    case DeliveriesRole:
        if (!m.outgoing || m.kind != MessageKind::Text || !isGroupId(m.peerId))
            return {};
        return QVariant::fromValue(deliveriesAt(index.row()));
    // --- Typing and quoting (issue 15) ---
    case ReplyToRole:
        return m.replyTo;
    case QuotedRole:
        if (const auto q = quotedAt(index.row()))
            return QVariant::fromValue(*q);
        return {};
        // --- end typing and quoting ---
    case HeldByRole: // issue 16
        return heldByAt(index.row());
    default:
        return {};
    }
}

QHash<int, QByteArray> ConversationModel::roleNames() const
{
    return {{IdRole, "id"},
            {TextRole, "text"},
            {OutgoingRole, "outgoing"},
            {SentAtRole, "sentAt"},
            {StateRole, "state"},
            {StateNameRole, "stateName"},
            {ReceivedAtRole, "receivedAt"},
            {SenderTimeFarOffRole, "senderTimeFarOff"},
            {KindRole, "kind"},
            {TransferRole, "transfer"},
            {AuthorRole, "author"},
            {AuthorNameRole, "authorName"},
            {DeliveriesRole, "deliveries"},
            {HeldByRole, "heldBy"}, // issue 16
            {ReplyToRole, "replyTo"},
            {QuotedRole, "quoted"}};
}

// --- Typing and quoting (issue 15) ---
std::optional<ChatMessage> ConversationModel::quotedAt(int row) const
{
    const QUuid re = m_rows.at(row).replyTo;
    if (re.isNull())
        return std::nullopt;
    if (const auto it = m_quoted.constFind(re); it != m_quoted.cend())
        return *it;
    // Either direction, in this conversation only; ours first, as the store's look-up by ID.
    std::optional<ChatMessage> found;
    for (const bool outgoing : {true, false}) {
        if (const int r = rowOf({re, m_peerId, outgoing}); r >= 0) {
            found = m_rows.at(r);
            break;
        }
        if ((found = m_store.message(MessageKey{re, m_peerId, outgoing})))
            break;
    }
    m_quoted.insert(re, found);
    return found;
}
// --- end typing and quoting ---

// --- Carried delivery (issue 16) ---
void ConversationModel::setHeldBy(HeldByOf heldByOf)
{
    m_heldByOf = std::move(heldByOf);
    m_heldBy.clear();
}

QStringList ConversationModel::heldByAt(int row) const
{
    const ChatMessage &m = m_rows.at(row);
    // Only what still waits for its recipient: once delivered, nobody holds it for us.
    if (!m.outgoing || m.kind != MessageKind::Text || isGroupId(m.peerId) || !m_heldByOf
        || (m.state != MessageState::Queued && m.state != MessageState::Sent))
        return {};
    auto it = m_heldBy.find(m.id);
    if (it == m_heldBy.end())
        it = m_heldBy.insert(m.id, m_heldByOf(m.id));
    return *it;
}

void ConversationModel::updateHeldBy(const QUuid &messageId,
                                     const QString &peerId,
                                     const QStringList &helpers)
{
    if (peerId != m_peerId)
        return;
    const int row = rowOf({messageId, m_peerId, true});
    if (row < 0)
        return;
    m_heldBy.insert(messageId, helpers);
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {HeldByRole});
}
// --- end carried delivery ---
