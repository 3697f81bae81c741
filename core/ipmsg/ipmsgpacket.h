// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// IP Messenger (IPMsg) datagrams, as IP Messenger for Windows, FeiQ and iptux send them
// (docs/ipmsg.md; the facts and their sources: shirouzu/ipmsg prot-eng.txt, iptux-src/iptux).
// Pure: bytes in, structs out. Every datagram is hostile input: decode() returns nullopt for
// anything malformed or over a limit and never a half-filled packet.
//
//   datagram   = version ":" packet-no ":" user ":" host ":" command ":" extra [NUL]
//   version    = "1" *(any byte but ":")   ; atoi() must give 1 ("1_iptux 0.8.3", "1_lbt6_0#…")
//   packet-no  = 1*10 DIGIT                ; decimal, < 2^32
//   command    = 1*10 DIGIT                ; decimal, < 2^32: low 8 bits mode, high 24 options
//   extra      = field *(NUL field)        ; the message or nickname first, then the group,
//                                          ; a file list, iptux's icon and encoding fields
//
// Text fields are bytes here; IpmsgCodec below turns them into QString and back.

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

namespace Ipmsg {

// Commands (the low 8 bits) and options (the high 24), from shirouzu/ipmsg src/ipmsg.h.
enum Command : quint32 {
    NoOperation = 0x00,
    BrEntry = 0x01,
    BrExit = 0x02,
    AnsEntry = 0x03,
    BrAbsence = 0x04,
    SendMsg = 0x20,
    RecvMsg = 0x21,
    ReadMsg = 0x30,
    GetInfo = 0x40,
    SendInfo = 0x41,
    GetAbsenceInfo = 0x50,
    SendAbsenceInfo = 0x51,
    GetFileData = 0x60,
    ReleaseFiles = 0x61,
    GetDirFiles = 0x62,
    IptuxSendMsg = 0xFB, // iptux's group message: read as a message
};
enum Option : quint32 {
    AbsenceOpt = 0x00000100,   // entry commands: the sender is away
    DialupOpt = 0x00010000,    // entry commands: unicast, broadcasts do not reach the sender
    SendCheckOpt = 0x00000100, // SENDMSG: answer with RECVMSG
    SecretOpt = 0x00000200,
    BroadcastOpt = 0x00000400, // SENDMSG to many: never answered
    AutoRetOpt = 0x00002000,   // an automatic answer: never answered
    FileAttachOpt = 0x00200000,
    EncryptOpt = 0x00400000,
    Utf8Opt = 0x00800000,    // this packet's text is UTF-8
    CapUtf8Opt = 0x01000000, // the sender can read UTF-8
};
constexpr quint32 modeOf(quint32 command)
{
    return command & 0xFF;
}
constexpr quint32 optionsOf(quint32 command)
{
    return command & 0xFFFFFF00;
}

constexpr quint16 DefaultPort = 2425;
// What one datagram may be (IPMsg for Windows reads at most 64 KiB; iptux 8 KiB): longer
// input is refused before parsing.
constexpr qsizetype MaxDatagramSize = 65507;
// A message's text as kept: the rest is cut (UTF-16 units after decoding).
constexpr qsizetype MaxTextLength = 32 * 1024;
// Nickname, group, user and host names: one line, at most this (after decoding).
constexpr qsizetype MaxNameLength = 64;
// Files offered in one packet; more make the packet malformed.
constexpr qsizetype MaxFilesPerOffer = 1000;

// Shoal's version field: starts with "1_" (FeiQ) and atoi() gives 1 (IPMsg for Windows);
// "1_shoal" marks another Shoal, which is never talked to over IPMsg (it is reached over TLS).
QByteArray shoalVersion();
bool isShoalVersion(const QByteArray &version);

struct Packet
{
    QByteArray version;
    quint32 packetNo = 0;
    QByteArray user; // the sender's login name (bytes as sent)
    QByteArray host; // the sender's host name
    quint32 command = 0;
    QList<QByteArray> extra; // the extra section split at NUL; a trailing NUL adds no field

    quint32 mode() const { return modeOf(command); }
    quint32 options() const { return optionsOf(command); }
    QByteArray field(qsizetype i) const { return extra.value(i); }

    // ':' in user and host is replaced by ';' (the spec's rule); a NUL ends the datagram.
    QByteArray encode() const;
    static std::optional<Packet> decode(const QByteArray &datagram, QString *error);
};

// One file of an attachment list (SENDMSG | FILEATTACHOPT, third field after the text's NUL):
//   file = file-id ":" name ":" size-hex ":" mtime-hex ":" attr-hex *(":" ext) ":" BEL [":"]
// with "::" for a ':' inside a name. file-id is decimal from IPMsg for Windows and iptux.
struct FileEntry
{
    enum Type : quint32 { Regular = 1, Directory = 2, ReturnParent = 3, Symlink = 4 };
    quint32 fileId = 0;
    QByteArray name; // as sent (bytes): IpmsgCodec decodes, SafeName checks before any use
    quint64 size = 0;
    qint64 mtime = 0;             // seconds since the epoch
    quint32 attributes = Regular; // low 8 bits: Type
    Type type() const { return Type(attributes & 0xFF); }
};
QByteArray encodeFileList(const QList<FileEntry> &files);
std::optional<QList<FileEntry>> decodeFileList(const QByteArray &field, QString *error);

// GETFILEDATA's extra "packet-hex:file-id-hex:offset-hex" (a trailing ':' and fields after the
// third are ignored), sent over TCP to the offering side.
struct FileRequest
{
    quint32 packetNo = 0;
    quint32 fileId = 0;
    quint64 offset = 0;
    QByteArray encode() const;
    static std::optional<FileRequest> decode(const QByteArray &field, QString *error);
};

// The text codec: what arrives is UTF-8 when the packet has UTF8OPT or the bytes are valid
// UTF-8, else GB18030 (covers GBK/CP936); what goes out is UTF-8, or GB18030 for a peer that
// uses it (FeiQ, "1_lbt…": GBK always). Qt's ICU-backed QStringDecoder/QStringEncoder.
enum class Encoding { Utf8, Gb18030 };
struct Decoded
{
    QString text;
    Encoding encoding = Encoding::Utf8;
};
Decoded decodeText(const QByteArray &bytes, bool utf8Option);
QByteArray encodeText(const QString &text, Encoding encoding);
// The encoding to reply in, from the version field and what the peer last sent.
Encoding replyEncoding(const QByteArray &version, Encoding lastSeen);

// An IPMsg user's peer ID inside Shoal: 64 hex digits, SHA-256 of "shoal-ipmsg:<ip>:<port>".
// Never a Shoal key's fingerprint (that would be a SHA-256 preimage), so an IPMsg user can
// never pose as a Shoal contact; and the address it was reached at proves which it is.
QString peerIdFor(const QHostAddress &host, quint16 port);
bool isPeerIdFor(const QString &peerId, const QString &hostPort); // "ip:port" as in PeerInfo

} // namespace Ipmsg
