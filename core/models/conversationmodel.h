// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "files/transferinfo.h"
#include "groups/groupinfo.h"
#include "storage/chatmessage.h"

#include <QAbstractListModel>
#include <QHash>
#include <QList>

#include <functional>
#include <optional>

class MessageStore;

// The messages exchanged with one peer in the order they arrived here, loaded a page at a time
// from the newest: a conversation of a million messages opens as fast as one of ten.
// loadOlder() brings the previous page when the person scrolls up. Outgoing messages that
// could not be saved are at the end, as Failed ("not saved"), until retried or deleted.
// revealMessage() (a search hit, a quote) may leave a window that does not reach the newest
// message: loadNewer() then brings the next page when the person scrolls down, messages that
// arrive meanwhile come with their page, and loadNewest() goes back to the newest end.
class ConversationModel final : public QAbstractListModel
{
    Q_OBJECT

public:
    static constexpr int PageSize = 100;

    enum Role {
        IdRole = Qt::UserRole + 1,
        TextRole,
        OutgoingRole,
        SentAtRole,    // the sender's clock, for display
        StateRole,     // MessageState as int
        StateNameRole, // "queued", "sent", ...
        ReceivedAtRole,
        SenderTimeFarOffRole, // bool: mark the sender's time (see senderTimeFarOff())
        KindRole,             // MessageKind as int
        TransferRole,         // a File item's TransferInfo; invalid until one is known
        AuthorRole,           // in a group: the author's ID (empty in 1:1)
        AuthorNameRole,       // in a group: the author's name (see setAuthorNames())
        // An own group message: QList<GroupDelivery>, where it stands with each other member
        // (see setDeliveries()); invalid for anything else.
        DeliveriesRole,
        // --- Typing and quoting (issue 15) ---
        ReplyToRole, // QUuid: the message this one quotes; null if none
        // The quoted message (a ChatMessage) if this history holds it; invalid if it does not
        // (deleted, or never here) or there is no quote: see ReplyToRole.
        QuotedRole,
        // --- end typing and quoting ---
        // --- Carried delivery (issue 16) ---
        // An own 1:1 message not delivered yet: the helpers keeping a sealed copy for its
        // offline recipient (QStringList of peer IDs; empty when none). See setHeldBy().
        HeldByRole,
        // --- end carried delivery ---
    };

    using NameOf = std::function<QString(const QString &peerId)>;
    using DeliveriesOf = std::function<QList<GroupDelivery>(const QUuid &messageId)>;
    using HeldByOf = std::function<QStringList(const QUuid &messageId)>; // issue 16

    explicit ConversationModel(const MessageStore &store, QObject *parent = nullptr);

    void setPeer(const QString &peerId);
    QString peer() const { return m_peerId; }
    bool hasOlder() const { return m_hasOlder; }
    // Prepends up to one page of older messages; returns how many.
    int loadOlder();
    // --- Revealing a message (issue 15) ---
    // Whether the rows stop before the newest message (after revealMessage()).
    bool hasNewer() const { return m_hasNewer; }
    // Appends up to one page of newer messages (and, once at the newest end, the unsaved
    // ones); returns how many rows came.
    int loadNewer();
    // Back to the newest page, as setPeer() opens it (nothing happens if there already).
    void loadNewest();
    // Makes the message with this ID in the open conversation one of the rows, with the
    // messages around it (half a page each side, the pages in between not loaded), and returns
    // its row; -1 if the conversation has no such message.
    int revealMessage(const QUuid &id);
    // --- end Revealing a message ---
    ChatMessage messageAt(int row) const { return m_rows.at(row); }
    // The state of a File item's transfer (any conversation's: kept for when it is opened).
    void updateTransfer(const TransferInfo &transfer);
    std::optional<TransferInfo> transferAt(int row) const;
    // How a group message's author is named, and where an own group message stands with each
    // member: asked once per message, then kept current by updateDelivery() (connect it to
    // Messenger::groupDeliveryChanged).
    void setAuthorNames(NameOf nameOf) { m_nameOf = std::move(nameOf); }
    void setDeliveries(DeliveriesOf deliveriesOf);
    void updateDelivery(const QUuid &messageId,
                        const QString &groupId,
                        const GroupDelivery &delivery);
    QList<GroupDelivery> deliveriesAt(int row) const;
    // Issue 15: the message `row` quotes, if this history holds it.
    std::optional<ChatMessage> quotedAt(int row) const;
    // --- Carried delivery (issue 16) ---
    // Which helpers keep an own message for its offline recipient: asked once per message
    // (Messenger::heldBy), then kept current by updateHeldBy() (connect it to
    // Messenger::heldByChanged).
    void setHeldBy(HeldByOf heldByOf);
    void updateHeldBy(const QUuid &messageId, const QString &peerId, const QStringList &helpers);
    QStringList heldByAt(int row) const;
    // --- end carried delivery ---

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    void onCommitted(const QList<ChatMessage> &added,
                     const QList<ChatMessage> &changed,
                     const QList<QUuid> &removed);
    void onNotSaved(const QList<ChatMessage> &messages);
    int rowOf(const MessageKey &key) const;

    const MessageStore &m_store;
    QString m_peerId;
    QList<ChatMessage> m_rows;
    // Row of each ID, rebuilt when rows moved (an insert before the end, a removal, a page
    // of older ones); appends keep it up to date. A state change is then found at once, not
    // by walking every row (a long conversation open while its queue goes out).
    mutable QHash<MessageKey, int> m_rowIndex;
    mutable bool m_rowIndexStale = true;
    bool m_hasOlder = false;
    bool m_hasNewer = false; // revealMessage() left the newest end
    QHash<MessageKey, TransferInfo> m_transfers;
    NameOf m_nameOf;
    DeliveriesOf m_deliveriesOf;
    // Of the open group's own messages asked for so far (a view asks on every paint).
    mutable QHash<QUuid, QList<GroupDelivery>> m_deliveries;
    // Issue 15: quoted messages looked up so far (a view asks on every paint).
    mutable QHash<QUuid, std::optional<ChatMessage>> m_quoted;
    // Carried delivery (issue 16): of the open conversation's own messages asked for so far.
    HeldByOf m_heldByOf;
    mutable QHash<QUuid, QStringList> m_heldBy;
};
