// SPDX-License-Identifier: GPL-3.0-or-later
//
// Crash safety: the process may be killed between any two system calls. Each step below leaves
// a state that prepare() + resumePoint() continue from, with no file or byte lost or doubled:
//
// 1. Temp area <destDir>/.shoal-partial/<xid>/ (0700, ours). Created with mkdirat(); EEXIST
//    means an earlier run made it: reused.
// 2. Journal: lines appended with one write() each; a last line without its '\n' was cut by a
//    kill and is truncated away before anything is appended. Lines: the header (the manifest's
//    hash: a journal is only ever replayed for its own offer), "top k name", "file i path".
// 3. A top folder k is made as dir.<k> inside the temp area, then "top k name" is journalled,
//    then dir.<k> is renamed to name in destDir with RENAME_NOREPLACE. Killed before the
//    journal line: dir.<k> is reused and a name chosen again. Killed after it: dir.<k> still
//    in the temp area means the rename is to do (redone; taken meanwhile: another name,
//    journalled, the last line wins); gone means it is in place under the journalled name.
// 4. Folders below a top: mkdirat() under the parent held open with O_NOFOLLOW; EEXIST from an
//    earlier run is fine, so nothing needs journalling.
// 5. File i's bytes go to part.<i> with pwrite(), then into a running SHA-256. Whatever a kill
//    left in part.<i> is what resumePoint() offers from: its size is the offset and its hash is
//    read back from the disk, so the sender sends from exactly there.
// 6. finishFile(): the whole part is verified first, then "file i path" is journalled, then
//    part.<i> is renamed to path. Killed before the line: part.<i> is complete and unjournalled,
//    so resumePoint() asks for it from its end (only its fend comes again). Killed after: as in
//    3, part.<i> present means the rename is to do, gone means the file is in place. (Where the
//    file system lacks RENAME_NOREPLACE, link + unlink is used; a kill between them leaves both
//    names on one inode, which replay recognises.)
// 7. done() / discard(): the temp area is removed last thing; a kill halfway leaves a journal
//    that still describes what is in place.
//
// Only a killed process is covered: data is synced every SyncEvery bytes but the journal is not,
// so after a power cut the files finished in the last seconds may need checking.
#include "filesink.h"

#include "files/manifest.h"

#include <QDir>
#include <QFile>
#include <QLocale>
#include <QLoggingCategory>
#include <QStorageInfo>

#include <cerrno>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

Q_LOGGING_CATEGORY(lcSink, "shoal.files")

constexpr auto JournalName = "journal";
constexpr auto JournalMagic = "shoal-partial\t1\t"_L1;
// A name taken meanwhile is retried under another this many times before giving up.
constexpr int MaxPlaceAttempts = 20;

QByteArray partName(qint64 index)
{
    return "part." + QByteArray::number(index);
}

QByteArray topTempName(int top)
{
    return "dir." + QByteArray::number(top);
}

int openDir(int dirFd, const QByteArray &name)
{
    return ::openat(dirFd, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

// A folder in the download folder that is ours to keep temp files in: not a link, not someone
// else's.
bool isOurs(int fd)
{
    struct stat st;
    return ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::geteuid();
}

bool writeAll(int fd, const QByteArray &data)
{
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + done, size_t(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        done += n;
    }
    return true;
}

bool sameInode(int dirA, const QByteArray &a, int dirB, const QByteArray &b)
{
    struct stat sa, sb;
    return ::fstatat(dirA, a.constData(), &sa, AT_SYMLINK_NOFOLLOW) == 0
           && ::fstatat(dirB, b.constData(), &sb, AT_SYMLINK_NOFOLLOW) == 0
           && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// Moves `from` in dirA to `to` in dirB unless `to` exists: renameat2(RENAME_NOREPLACE), or
// where the file system lacks it (EINVAL: NFS...), for a file link + unlink, for a folder
// (empty: only top folders move) mkdir + rmdir. Returns 0 or an errno value.
int moveNoReplace(int dirA, const QByteArray &from, int dirB, const QByteArray &to, bool folder)
{
    if (::renameat2(dirA, from.constData(), dirB, to.constData(), RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return errno;
    if (folder) {
        if (::mkdirat(dirB, to.constData(), 0777) != 0)
            return errno;
        ::unlinkat(dirA, from.constData(), AT_REMOVEDIR);
        return 0;
    }
    if (::linkat(dirA, from.constData(), dirB, to.constData(), 0) != 0)
        return errno;
    ::unlinkat(dirA, from.constData(), 0);
    return 0;
}

} // namespace

FileSink::FileSink(const QString &destDir,
                   const QUuid &xid,
                   const QList<OfferEntry> &entries,
                   OfferShape shape)
    : m_destDir(QDir::cleanPath(destDir))
    , m_xid(xid.toString(QUuid::WithoutBraces))
    , m_entries(entries)
    , m_shape(shape)
{}

FileSink::~FileSink()
{
    closeAll();
}

void FileSink::closeAll()
{
    closePart();
    for (int *fd : {&m_dirFd, &m_journalFd, &m_tempFd, &m_destFd}) {
        if (*fd >= 0)
            ::close(*fd);
        *fd = -1;
    }
    m_dirKey.clear();
    m_prepared = false;
}

void FileSink::closePart()
{
    if (m_partFd >= 0)
        ::close(m_partFd);
    m_partFd = -1;
    m_current = -1;
    m_written = 0;
    m_unsynced = 0;
}

QString FileSink::tempDir() const
{
    return m_destDir + u'/' + partialDirName() + u'/' + m_xid;
}

QString FileSink::shown(const QString &relative) const
{
    return QDir::toNativeSeparators(m_destDir + u'/' + relative);
}

FileSink::Error FileSink::errorForErrno(int errnoValue, const QString &path)
{
    const QString where = QDir::toNativeSeparators(path);
    switch (errnoValue) {
    case ENOSPC:
    case EDQUOT:
        return {Error::Kind::DiskFull,
                tr("The disk is full: cannot write %1. Free some space, then resume the transfer.")
                    .arg(where)};
    case EFBIG:
        // Not a full disk: freeing space does not help (FAT's 4 GiB limit, a file size limit).
        return {Error::Kind::Io,
                tr("Cannot write %1: the file is larger than the download folder's file system "
                   "allows. Choose a download folder on another disk.")
                    .arg(where)};
    default:
        return {Error::Kind::Io, tr("Cannot write %1: %2").arg(where, qt_error_string(errnoValue))};
    }
}

bool FileSink::computeShape(QString *error)
{
    if (const auto problem = OfferCheck::problem(m_entries, m_shape)) {
        if (error)
            *error = *problem;
        return false;
    }
    m_components.clear();
    m_tops.clear();
    m_topOf.clear();
    m_final = QStringList(m_entries.size(), QString());
    m_bytesInPlace = 0;
    QHash<QString, int> topIndex;
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        const auto components = SafeName::components(m_entries[i].path, error);
        if (!components)
            return false; // OfferCheck already refused these
        m_components.append(*components);
        const QString &first = components->first();
        auto it = topIndex.find(first);
        if (it == topIndex.end()) {
            it = topIndex.insert(first, int(m_tops.size()));
            m_tops.append({first, false, -1, {}});
        }
        Top &top = m_tops[*it];
        if (components->size() > 1 || m_entries[i].kind == SafeName::Kind::Folder)
            top.folder = true;
        else
            top.fileEntry = i;
        m_topOf.append(*it);
    }
    return true;
}

bool FileSink::openTempArea(bool create, QString *error)
{
    auto fail = [&](const QString &reason) {
        if (error)
            *error = reason;
        return false;
    };
    // The download folder is the person's choice, so a link to it is followed; nothing in it is.
    m_destFd = ::open(QFile::encodeName(m_destDir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (m_destFd < 0)
        return fail(tr("Cannot save into %1: %2")
                        .arg(QDir::toNativeSeparators(m_destDir), qt_error_string(errno)));
    const QByteArray partial = QFile::encodeName(partialDirName());
    const QByteArray xid = m_xid.toLatin1();
    // Another transfer finishing may remove an empty .shoal-partial between our two mkdirs.
    for (int attempt = 0; attempt < 3 && m_tempFd < 0; ++attempt) {
        if (create && ::mkdirat(m_destFd, partial.constData(), 0700) != 0 && errno != EEXIST)
            return fail(tr("Cannot save into %1: %2")
                            .arg(QDir::toNativeSeparators(m_destDir), qt_error_string(errno)));
        const int partialFd = openDir(m_destFd, partial);
        if (partialFd < 0 && !create)
            return false;
        if (partialFd < 0 || !isOurs(partialFd)) {
            if (partialFd >= 0)
                ::close(partialFd);
            return fail(tr("Cannot save into %1: %2 there is not a folder of yours. Remove it, "
                           "or choose another download folder.")
                            .arg(QDir::toNativeSeparators(m_destDir), partialDirName()));
        }
        if (!create || ::mkdirat(partialFd, xid.constData(), 0700) == 0 || errno == EEXIST)
            m_tempFd = openDir(partialFd, xid);
        ::close(partialFd);
        if (!create && m_tempFd < 0)
            return false;
    }
    if (m_tempFd < 0 || !isOurs(m_tempFd))
        return fail(tr("Cannot create the temporary folder %1: %2")
                        .arg(QDir::toNativeSeparators(tempDir()), qt_error_string(errno)));
    return true;
}

bool FileSink::prepare(QString *error)
{
    closeAll();
    auto fail = [&](const QString &reason) {
        closeAll();
        if (error)
            *error = reason;
        return false;
    };
    QString reason;
    if (!computeShape(&reason) || !openTempArea(true, &reason) || !loadJournal(&reason))
        return fail(reason);
    for (int k = 0; k < m_tops.size(); ++k) {
        if (m_tops[k].folder && !placeTop(k, &reason))
            return fail(reason);
    }
    // Renames journalled but not done when the last run stopped (step 6).
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        if (m_final[i].isEmpty())
            continue;
        struct stat st;
        if (::fstatat(m_tempFd, partName(i).constData(), &st, AT_SYMLINK_NOFOLLOW) == 0
            && !placeFile(i, m_final[i].section(u'/', -1), &reason))
            return fail(reason);
        m_bytesInPlace += m_entries[i].size;
    }
    // Listed folders, empty ones included; a file's folders are made when it is placed.
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].kind != SafeName::Kind::Folder || m_components[i].size() < 2)
            continue;
        if (directory(localComponents(i), true, &reason) < 0)
            return fail(reason);
    }
    m_prepared = true;
    return true;
}

bool FileSink::loadJournal(QString *error)
{
    auto damaged = [&] {
        if (error)
            *error = tr("The partial download in %1 is damaged; cancel the transfer and ask "
                        "for it again.")
                         .arg(QDir::toNativeSeparators(tempDir()));
        return false;
    };
    m_journalFd = ::openat(m_tempFd,
                           JournalName,
                           O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
                           0600);
    if (m_journalFd < 0) {
        if (error)
            *error = tr("Cannot write %1: %2")
                         .arg(QDir::toNativeSeparators(tempDir()), qt_error_string(errno));
        return false;
    }
    QByteArray text;
    QByteArray buffer(64 * 1024, Qt::Uninitialized);
    for (;;) {
        const ssize_t n = ::pread(m_journalFd, buffer.data(), size_t(buffer.size()), text.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return damaged();
        if (n == 0)
            break;
        text.append(buffer.constData(), n);
    }
    // A line cut by a kill (step 2) never happened.
    const qsizetype complete = text.lastIndexOf('\n') + 1;
    if (complete < text.size()) {
        if (::ftruncate(m_journalFd, complete) != 0)
            return damaged();
        text.truncate(complete);
    }
    const QString header = JournalMagic + Sha256::toHex(manifestHash(m_entries));
    if (text.isEmpty())
        return appendJournal(header, error);
    const QStringList lines = QString::fromUtf8(text).split(u'\n', Qt::SkipEmptyParts);
    if (lines.first() != header)
        return damaged(); // another offer's, or not a journal at all
    for (qsizetype n = 1; n < lines.size(); ++n) {
        const QStringList fields = lines[n].split(u'\t');
        if (fields.size() != 3)
            return damaged();
        bool ok = false;
        const qint64 index = fields[1].toLongLong(&ok);
        QString reason;
        if (fields[0] == "top"_L1) {
            if (!ok || index < 0 || index >= m_tops.size() || !m_tops[index].folder
                || !SafeName::isValidName(fields[2], &reason))
                return damaged();
            m_tops[index].chosen = fields[2];
        } else if (fields[0] == "file"_L1) {
            if (!ok || index < 0 || index >= m_entries.size()
                || m_entries[index].kind != SafeName::Kind::File)
                return damaged();
            const auto components = SafeName::components(fields[2], &reason);
            // Where the entry goes, with only its top's or its own name changed.
            if (!components || components->size() != m_components[index].size())
                return damaged();
            m_final[index] = fields[2];
            const Top &top = m_tops[m_topOf[index]];
            if (top.folder && components->first() != top.chosen)
                return damaged();
        } else {
            return damaged();
        }
    }
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        const Top &top = m_tops[m_topOf[i]];
        if (top.fileEntry == i && !m_final[i].isEmpty())
            m_tops[m_topOf[i]].chosen = m_final[i];
    }
    return true;
}

bool FileSink::appendJournal(const QString &line, QString *error)
{
    if (writeAll(m_journalFd, line.toUtf8() + '\n'))
        return true;
    if (error)
        *error = errorForErrno(errno, tempDir()).message;
    return false;
}

bool FileSink::placeTop(int k, QString *error)
{
    Top &top = m_tops[k];
    const QByteArray temp = topTempName(k);
    auto failed = [&](int err, const QString &what) {
        if (error)
            *error = tr("Cannot create the folder %1: %2")
                         .arg(QDir::toNativeSeparators(what), qt_error_string(err));
        return false;
    };
    if (!top.chosen.isEmpty()) {
        const int fd = openDir(m_tempFd, temp);
        if (fd < 0) {
            // Moved into place before the last run stopped (step 3): still there?
            const int placed = openDir(m_destFd, QFile::encodeName(top.chosen));
            if (placed < 0) {
                if (error)
                    *error = tr("The folder %1 was moved or deleted; the transfer cannot go on "
                                "without it.")
                                 .arg(shown(top.chosen));
                return false;
            }
            ::close(placed);
            return true;
        }
        ::close(fd);
    } else {
        if (::mkdirat(m_tempFd, temp.constData(), 0777) != 0 && errno != EEXIST)
            return failed(errno, tempDir() + u'/' + QString::fromLatin1(temp));
    }
    QString candidate = top.chosen;
    bool journalled = !candidate.isEmpty();
    for (int attempt = 0; attempt < MaxPlaceAttempts; ++attempt) {
        if (candidate.isEmpty() || attempt > 0) {
            candidate = SafeName::unique(QDir(m_destDir), top.offered, SafeName::Kind::Folder);
            journalled = false;
        }
        if (candidate.isEmpty())
            break;
        if (!journalled
            && !appendJournal(u"top\t%1\t%2"_s.arg(QString::number(k), candidate), error))
            return false;
        top.chosen = candidate;
        const int err = moveNoReplace(m_tempFd, temp, m_destFd, QFile::encodeName(candidate), true);
        if (err == 0)
            return true;
        if (err != EEXIST && err != ENOTEMPTY)
            return failed(err, m_destDir + u'/' + candidate);
    }
    if (error)
        *error = tr("Cannot save %1 in %2: too many names like it are taken.")
                     .arg(top.offered, QDir::toNativeSeparators(m_destDir));
    return false;
}

QStringList FileSink::localComponents(qint64 index) const
{
    QStringList components = m_components[index];
    const Top &top = m_tops[m_topOf[index]];
    if (top.folder)
        components.first() = top.chosen;
    return components;
}

// The folder of `components` under destDir, opened without following a link at any level;
// made when missing and `create`. The top folder itself is never made here: it was placed by
// prepare(), and a missing one was moved away by someone. Returns a descriptor this sink keeps
// (the last one is cached), or -1 with the reason.
int FileSink::directory(const QStringList &components, bool create, QString *error)
{
    if (components.isEmpty())
        return m_destFd;
    const QString key = components.join(u'/');
    if (m_dirFd >= 0 && key == m_dirKey)
        return m_dirFd;
    if (m_dirFd >= 0)
        ::close(m_dirFd);
    m_dirFd = -1;
    m_dirKey.clear();
    int fd = m_destFd;
    QString path;
    for (qsizetype n = 0; n < components.size(); ++n) {
        const QByteArray name = QFile::encodeName(components[n]);
        path += (n ? u"/"_s : QString()) + components[n];
        if (create && n > 0 && ::mkdirat(fd, name.constData(), 0777) != 0 && errno != EEXIST) {
            const int err = errno;
            if (fd != m_destFd)
                ::close(fd);
            if (error)
                *error = errorForErrno(err, m_destDir + u'/' + path).message;
            return -1;
        }
        const int next = openDir(fd, name);
        const int err = errno;
        if (fd != m_destFd)
            ::close(fd);
        if (next < 0) {
            if (error) {
                *error = err == ELOOP || err == ENOTDIR
                             ? tr("Cannot save into %1: it is not a folder but a link or a "
                                  "file. Nothing is written through links.")
                                   .arg(shown(path))
                             : tr("Cannot open the folder %1: %2")
                                   .arg(shown(path), qt_error_string(err));
            }
            return -1;
        }
        fd = next;
    }
    m_dirFd = fd;
    m_dirKey = key;
    return fd;
}

bool FileSink::placeFile(qint64 index, const QString &preferredName, QString *error)
{
    QStringList components = localComponents(index);
    const QString offeredName = components.takeLast();
    const int dirFd = directory(components, true, error);
    if (dirFd < 0)
        return false;
    const QString parent = components.join(u'/');
    const QString prefix = parent.isEmpty() ? QString() : parent + u'/';
    const QByteArray part = partName(index);
    QString candidate = preferredName;
    bool journalled = !candidate.isEmpty();
    for (int attempt = 0; attempt < MaxPlaceAttempts; ++attempt) {
        if (candidate.isEmpty() || attempt > 0) {
            candidate = SafeName::unique(QDir(m_destDir + u'/' + parent), offeredName);
            journalled = false;
        }
        if (candidate.isEmpty())
            break;
        const QString relative = prefix + candidate;
        if (!journalled
            && !appendJournal(u"file\t%1\t%2"_s.arg(QString::number(index), relative), error))
            return false;
        const QByteArray target = QFile::encodeName(candidate);
        int err = moveNoReplace(m_tempFd, part, dirFd, target, false);
        // A link + unlink cut between the two (step 6): the name is already this file.
        if (err == EEXIST && sameInode(m_tempFd, part, dirFd, target))
            err = ::unlinkat(m_tempFd, part.constData(), 0) == 0 ? 0 : errno;
        if (err == 0) {
            m_final[index] = relative;
            if (m_tops[m_topOf[index]].fileEntry == index)
                m_tops[m_topOf[index]].chosen = candidate;
            return true;
        }
        if (err != EEXIST) {
            if (error)
                *error = errorForErrno(err, m_destDir + u'/' + relative).message;
            return false;
        }
    }
    if (error)
        *error = tr("Cannot save %1: too many names like it are taken.")
                     .arg(shown(prefix + offeredName));
    return false;
}

bool FileSink::openPart(qint64 index, bool fresh, Error *error)
{
    closePart();
    const QByteArray part = partName(index);
    if (fresh && ::unlinkat(m_tempFd, part.constData(), 0) != 0 && errno != ENOENT) {
        *error = errorForErrno(errno, tempDir() + u'/' + QString::fromLatin1(part));
        return false;
    }
    // 0666 less the umask, like any new file: never executable, whatever the sender had.
    const int flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC | (fresh ? O_CREAT | O_EXCL : 0);
    m_partFd = ::openat(m_tempFd, part.constData(), flags, 0666);
    if (m_partFd < 0) {
        *error = errorForErrno(errno, tempDir() + u'/' + QString::fromLatin1(part));
        return false;
    }
    m_current = index;
    return true;
}

std::optional<FileSink::ResumePoint> FileSink::resumePoint(QString *error)
{
    if (!m_prepared) {
        if (error)
            *error
                = tr("The download into %1 is not ready.").arg(QDir::toNativeSeparators(m_destDir));
        return std::nullopt;
    }
    closePart();
    qint64 index = 0;
    while (index < m_entries.size()
           && (m_entries[index].kind != SafeName::Kind::File || !m_final[index].isEmpty()))
        ++index;
    if (index == m_entries.size())
        return ResumePoint{index, 0, {}};
    const QByteArray part = partName(index);
    struct stat st;
    if (::fstatat(m_tempFd, part.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return ResumePoint{index, 0, {}}; // not begun: write() creates it
    // Longer than offered cannot come from this offer: start it again.
    if (!S_ISREG(st.st_mode) || st.st_size > m_entries[index].size || st.st_size == 0) {
        ::unlinkat(m_tempFd, part.constData(), 0);
        return ResumePoint{index, 0, {}};
    }
    Error openError;
    if (!openPart(index, false, &openError)) {
        if (error)
            *error = openError.message;
        return std::nullopt;
    }
    // The held bytes are read back: what a kill left on disk is what counts (step 5).
    auto held = Sha256::ofFile(tempDir() + u'/' + QString::fromLatin1(part), st.st_size, error);
    if (!held) {
        closePart();
        return std::nullopt;
    }
    m_sha = std::move(*held);
    m_current = index;
    m_written = st.st_size;
    return ResumePoint{index, m_written, m_sha.result()};
}

bool FileSink::write(qint64 index, qint64 offset, QByteArrayView data, Error *error)
{
    auto unexpected = [&](const QString &message) {
        closePart();
        *error = {Error::Kind::Unexpected, message};
        return false;
    };
    if (!m_prepared)
        return unexpected(
            tr("The download into %1 is not ready.").arg(QDir::toNativeSeparators(m_destDir)));
    if (index < 0 || index >= m_entries.size() || m_entries[index].kind != SafeName::Kind::File
        || !m_final[index].isEmpty())
        return unexpected(tr("The sender sent bytes of a file that was not asked for."));
    const OfferEntry &entry = m_entries[index];
    if (offset == 0 && !(m_current == index && m_written == 0)) {
        if (!openPart(index, true, error))
            return false;
        m_sha.reset();
    } else if (m_current != index || offset != m_written) {
        return unexpected(tr("The sender sent bytes of %1 from byte %L2, not where the last ones "
                             "ended.")
                              .arg(entry.path)
                              .arg(offset));
    }
    if (data.size() > entry.size - offset)
        return unexpected(tr("The sender sent more bytes of %1 than the %L2 it offered.")
                              .arg(entry.path)
                              .arg(entry.size));
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n
            = ::pwrite(m_partFd, data.data() + done, size_t(data.size() - done), m_written + done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const int err = errno;
            closePart(); // resumePoint() reads back what did get written
            *error = errorForErrno(err, tempDir() + u'/' + QString::fromLatin1(partName(index)));
            return false;
        }
        done += n;
    }
    m_sha.addData(data);
    m_written += done;
    m_unsynced += done;
    if (m_unsynced >= SyncEvery) {
        if (::fdatasync(m_partFd) != 0) {
            const int err = errno;
            closePart();
            *error = errorForErrno(err, tempDir() + u'/' + QString::fromLatin1(partName(index)));
            return false;
        }
        m_unsynced = 0;
    }
    return true;
}

QString FileSink::finishFile(qint64 index, const QByteArray &sha256, Error *error)
{
    auto unexpected = [&](const QString &message) {
        closePart();
        *error = {Error::Kind::Unexpected, message};
        return QString();
    };
    if (!m_prepared || index < 0 || index >= m_entries.size()
        || m_entries[index].kind != SafeName::Kind::File || !m_final[index].isEmpty())
        return unexpected(tr("The sender ended a file that was not asked for."));
    const OfferEntry &entry = m_entries[index];
    // A file of 0 bytes has no data to start it.
    if (m_current != index && entry.size == 0) {
        if (!openPart(index, true, error))
            return {};
        m_sha.reset();
    }
    if (m_current != index || m_written != entry.size)
        return unexpected(tr("The sender ended %1 after %L2 of its %L3 bytes.")
                              .arg(entry.path)
                              .arg(m_current == index ? m_written : 0)
                              .arg(entry.size));
    const QByteArray held = m_sha.result();
    closePart();
    if (held != sha256) {
        ::unlinkat(m_tempFd, partName(index).constData(), 0);
        *error = {Error::Kind::Mismatch,
                  tr("%1 did not arrive intact (its SHA-256 checksum differs from the sender's); "
                     "its bytes were dropped.")
                      .arg(entry.path)};
        return {};
    }
    QString reason;
    if (!placeFile(index, QString(), &reason)) {
        *error = {Error::Kind::Io, reason};
        return {};
    }
    m_bytesInPlace += entry.size;
    return m_destDir + u'/' + m_final[index];
}

bool FileSink::isComplete() const
{
    if (!m_prepared)
        return false;
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].kind == SafeName::Kind::File && m_final[i].isEmpty())
            return false;
    }
    return true;
}

bool FileSink::done(QString *error)
{
    if (!isComplete()) {
        if (error)
            *error = tr("Not every file is in place yet.");
        return false;
    }
    removeTempArea();
    closeAll();
    // Still complete for the caller's later questions (savedPath()).
    m_prepared = true;
    return true;
}

void FileSink::discard()
{
    // After a restart discard() may come without prepare(): the folders made are found in the
    // journal, if there is one; nothing is created.
    if (!m_prepared) {
        closeAll();
        QString ignored;
        if (!computeShape(&ignored) || !openTempArea(false, &ignored) || !loadJournal(&ignored)) {
            closeAll();
            return;
        }
    }
    closePart();
    if (m_destFd >= 0) {
        for (const Top &top : std::as_const(m_tops)) {
            if (!top.folder || top.chosen.isEmpty())
                continue;
            // Journalled but never moved into place (step 3): the name is not ours.
            struct stat st;
            if (::fstatat(m_tempFd,
                          topTempName(int(&top - m_tops.constData())).constData(),
                          &st,
                          AT_SYMLINK_NOFOLLOW)
                == 0)
                continue;
            const QByteArray name = QFile::encodeName(top.chosen);
            const int fd = openDir(m_destFd, name);
            if (fd < 0)
                continue;
            pruneEmpty(fd);                                       // closes fd
            ::unlinkat(m_destFd, name.constData(), AT_REMOVEDIR); // only when empty
        }
    }
    removeTempArea();
    closeAll();
}

// Removes the empty folders under dirFd, depth first, and closes it. Never a file, never
// through a link: unlinkat(AT_REMOVEDIR) removes only an empty folder.
void FileSink::pruneEmpty(int dirFd)
{
    DIR *dir = ::fdopendir(dirFd);
    if (!dir) {
        ::close(dirFd);
        return;
    }
    QList<QByteArray> folders;
    while (const dirent *e = ::readdir(dir)) {
        // DT_UNKNOWN: some file systems do not say; opening a file as a folder then fails.
        if ((e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) && qstrcmp(e->d_name, ".") != 0
            && qstrcmp(e->d_name, "..") != 0)
            folders.append(QByteArray(e->d_name));
    }
    for (const QByteArray &name : std::as_const(folders)) {
        const int fd = openDir(::dirfd(dir), name);
        if (fd < 0)
            continue;
        pruneEmpty(fd);
        ::unlinkat(::dirfd(dir), name.constData(), AT_REMOVEDIR);
    }
    ::closedir(dir);
}

QString FileSink::prepareDestination(const QString &dir,
                                     const QString &fallback,
                                     qint64 bytes,
                                     QString *error)
{
    const QString target = dir.isEmpty() ? fallback : dir;
    if (target.isEmpty()) {
        *error = tr("No download folder is set.");
        return {};
    }
    if (!QDir().mkpath(target)) {
        *error = tr("The folder %1 cannot be made.").arg(QDir::toNativeSeparators(target));
        return {};
    }
    const QStorageInfo disk(target);
    if (disk.isValid() && disk.bytesAvailable() >= 0 && disk.bytesAvailable() < bytes) {
        *error = tr("Not enough room in %1: %2 needed, %3 free.")
                     .arg(QDir::toNativeSeparators(target),
                          QLocale().formattedDataSize(bytes),
                          QLocale().formattedDataSize(disk.bytesAvailable()));
        return {};
    }
    return target;
}

void FileSink::removeTempArea()
{
    if (m_tempFd < 0 || m_destFd < 0)
        return;
    if (m_dirFd >= 0)
        ::close(m_dirFd);
    m_dirFd = -1;
    m_dirKey.clear();
    const int listFd = ::dup(m_tempFd);
    if (DIR *dir = listFd >= 0 ? ::fdopendir(listFd) : nullptr) {
        QList<QByteArray> names;
        while (const dirent *e = ::readdir(dir)) {
            if (qstrcmp(e->d_name, ".") != 0 && qstrcmp(e->d_name, "..") != 0)
                names.append(QByteArray(e->d_name));
        }
        for (const QByteArray &name : std::as_const(names)) {
            // The journal last: until then it still describes what is in place (step 7).
            if (name == JournalName)
                continue;
            if (::unlinkat(m_tempFd, name.constData(), 0) != 0 && errno == EISDIR)
                ::unlinkat(m_tempFd, name.constData(), AT_REMOVEDIR);
        }
        ::closedir(dir);
    } else if (listFd >= 0) {
        ::close(listFd);
    }
    ::unlinkat(m_tempFd, JournalName, 0);
    const QByteArray partial = QFile::encodeName(partialDirName());
    if (const int partialFd = openDir(m_destFd, partial); partialFd >= 0) {
        if (::unlinkat(partialFd, m_xid.toLatin1().constData(), AT_REMOVEDIR) != 0)
            qCWarning(lcSink) << "cannot remove" << tempDir() << qt_error_string(errno);
        ::close(partialFd);
        // Only when no other transfer keeps its parts there.
        ::unlinkat(m_destFd, partial.constData(), AT_REMOVEDIR);
    }
}

QString FileSink::savedPath() const
{
    if (m_tops.isEmpty() || m_tops.first().chosen.isEmpty())
        return m_destDir;
    return m_destDir + u'/' + m_tops.first().chosen;
}

qint64 FileSink::bytesDone() const
{
    return m_bytesInPlace + (m_current >= 0 ? m_written : 0);
}
