// SPDX-License-Identifier: GPL-3.0-or-later
// Signatures of group messages (core/identity/signer.h): what one identity signs, its
// certificate verifies, and nothing else does; bytes a peer makes up never crash the check.
#include "identity/identity.h"
#include "identity/signer.h"

#include <QTest>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include <memory>

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
