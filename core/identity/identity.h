// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

#include <optional>

// A profile's long-term key pair and self-signed certificate. The peer ID is the lowercase hex
// SHA-256 of the certificate's DER encoding, so it names the key, not an address.
class Identity final
{
    Q_DECLARE_TR_FUNCTIONS(Identity)

public:
    // Loads the identity stored in `profileDir`, or creates one there on first start.
    static std::optional<Identity> loadOrCreate(const QString &profileDir, QString *error);
    // Creates an identity in memory only (tests, benchmarks).
    static std::optional<Identity> generate(QString *error);

    static QString fingerprint(const QSslCertificate &certificate);
    // Whether a certificate is made the way a Shoal makes its own (subject "Shoal peer"): a
    // hint, not a proof (anyone can make one), that a Shoal and not some other TLS server
    // answered.
    static bool looksLikeShoal(const QSslCertificate &certificate);

    const QString &id() const { return m_id; }
    const QSslCertificate &certificate() const { return m_certificate; }
    const QSslKey &privateKey() const { return m_key; }

    static constexpr auto CertificateFile = "identity.crt";
    static constexpr auto KeyFile = "identity.key";

private:
    Identity(QSslCertificate certificate, QSslKey key);
    static std::optional<Identity> fromPem(const QByteArray &certPem,
                                           const QByteArray &keyPem,
                                           QString *error);
    static bool keyMatchesCertificate(const QByteArray &certPem, const QByteArray &keyPem);
    static bool generatePem(QByteArray *certPem, QByteArray *keyPem, QString *error);

    QSslCertificate m_certificate;
    QSslKey m_key;
    QString m_id;
};
