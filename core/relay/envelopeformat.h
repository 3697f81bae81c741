// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The pieces of a sealed envelope (docs/protocol.md, "Envelope"): its deterministic CBOR, the
// bytes the author signs, and the encryption of an inner map for a recipient's certificate.
// Used by Relay::Sealer and Relay::Opener (envelope.h), and by the tests and the fuzz target that
// forge envelopes a well-behaved Sealer would never make. Pure: no sockets, no disk.

#include <QByteArray>
#include <QString>

#include <optional>

typedef struct evp_pkey_st EVP_PKEY;

namespace Relay::EnvelopeFormat {

constexpr int Version = 1;
inline constexpr char KeyInfo[] = "shoal-envelope-v1"; // HKDF info prefix
inline constexpr char SignatureContext[] = "shoal-envelope-sig-v1";
constexpr qsizetype PointBytes = 65; // an uncompressed P-256 point
constexpr qsizetype TagBytes = 16;   // AES-256-GCM's tag, at the end of ct
constexpr qsizetype KeyBytes = 32;   // AES-256
constexpr qsizetype NonceBytes = 12; // all zero: each key seals one plaintext
constexpr qsizetype MaxAuthorCertBytes = 4 * 1024;
constexpr qsizetype MaxSignatureBytes = 80;

// The outer map: v, to, eid, exp, epk, ct, in this order.
struct Fields
{
    QString to;
    QByteArray id;
    qint64 expiresAt = 0;
    QByteArray epk;
    QByteArray ct;
};
QByteArray encode(const Fields &fields);
// The AEAD's associated data: the map without ct (v, to, eid, exp, epk).
QByteArray associatedData(const Fields &fields);
// The outer map, checked for shape and for being exactly encode()'s bytes (one envelope has one
// encoding), and for size (1..Protocol::MaxEnvelopeBytes). nullopt and *error otherwise.
std::optional<Fields> decode(const QByteArray &envelope, QString *error);

// The plaintext: from (the author's certificate, DER), m (one wire message), sig.
struct Inner
{
    QByteArray from;
    QByteArray message;
    QByteArray signature;
};
QByteArray encodeInner(const Inner &inner);
std::optional<Inner> decodeInner(const QByteArray &plaintext, QString *error);

// What the author signs: the context, to (its 64 ASCII characters), eid, exp (8 bytes, big
// endian) and m.
QByteArray signedBytes(const QString &to,
                       const QByteArray &id,
                       qint64 expiresAt,
                       const QByteArray &message);

// The envelope of `plaintext` for the holder of the key in `recipientCertDer` (whose ID must be
// `to`): a fresh P-256 key pair, ECDH, HKDF-SHA256, AES-256-GCM. Empty and *error on failure
// (a certificate without a P-256 key, an envelope over Protocol::MaxEnvelopeBytes, or anything
// decode() would refuse: an expiry below 0, an eid of another size, a `to` that is no peer ID,
// an empty plaintext).
QByteArray seal(const QByteArray &recipientCertDer,
                const QString &to,
                const QByteArray &id,
                qint64 expiresAt,
                const QByteArray &plaintext,
                QString *error);

// The plaintext of `fields` for the holder of `ourKey` (an EC P-256 private key): ECDH with epk,
// HKDF-SHA256, AES-256-GCM with associatedData(fields). nullopt and *error when epk is not a
// P-256 point or the tag does not verify (altered, or sealed for another key).
std::optional<QByteArray> open(EVP_PKEY *ourKey, const Fields &fields, QString *error);

} // namespace Relay::EnvelopeFormat
