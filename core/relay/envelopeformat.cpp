// SPDX-License-Identifier: GPL-3.0-or-later
#include "envelopeformat.h"

#include "identity/opensslptr.h"
#include "identity/signer.h"
#include "protocol/messages.h"

#include <QCborMap>
#include <QCborStreamWriter>
#include <QCborValue>
#include <QtEndian>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include <array>
#include <cstring>
#include <memory>

using namespace Qt::StringLiterals;

namespace Relay::EnvelopeFormat {

namespace {

using PKeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using PKeyCtxPtr = OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using CipherCtxPtr = OpenSslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using KdfPtr = OpenSslPtr<EVP_KDF, EVP_KDF_free>;
using KdfCtxPtr = OpenSslPtr<EVP_KDF_CTX, EVP_KDF_CTX_free>;

// A secret on the stack, erased when it goes out of scope.
template<size_t N>
struct Secret
{
    std::array<unsigned char, N> bytes{};
    ~Secret() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
    unsigned char *data() { return bytes.data(); }
};

const unsigned char *uchars(const QByteArray &bytes)
{
    return reinterpret_cast<const unsigned char *>(bytes.constData());
}

// A P-256 public key from its uncompressed point; null if it is not a point of the curve.
PKeyPtr pointKey(const QByteArray &point)
{
    if (point.size() != PointBytes || point.at(0) != '\x04')
        return nullptr;
    char group[] = "prime256v1";
    QByteArray copy = point;
    const OSSL_PARAM params[]
        = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
           OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                             copy.data(),
                                             size_t(copy.size())),
           OSSL_PARAM_construct_end()};
    PKeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY *key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1
        || EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM *>(params))
               != 1) {
        ERR_clear_error();
        return nullptr;
    }
    PKeyPtr out(key);
    PKeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, out.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
        ERR_clear_error();
        return nullptr;
    }
    return out;
}

// ECDH, then HKDF-SHA256 (salt eid, info KeyInfo || epk || to): the envelope's AES key.
bool deriveKey(EVP_PKEY *ours, EVP_PKEY *theirs, const Fields &fields, Secret<KeyBytes> *key)
{
    PKeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, ours, nullptr));
    Secret<32> shared;
    size_t sharedSize = shared.bytes.size();
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1
        || EVP_PKEY_derive_set_peer(ctx.get(), theirs) != 1
        || EVP_PKEY_derive(ctx.get(), shared.data(), &sharedSize) != 1 || sharedSize != 32) {
        ERR_clear_error();
        return false;
    }
    QByteArray info = QByteArray(KeyInfo) + fields.epk + fields.to.toLatin1();
    QByteArray salt = fields.id;
    char digest[] = "SHA256";
    const OSSL_PARAM params[]
        = {OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
           OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, shared.data(), sharedSize),
           OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(), size_t(salt.size())),
           OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), size_t(info.size())),
           OSSL_PARAM_construct_end()};
    KdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    KdfCtxPtr kctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
    if (!kctx || EVP_KDF_derive(kctx.get(), key->data(), key->bytes.size(), params) != 1) {
        ERR_clear_error();
        return false;
    }
    return true;
}

void writeHeader(QCborStreamWriter &w, const Fields &fields, bool withCiphertext)
{
    w.startMap(withCiphertext ? 6 : 5);
    w.append("v"_L1);
    w.append(Version);
    w.append("to"_L1);
    w.append(fields.to);
    w.append("eid"_L1);
    w.append(fields.id);
    w.append("exp"_L1);
    w.append(fields.expiresAt);
    w.append("epk"_L1);
    w.append(fields.epk);
    if (withCiphertext) {
        w.append("ct"_L1);
        w.append(fields.ct);
    }
    w.endMap();
}

std::optional<QCborMap> parseMap(const QByteArray &bytes, const char *what, QString *error)
{
    QCborParserError parserError;
    const QCborValue value = QCborValue::fromCbor(bytes, &parserError);
    if (parserError.error != QCborError::NoError) {
        *error = u"%1 is not CBOR: %2"_s.arg(QLatin1StringView(what), parserError.errorString());
        return std::nullopt;
    }
    if (!value.isMap()) {
        *error = u"%1 is not a CBOR map"_s.arg(QLatin1StringView(what));
        return std::nullopt;
    }
    return value.toMap();
}

} // namespace

QByteArray encode(const Fields &fields)
{
    QByteArray out;
    QCborStreamWriter w(&out);
    writeHeader(w, fields, true);
    return out;
}

QByteArray associatedData(const Fields &fields)
{
    QByteArray out;
    QCborStreamWriter w(&out);
    writeHeader(w, fields, false);
    return out;
}

std::optional<Fields> decode(const QByteArray &envelope, QString *error)
{
    if (envelope.isEmpty() || envelope.size() > Protocol::MaxEnvelopeBytes) {
        *error = u"an envelope of %1 bytes (1..%2)"_s.arg(envelope.size())
                     .arg(Protocol::MaxEnvelopeBytes);
        return std::nullopt;
    }
    const auto map = parseMap(envelope, "the envelope", error);
    if (!map)
        return std::nullopt;
    const QCborValue v = map->value("v"_L1);
    if (!v.isInteger() || v.toInteger() != Version) {
        *error = u"not an envelope of version %1"_s.arg(Version);
        return std::nullopt;
    }
    Fields f;
    const QCborValue to = map->value("to"_L1);
    f.to = to.isString() ? Protocol::exactString(to) : QString();
    if (!Protocol::isValidPeerId(f.to)) {
        *error = u"the envelope's \"to\" is not a peer ID"_s;
        return std::nullopt;
    }
    f.id = map->value("eid"_L1).toByteArray();
    if (!map->value("eid"_L1).isByteArray() || f.id.size() != Protocol::EnvelopeIdBytes) {
        *error = u"the envelope's \"eid\" is not %1 bytes"_s.arg(Protocol::EnvelopeIdBytes);
        return std::nullopt;
    }
    const QCborValue exp = map->value("exp"_L1);
    if (!exp.isInteger() || exp.toInteger() < 0) {
        *error = u"the envelope's \"exp\" is not a time"_s;
        return std::nullopt;
    }
    f.expiresAt = exp.toInteger();
    f.epk = map->value("epk"_L1).toByteArray();
    if (!map->value("epk"_L1).isByteArray() || f.epk.size() != PointBytes || f.epk.at(0) != '\x04') {
        *error = u"the envelope's \"epk\" is not an uncompressed point"_s;
        return std::nullopt;
    }
    f.ct = map->value("ct"_L1).toByteArray();
    if (!map->value("ct"_L1).isByteArray() || f.ct.size() <= TagBytes) {
        *error = u"the envelope's \"ct\" is not a ciphertext"_s;
        return std::nullopt;
    }
    // Other keys, another order, longer forms of a length: another encoding of an envelope is
    // not an envelope (the AAD is computed, and a carrier must not make two of one).
    if (encode(f) != envelope) {
        *error = u"the envelope is not in its deterministic encoding"_s;
        return std::nullopt;
    }
    return f;
}

QByteArray encodeInner(const Inner &inner)
{
    QByteArray out;
    QCborStreamWriter w(&out);
    w.startMap(3);
    w.append("from"_L1);
    w.append(inner.from);
    w.append("m"_L1);
    w.append(inner.message);
    w.append("sig"_L1);
    w.append(inner.signature);
    w.endMap();
    return out;
}

std::optional<Inner> decodeInner(const QByteArray &plaintext, QString *error)
{
    const auto map = parseMap(plaintext, "the sealed message", error);
    if (!map)
        return std::nullopt;
    const QCborValue from = map->value("from"_L1);
    const QCborValue m = map->value("m"_L1);
    const QCborValue sig = map->value("sig"_L1);
    Inner inner{from.toByteArray(), m.toByteArray(), sig.toByteArray()};
    if (!from.isByteArray() || inner.from.isEmpty() || inner.from.size() > MaxAuthorCertBytes) {
        *error = u"the sealed \"from\" is not a certificate of 1..%1 bytes"_s.arg(
            MaxAuthorCertBytes);
        return std::nullopt;
    }
    if (!m.isByteArray() || inner.message.isEmpty()) {
        *error = u"the sealed \"m\" is not a message"_s;
        return std::nullopt;
    }
    if (!sig.isByteArray() || inner.signature.isEmpty()
        || inner.signature.size() > MaxSignatureBytes) {
        *error = u"the sealed \"sig\" is not 1..%1 bytes"_s.arg(MaxSignatureBytes);
        return std::nullopt;
    }
    if (encodeInner(inner) != plaintext) {
        *error = u"the sealed message is not in its deterministic encoding"_s;
        return std::nullopt;
    }
    return inner;
}

QByteArray signedBytes(const QString &to,
                       const QByteArray &id,
                       qint64 expiresAt,
                       const QByteArray &message)
{
    QByteArray out = QByteArray(SignatureContext) + to.toLatin1() + id;
    char exp[8];
    qToBigEndian<qint64>(expiresAt, exp);
    out.append(exp, sizeof exp);
    out += message;
    return out;
}

QByteArray seal(const QByteArray &recipientCertDer,
                const QString &to,
                const QByteArray &id,
                qint64 expiresAt,
                const QByteArray &plaintext,
                QString *error)
{
    // Nothing that decode() would refuse: an envelope no carrier or recipient reads is a failure.
    if (expiresAt < 0 || id.size() != Protocol::EnvelopeIdBytes || !Protocol::isValidPeerId(to)
        || plaintext.isEmpty()) {
        *error = u"no envelope for an expiry of %1, a %2-byte eid, \"to\" %3, %4 bytes"_s
                     .arg(expiresAt)
                     .arg(id.size())
                     .arg(to.left(8))
                     .arg(plaintext.size());
        return {};
    }
    const unsigned char *from = uchars(recipientCertDer);
    X509Ptr cert(d2i_X509(nullptr, &from, long(recipientCertDer.size())));
    PKeyPtr recipient(cert ? X509_get_pubkey(cert.get()) : nullptr);
    if (!recipient || !isP256Key(recipient.get())) {
        ERR_clear_error();
        *error = u"the recipient's certificate has no P-256 key"_s;
        return {};
    }
    // The ephemeral key: freed (and its private half erased by OpenSSL) when this returns.
    PKeyPtr ephemeral(EVP_EC_gen("P-256"));
    Fields fields{to, id, expiresAt, {}, {}};
    if (ephemeral) {
        size_t size = 0;
        fields.epk.resize(PointBytes);
        if (EVP_PKEY_get_octet_string_param(ephemeral.get(),
                                            OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                            reinterpret_cast<unsigned char *>(fields.epk.data()),
                                            size_t(fields.epk.size()),
                                            &size)
                != 1
            || size != size_t(PointBytes)) {
            fields.epk.clear();
        }
    }
    Secret<KeyBytes> key;
    if (fields.epk.isEmpty() || !deriveKey(ephemeral.get(), recipient.get(), fields, &key)) {
        ERR_clear_error();
        *error = u"key agreement failed"_s;
        return {};
    }
    const QByteArray aad = associatedData(fields);
    const std::array<unsigned char, NonceBytes> nonce{};
    fields.ct.resize(plaintext.size() + TagBytes);
    auto *out = reinterpret_cast<unsigned char *>(fields.ct.data());
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int length = 0;
    int total = 0;
    bool ok = ctx
              && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data())
              && EVP_EncryptUpdate(ctx.get(), nullptr, &length, uchars(aad), int(aad.size()));
    ok = ok && EVP_EncryptUpdate(ctx.get(), out, &length, uchars(plaintext), int(plaintext.size()));
    total = length;
    ok = ok && EVP_EncryptFinal_ex(ctx.get(), out + total, &length);
    total += length;
    ok = ok && total == plaintext.size()
         && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, int(TagBytes), out + total) == 1;
    if (!ok) {
        ERR_clear_error();
        *error = u"encryption failed"_s;
        return {};
    }
    QByteArray envelope = encode(fields);
    if (envelope.size() > Protocol::MaxEnvelopeBytes) {
        *error = u"the envelope would be %1 bytes (at most %2)"_s.arg(envelope.size())
                     .arg(Protocol::MaxEnvelopeBytes);
        return {};
    }
    return envelope;
}

std::optional<QByteArray> open(EVP_PKEY *ourKey, const Fields &fields, QString *error)
{
    PKeyPtr theirs = pointKey(fields.epk);
    if (!theirs) {
        *error = u"the envelope's \"epk\" is not a point of P-256"_s;
        return std::nullopt;
    }
    Secret<KeyBytes> key;
    if (!ourKey || !deriveKey(ourKey, theirs.get(), fields, &key)) {
        *error = u"key agreement failed"_s;
        return std::nullopt;
    }
    const QByteArray aad = associatedData(fields);
    const std::array<unsigned char, NonceBytes> nonce{};
    const qsizetype size = fields.ct.size() - TagBytes;
    QByteArray plaintext(size, Qt::Uninitialized);
    QByteArray tag = fields.ct.right(TagBytes);
    auto *out = reinterpret_cast<unsigned char *>(plaintext.data());
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int length = 0;
    bool ok = size > 0 && ctx
              && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data())
              && EVP_DecryptUpdate(ctx.get(), nullptr, &length, uchars(aad), int(aad.size()))
              && EVP_DecryptUpdate(ctx.get(), out, &length, uchars(fields.ct), int(size))
              && length == size
              && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, int(TagBytes), tag.data())
                     == 1
              && EVP_DecryptFinal_ex(ctx.get(), out + length, &length) == 1;
    ERR_clear_error();
    if (!ok) {
        OPENSSL_cleanse(plaintext.data(), size_t(plaintext.size()));
        *error = u"the envelope does not open: altered, or sealed for another key"_s;
        return std::nullopt;
    }
    return plaintext;
}

} // namespace Relay::EnvelopeFormat
