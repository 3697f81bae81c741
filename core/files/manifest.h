// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "files/offercheck.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

// One entry of an offer as a side keeps it: what is offered, and on the sender where it is read
// from and how it looked when offered (a file changed since then is refused, not sent).
struct ManifestItem
{
    OfferEntry entry;
    QString localPath;  // sender: absolute; receiver: empty
    qint64 mtimeNs = 0; // sender: the file's modification time when offered, in ns since 1970
};

// SHA-256 over, per entry in order: UTF-8 path, '\0', decimal size, '\0', 'd' or 'f', '\n'.
// The offer carries it, so the manifest fetched later is the one the person accepted.
QByteArray manifestHash(const QList<OfferEntry> &entries);
QByteArray manifestHash(const QList<ManifestItem> &items);

QList<OfferEntry> offerEntries(const QList<ManifestItem> &items);

// For the store (transfer_manifests): CBOR { "v": 1, "e": [* [path, size, folder, ? localPath,
// mtimeNs]] }. decodeManifest() returns nullopt for anything else, never a partial list.
QByteArray encodeManifest(const QList<ManifestItem> &items);
std::optional<QList<ManifestItem>> decodeManifest(const QByteArray &blob);
