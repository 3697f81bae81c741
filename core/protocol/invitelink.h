// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// An invite link: what a person passes to another (mail, chat, QR code) so that the other's
// Shoal dials them and knows, by the key's fingerprint, that it reached them. Grammar, also in
// docs/protocol.md ("Invite links"):
//
//   link   = "shoal:invite?v=1&d=" base64url(cbor(invite))  ; no padding, ≤ 2,048 characters
//   invite = { "id": bstr .size 32,                        ; the peer ID (SHA-256 of its certificate)
//              "n": tstr,                                  ; name, ≤ 64 UTF-16 units once cleaned
//              "a": [1*8 (bstr .size 4 / bstr .size 16)],  ; IPv4 / IPv6 addresses
//              "p": 1..65535 }                             ; TCP port
//
// Whitespace anywhere in the text is ignored (mail clients wrap long lines). Strict otherwise:
// exactly the query keys v and d, each once; canonical base64url; one CBOR map and nothing after
// it, text keys, each once (unknown keys ignored, as in the rest of the protocol); no unspecified,
// multicast or repeated address.

#include <QCoreApplication>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

struct InviteLink
{
    Q_DECLARE_TR_FUNCTIONS(InviteLink)

public:
    static constexpr qsizetype MaxLength = 2048; // characters, whitespace not counted
    static constexpr qsizetype MaxAddresses = 8;
    static constexpr int Version = 1;

    QString peerId; // 64 lowercase hex digits
    QString name;   // as shown to people: Protocol::singleLine(…, Protocol::MaxNameLength)
    QList<QHostAddress> addresses; // 1..MaxAddresses, IPv4 or IPv6, no scope
    quint16 port = 0;

    // The link text. Addresses past MaxAddresses, null ones and repeats are left out; the
    // caller gives at least one address, a valid peer ID and a port.
    QString encode() const;
    // Reads a link a person pasted or clicked. On failure: nullopt, and *error is a sentence
    // for that person ("This is not a Shoal invite link.", a newer version, a damaged link).
    static std::optional<InviteLink> decode(const QString &text, QString *error);

    QString toString() const;
    bool operator==(const InviteLink &o) const;
};
