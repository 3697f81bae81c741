// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHashFunctions>
#include <QSslKey>

#include <deque>
#include <memory>
#include <unordered_map>

typedef struct evp_pkey_st EVP_PKEY;

// Whether `key` is an EC key on P-256: the only curve identities sign and seal with.
bool isP256Key(EVP_PKEY *key);

// Signs with a profile's identity key: ECDSA P-256 over SHA-256 of the data, the signature
// DER-encoded (at most 72 bytes). Group messages and receipts carry one (docs/protocol.md,
// "Groups"). Usable from any thread; sign() is const and keeps no state between calls.
class Signer final
{
public:
    explicit Signer(const QSslKey &key);
    ~Signer();
    Signer(const Signer &) = delete;
    Signer &operator=(const Signer &) = delete;

    // Whether the key was usable (an EC private key): else sign() returns empty signatures.
    bool isValid() const { return m_key != nullptr; }
    // Empty on failure (logged).
    QByteArray sign(const QByteArray &data) const;

private:
    EVP_PKEY *m_key = nullptr;
};

// Checks signatures against a certificate's public key. Keeps each parsed key by the
// certificate's DER (at most MaxCachedKeys, the oldest dropped first), so that a check costs one
// ECDSA verify and not a parse. Not shared between threads: one Verifier per thread.
class Verifier final
{
public:
    static constexpr qsizetype MaxCachedKeys = 1024;

    Verifier();
    ~Verifier();
    Verifier(const Verifier &) = delete;
    Verifier &operator=(const Verifier &) = delete;

    // False for a bad signature, a certificate that is not DER X.509 or has no EC P-256 key,
    // or a signature that is not DER: never crashes on any bytes.
    bool verify(const QByteArray &certDer, const QByteArray &data, const QByteArray &sig);
    qsizetype cachedKeys() const { return qsizetype(m_keys.size()); }

private:
    struct KeyFree
    {
        void operator()(EVP_PKEY *key) const;
    };
    using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

    EVP_PKEY *keyFor(const QByteArray &certDer);

    struct DerHash
    {
        size_t operator()(const QByteArray &der) const { return qHash(der); }
    };
    // By certificate DER; a null key: not a usable certificate (not parsed again either).
    std::unordered_map<QByteArray, KeyPtr, DerHash> m_keys;
    std::deque<QByteArray> m_order; // insertion order, for eviction
};
