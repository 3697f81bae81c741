// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "files/safename.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <optional>

// One entry of an offer: a '/'-separated relative path, what it is, and its size in bytes
// (0 for a folder). Folders are implied by the paths under them; a folder entry is needed
// only for an empty one.
struct OfferEntry
{
    QString path;
    SafeName::Kind kind = SafeName::Kind::File;
    qint64 size = 0;
};

// What the sender declares it offers (docs/files.md, "Offers").
enum class OfferShape {
    // Files, and folders with them, picked or dropped together: any number of names at the
    // top, each arriving beside the others in the download folder.
    Files,
    // "Send folder...": one folder at the top and its tree, arriving as one new folder.
    Folder,
};

struct OfferLimits
{
    // Files and folders in one offer, implied folders included: it bounds what the receiver
    // creates and holds in memory for one offer. Folders of 100,000 files are real; more is
    // an archive's job.
    static constexpr int DefaultMaxEntries = 100'000;
    // 1 TiB: larger than any disk a LAN peer is likely to fill in one go, and far from
    // qint64's range, so sums of sizes within it cannot overflow.
    static constexpr qint64 DefaultMaxTotalBytes = qint64(1) << 40;

    int maxEntries = DefaultMaxEntries;
    qint64 maxTotalBytes = DefaultMaxTotalBytes;
};

// Checks a whole offer before anything is written: every path through SafeName, and the
// paths against each other, so that no two of them would land on the same file on any file
// system Shoal runs on (case-insensitive NTFS and APFS, normalising APFS and HFS+). Pure;
// hashes only, linear in the size of the offer.
class OfferCheck
{
    Q_DECLARE_TR_FUNCTIONS(OfferCheck)

public:
    // The first problem of the offer, as a reason for the person (through tr()), or nullopt
    // when it may be accepted.
    static std::optional<QString> problem(const QList<OfferEntry> &entries,
                                          OfferShape shape,
                                          const OfferLimits &limits = OfferLimits());
};
