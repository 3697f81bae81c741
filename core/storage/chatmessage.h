// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QHashFunctions>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUuid>

// Stored as integers: never renumber.
//   outgoing: Queued -> Sent -> Delivered -> Read (Sent falls back to Queued when the
//             connection ends before the ack); Failed is final.
//   incoming: Delivered (stored, acknowledged) -> Read (shown to the person).
enum class MessageState { Queued = 0, Sent = 1, Delivered = 2, Read = 3, Failed = 4 };

// What an item of a conversation is. Stored as integers: never renumber.
enum class MessageKind : quint8 {
    Text = 0, // a chat message
    File = 1, // a file transfer's place in the conversation: id is the transfer's, text its name
    // A group's membership change (created, added, removed, left, renamed): text is its compact
    // JSON (docs/groups.md), which the user interfaces phrase in the person's language.
    GroupEvent = 2,
};

// One message as the user sees it, in either direction.
struct ChatMessage
{
    QUuid id;
    QString peerId;
    bool outgoing = false;
    QDateTime sentAt;     // sender's clock
    QDateTime receivedAt; // our clock; equal to sentAt for outgoing messages
    QString text;
    MessageState state = MessageState::Queued;
    qint64 seq = 0; // arrival order in this profile's store; 0 until stored
    MessageKind kind = MessageKind::Text;
    // In a group conversation (peerId is then the group's ID): who wrote it. Empty in 1:1.
    QString author;
    // The message this one replies to, in the same conversation (either direction); null if
    // none (issue 15).
    QUuid replyTo;
    // Carried delivery (issue 16), outgoing only, never stored: the peer carrying the
    // conversation when it went out ("via"), and the helpers keeping it while its recipient is
    // away ("held_by"). Filled by the messenger in messageStateChanged().
    QString via;
    QStringList heldBy;
};

// A message is known by who sent it and its ID: an ID is chosen by its sender, so only the pair
// is unique, and nobody's ID can shadow another's. The sender of an outgoing message is this
// profile; of an incoming one, `peerId`.
struct MessageKey
{
    QUuid id;
    QString peerId;
    bool outgoing = false;

    bool operator==(const MessageKey &o) const
    {
        return id == o.id && outgoing == o.outgoing && peerId == o.peerId;
    }
};

inline MessageKey keyOf(const ChatMessage &m)
{
    return {m.id, m.peerId, m.outgoing};
}

// The message ID alone, its 16 bytes through Qt's seeded hash. Not the peer's ID: 64
// characters hashed on every lookup were a sixth of the main thread's instructions in a flood,
// and one message ID comes with at most a few keys (one per peer and direction). Not
// qHash(QUuid): Qt 6.4 folds the bytes with XOR, so IDs a peer picks could all collide.
inline size_t qHash(const MessageKey &k, size_t seed = 0)
{
    static_assert(sizeof(QUuid) == 16);
    return qHashBits(&k.id, sizeof(QUuid), seed);
}

// Messages are shown in the order they reached this profile (typed here, or received), never
// by the sender's clock, which no one here controls. The sender's time is kept for display and
// marked when it is further than this from the time of arrival.
constexpr qint64 ClockFarOffMs = 5 * 60 * 1000;

// An incoming message whose sender's time is far from its time of arrival (a wrong clock, or a
// delivery that waited).
inline bool senderTimeFarOff(const ChatMessage &m)
{
    return !m.outgoing && m.sentAt.isValid() && m.receivedAt.isValid()
           && qAbs(m.sentAt.msecsTo(m.receivedAt)) > ClockFarOffMs;
}

QString messageStateName(MessageState state);

// A new message ID: a UUID version 7 (RFC 9562), 48 bits of Unix time in milliseconds, then 74
// random bits. Unique and unguessable like a random UUID, but IDs made one after another sort
// together, so each side's unique index on the ID grows at its end instead of touching a random
// page per message (measured: 100,000 queued messages delivered at 52,000-72,000/s instead of
// 41,000-46,000/s with random IDs, bench --queued-only, two processes).
QUuid newMessageId();

Q_DECLARE_METATYPE(ChatMessage)
