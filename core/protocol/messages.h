// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Wire protocol v1 message types. Grammar (CDDL), also in docs/protocol.md:
//
//   message = hello / chat / ack / read / resend / ping / pong / bye
//           / offer / xfer / mreq / man / get / data / fend
//           / gmsg / gpage / gsync / gpull / grcpt
//           / pex / typing / pres / avget / av                    ; each a CBOR map, text keys
//   hello = { "t": "hello", "v": uint, "vmin": uint, "id": peer-id, "name": tstr,
//             "port": uint .le 65535, ? "caps": [* tstr], ? "stream": "chat" / "bulk",
//             ? "st": status, ? "stx": tstr, ? "av": sha256 }
//           ; st/stx/av: the sender's presence (see pres).
//           ; "stream": what the connection carries, named by the side that dialled (absent:
//           ; chat); any other value is an error. Capability "streams": bulk may be dialled.
//           ; Capability "pex": the peer takes (and may send) pex.
//   chat  = { "t": "chat", "mid": uuid-text, "ts": int, "text": tstr,   ; ts: ms since epoch, UTC
//             ? "re": uuid-text }   ; re: the message it replies to, in this conversation
//   ack   = { "t": "ack", "mid": uuid-text }
//   read  = { "t": "read", "mid": uuid-text }   ; the message was shown to its reader
//   resend = { "t": "resend" }   ; send again everything not acknowledged (our disk has room again)
//   ping  = { "t": "ping", "n": uint }
//   pong  = { "t": "pong", "n": uint }
//   bye   = { "t": "bye", ? "reason": tstr }
//   ; File transfers (docs/protocol.md, "Files"): control on the chat stream, data on bulk.
//   offer = { "t": "offer", "xid": uuid-text, "ts": int, "name": tstr, "size": uint,
//             "files": uint, "n": uint, "folder": bool, "mh": sha256 }
//           ; size <= 2^53, 1 <= n <= 2^31, files <= n, ts as chat's
//   xfer  = { "t": "xfer", "xid": uuid-text, "op": tstr, ? "reason": tstr }
//           ; op: seen accept decline cancel pause resume done failed; others: Op::Unknown
//   mreq  = { "t": "mreq", "xid": uuid-text, "from": uint }
//   man   = { "t": "man", "xid": uuid-text, "from": uint,
//             "e": [* [path: tstr, size: uint, folder: bool]], "last": bool }
//           ; at most 100,000 entries, empty only when last; a folder's size is 0
//   get   = { "t": "get", "xid": uuid-text, "g": uint32, "i": uint, "off": uint, ? "h": sha256 }
//           ; h: the receiver's first `off` bytes of file i, required when off > 0
//   data  = { "t": "data", "xid": uuid-text, "g": uint32, "i": uint, "off": uint,
//             "d": bstr .size (1..262144) }
//   fend  = { "t": "fend", "xid": uuid-text, "g": uint32, "i": uint, "sha": sha256 }
//   ; every index, offset and size (and off + the size of d) is at most 2^53
//   ; Groups (docs/protocol.md, "Groups"; the signed bodies: core/groups/groupbody.h):
//   gmsg  = { "t": "gmsg", "b": bstr, "sig": bstr }     ; one group message: body, signature
//   gpage = { "t": "gpage", "g": group-id, "m": [* [bstr, bstr]], "more": bool }
//           ; catch-up answer: (body, sig) pairs, at most 512 and 768 KiB of bodies
//   gsync = { "t": "gsync", "g": group-id, "h": { * peer-id => uint } }   ; what I hold
//   gpull = { "t": "gpull", "g": group-id, "h": { * peer-id => uint } }   ; send what follows
//   grcpt = { "t": "grcpt", "b": bstr, "sig": bstr }    ; a member's signed receipt
//   ; b: 1..262144 bytes; sig: 1..80 bytes; h: at most 256 entries, each value <= 2^53
//   ; Peer exchange (docs/protocol.md, "Peer exchange"): on the chat stream.
//   pex   = { "t": "pex", "peers": [0*64 { "id": peer-id, "a": [1*8 tstr] }] }
//           ; a: "host:port", 1..64 characters each; an ID at most once
//   ; Typing (docs/protocol.md, "Typing"): on the chat stream, never stored.
//   typing = { "t": "typing", "on": bool }   ; the sender's person is typing to us (or stopped)
//   ; Avatars (issue 15; docs/protocol.md, "Avatars"): on the chat stream, to peers with "av".
//   avget = { "t": "avget", "h": sha256 }   ; send me the picture whose SHA-256 is h
//   av    = { "t": "av", "h": sha256, "png": bstr .size (1..65536) }   ; sha256(png) == h
//   ; Presence (docs/protocol.md, "Presence"): on the chat stream, when the sender's name,
//   ; status, status text or avatar changes; at most a few per second.
//   pres  = { "t": "pres", "name": tstr, "st": status, ? "stx": tstr, ? "av": sha256 }
//   ; Carried delivery (issue 16; docs/protocol.md, "Carried delivery"): on the chat stream.
//   carry  = { "t": "carry", "relay": bool, "hold": bool }
//   routes = { "t": "routes", "peers": [0*64 { "id": peer-id, "name": tstr, "cert": bstr }] }
//   rly    = { "t": "rly", "e": envelope }     ; pass it on to its recipient now
//   env    = { "t": "env", "e": envelope }     ; an envelope for the receiver
//   hold   = { "t": "hold", "e": envelope }    ; keep it for its recipient
//   held   = { "t": "held", "eid": eid, "ok": bool, ? "why": tstr }
//   got    = { "t": "got", "eids": [1*256 eid] }
//   envelope = bstr .size (1..81920); eid = bstr .size 16; cert: 1..4096 bytes
//   status = "available" / "away" / "busy"   ; any other text reads as "available"
//           ; stx: shown as one line of at most 80 UTF-16 units; av: any other size is an error
//   group-id = tstr .regexp "[0-9a-f]{32}"
//   sha256 = bstr .size 32
//   peer-id = tstr .regexp "[0-9a-f]{64}"
//   uuid-text = tstr   ; not the nil UUID
//
// Unknown "t" values and unknown keys are ignored; anything else malformed is an error.

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUuid>

#include <optional>
#include <variant>

class QCborMap;
class QCborValue;

namespace Protocol {

constexpr int Version = 1;
constexpr int MinVersion = 1;
constexpr qsizetype MaxFrameSize = 1024 * 1024;
constexpr qsizetype MaxTextBytes = 64 * 1024;
constexpr qsizetype MaxNameLength = 64;
constexpr qsizetype MaxCapabilities = 32;
constexpr qsizetype MaxReasonLength = 200;
constexpr qsizetype PeerIdLength = 64;

// File transfers.
// The bytes of one `data` message, at most: a frame of it stays well under MaxFrameSize.
constexpr qsizetype MaxChunkBytes = 256 * 1024;
// An offer's display name, in UTF-16 units (as singleLine()): a file name's 255 bytes of ASCII.
constexpr qsizetype MaxTransferNameLength = 255;
// Manifest entries in one `man` page; the sender fills a page up to ManifestPageBytes.
constexpr qsizetype MaxManifestPageEntries = 100'000;
constexpr qsizetype ManifestPageBytes = 512 * 1024;
// Entries of one offer ("n").
constexpr qint64 MaxManifestEntries = qint64(1) << 31;
// Every size, offset and index of a transfer: an integer a double holds exactly, so that sums
// of them cannot overflow and any peer's language reads them alike.
constexpr qint64 MaxTransferValue = qint64(1) << 53;
constexpr qsizetype Sha256Bytes = 32;

// What a connection carries, as named in the dialling side's hello. The same values as the
// transport's StreamKind (core/net/transport.h), which the net layer maps it to.
enum class Stream : quint8 {
    Chat, // "stream" absent or "chat": the conversation (every version 1 peer)
    Bulk, // "stream": "bulk": large transfers beside the conversation
};
// The capability (hello "caps") of a peer that takes streams other than chat.
inline constexpr char StreamsCapability[] = "streams";
// The capability of a peer that takes peer exchange ("pex").
inline constexpr char PexCapability[] = "pex";
// --- Avatars (issue 15) ---
// The capability of a peer that answers avget with av.
inline constexpr char AvatarCapability[] = "av";
// An avatar's PNG, at most (and its pixels, at most MaxAvatarSide on each side).
constexpr qsizetype MaxAvatarBytes = 64 * 1024;
// --- end avatars ---

// --- Presence (issue 15) ---
// What a person says of their availability ("st" in hello, pres and LAN announcements).
enum class Status : quint8 { Available, Away, Busy };
// A status text ("stx") as shown: singleLine() to this many UTF-16 units on receipt.
constexpr qsizetype MaxStatusTextLength = 80;
QLatin1StringView statusName(Status status);
// "available", "away", "busy"; anything else (version 1's "online" too) reads as Available.
Status statusFromName(QStringView name);
// --- end presence ---

struct Hello
{
    int version = Version;
    int minVersion = MinVersion;
    QString peerId;
    QString name;
    quint16 port = 0;
    QStringList capabilities;
    Stream stream = Stream::Chat; // sent only when not Chat, so a chat hello is as in v1
    // --- Presence (issue 15) ---
    Status status = Status::Available;
    QString statusText{};    // sent only when not empty
    QByteArray avatarHash{}; // Sha256Bytes, or empty (not sent)
    // --- end presence ---

    bool hasCapability(QLatin1StringView name) const { return capabilities.contains(name); }
    QCborMap toCbor() const;
    static std::optional<Hello> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Hello &o) const;
};

struct Chat
{
    // A constructor, not an aggregate: "re" is optional (issue 15), and every Chat{id, ts, text}
    // written before it stays as it was, without a missing-initializer warning.
    Chat() = default;
    Chat(const QUuid &id, const QDateTime &sentAt, QString text, const QUuid &replyTo = {})
        : id(id)
        , sentAt(sentAt)
        , text(std::move(text))
        , replyTo(replyTo)
    {}

    QUuid id;
    QDateTime sentAt; // UTC, millisecond precision
    QString text;
    QUuid replyTo; // "re": the message quoted (either direction); null when absent

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

// A transfer offered (chat stream, sender to receiver): what the receiver stores and shows.
// The manifest itself is fetched on the bulk stream (mreq/man) and checked against mh.
struct Offer
{
    QUuid id;         // xid, chosen by the sender
    QDateTime sentAt; // UTC, millisecond precision
    QString name;     // for display: singleLine(..., MaxTransferNameLength) on receipt
    qint64 size = 0;  // bytes of all files
    qint64 files = 0;
    qint64 entries = 0;      // "n": files and explicit folders, 1..MaxManifestEntries
    bool folder = false;     // a Folder offer (one top folder), else a Files offer
    QByteArray manifestHash; // SHA-256 of the manifest, Sha256Bytes

    QCborMap toCbor() const;
    static std::optional<Offer> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Offer &o) const;
};

// A transfer's state changes, either way on the chat stream ("xfer").
struct TransferControl
{
    enum class Op : quint8 {
        Seen,    // receiver: the offer is stored
        Accept,  // receiver
        Decline, // receiver
        Cancel,  // either
        Pause,   // either
        Resume,  // either
        Done,    // receiver: every file verified and in place
        Failed,  // either; reason says why
        Unknown, // an op this version does not know: ignored (forward compatible)
    };

    QUuid id;
    Op op = Op::Seen;
    QString reason; // singleLine(..., MaxReasonLength) on receipt; sent only when not empty

    QCborMap toCbor() const;
    static std::optional<TransferControl> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const TransferControl &o) const;
};

// Bulk, receiver to sender: the manifest's entries from index `from`.
struct ManifestRequest
{
    QUuid id;
    qint64 from = 0;

    QCborMap toCbor() const;
    static std::optional<ManifestRequest> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const ManifestRequest &o) const { return id == o.id && from == o.from; }
};

// One entry of a manifest as it travels; the files service checks the whole (OfferCheck).
struct ManifestEntry
{
    QString path;    // relative, '/'-separated, exactly as sent
    qint64 size = 0; // 0 for a folder
    bool folder = false;

    bool operator==(const ManifestEntry &o) const
    {
        return path == o.path && size == o.size && folder == o.folder;
    }
};

// Bulk, sender to receiver: entries from..from + entries.size() - 1 ("man").
struct ManifestPage
{
    QUuid id;
    qint64 from = 0;
    QList<ManifestEntry> entries; // at most MaxManifestPageEntries; empty only when last
    bool last = false;

    QCborMap toCbor() const;
    static std::optional<ManifestPage> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const ManifestPage &o) const;
};

// Bulk, receiver to sender: send file `index` from byte `offset`, then every later file.
struct FileGet
{
    QUuid id;
    quint32 request = 0; // "g": one more per get; data and fend echo it
    qint64 index = 0;
    qint64 offset = 0;
    // SHA-256 of the receiver's first `offset` bytes of the file: required when offset > 0,
    // sent only when not empty.
    QByteArray prefixHash;

    QCborMap toCbor() const;
    static std::optional<FileGet> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const FileGet &o) const;
};

// Bulk, sender to receiver: bytes of file `index` from `offset`. Most of a transfer's bytes,
// so encode() writes it straight into its frame and decode() reads it without a QCborValue.
struct FileData
{
    QUuid id;
    quint32 request = 0;
    qint64 index = 0;
    qint64 offset = 0;
    QByteArray data; // 1..MaxChunkBytes bytes

    QCborMap toCbor() const;
    static std::optional<FileData> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const FileData &o) const;
};

// Bulk, sender to receiver: the whole of file `index` has been sent.
struct FileEnd
{
    QUuid id;
    quint32 request = 0;
    qint64 index = 0;
    QByteArray sha256; // of the file's bytes as the sender read them, Sha256Bytes

    QCborMap toCbor() const;
    static std::optional<FileEnd> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const FileEnd &o) const;
};

// Groups. The bodies are carried as bytes: the signature is over exactly them, so they are
// decoded (Groups::decode) by the groups service, not here. Limits: core/groups/grouplimits.h.

// One group message (body, signature) and a member's signed receipt ("gmsg", "grcpt"): the same
// shape, one template with a tag each.
template<typename Tag>
struct SignedMessage
{
    QByteArray body; // 1..Groups::MaxGroupBody bytes
    QByteArray sig;  // 1..Groups::MaxSignatureBytes bytes

    QCborMap toCbor() const;
    static std::optional<SignedMessage> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const SignedMessage &o) const { return body == o.body && sig == o.sig; }
};

struct GroupMessageTag
{
    static constexpr char Name[] = "gmsg";
};
struct GroupReceiptTag
{
    static constexpr char Name[] = "grcpt";
};

using GroupMessage = SignedMessage<GroupMessageTag>;
using GroupReceipt = SignedMessage<GroupReceiptTag>;

// Catch-up answer: (body, sig) pairs in (lc, author, seq) order ("gpage").
struct GroupPage
{
    QString group;
    QList<QPair<QByteArray, QByteArray>> messages; // at most MaxPageMessages, MaxPageBytes of bodies
    bool more = false;                             // the sender has more after these: pull again

    QCborMap toCbor() const;
    static std::optional<GroupPage> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const GroupPage &o) const;
};

// Per author, the highest seq held contiguously from 1: "what I hold" (gsync) and "send me what
// follows these" (gpull, authors absent: from seq 1). The same shape, a tag each.
template<typename Tag>
struct HeadsMessage
{
    QString group;
    QHash<QString, qint64> heads; // peer ID -> seq, at most Groups::MaxHeads entries

    QCborMap toCbor() const;
    static std::optional<HeadsMessage> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const HeadsMessage &o) const { return group == o.group && heads == o.heads; }
};

struct GroupSyncTag
{
    static constexpr char Name[] = "gsync";
};
struct GroupPullTag
{
    static constexpr char Name[] = "gpull";
};

using GroupSync = HeadsMessage<GroupSyncTag>;
using GroupPull = HeadsMessage<GroupPullTag>;

// Peer exchange: peers the sender is connected to now, and where it reaches each ("pex").
// Every entry is a claim of the sender's, dialled only to the ID given (core/peers/dialer.h).
struct Pex
{
    static constexpr qsizetype MaxPeers = 64;
    static constexpr qsizetype MaxAddresses = 8;
    static constexpr qsizetype MaxAddressLength = 64;

    struct Peer
    {
        QString id;
        QStringList addresses; // "host:port", 1..MaxAddresses of 1..MaxAddressLength characters
        bool operator==(const Peer &o) const { return id == o.id && addresses == o.addresses; }
    };
    QList<Peer> peers; // at most MaxPeers, each ID once

    QCborMap toCbor() const;
    static std::optional<Pex> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Pex &o) const { return peers == o.peers; }
};

// --- Typing and quoting (issue 15) ---
// The sender's person is typing in the conversation with us ("on"), or stopped. Never stored;
// a peer that does not know it ignores it (an unknown type).
struct Typing
{
    bool on = false;

    QCborMap toCbor() const;
    static std::optional<Typing> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Typing &o) const { return on == o.on; }
};
// --- end typing and quoting ---
// --- Avatars (issue 15) ---
// "Send me your picture whose SHA-256 is h" (avget). Answered only for the current one.
struct AvatarGet
{
    QByteArray hash; // Sha256Bytes

    QCborMap toCbor() const;
    static std::optional<AvatarGet> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const AvatarGet &o) const { return hash == o.hash; }
};

// The sender's picture (av). The bytes are only checked for size here: whether they are the
// picture announced and a PNG is for the avatars service (core/avatars/avatarimage.h).
struct Avatar
{
    QByteArray hash; // Sha256Bytes
    QByteArray png;  // 1..MaxAvatarBytes

    QCborMap toCbor() const;
    static std::optional<Avatar> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Avatar &o) const { return hash == o.hash && png == o.png; }
};
// --- end avatars ---
// --- Presence (issue 15) ---
// The sender's name, status, status text and avatar hash, sent to every connected peer when one
// of them changes ("pres"). The same values as a hello's: a new connection needs none.
struct Presence
{
    QString name; // singleLine(..., MaxNameLength) on receipt
    Status status = Status::Available;
    QString statusText{};    // singleLine(..., MaxStatusTextLength) on receipt; sent when not empty
    QByteArray avatarHash{}; // Sha256Bytes, or empty (not sent)

    QCborMap toCbor() const;
    static std::optional<Presence> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Presence &o) const
    {
        return name == o.name && status == o.status && statusText == o.statusText
               && avatarHash == o.avatarHash;
    }
};
// --- end presence ---

// --- Carried delivery (issue 16; docs/protocol.md, "Carried delivery") ---
// Limits of what carriers take (core/relay): an envelope's bytes, a route's certificate.
constexpr qsizetype MaxEnvelopeBytes = 80 * 1024;
constexpr qsizetype MaxRouteCertBytes = 4 * 1024;
constexpr qsizetype EnvelopeIdBytes = 16;

// What the sender allows the receiver to do for it, and it for the receiver ("carry").
struct Carry
{
    bool relay = false;
    bool hold = false;

    QCborMap toCbor() const;
    static std::optional<Carry> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Carry &o) const { return relay == o.relay && hold == o.hold; }
};

// Peers the sender can pass the receiver's envelopes to now ("routes").
struct Routes
{
    static constexpr qsizetype MaxPeers = 64;
    struct Peer
    {
        QString id;
        QString name;    // singleLine(..., MaxNameLength) on receipt
        QByteArray cert; // DER, 1..MaxRouteCertBytes; SHA-256 == id is the receiver's check
        bool operator==(const Peer &o) const
        {
            return id == o.id && name == o.name && cert == o.cert;
        }
    };
    QList<Peer> peers; // at most MaxPeers, each ID once

    QCborMap toCbor() const;
    static std::optional<Routes> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Routes &o) const { return peers == o.peers; }
};

// One sealed envelope (core/relay/envelope.h) and what to do with it: pass it on now ("rly"),
// it is for you ("env"), keep it for its recipient ("hold"). The same shape, a tag each. Only
// the size is checked here (1..MaxEnvelopeBytes); the envelope is read by core/relay.
template<typename Tag>
struct EnvelopeMessage
{
    QByteArray envelope;

    QCborMap toCbor() const;
    static std::optional<EnvelopeMessage> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const EnvelopeMessage &o) const { return envelope == o.envelope; }
};
struct RelayTag
{
    static constexpr char Name[] = "rly";
};
struct DeliverTag
{
    static constexpr char Name[] = "env";
};
struct HoldTag
{
    static constexpr char Name[] = "hold";
};
using RelayEnvelope = EnvelopeMessage<RelayTag>;
using DeliverEnvelope = EnvelopeMessage<DeliverTag>;
using HoldEnvelope = EnvelopeMessage<HoldTag>;

// A helper's answer to hold ("held"): kept, or refused and why (one line, MaxReasonLength).
struct Held
{
    QByteArray envelopeId; // EnvelopeIdBytes
    bool ok = false;
    QString why{};

    QCborMap toCbor() const;
    static std::optional<Held> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Held &o) const
    {
        return envelopeId == o.envelopeId && ok == o.ok && why == o.why;
    }
};

// The recipient has these envelopes: the helper drops its copies ("got").
struct Got
{
    static constexpr qsizetype MaxIds = 256;
    QList<QByteArray> envelopeIds; // 1..MaxIds, each EnvelopeIdBytes

    QCborMap toCbor() const;
    static std::optional<Got> fromCbor(const QCborMap &map, QString *error);
    QString toString() const;
    bool operator==(const Got &o) const { return envelopeIds == o.envelopeIds; }
};
// --- end carried delivery ---

// A well-formed message of a type this version does not know. Ignored by receivers.
struct Unknown
{
    QString type;
    QString toString() const;
    bool operator==(const Unknown &o) const { return type == o.type; }
};

using Message = std::variant<Hello,
                             Chat,
                             Ack,
                             Read,
                             Resend,
                             Ping,
                             Pong,
                             Bye,
                             Offer,
                             TransferControl,
                             ManifestRequest,
                             ManifestPage,
                             FileGet,
                             FileData,
                             FileEnd,
                             GroupMessage,
                             GroupPage,
                             GroupSync,
                             GroupPull,
                             GroupReceipt,
                             Pex,
                             Typing,          // issue 15, typing and quoting
                             AvatarGet,       // avatars (issue 15)
                             Avatar,          // avatars (issue 15)
                             Presence,        // issue 15
                             Carry,           // issue 16, carried delivery
                             Routes,          // issue 16
                             RelayEnvelope,   // issue 16
                             DeliverEnvelope, // issue 16
                             HoldEnvelope,    // issue 16
                             Held,            // issue 16
                             Got,             // issue 16
                             Unknown>;

// Encodes a message to its CBOR payload (without the frame header).
QByteArray encode(const Message &message);
// Encodes a message and prepends the frame header.
QByteArray encodeFrame(const Message &message);
// Decodes one frame payload. On failure returns nullopt and sets *error.
std::optional<Message> decode(const QByteArray &payload, QString *error);
// decode() without its fast path for chat, ack, read and data laid out as encode() writes them: the
// fuzz target checks that both agree on every input.
std::optional<Message> decodeGeneral(const QByteArray &payload, QString *error);
QString toString(const Message &message);

// CBOR field readers shared with other signed or framed formats (core/groups/groupbody):
// a text string exactly as sent (a leading U+FEFF kept, which QCborValue::toString() drops),
// and a map's text field, or nullopt and *error saying what is missing or mistyped.
QString exactString(const QCborValue &v);
std::optional<QString> textField(const QCborMap &map, QLatin1StringView key, QString *error);
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
