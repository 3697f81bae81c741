// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "files/offercheck.h"
#include "files/sha256.h"

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUuid>

#include <optional>

// The receiving side on disk, one per incoming transfer (docs/files.md, "Receiving"). Bytes go
// to part files in a private temp area inside the download folder, each verified with its
// SHA-256 and then renamed into place; a journal there lets a new FileSink (after a crash or a
// restart) continue exactly where the last one stopped. Nothing is written outside destDir and
// no symlink is ever followed inside it. Synchronous; the service runs it on a worker thread.
class FileSink final
{
    Q_DECLARE_TR_FUNCTIONS(FileSink)

public:
    // Bounds the unsynced bytes a power cut can lose and the page cache one transfer dirties.
    static constexpr qint64 SyncEvery = qint64(16) << 20;
    static QString partialDirName() { return QStringLiteral(".shoal-partial"); }
    // Where an accepted offer of `bytes` goes: `dir`, or `fallback` when `dir` is empty; made
    // if need be and with room for it. The folder, or empty and *error a sentence for the
    // person. Shared by every service that receives files (Shoal's and IP Messenger's).
    static QString prepareDestination(const QString &dir,
                                      const QString &fallback,
                                      qint64 bytes,
                                      QString *error);

    struct Error
    {
        enum class Kind {
            None,
            DiskFull,   // ENOSPC, EDQUOT: free space, then resume
            Mismatch,   // the file's checksum is not the sender's; its bytes were dropped
            Unexpected, // bytes or a file end that do not follow what was asked (a peer's fault)
            Io,         // any other failure of the disk or the file system
        };
        Kind kind = Kind::None;
        QString message; // for the person, through tr()
    };

    struct ResumePoint
    {
        qint64 index = 0;      // the first file not in place; the number of entries when all are
        qint64 offset = 0;     // bytes of it already held
        QByteArray prefixHash; // SHA-256 of those bytes; empty when offset is 0
    };

    FileSink(const QString &destDir,
             const QUuid &xid,
             const QList<OfferEntry> &entries,
             OfferShape shape);
    ~FileSink();
    FileSink(const FileSink &) = delete;
    FileSink &operator=(const FileSink &) = delete;

    // Creates the temp area or replays its journal, places the top folders (unique names,
    // journalled), finishes renames a crash interrupted and creates the listed folders. Call
    // it first; after a failed write() or finishFile(), resumePoint() says where to go on.
    bool prepare(QString *error);
    // Where to ask the sender to go on from; also makes that file the one write() continues.
    std::optional<ResumePoint> resumePoint(QString *error = nullptr);
    // Bytes of file `index` at `offset`: the next ones of the file being written, or 0 to
    // (re)start a file not yet in place.
    bool write(qint64 index, qint64 offset, QByteArrayView data, Error *error);
    // The whole of file `index` has arrived and the sender says its SHA-256 is `sha256`:
    // checked, then renamed into place under a free name. Returns its path, or empty with the
    // reason (Mismatch: the part was deleted; write it again from 0).
    QString finishFile(qint64 index, const QByteArray &sha256, Error *error);
    // Cancelled, declined or failed: the temp area and its partial files go, as do the folders
    // this transfer made that are still empty. Files already in place stay.
    void discard();
    // True when every file is in place; then the temp area is removed.
    bool done(QString *error = nullptr);

    bool isComplete() const;
    // What to show the person: the folder of a Folder offer, or the first name of a Files offer
    // once it is in place; the download folder before that.
    QString savedPath() const;
    QString tempDir() const;
    // Bytes of the files in place plus those of the file being written.
    qint64 bytesDone() const;

    static Error errorForErrno(int errnoValue, const QString &path);

private:
    struct Top
    {
        QString offered;
        bool folder = false;
        qint64 fileEntry = -1; // a file at the top: its entry
        QString chosen;        // its name in destDir once known
    };

    bool computeShape(QString *error);
    bool openTempArea(bool create, QString *error);
    bool loadJournal(QString *error);
    bool appendJournal(const QString &line, QString *error);
    bool placeTop(int top, QString *error);
    bool placeFile(qint64 index, const QString &preferredName, QString *error);
    int directory(const QStringList &localComponents, bool create, QString *error);
    QStringList localComponents(qint64 index) const;
    bool openPart(qint64 index, bool fresh, Error *error);
    void closePart();
    void removeTempArea();
    void pruneEmpty(int dirFd);
    void closeAll();
    QString shown(const QString &relative) const;

    QString m_destDir;
    QString m_xid;
    QList<OfferEntry> m_entries;
    OfferShape m_shape;

    bool m_prepared = false;
    QList<QStringList> m_components;
    QList<Top> m_tops;
    QList<int> m_topOf;  // entry -> its top
    QStringList m_final; // entry -> its path relative to destDir once in place
    qint64 m_bytesInPlace = 0;

    int m_destFd = -1;
    int m_tempFd = -1;
    int m_journalFd = -1;
    int m_partFd = -1;
    qint64 m_current = -1;
    qint64 m_written = 0;
    qint64 m_unsynced = 0;
    Sha256 m_sha;
    QString m_dirKey; // the last folder opened for a file, kept open: files come folder by folder
    int m_dirFd = -1;
};
