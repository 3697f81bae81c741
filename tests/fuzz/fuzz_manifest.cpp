// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: a manifest blob read back from the store (files/manifest.h). Properties:
// nothing crashes; a decoded manifest has no negative size and no empty local path; encoding it
// and decoding again gives the same items, and encoding that gives the same bytes.
#include "files/manifest.h"

#include <cstdint>
#include <cstdlib>

namespace {

bool same(const QList<ManifestItem> &a, const QList<ManifestItem> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].entry.path != b[i].entry.path || a[i].entry.size != b[i].entry.size
            || a[i].entry.kind != b[i].entry.kind || a[i].localPath != b[i].localPath
            || a[i].mtimeNs != b[i].mtimeNs)
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto items = decodeManifest(
        QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!items)
        return 0;
    for (const ManifestItem &item : *items) {
        if (item.entry.size < 0 || (item.localPath.isEmpty() && item.mtimeNs != 0))
            std::abort();
    }
    const QByteArray encoded = encodeManifest(*items);
    const auto again = decodeManifest(encoded);
    if (!again || !same(*items, *again) || encodeManifest(*again) != encoded)
        std::abort();
    manifestHash(*items);
    return 0;
}
