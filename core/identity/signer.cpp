// SPDX-License-Identifier: GPL-3.0-or-later
#include "signer.h"

#include "opensslptr.h"

#include <QLoggingCategory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

Q_LOGGING_CATEGORY(lcSigner, "shoal.identity")

namespace {

using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using MdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using SigPtr = OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using BnPtr = OpenSslPtr<BIGNUM, BN_free>;

// Half the order of P-256's group. An ECDSA signature (r, s) is also valid as (r, n - s): a
// relaying member could change a signature without the key, and with it the link hash the
// author's next message names, breaking that author's chain for everyone after. Only the low
// form (s <= n / 2) is made and taken, so a signature cannot be changed by anyone but its signer.
const BIGNUM *halfOrder()
{
    static const BIGNUM *const half = [] {
        BIGNUM *n = nullptr;
        BN_hex2bn(&n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
        BN_rshift1(n, n);
        return n;
    }();
    return half;
}

const BIGNUM *order()
{
    static const BIGNUM *const n = [] {
        BIGNUM *v = nullptr;
        BN_hex2bn(&v, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
        return v;
    }();
    return n;
}

QByteArray derOf(const ECDSA_SIG *sig)
{
    const int size = i2d_ECDSA_SIG(sig, nullptr);
    if (size <= 0)
        return {};
    QByteArray out(size, Qt::Uninitialized);
    auto *to = reinterpret_cast<unsigned char *>(out.data());
    if (i2d_ECDSA_SIG(sig, &to) != size)
        return {};
    return out;
}

// The signature parsed, when it is canonical DER of a low-S (r, s): any other encoding of a valid
// signature is refused, so that one signature has one form (see halfOrder()).
SigPtr canonicalSignature(const QByteArray &der)
{
    auto *from = reinterpret_cast<const unsigned char *>(der.constData());
    SigPtr sig(d2i_ECDSA_SIG(nullptr, &from, long(der.size())));
    if (!sig || derOf(sig.get()) != der)
        return nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(sig.get(), nullptr, &s);
    if (BN_cmp(s, halfOrder()) > 0)
        return nullptr;
    return sig;
}

} // namespace

bool isP256Key(EVP_PKEY *key)
{
    if (!EVP_PKEY_is_a(key, "EC"))
        return false;
    char name[64] = {};
    size_t length = 0;
    return EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &length)
           && std::strcmp(name, "prime256v1") == 0;
}

Signer::Signer(const QSslKey &key)
{
    QByteArray pem = key.toPem();
    {
        BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
        m_key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    }
    // The private key in the clear: erased, as Relay::Opener does with its copy.
    OPENSSL_cleanse(pem.data(), size_t(pem.size()));
    if (m_key && !isP256Key(m_key)) {
        EVP_PKEY_free(m_key);
        m_key = nullptr;
    }
    if (!m_key) {
        ERR_clear_error();
        qCWarning(lcSigner) << "the identity key is not an EC P-256 private key: cannot sign";
    }
}

Signer::~Signer()
{
    EVP_PKEY_free(m_key);
}

QByteArray Signer::sign(const QByteArray &data) const
{
    if (!m_key)
        return {};
    MdCtxPtr ctx(EVP_MD_CTX_new());
    size_t size = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, m_key) != 1
        || EVP_DigestSign(ctx.get(),
                          nullptr,
                          &size,
                          reinterpret_cast<const unsigned char *>(data.constData()),
                          size_t(data.size()))
               != 1) {
        ERR_clear_error();
        qCWarning(lcSigner) << "signing failed";
        return {};
    }
    QByteArray der(qsizetype(size), Qt::Uninitialized);
    if (EVP_DigestSign(ctx.get(),
                       reinterpret_cast<unsigned char *>(der.data()),
                       &size,
                       reinterpret_cast<const unsigned char *>(data.constData()),
                       size_t(data.size()))
        != 1) {
        ERR_clear_error();
        qCWarning(lcSigner) << "signing failed";
        return {};
    }
    der.truncate(qsizetype(size));
    // The low form (halfOrder()): (r, n - s) when s is above n / 2.
    auto *from = reinterpret_cast<const unsigned char *>(der.constData());
    SigPtr sig(d2i_ECDSA_SIG(nullptr, &from, long(der.size())));
    if (!sig)
        return {};
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    if (BN_cmp(s, halfOrder()) <= 0)
        return der;
    BnPtr lowS(BN_new());
    BnPtr r2(BN_dup(r));
    if (!lowS || !r2 || !BN_sub(lowS.get(), order(), s)
        || ECDSA_SIG_set0(sig.get(), r2.get(), lowS.get()) != 1) {
        ERR_clear_error();
        return {};
    }
    r2.release(); // now the signature's
    lowS.release();
    return derOf(sig.get());
}

void Verifier::KeyFree::operator()(EVP_PKEY *key) const
{
    EVP_PKEY_free(key);
}

Verifier::Verifier() = default;
Verifier::~Verifier() = default;

EVP_PKEY *Verifier::keyFor(const QByteArray &certDer)
{
    const auto found = m_keys.find(certDer);
    if (found != m_keys.end())
        return found->second.get();
    auto *from = reinterpret_cast<const unsigned char *>(certDer.constData());
    X509Ptr cert(d2i_X509(nullptr, &from, long(certDer.size())));
    KeyPtr key;
    // The whole of the bytes, nothing after: one certificate has one DER, as its ID does.
    if (cert && from == reinterpret_cast<const unsigned char *>(certDer.constEnd())) {
        key.reset(X509_get_pubkey(cert.get()));
        if (key && !isP256Key(key.get()))
            key.reset();
    }
    ERR_clear_error();
    if (qsizetype(m_keys.size()) >= MaxCachedKeys) {
        m_keys.erase(m_order.front());
        m_order.pop_front();
    }
    m_order.push_back(certDer);
    return m_keys.emplace(certDer, std::move(key)).first->second.get();
}

bool Verifier::verify(const QByteArray &certDer, const QByteArray &data, const QByteArray &sig)
{
    if (certDer.isEmpty() || sig.isEmpty() || !canonicalSignature(sig))
        return false;
    EVP_PKEY *key = keyFor(certDer);
    if (!key)
        return false;
    MdCtxPtr ctx(EVP_MD_CTX_new());
    const bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1
                    && EVP_DigestVerify(ctx.get(),
                                        reinterpret_cast<const unsigned char *>(sig.constData()),
                                        size_t(sig.size()),
                                        reinterpret_cast<const unsigned char *>(data.constData()),
                                        size_t(data.size()))
                           == 1;
    ERR_clear_error();
    return ok;
}
