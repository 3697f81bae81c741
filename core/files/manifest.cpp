// SPDX-License-Identifier: GPL-3.0-or-later
#include "manifest.h"

#include "files/sha256.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborStreamReader>
#include <QCborStreamWriter>
#include <QCborValue>

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 ManifestVersion = 1;

template<typename Entries, typename Get>
QByteArray hashEntries(const Entries &entries, Get entryOf)
{
    Sha256 sha;
    // Fed in pieces of about 64 KiB: one EVP call per entry would cost more than the hashing.
    QByteArray buffer;
    buffer.reserve(70 * 1024);
    for (const auto &item : entries) {
        const OfferEntry &entry = entryOf(item);
        buffer += entry.path.toUtf8();
        buffer += '\0';
        buffer += QByteArray::number(entry.size);
        buffer += '\0';
        buffer += entry.kind == SafeName::Kind::Folder ? 'd' : 'f';
        buffer += '\n';
        if (buffer.size() >= 64 * 1024) {
            sha.addData(buffer);
            buffer.clear();
        }
    }
    sha.addData(buffer);
    return sha.result();
}

} // namespace

QByteArray manifestHash(const QList<OfferEntry> &entries)
{
    return hashEntries(entries, [](const OfferEntry &e) -> const OfferEntry & { return e; });
}

QByteArray manifestHash(const QList<ManifestItem> &items)
{
    return hashEntries(items, [](const ManifestItem &i) -> const OfferEntry & { return i.entry; });
}

QList<OfferEntry> offerEntries(const QList<ManifestItem> &items)
{
    QList<OfferEntry> entries;
    entries.reserve(items.size());
    for (const ManifestItem &item : items)
        entries.append(item.entry);
    return entries;
}

QByteArray encodeManifest(const QList<ManifestItem> &items)
{
    QByteArray blob;
    QCborStreamWriter writer(&blob);
    writer.startMap(2);
    writer.append("v"_L1);
    writer.append(ManifestVersion);
    writer.append("e"_L1);
    writer.startArray(quint64(items.size()));
    for (const ManifestItem &item : items) {
        const bool local = !item.localPath.isEmpty();
        writer.startArray(local ? 5 : 3);
        writer.append(item.entry.path);
        writer.append(item.entry.size);
        writer.append(item.entry.kind == SafeName::Kind::Folder);
        if (local) {
            writer.append(item.localPath);
            writer.append(item.mtimeNs);
        }
        writer.endArray();
    }
    writer.endArray();
    writer.endMap();
    return blob;
}

std::optional<QList<ManifestItem>> decodeManifest(const QByteArray &blob)
{
    // Qt 6.4 may hand back a half-built value for truncated input: only a clean parse of the
    // whole blob counts.
    QCborStreamReader reader(blob);
    const QCborValue value = QCborValue::fromCbor(reader);
    if (reader.lastError() != QCborError::NoError || reader.currentOffset() != blob.size()
        || !value.isMap())
        return std::nullopt;
    const QCborMap map = value.toMap();
    // isInteger() first: Qt 6.4's toInteger() converts a huge double with undefined behaviour.
    const QCborValue version = map.value("v"_L1);
    if (!version.isInteger() || version.toInteger() != ManifestVersion
        || !map.value("e"_L1).isArray())
        return std::nullopt;
    const QCborArray array = map.value("e"_L1).toArray();
    QList<ManifestItem> items;
    items.reserve(array.size());
    for (const QCborValue &element : array) {
        if (!element.isArray())
            return std::nullopt;
        const QCborArray fields = element.toArray();
        if (fields.size() != 3 && fields.size() != 5)
            return std::nullopt;
        if (!fields[0].isString() || !fields[1].isInteger() || !fields[2].isBool())
            return std::nullopt;
        ManifestItem item;
        item.entry.path = fields[0].toString();
        item.entry.size = fields[1].toInteger();
        item.entry.kind = fields[2].toBool() ? SafeName::Kind::Folder : SafeName::Kind::File;
        if (item.entry.size < 0)
            return std::nullopt;
        if (fields.size() == 5) {
            if (!fields[3].isString() || !fields[4].isInteger())
                return std::nullopt;
            item.localPath = fields[3].toString();
            item.mtimeNs = fields[4].toInteger();
            if (item.localPath.isEmpty())
                return std::nullopt;
        }
        items.append(std::move(item));
    }
    return items;
}
