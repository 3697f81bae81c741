// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity.h"

#include "opensslptr.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QSaveFile>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <memory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcIdentity, "shoal.identity")

namespace {

using PKeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using BioPtr = OpenSslPtr<BIO, BIO_free_all>;

QString opensslError(const char *what)
{
    const unsigned long code = ERR_get_error();
    char buf[256] = {};
    if (code)
        ERR_error_string_n(code, buf, sizeof buf);
    return u"%1 failed: %2"_s.arg(QLatin1StringView(what), QLatin1StringView(buf));
}

QByteArray bioContents(BIO *bio)
{
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    return QByteArray(data, len);
}

bool writePrivate(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QCoreApplication::translate("Identity", "Cannot write %1: %2")
                     .arg(path, file.errorString());
        return false;
    }
    // Owner-only before any secret byte is written.
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(data);
    if (!file.commit()) {
        *error = QCoreApplication::translate("Identity", "Cannot write %1: %2")
                     .arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

Identity::Identity(QSslCertificate certificate, QSslKey key)
    : m_certificate(std::move(certificate))
    , m_key(std::move(key))
    , m_id(fingerprint(m_certificate))
{}

QString Identity::fingerprint(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return {};
    return QString::fromLatin1(
        QCryptographicHash::hash(certificate.toDer(), QCryptographicHash::Sha256).toHex());
}

bool Identity::looksLikeShoal(const QSslCertificate &certificate)
{
    return certificate.subjectInfo(QSslCertificate::CommonName) == QStringList{u"Shoal peer"_s};
}

bool Identity::generatePem(QByteArray *certPem, QByteArray *keyPem, QString *error)
{
    PKeyPtr key(EVP_EC_gen("P-256"));
    if (!key) {
        *error = opensslError("EC key generation");
        return false;
    }
    X509Ptr cert(X509_new());
    if (!cert) {
        *error = opensslError("X509_new");
        return false;
    }
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) {
        *error = opensslError("RAND_bytes");
        return false;
    }
    serial[0] &= 0x7f; // positive
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, nullptr);
    ASN1_INTEGER *asn1Serial = X509_get_serialNumber(cert.get());
    const bool serialOk = bn && BN_to_ASN1_INTEGER(bn, asn1Serial);
    BN_free(bn);
    X509_NAME *name = X509_get_subject_name(cert.get());
    const auto cn = reinterpret_cast<const unsigned char *>("Shoal peer");
    // The key is what matters: the certificate lives for a very long time and is pinned by hash.
    const bool ok = serialOk && X509_set_version(cert.get(), 2)
                    && X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600)
                    && X509_time_adj_ex(X509_getm_notAfter(cert.get()), 365 * 50, 0, nullptr)
                    && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0)
                    && X509_set_issuer_name(cert.get(), name)
                    && X509_set_pubkey(cert.get(), key.get())
                    && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
    if (!ok) {
        *error = opensslError("certificate creation");
        return false;
    }
    BioPtr certBio(BIO_new(BIO_s_mem()));
    BioPtr keyBio(BIO_new(BIO_s_mem()));
    if (!certBio || !keyBio || !PEM_write_bio_X509(certBio.get(), cert.get())
        || !PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)) {
        *error = opensslError("PEM encoding");
        return false;
    }
    *certPem = bioContents(certBio.get());
    *keyPem = bioContents(keyBio.get());
    return true;
}

std::optional<Identity> Identity::fromPem(const QByteArray &certPem,
                                          const QByteArray &keyPem,
                                          QString *error)
{
    QSslCertificate cert(certPem, QSsl::Pem);
    QSslKey key(keyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    if (cert.isNull() || key.isNull()) {
        *error = tr("The stored identity is unreadable.");
        return std::nullopt;
    }
    if (!keyMatchesCertificate(certPem, keyPem)) {
        *error = tr("The stored private key does not belong to the stored certificate.");
        return std::nullopt;
    }
    return Identity(std::move(cert), std::move(key));
}

bool Identity::keyMatchesCertificate(const QByteArray &certPem, const QByteArray &keyPem)
{
    BioPtr certBio(BIO_new_mem_buf(certPem.constData(), int(certPem.size())));
    BioPtr keyBio(BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())));
    if (!certBio || !keyBio)
        return false;
    X509Ptr cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
    PKeyPtr key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    const bool match = cert && key && X509_check_private_key(cert.get(), key.get()) == 1;
    ERR_clear_error();
    return match;
}

std::optional<Identity> Identity::generate(QString *error)
{
    QByteArray certPem, keyPem;
    if (!generatePem(&certPem, &keyPem, error))
        return std::nullopt;
    return fromPem(certPem, keyPem, error);
}

std::optional<Identity> Identity::loadOrCreate(const QString &profileDir, QString *error)
{
    // The folder is the profile's to make (ProfileDirectory: owner-only, locked).
    const QDir dir(profileDir);
    if (!dir.exists()) {
        *error = tr("The profile folder %1 does not exist.").arg(profileDir);
        return std::nullopt;
    }
    const QString certPath = dir.filePath(QLatin1StringView(CertificateFile));
    const QString keyPath = dir.filePath(QLatin1StringView(KeyFile));

    // The certificate is written last, so its presence marks a complete pair. A key alone is
    // what a first start killed between the two writes leaves: that key was never used (Shoal
    // runs only once both are written), so a new pair replaces it.
    if (QFile::exists(certPath)) {
        const auto fail = [&](const QString &what) {
            *error = tr("Cannot use the identity in %1: %2 Move the folder aside to start with "
                        "a new identity (peers will see a new ID), or restore it from a backup.")
                         .arg(profileDir, what);
            return std::nullopt;
        };
        QFile certFile(certPath);
        QFile keyFile(keyPath);
        if (!keyFile.exists())
            return fail(tr("%1 is there but its private key %2 is missing.")
                            .arg(QLatin1StringView(CertificateFile), QLatin1StringView(KeyFile)));
        if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly))
            return fail(tr("The files cannot be read."));
        QString why;
        auto identity = fromPem(certFile.readAll(), keyFile.readAll(), &why);
        if (!identity)
            return fail(why);
        qCDebug(lcIdentity) << "loaded identity" << identity->id();
        return identity;
    }
    if (QFile::exists(keyPath))
        qCWarning(lcIdentity) << "found a private key without its certificate (an unfinished "
                                 "first start): creating a new identity";

    QByteArray certPem, keyPem;
    if (!generatePem(&certPem, &keyPem, error))
        return std::nullopt;
    // Key first, certificate last: each write is atomic (QSaveFile), and the certificate's
    // arrival completes the pair.
    if (!writePrivate(keyPath, keyPem, error) || !writePrivate(certPath, certPem, error))
        return std::nullopt;
    auto identity = fromPem(certPem, keyPem, error);
    if (identity)
        qCInfo(lcIdentity) << "created identity" << identity->id() << "in" << profileDir;
    return identity;
}
