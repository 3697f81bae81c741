// SPDX-License-Identifier: GPL-3.0-or-later
#include "envelope.h"

#include "envelopeformat.h"
#include "identity/identity.h"

#include <QCryptographicHash>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

using namespace Qt::StringLiterals;

namespace Relay {

namespace Format = EnvelopeFormat;

bool isCarried(const Protocol::Message &message)
{
    return std::holds_alternative<Protocol::Chat>(message)
           || std::holds_alternative<Protocol::Ack>(message)
           || std::holds_alternative<Protocol::Read>(message)
           || std::holds_alternative<Protocol::Typing>(message);
}

std::optional<EnvelopeHeader> readHeader(const QByteArray &envelope, QString *error)
{
    const auto fields = Format::decode(envelope, error);
    if (!fields)
        return std::nullopt;
    return EnvelopeHeader{fields->to, fields->id, fields->expiresAt, envelope.size()};
}

Sealer::Sealer(const Identity &identity)
    : m_certDer(identity.certificate().toDer())
    , m_id(identity.id())
    , m_signer(identity.privateKey())
{}

Sealer::~Sealer() = default;

QByteArray Sealer::seal(const QSslCertificate &recipient,
                        const Protocol::Message &message,
                        qint64 expiresAt,
                        QByteArray *envelopeId,
                        QString *error) const
{
    if (!isCarried(message)) {
        *error = u"%1 is not carried in envelopes"_s.arg(Protocol::toString(message).left(40));
        return {};
    }
    if (!m_signer.isValid()) {
        *error = u"this profile's key cannot sign"_s;
        return {};
    }
    QByteArray id(Protocol::EnvelopeIdBytes, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(id.data()), int(id.size())) != 1) {
        ERR_clear_error();
        *error = u"no random bytes for an envelope ID"_s;
        return {};
    }
    const QByteArray der = recipient.toDer();
    const QString to = Identity::fingerprint(recipient);
    const QByteArray m = Protocol::encode(message);
    const QByteArray sig = m_signer.sign(Format::signedBytes(to, id, expiresAt, m));
    if (sig.isEmpty()) {
        *error = u"signing failed"_s;
        return {};
    }
    QByteArray inner = Format::encodeInner({m_certDer, m, sig});
    QByteArray envelope = Format::seal(der, to, id, expiresAt, inner, error);
    OPENSSL_cleanse(inner.data(), size_t(inner.size()));
    if (!envelope.isEmpty() && envelopeId)
        *envelopeId = id;
    return envelope;
}

struct Opener::Key
{
    EVP_PKEY *key = nullptr;
    ~Key() { EVP_PKEY_free(key); }
};

Opener::Opener(const Identity &identity)
    : m_key(std::make_unique<Key>())
    , m_id(identity.id())
{
    QByteArray pem = identity.privateKey().toPem();
    BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
    m_key->key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
    BIO_free_all(bio);
    OPENSSL_cleanse(pem.data(), size_t(pem.size()));
    if (m_key->key && !EVP_PKEY_is_a(m_key->key, "EC")) {
        EVP_PKEY_free(m_key->key);
        m_key->key = nullptr;
    }
    ERR_clear_error();
}

Opener::~Opener() = default;

std::optional<Opened> Opener::open(const QByteArray &envelope, qint64 nowMs, QString *error)
{
    const auto fields = Format::decode(envelope, error);
    if (!fields)
        return std::nullopt;
    if (fields->to != m_id) {
        *error = u"the envelope is for %1, not for us"_s.arg(fields->to.left(8));
        return std::nullopt;
    }
    // Past its expiry, with slack for the clocks (written so that no sum overflows).
    if (nowMs > fields->expiresAt && nowMs - fields->expiresAt > ClockSlackMs) {
        *error = u"the envelope expired at %1"_s.arg(fields->expiresAt);
        return std::nullopt;
    }
    auto plaintext = Format::open(m_key->key, *fields, error);
    if (!plaintext)
        return std::nullopt;
    const auto inner = Format::decodeInner(*plaintext, error);
    OPENSSL_cleanse(plaintext->data(), size_t(plaintext->size()));
    if (!inner)
        return std::nullopt;
    const QString author = QString::fromLatin1(
        QCryptographicHash::hash(inner->from, QCryptographicHash::Sha256).toHex());
    if (author == m_id) {
        *error = u"the envelope claims to come from us"_s;
        return std::nullopt;
    }
    if (!m_verifier
             .verify(inner->from,
                     Format::signedBytes(fields->to, fields->id, fields->expiresAt, inner->message),
                     inner->signature)) {
        *error = u"the envelope's signature is not %1's"_s.arg(author.left(8));
        return std::nullopt;
    }
    QString decodeError;
    auto message = Protocol::decode(inner->message, &decodeError);
    if (!message) {
        *error = u"the sealed message from %1 is malformed: %2"_s.arg(author.left(8), decodeError);
        return std::nullopt;
    }
    if (!isCarried(*message)) {
        *error = u"%1 sealed %2, which is not carried"_s.arg(author.left(8),
                                                             Protocol::toString(*message).left(40));
        return std::nullopt;
    }
    return Opened{author, inner->from, fields->id, fields->expiresAt, std::move(*message)};
}

} // namespace Relay
