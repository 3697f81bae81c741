// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A fixed identity for fuzz_envelope and its seeds (fuzz_seedgen): envelopes sealed for it in
// one run still open in the next, so the committed corpus reaches past the AEAD. A test key,
// never a profile's.
#include "identity/identity.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <optional>

inline constexpr char FuzzEnvelopeCertPem[]
    = "-----BEGIN CERTIFICATE-----\n"
      "MIIBgTCCASegAwIBAgIUaGEyRF/WSvA53CB2os+vXos2k2owCgYIKoZIzj0EAwIw\n"
      "FTETMBEGA1UEAwwKU2hvYWwgcGVlcjAgFw0yNjEyMDYwMTU3MDlaGA8yMDc2MTEy\n"
      "MzAxNTcwOVowFTETMBEGA1UEAwwKU2hvYWwgcGVlcjBZMBMGByqGSM49AgEGCCqG\n"
      "SM49AwEHA0IABKCu/2hR5d14vek0bn5uEV4cWlDEGpmTXjX8cg5nKssti1vvItm6\n"
      "FZJIDbKwUMuqaPm7suSzn6kbRMvkQ/RDfjOjUzBRMB0GA1UdDgQWBBSIi3bW1ueq\n"
      "HQmxRHUDdfb1mt9lrzAfBgNVHSMEGDAWgBSIi3bW1ueqHQmxRHUDdfb1mt9lrzAP\n"
      "BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQCND1PjKq5yHx4bn3O6\n"
      "hsHUE2L4UYMuG7AaJB+NYaku6AIgTXBsueQcHssSZeGDVRhJIdLkXujCEXm6v9sL\n"
      "EdhwgV4=\n"
      "-----END CERTIFICATE-----\n";

inline constexpr char FuzzEnvelopeKeyPem[]
    = "-----BEGIN PRIVATE KEY-----\n"
      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQga/IxYq+7S7qeVIWL\n"
      "5jTzkItNwDwL5ZPaIdAKDEx178qhRANCAASgrv9oUeXdeL3pNG5+bhFeHFpQxBqZ\n"
      "k141/HIOZyrLLYtb7yLZuhWSSA2ysFDLqmj5u7Lks5+pG0TL5EP0Q34z\n"
      "-----END PRIVATE KEY-----\n";

// Far in the future: seeds never expire.
inline constexpr qint64 FuzzEnvelopeExpiry = 253402300799999;

// The identity, through the same loader a profile uses.
inline std::optional<Identity> fuzzEnvelopeIdentity()
{
    QTemporaryDir dir;
    QFile cert(dir.filePath(QString::fromLatin1(Identity::CertificateFile)));
    QFile key(dir.filePath(QString::fromLatin1(Identity::KeyFile)));
    if (!dir.isValid() || !cert.open(QIODevice::WriteOnly) || !key.open(QIODevice::WriteOnly)
        || cert.write(FuzzEnvelopeCertPem) < 0 || key.write(FuzzEnvelopeKeyPem) < 0)
        return std::nullopt;
    cert.close();
    key.close();
    QString error;
    return Identity::loadOrCreate(dir.path(), &error);
}
