// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Wire protocol v1 message types. Grammar (CDDL), also in docs/protocol.md:
//
//   message = hello / chat / ack / ping / pong / bye      ; each a CBOR map, text keys
//   hello = { "t": "hello", "v": uint, "vmin": uint, "id": peer-id, "name": tstr,
//             "port": uint .le 65535, ? "caps": [* tstr], ? "stream": "chat" / "bulk" }
//           ; "stream": what the connection carries, named by the side that dialled (absent:
//           ; chat); any other value is an error. Capability "streams": bulk may be dialled.
//   chat  = { "t": "chat", "mid": uuid-text, "ts": int, "text": tstr }   ; ts: ms since epoch, UTC
//   ack   = { "t": "ack", "mid": uuid-text }
//   read  = { "t": "read", "mid": uuid-text }   ; the message was shown to its reader
//   resend = { "t": "resend" }   ; send again everything not acknowledged (our disk has room again)
//   ping  = { "t": "ping", "n": uint }
//   pong  = { "t": "pong", "n": uint }
//   bye   = { "t": "bye", ? "reason": tstr }
//   peer-id = tstr .regexp "[0-9a-f]{64}"
//
// Unknown "t" values and unknown keys are ignored; anything else malformed is an error.

#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QUuid>

#include <optional>
#include <variant>

class QCborMap;

namespace Protocol {

constexpr int Version = 1;
constexpr int MinVersion = 1;
constexpr qsizetype MaxFrameSize = 1024 * 1024;
constexpr qsizetype MaxTextBytes = 64 * 1024;
constexpr qsizetype MaxNameLength = 64;
constexpr qsizetype MaxCapabilities = 32;
constexpr qsizetype MaxReasonLength = 200;
constexpr qsizetype PeerIdLength = 64;

// What a connection carries, as named in the dialling side's hello. The same values as the
// transport's StreamKind (core/net/transport.h), which the net layer maps it to.
enum class Stream : quint8 {
    Chat, // "stream" absent or "chat": the conversation (every version 1 peer)
    Bulk, // "stream": "bulk": large transfers beside the conversation
};
// The capability (hello "caps") of a peer that takes streams other than chat.
inline constexpr char StreamsCapability[] = "streams";

struct Hello
{
    int version = Version;
    int minVersion = MinVersion;
    QString peerId;
    QString name;
    quint16 port = 0;
    QStringList capabilities;
    Stream stream = Stream::Chat; // sent only when not Chat, so a chat hello is as in v1

    bool hasCapability(QLatin1StringView name) const { return capabilities.contains(name); }
    QCborMap toCbor() const;
    static std::optional<Hello> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Hello &o) const;
};

struct Chat
{
    QUuid id;
    QDateTime sentAt; // UTC, millisecond precision
    QString text;

    QCborMap toCbor() const;
    static std::optional<Chat> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Chat &o) const;
};

// A message that names one of ours by its ID ("mid"): ack and read have the same shape and
// differ only in their type name, so they are one template with a tag each.
template<typename Tag>
struct MessageIdMessage
{
    QUuid id;

    QCborMap toCbor() const;
    static std::optional<MessageIdMessage> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const MessageIdMessage &o) const { return id == o.id; }
};

struct AckTag
{
    static constexpr char Name[] = "ack";
};
struct ReadTag
{
    static constexpr char Name[] = "read";
};

using Ack = MessageIdMessage<AckTag>;
// Read receipt: the receiver's person has seen the message (only sent if they allow it).
using Read = MessageIdMessage<ReadTag>;

// "Send me again everything I have not acknowledged": a receiver that could not store messages
// (its disk was full) asks for them once it can, instead of waiting for a new connection.
// Peers that do not know it ignore it (an unknown type) and resend on the next connection.
struct Resend
{
    QCborMap toCbor() const;
    static std::optional<Resend> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Resend &) const { return true; }
};

// A keepalive carrying a sequence number ("n"): ping and its pong have the same shape.
template<typename Tag>
struct SequenceMessage
{
    quint64 seq = 0;

    QCborMap toCbor() const;
    static std::optional<SequenceMessage> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const SequenceMessage &o) const { return seq == o.seq; }
};

struct PingTag
{
    static constexpr char Name[] = "ping";
};
struct PongTag
{
    static constexpr char Name[] = "pong";
};

using Ping = SequenceMessage<PingTag>;
using Pong = SequenceMessage<PongTag>;

struct Bye
{
    QString reason;

    QCborMap toCbor() const;
    static std::optional<Bye> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Bye &o) const { return reason == o.reason; }
};

// A well-formed message of a type this version does not know. Ignored by receivers.
struct Unknown
{
    QString type;
    QString toString() const;
    bool operator==(const Unknown &o) const { return type == o.type; }
};

using Message = std::variant<Hello, Chat, Ack, Read, Resend, Ping, Pong, Bye, Unknown>;

// Encodes a message to its CBOR payload (without the frame header).
QByteArray encode(const Message &message);
// Encodes a message and prepends the frame header.
QByteArray encodeFrame(const Message &message);
// Decodes one frame payload. On failure returns nullopt and sets *error.
std::optional<Message> decode(const QByteArray &payload, QString *error);
// decode() without its fast path for chat, ack and read laid out as encode() writes them: the
// fuzz target checks that both agree on every input.
std::optional<Message> decodeGeneral(const QByteArray &payload, QString *error);
QString toString(const Message &message);

bool isValidPeerId(const QString &id);
// One line of at most `max` UTF-16 units, never ending in half a surrogate pair or a space, so
// that sanitising twice gives the same result. For names and reasons shown to people. Control
// characters (C0, DEL, C1: NUL, BEL, ESC, CSI...) are removed; whitespace runs become one space.
QString singleLine(const QString &text, qsizetype max);
// Text from the network as it may appear in a log line: in double quotes, with quotes,
// backslashes and every character that is not printable (controls, format characters such as
// bidi overrides, line separators, lone surrogates) escaped, so that nothing a peer sends can
// drive the terminal that shows the log.
QString quoted(const QString &text);

} // namespace Protocol
