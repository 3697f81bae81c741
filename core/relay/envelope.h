// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Sealed envelopes (issue 16; docs/protocol.md, "Carried delivery", "Envelope"): one wire
// message encrypted for its recipient (ECDH P-256 with the recipient's identity key, HKDF-SHA256,
// AES-256-GCM) and signed by its author's identity key, so that a peer carrying it can neither
// read nor change it. Pure: bytes in, bytes out; no sockets, no disk. Usable from any thread,
// one Opener per thread (its Verifier caches keys).

#include "identity/signer.h"
#include "protocol/messages.h"

#include <QByteArray>
#include <QSslCertificate>
#include <QString>

#include <memory>
#include <optional>

class Identity;

namespace Relay {

// How far ahead an envelope's expiry may be (helpers refuse later ones), and how far past it
// a recipient still opens one (clocks differ).
constexpr qint64 MaxLifetimeMs = qint64(7) * 24 * 3600 * 1000;
constexpr qint64 ClockSlackMs = 2 * 60 * 1000;

// What anyone can read of an envelope: its header, checked for shape only (v 1, a peer ID, 16
// bytes of eid, an expiry, a 65-byte point, a ciphertext). For carriers.
struct EnvelopeHeader
{
    QString to;
    QByteArray id;        // Protocol::EnvelopeIdBytes
    qint64 expiresAt = 0; // ms since epoch
    qsizetype size = 0;   // the whole envelope's bytes
};
// nullopt and *error for anything that is not an envelope of this version, or over
// Protocol::MaxEnvelopeBytes. Never crashes on any bytes (fuzz_envelope).
std::optional<EnvelopeHeader> readHeader(const QByteArray &envelope, QString *error);

// The author's side: seals messages with this profile's key.
class Sealer final
{
public:
    explicit Sealer(const Identity &identity);
    ~Sealer();
    Sealer(const Sealer &) = delete;
    Sealer &operator=(const Sealer &) = delete;

    // `message` (one of chat, ack, read, typing) for the holder of `recipient`, to be dropped by
    // carriers after `expiresAt` (ms since epoch). Empty and *error on failure (a certificate
    // without a P-256 key, a message type that is not carried, an expiry below 0). *envelopeId:
    // the eid chosen.
    QByteArray seal(const QSslCertificate &recipient,
                    const Protocol::Message &message,
                    qint64 expiresAt,
                    QByteArray *envelopeId,
                    QString *error) const;

private:
    QByteArray m_certDer;
    QString m_id;
    Signer m_signer;
};

// What the recipient found in an envelope that passed every check.
struct Opened
{
    QString author;        // peer ID: SHA-256 of the author's certificate
    QByteArray authorCert; // DER
    QByteArray envelopeId;
    qint64 expiresAt = 0;
    Protocol::Message message; // chat, ack, read or typing
};

// The recipient's side: opens envelopes addressed to this profile.
class Opener final
{
public:
    explicit Opener(const Identity &identity);
    ~Opener();
    Opener(const Opener &) = delete;
    Opener &operator=(const Opener &) = delete;

    // Every check of docs/protocol.md but the "opened before" one (the caller keeps each
    // (author, eid) it opened until expiresAt + ClockSlackMs: open() takes a copy until then):
    // addressed to us, not expired at `nowMs` (with ClockSlackMs), tag, author's certificate and
    // ID, not our own, signature, an inner message of a carried type. nullopt and *error (for
    // the log) on any failure. Never crashes on any bytes (fuzz_envelope).
    std::optional<Opened> open(const QByteArray &envelope, qint64 nowMs, QString *error);

private:
    struct Key;
    std::unique_ptr<Key> m_key; // our identity's private key, parsed once
    QString m_id;
    Verifier m_verifier;
};

// Whether `message` is of a type carried in envelopes (chat, ack, read, typing).
bool isCarried(const Protocol::Message &message);

} // namespace Relay
