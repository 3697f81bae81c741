// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The signed body of a group message, and of a group receipt. Grammar (CDDL), also in
// docs/protocol.md "Groups":
//
//   gbody = { "g": group-id, "a": peer-id, "s": uint, "lc": uint, "p": bstr .size 32,
//             "ts": int, "k": "text" / "create" / "add" / "remove" / "leave" / "rename",
//             ? "text": tstr, ? "name": tstr, ? "nonce": bstr .size 16,
//             ? "m": [+ member], ? "r": [+ [peer-id, uint]],
//             ? "re": uuid-text }   ; text only: the group message it quotes (issue 15)
//   member = { "id": peer-id, "cert": bstr, "name": tstr }   ; SHA-256(cert) = id
//   rbody = { "g": group-id, "m": peer-id, "a": peer-id, "d": uint, "r": uint, "ts": int }
//   group-id = tstr .regexp "[0-9a-f]{32}"
//   ; s, lc >= 1; s, lc, d, r, cuts <= 2^53; r <= d; p is 32 zero bytes when s = 1;
//   ; ts in 0..253402300799999; no text key twice; members and removals: 1..256, no ID twice
//   uuid-text = tstr   ; canonical: 36 lowercase characters, no braces, not the nil UUID
//
// Unknown keys are ignored; an unknown "k", a kind without its fields, anything out of range is
// malformed (every member must be able to judge every message of a signed log). Pure: no I/O,
// fuzzed (tests/fuzz/fuzz_groupbody.cpp).

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QPair>
#include <QString>
#include <QUuid>

#include <optional>

namespace Groups {

enum class Kind { Text, Create, Add, Remove, Leave, Rename };

struct Member
{
    QString id;      // peer ID: SHA-256 of cert, checked by decode()
    QByteArray cert; // DER X.509, at most MaxCertBytes
    QString name;    // as the adder knows it: singleLine(..., MaxMemberNameLength) on decode

    bool operator==(const Member &o) const
    {
        return id == o.id && cert == o.cert && name == o.name;
    }
};

struct Body
{
    QString group;    // 32 lowercase hex
    QString author;   // peer ID
    qint64 seq = 0;   // 1.. per author in this group
    qint64 lc = 0;    // Lamport clock, 1..
    QByteArray prev;  // linkHash of the author's message seq - 1; 32 zero bytes when seq = 1
    QDateTime sentAt; // the author's clock, UTC ms: shown, never used for order
    Kind kind = Kind::Text;
    QString text;                          // Text
    QString name;                          // Create, Rename: 1..MaxNameLength after singleLine()
    QByteArray nonce;                      // Create: NonceBytes
    QList<Member> members;                 // Create (the author included), Add: 1..MaxMembers
    QList<QPair<QString, qint64>> removed; // Remove: (member, cut), 1..MaxMembers
    QUuid replyTo; // Text, issue 15: the message of this group it quotes ("re"); null if none

    bool operator==(const Body &o) const;
    QString toString() const;
};

// Deterministic CBOR: the same body always gives the same bytes (keys in a fixed order, only
// the kind's own fields).
QByteArray encode(const Body &body);
// Strict: nullopt and *error on anything malformed. Does not judge the group ID against the
// create's nonce or membership: that is the service's (GroupState).
std::optional<Body> decode(const QByteArray &bytes, QString *error);

// hex(SHA-256(UTF-8(ownerId) || nonce)[0..16]): 32 lowercase hex digits.
QString groupIdFor(const QString &ownerId, const QByteArray &nonce);
// The UUID of (group, author, seq): SHA-256("shoal-gmsg" || group || author || seq as 8 bytes
// big-endian), first 16 bytes, version nibble 8, RFC 4122 variant.
QUuid messageId(const QString &group, const QString &author, qint64 seq);
// SHA-256(body || sig): the next message's "p".
QByteArray linkHash(const QByteArray &body, const QByteArray &sig);

bool isValidGroupId(const QString &id);
QString kindName(Kind kind);

// A member's receipt for one author's messages in a group, signed by the member.
struct ReceiptBody
{
    QString group;
    QString member;       // who speaks (signs)
    QString author;       // whose messages
    qint64 delivered = 0; // holds author's 1..delivered
    qint64 read = 0;      // has shown 1..read; read <= delivered
    QDateTime sentAt;

    bool operator==(const ReceiptBody &o) const;
    QString toString() const;
};

QByteArray encodeReceipt(const ReceiptBody &receipt);
std::optional<ReceiptBody> decodeReceipt(const QByteArray &bytes, QString *error);

} // namespace Groups
