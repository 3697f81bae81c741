// SPDX-License-Identifier: GPL-3.0-or-later
// Signatures of group messages (core/identity/signer.h): what one identity signs, its
// certificate verifies, and nothing else does; bytes a peer makes up never crash the check.
#include "identity/identity.h"
#include "identity/signer.h"

#include <QTest>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

// The order of P-256's group.
constexpr char Order[] = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";

QByteArray der(const ECDSA_SIG *sig)
{
    QByteArray out(i2d_ECDSA_SIG(sig, nullptr), Qt::Uninitialized);
    auto *to = reinterpret_cast<unsigned char *>(out.data());
    i2d_ECDSA_SIG(sig, &to);
    return out;
}

// (r, n - s): the same signature, mathematically valid, in its other (high-S) form.
QByteArray otherForm(const QByteArray &sig)
{
    auto *from = reinterpret_cast<const unsigned char *>(sig.constData());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> parsed(d2i_ECDSA_SIG(nullptr,
                                                                               &from,
                                                                               long(sig.size())),
                                                                 ECDSA_SIG_free);
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(parsed.get(), &r, &s);
    BIGNUM *n = nullptr;
    BN_hex2bn(&n, Order);
    BIGNUM *high = BN_new();
    BN_sub(high, n, s);
    BN_free(n);
    ECDSA_SIG_set0(parsed.get(), BN_dup(r), high);
    return der(parsed.get());
}

struct OtherCurve
{
    QByteArray certDer, sig, keyPem;
};

// A self-signed certificate for a fresh key of another curve, the key's signature of `data`
// (valid ECDSA, but not P-256: not a Shoal identity), and the key.
OtherCurve otherCurve(const QByteArray &data)
{
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-384"), EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_sign(cert.get(), key.get(), EVP_sha256());
    QByteArray der(i2d_X509(cert.get(), nullptr), Qt::Uninitialized);
    auto *to = reinterpret_cast<unsigned char *>(der.data());
    i2d_X509(cert.get(), &to);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    size_t size = 0;
    EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get());
    EVP_DigestSign(ctx.get(), nullptr, &size, nullptr, 0);
    QByteArray sig(qsizetype(size), Qt::Uninitialized);
    EVP_DigestSign(ctx.get(),
                   reinterpret_cast<unsigned char *>(sig.data()),
                   &size,
                   reinterpret_cast<const unsigned char *>(data.constData()),
                   size_t(data.size()));
    sig.truncate(qsizetype(size));
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char *pem = nullptr;
    const long pemSize = BIO_get_mem_data(bio.get(), &pem);
    return {der, sig, QByteArray(pem, qsizetype(pemSize))};
}

} // namespace

class tst_Signer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void signAndVerify();
    void flippedBitFails();
    void anotherKeysCertificateFails();
    void highSFails();
    void garbageSignatureFails_data();
    void garbageSignatureFails();
    void certificateNotDerFails_data();
    void certificateNotDerFails();
    void unusableKeyDoesNotSign();
    void otherCurveRefused();
    void signFromManyThreads();
    void cacheIsBounded();

private:
    std::optional<Identity> m_alice;
    std::optional<Identity> m_bob;
    QByteArray m_data = "a group message's body, signed: 你好";
};

void tst_Signer::initTestCase()
{
    QString error;
    m_alice = Identity::generate(&error);
    QVERIFY2(m_alice, qPrintable(error));
    m_bob = Identity::generate(&error);
    QVERIFY2(m_bob, qPrintable(error));
}

void tst_Signer::signAndVerify()
{
    const Signer signer(m_alice->privateKey());
    QVERIFY(signer.isValid());
    Verifier verifier;
    const QByteArray cert = m_alice->certificate().toDer();
    // ECDSA draws a fresh nonce each time: about half of the raw signatures are high-S, and every
    // one must come out in the form the verifier takes.
    for (int i = 0; i < 40; ++i) {
        const QByteArray data = m_data + QByteArray::number(i);
        const QByteArray sig = signer.sign(data);
        QVERIFY(!sig.isEmpty());
        QVERIFY2(sig.size() <= 72, qPrintable(QString::number(sig.size())));
        QVERIFY2(verifier.verify(cert, data, sig), qPrintable(QString::number(i)));
    }
    QCOMPARE(verifier.cachedKeys(), 1);
    QVERIFY(verifier.verify(cert, QByteArray(), signer.sign(QByteArray())));
}

void tst_Signer::flippedBitFails()
{
    const Signer signer(m_alice->privateKey());
    Verifier verifier;
    const QByteArray cert = m_alice->certificate().toDer();
    const QByteArray sig = signer.sign(m_data);
    for (qsizetype byte : {qsizetype(0), m_data.size() / 2, m_data.size() - 1}) {
        QByteArray changed = m_data;
        changed[byte] = char(changed[byte] ^ 0x01);
        QVERIFY(!verifier.verify(cert, changed, sig));
    }
    QVERIFY(!verifier.verify(cert, m_data + 'x', sig));
    QVERIFY(!verifier.verify(cert, m_data.chopped(1), sig));
    QByteArray changedSig = sig;
    changedSig[sig.size() - 1] = char(changedSig[sig.size() - 1] ^ 0x01);
    QVERIFY(!verifier.verify(cert, m_data, changedSig));
    QVERIFY(verifier.verify(cert, m_data, sig));
}

void tst_Signer::anotherKeysCertificateFails()
{
    const QByteArray sig = Signer(m_alice->privateKey()).sign(m_data);
    Verifier verifier;
    QVERIFY(!verifier.verify(m_bob->certificate().toDer(), m_data, sig));
    QVERIFY(verifier.verify(m_alice->certificate().toDer(), m_data, sig));
}

void tst_Signer::highSFails()
{
    // A relaying member could turn (r, s) into (r, n - s) without the key, and with it the link
    // hash the author's next message names: only the low form is taken.
    const Signer signer(m_alice->privateKey());
    Verifier verifier;
    const QByteArray cert = m_alice->certificate().toDer();
    const QByteArray sig = signer.sign(m_data);
    const QByteArray high = otherForm(sig);
    QVERIFY(high != sig);
    QVERIFY(!verifier.verify(cert, m_data, high));
    QCOMPARE(otherForm(high), sig); // the test's arithmetic is right
    QVERIFY(verifier.verify(cert, m_data, sig));
}

void tst_Signer::garbageSignatureFails_data()
{
    QTest::addColumn<QByteArray>("sig");
    const QByteArray sig = Signer(m_alice->privateKey()).sign(m_data);
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("one byte") << QByteArray("\x30");
    QTest::newRow("truncated") << sig.chopped(1);
    QTest::newRow("trailing byte") << sig + '\0';
    QTest::newRow("80 bytes of 0x30") << QByteArray(80, '\x30');
    QTest::newRow("80 bytes of 0xff") << QByteArray(80, '\xff');
    QTest::newRow("zeros") << QByteArray(72, '\0');
    QTest::newRow("r = s = 0") << QByteArray("\x30\x06\x02\x01\x00\x02\x01\x00", 8);
    QTest::newRow("length past the end") << QByteArray("\x30\x7f\x02\x01\x01\x02\x01\x01", 8);
    // BER, not DER: a long-form length where the short one fits. Same numbers, other bytes.
    QByteArray ber = sig;
    ber.insert(1, '\x81');
    QTest::newRow("long-form length") << ber;
    QTest::newRow("huge") << QByteArray(1 << 20, '\x30');
}

void tst_Signer::garbageSignatureFails()
{
    QFETCH(QByteArray, sig);
    Verifier verifier;
    QVERIFY(!verifier.verify(m_alice->certificate().toDer(), m_data, sig));
}

void tst_Signer::certificateNotDerFails_data()
{
    QTest::addColumn<QByteArray>("cert");
    const QByteArray der = m_alice->certificate().toDer();
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("PEM") << m_alice->certificate().toPem();
    QTest::newRow("truncated DER") << der.chopped(1);
    QTest::newRow("DER and a byte") << der + '\0';
    QTest::newRow("half") << der.left(der.size() / 2);
    QTest::newRow("garbage") << QByteArray(600, '\x30');
    QTest::newRow("the key, not a certificate") << m_alice->privateKey().toDer();
}

void tst_Signer::certificateNotDerFails()
{
    QFETCH(QByteArray, cert);
    const QByteArray sig = Signer(m_alice->privateKey()).sign(m_data);
    Verifier verifier;
    QVERIFY(!verifier.verify(cert, m_data, sig));
    QVERIFY(!verifier.verify(cert, m_data, sig)); // and again, from the cache
    QVERIFY(verifier.verify(m_alice->certificate().toDer(), m_data, sig));
}

void tst_Signer::unusableKeyDoesNotSign()
{
    QTest::ignoreMessage(QtWarningMsg,
                         "the identity key is not an EC P-256 private key: cannot sign");
    const Signer signer{QSslKey()};
    QVERIFY(!signer.isValid());
    QVERIFY(signer.sign(m_data).isEmpty());
}

void tst_Signer::otherCurveRefused()
{
    // A valid signature by a key of another curve: a Shoal identity is P-256, nothing else.
    const OtherCurve other = otherCurve(m_data);
    QVERIFY(!other.certDer.isEmpty() && !other.sig.isEmpty());
    Verifier verifier;
    QVERIFY(!verifier.verify(other.certDer, m_data, other.sig));
    const QSslKey key(other.keyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    QVERIFY(!key.isNull());
    QTest::ignoreMessage(QtWarningMsg,
                         "the identity key is not an EC P-256 private key: cannot sign");
    QVERIFY(!Signer(key).isValid());
}

void tst_Signer::signFromManyThreads()
{
    // One Signer, used by several threads at once (each with its own Verifier).
    const Signer signer(m_alice->privateKey());
    const QByteArray cert = m_alice->certificate().toDer();
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            Verifier verifier;
            for (int i = 0; i < 25; ++i) {
                const QByteArray data = m_data + QByteArray::number(t * 100 + i);
                if (verifier.verify(cert, data, signer.sign(data)))
                    ++good;
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(good.load(), 100);
}

void tst_Signer::cacheIsBounded()
{
    // A peer can name any number of certificates: the verifier keeps at most MaxCachedKeys, and
    // still checks the one it dropped first once asked again.
    const Signer signer(m_alice->privateKey());
    const QByteArray sig = signer.sign(m_data);
    const QByteArray cert = m_alice->certificate().toDer();
    Verifier verifier;
    QVERIFY(verifier.verify(cert, m_data, sig));
    for (int i = 0; i < Verifier::MaxCachedKeys + 10; ++i)
        QVERIFY(!verifier.verify("not a certificate " + QByteArray::number(i), m_data, sig));
    QCOMPARE(verifier.cachedKeys(), Verifier::MaxCachedKeys);
    QVERIFY(verifier.verify(cert, m_data, sig));
    QCOMPARE(verifier.cachedKeys(), Verifier::MaxCachedKeys);
}

QTEST_GUILESS_MAIN(tst_Signer)
#include "tst_signer.moc"
