// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "files/manifest.h"
#include "files/sha256.h"

#include <QCoreApplication>
#include <QStringList>

#include <optional>

// The sending side on disk: what a person picked becomes a manifest (scan()), and each file is
// read back from it (FileReader). Synchronous; the transfer service runs it on a worker thread.
class FileSource
{
    Q_DECLARE_TR_FUNCTIONS(FileSource)

public:
    // Files and folders a person picked, as an offer: a folder's whole tree, every path relative
    // to the folder holding the picked one (picking /home/a/Photos offers "Photos/..."),
    // localPath absolute. Folders come before their content, every folder listed (so empty
    // ones arrive too), names in byte order of their UTF-8: the same disk gives the same
    // manifest. Symbolic links are never followed, and with fifos, sockets and devices they
    // are left out and counted in `skipped`. Fails with the reason in `error` (a path that
    // cannot be read, a folder that cannot be listed, or what OfferCheck::problem() finds).
    static std::optional<QList<ManifestItem>> scan(const QStringList &localPaths,
                                                   OfferShape shape,
                                                   QString *error,
                                                   int *skipped = nullptr,
                                                   const OfferLimits &limits = OfferLimits());
};

// Reads one offered file, hashing what it reads, and refuses a file that is not the one offered:
// not a regular file any more (a symlink is never followed), or another size or modification
// time, at open and again when the last byte has been read.
class FileReader final
{
    Q_DECLARE_TR_FUNCTIONS(FileReader)

public:
    FileReader() = default;
    ~FileReader();
    FileReader(const FileReader &) = delete;
    FileReader &operator=(const FileReader &) = delete;

    bool open(const QString &localPath, qint64 expectedSize, qint64 expectedMtimeNs, QString *error);
    bool isOpen() const { return m_fd >= 0; }
    void close();

    // Reads and hashes the first `offset` bytes (a resumed transfer's prefix; call it first,
    // once) and returns their SHA-256 to compare with the receiver's; the next read() starts
    // there. Empty on failure, with the reason in `error`.
    QByteArray prefixHash(qint64 offset, QString *error = nullptr);
    // Up to `max` bytes from where the last read ended, hashed. Empty at the end or on failure
    // (then `error` says why and the reader is closed).
    QByteArray read(qint64 max, QString *error = nullptr);
    // Every byte read, and the file still the one offered.
    bool atEnd() const { return m_atEnd; }
    qint64 position() const { return m_position; }
    // SHA-256 of the bytes read so far: the whole file's once atEnd().
    QByteArray sha256() const { return m_sha.result(); }

private:
    bool fail(QString *error, const QString &reason);
    QString changedReason() const;
    bool stillTheSame(QString *error);

    QString m_path;
    int m_fd = -1;
    qint64 m_size = 0;
    qint64 m_mtimeNs = 0;
    qint64 m_position = 0;
    bool m_atEnd = false;
    Sha256 m_sha;
};
