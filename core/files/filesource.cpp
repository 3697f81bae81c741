// SPDX-License-Identifier: GPL-3.0-or-later
#include "filesource.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

qint64 mtimeNsOf(const struct stat &st)
{
    return qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

// Walks picked folders through file descriptors: every name is looked at with fstatat()
// without following it and every folder opened with O_NOFOLLOW, so a symlink is never
// followed, even one swapped in while the walk runs; and one syscall per name keeps 100,000
// files well under a second.
class Walker
{
public:
    Walker(QList<ManifestItem> *items, qsizetype stopAt)
        : m_items(items)
        , m_stopAt(stopAt)
    {}

    // False with the reason in error() on a failure; true (and full() perhaps) otherwise.
    bool addPicked(const QString &absolutePath);
    bool full() const { return m_items->size() >= m_stopAt; }
    int skipped() const { return m_skipped; }
    QString error() const { return m_error; }

private:
    bool walk(int dirFd, const QString &rel, const QString &local);
    bool add(const QString &rel,
             const QString &local,
             const struct stat &st,
             int dirFd,
             const char *name);
    bool fail(const QString &reason)
    {
        m_error = reason;
        return false;
    }

    QList<ManifestItem> *m_items;
    qsizetype m_stopAt;
    int m_skipped = 0;
    QString m_error;
};

bool Walker::addPicked(const QString &absolutePath)
{
    const QByteArray encoded = QFile::encodeName(absolutePath);
    const QString name = QFileInfo(absolutePath).fileName();
    if (name.isEmpty())
        return fail(FileSource::tr("Cannot offer %1: pick the files or folders in it instead.")
                        .arg(QDir::toNativeSeparators(absolutePath)));
    struct stat st;
    if (::lstat(encoded.constData(), &st) != 0)
        return fail(FileSource::tr("Cannot read %1: %2")
                        .arg(QDir::toNativeSeparators(absolutePath), qt_error_string(errno)));
    return add(name, absolutePath, st, AT_FDCWD, encoded.constData());
}

bool Walker::add(
    const QString &rel, const QString &local, const struct stat &st, int dirFd, const char *name)
{
    if (S_ISREG(st.st_mode)) {
        // Caught here rather than halfway through the transfer.
        if (::faccessat(dirFd, name, R_OK, AT_EACCESS) != 0)
            return fail(FileSource::tr("Cannot read %1: %2")
                            .arg(QDir::toNativeSeparators(local), qt_error_string(errno)));
        m_items->append({{rel, SafeName::Kind::File, qint64(st.st_size)}, local, mtimeNsOf(st)});
        return true;
    }
    if (!S_ISDIR(st.st_mode)) {
        // Symlinks (never followed: the tree offered is the tree picked), fifos, sockets and
        // devices: nothing that could be sent as a file.
        ++m_skipped;
        return true;
    }
    m_items->append({{rel, SafeName::Kind::Folder, 0}, local, mtimeNsOf(st)});
    // Deeper than SafeName allows: OfferCheck refuses this path; no need to go further.
    const int depth = int(rel.count(u'/')) + 1;
    if (depth > SafeName::MaxDepth || full())
        return true;
    const int fd = ::openat(dirFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return fail(FileSource::tr("Cannot read the folder %1: %2")
                        .arg(QDir::toNativeSeparators(local), qt_error_string(errno)));
    return walk(fd, rel, local);
}

// Takes dirFd over.
bool Walker::walk(int dirFd, const QString &rel, const QString &local)
{
    DIR *dir = ::fdopendir(dirFd);
    if (!dir) {
        const int saved = errno;
        ::close(dirFd);
        return fail(FileSource::tr("Cannot read the folder %1: %2")
                        .arg(QDir::toNativeSeparators(local), qt_error_string(saved)));
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent *e = ::readdir(dir)) {
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
            names.emplace_back(e->d_name);
        errno = 0;
    }
    bool ok = true;
    if (errno != 0) {
        ok = fail(FileSource::tr("Cannot read the folder %1: %2")
                      .arg(QDir::toNativeSeparators(local), qt_error_string(errno)));
    }
    // Byte order of the UTF-8 names: the same on every run, whatever the locale.
    std::sort(names.begin(), names.end());
    for (const std::string &name : names) {
        if (!ok || full())
            break;
        const QString decoded = QFile::decodeName(name.c_str());
        const QString childLocal = local + u'/' + decoded;
        // A name that is not UTF-8 cannot be written down for the peer, nor read back
        // from the decoded text.
        if (QFile::encodeName(decoded) != QByteArrayView(name)) {
            ok = fail(FileSource::tr("Cannot offer %1: its name is not valid text (UTF-8). "
                                     "Rename it, or leave it out.")
                          .arg(QDir::toNativeSeparators(childLocal)));
            break;
        }
        struct stat st;
        if (::fstatat(::dirfd(dir), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT)
                continue; // deleted while we looked: not part of the offer
            ok = fail(FileSource::tr("Cannot read %1: %2")
                          .arg(QDir::toNativeSeparators(childLocal), qt_error_string(errno)));
            break;
        }
        ok = add(rel + u'/' + decoded, childLocal, st, ::dirfd(dir), name.c_str());
    }
    ::closedir(dir);
    return ok;
}

} // namespace

std::optional<QList<ManifestItem>> FileSource::scan(const QStringList &localPaths,
                                                    OfferShape shape,
                                                    QString *error,
                                                    int *skipped,
                                                    const OfferLimits &limits)
{
    auto failed = [error](const QString &reason) -> std::optional<QList<ManifestItem>> {
        if (error)
            *error = reason;
        return std::nullopt;
    };
    // The tops in byte order of their names too; the same name picked twice stays, for
    // OfferCheck to refuse.
    QStringList picked;
    picked.reserve(localPaths.size());
    for (const QString &path : localPaths)
        picked.append(QDir::cleanPath(QFileInfo(path).absoluteFilePath()));
    std::stable_sort(picked.begin(), picked.end(), [](const QString &a, const QString &b) {
        return QFileInfo(a).fileName().toUtf8() < QFileInfo(b).fileName().toUtf8();
    });
    QList<ManifestItem> items;
    // One past the limit is enough for OfferCheck to say "too many": a huge tree is not
    // walked to the end only to be refused.
    Walker walker(&items, qsizetype(limits.maxEntries) + 1);
    for (const QString &path : std::as_const(picked)) {
        if (walker.full())
            break;
        if (!walker.addPicked(path))
            return failed(walker.error());
    }
    if (skipped)
        *skipped = walker.skipped();
    if (const auto problem = OfferCheck::problem(offerEntries(items), shape, limits))
        return failed(*problem);
    return items;
}

FileReader::~FileReader()
{
    close();
}

void FileReader::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

bool FileReader::fail(QString *error, const QString &reason)
{
    close();
    m_atEnd = false;
    if (error)
        *error = reason;
    return false;
}

QString FileReader::changedReason() const
{
    return tr("%1 has changed since it was offered, so it was not sent. Offer it again to send "
              "it as it is now.")
        .arg(QDir::toNativeSeparators(m_path));
}

bool FileReader::open(const QString &localPath,
                      qint64 expectedSize,
                      qint64 expectedMtimeNs,
                      QString *error)
{
    close();
    m_path = localPath;
    m_size = expectedSize;
    m_mtimeNs = expectedMtimeNs;
    m_position = 0;
    m_atEnd = false;
    m_sha.reset();
    // O_NONBLOCK: a fifo swapped in for the file must not hang the open; a regular file
    // ignores it.
    m_fd = ::open(QFile::encodeName(localPath).constData(),
                  O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (m_fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return fail(error,
                        tr("%1 is no longer there: it was moved or deleted since it was offered.")
                            .arg(QDir::toNativeSeparators(localPath)));
        if (errno == ELOOP) // now a symlink
            return fail(error, changedReason());
        return fail(error,
                    tr("Cannot read %1: %2")
                        .arg(QDir::toNativeSeparators(localPath), qt_error_string(errno)));
    }
    if (!stillTheSame(error))
        return false;
    ::posix_fadvise(m_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    m_atEnd = m_size == 0;
    return true;
}

bool FileReader::stillTheSame(QString *error)
{
    struct stat st;
    if (::fstat(m_fd, &st) != 0)
        return fail(error,
                    tr("Cannot read %1: %2")
                        .arg(QDir::toNativeSeparators(m_path), qt_error_string(errno)));
    if (!S_ISREG(st.st_mode) || qint64(st.st_size) != m_size || mtimeNsOf(st) != m_mtimeNs)
        return fail(error, changedReason());
    return true;
}

QByteArray FileReader::prefixHash(qint64 offset, QString *error)
{
    if (m_fd < 0 || m_position != 0) {
        fail(error, tr("Cannot read %1: it is not open.").arg(QDir::toNativeSeparators(m_path)));
        return {};
    }
    if (offset < 0 || offset > m_size) {
        fail(error,
             tr("Cannot send %1 from byte %L2: it has %L3 bytes.")
                 .arg(QDir::toNativeSeparators(m_path))
                 .arg(offset)
                 .arg(m_size));
        return {};
    }
    QByteArray buffer(qsizetype(qMin<qint64>(Sha256::ChunkSize, offset)), Qt::Uninitialized);
    while (m_position < offset) {
        const qint64 want = qMin<qint64>(buffer.size(), offset - m_position);
        const ssize_t got = ::pread(m_fd, buffer.data(), size_t(want), m_position);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            fail(error,
                 tr("Cannot read %1: %2")
                     .arg(QDir::toNativeSeparators(m_path), qt_error_string(errno)));
            return {};
        }
        if (got == 0) { // shorter than offered
            fail(error, changedReason());
            return {};
        }
        m_sha.addData(QByteArrayView(buffer.constData(), got));
        m_position += got;
    }
    if (m_position == m_size) {
        if (!stillTheSame(error))
            return {};
        m_atEnd = true;
    }
    return m_sha.result();
}

QByteArray FileReader::read(qint64 max, QString *error)
{
    if (m_fd < 0 || m_atEnd || max <= 0)
        return {};
    QByteArray data(qsizetype(qMin(max, m_size - m_position)), Qt::Uninitialized);
    qsizetype filled = 0;
    while (filled < data.size()) {
        const ssize_t got = ::pread(m_fd,
                                    data.data() + filled,
                                    size_t(data.size() - filled),
                                    m_position + filled);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            fail(error,
                 tr("Cannot read %1: %2")
                     .arg(QDir::toNativeSeparators(m_path), qt_error_string(errno)));
            return {};
        }
        if (got == 0) {
            fail(error, changedReason());
            return {};
        }
        filled += got;
    }
    m_sha.addData(data);
    m_position += filled;
    // The last bytes are handed out only once the file is known to be the one offered:
    // its fend's checksum then stands for the file as it was.
    if (m_position == m_size) {
        if (!stillTheSame(error))
            return {};
        m_atEnd = true;
    }
    return data;
}
