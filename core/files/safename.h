// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QDir>
#include <QString>
#include <QStringList>

#include <optional>

// The one place where a peer's offered name or relative path becomes a local one. Everything
// in an offer is hostile: the rules (docs/files.md, "Received file names") are the same on
// every platform, so that what one Shoal accepts any other Shoal can write, and a sender can
// check its own names with them before offering.
//
// Pure: nothing here touches the file system except unique()'s existence checks. The writer
// must still open every file with O_CREAT | O_EXCL | O_NOFOLLOW (and mode 0666 & ~umask, never
// an execute bit) and create folders with mkdirat() under a directory it holds open with
// O_DIRECTORY | O_NOFOLLOW: a name free when unique() looked may be taken, or be a symlink,
// a moment later. On EEXIST it asks unique() again.
class SafeName
{
    Q_DECLARE_TR_FUNCTIONS(SafeName)

public:
    // ext4, XFS, btrfs and NTFS (in UTF-16 units) all stop at 255.
    static constexpr int MaxComponentBytes = 255;
    // Leaves 1 KiB of Linux's PATH_MAX (4096) for the download folder the path goes under.
    static constexpr int MaxPathBytes = 3072;
    // Deeper than any real tree (old npm node_modules included); bounds the folders one
    // offer can make us create.
    static constexpr int MaxDepth = 64;
    // unique() gives up after "name (9999)": a folder that full is an attack or a mistake.
    static constexpr int MaxCollisions = 9999;

    enum class Kind { File, Folder };

    // Splits a peer's '/'-separated relative path into its components, each a valid name
    // (isValidName()), or refuses it with a reason for the person, through tr().
    static std::optional<QStringList> components(const QString &offeredPath, QString *error);
    // One component: a name of a file or folder, no separator.
    static bool isValidName(const QString &name, QString *error);

    // The first of name, "name (1)", "name (2)"... that does not exist in dir, or an empty
    // string when name is not valid or all up to MaxCollisions exist. A symlink counts as
    // existing even when it dangles; none is followed.
    static QString unique(const QDir &dir, const QString &name, Kind kind = Kind::File);
    // name with " (n)" before its extension (a file) or at its end (a folder), shortened at
    // a character boundary to stay within MaxComponentBytes; empty when no valid name results.
    //   "photo.jpg" -> "photo (1).jpg", "archive.tar.gz" -> "archive (1).tar.gz",
    //   ".bashrc" -> ".bashrc (1)", folder "v1.2" -> "v1.2 (1)"
    static QString numbered(const QString &name, int n, Kind kind = Kind::File);
};
