// SPDX-License-Identifier: GPL-3.0-or-later
#include "profiledirectory.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcProfile, "shoal.profile")

static constexpr QFileDevice::Permissions OwnerOnly = QFileDevice::ReadOwner
                                                      | QFileDevice::WriteOwner;

ProfileDirectory::ProfileDirectory(const QString &path)
    : m_path(path)
    , m_lock(QDir(path).filePath(QLatin1StringView(LockFile)))
{}

ProfileDirectory::~ProfileDirectory() = default;

bool ProfileDirectory::createPrivateDirectory(const QString &path, bool *created, QString *error)
{
    *created = false;
    const QFileInfo info(path);
    if (info.isDir())
        return true;
    if (info.exists()) {
        *error = tr("%1 exists and is not a folder.").arg(path);
        return false;
    }
    // Every folder made here, missing parents included, is owner-only from its first moment,
    // whatever the umask; folders that exist are left as they are.
    const QString absolute = QDir::cleanPath(info.absoluteFilePath());
    QStringList missing;
    for (QString p = absolute; !QFileInfo(p).isDir(); p = QFileInfo(p).path())
        missing.prepend(p);
    for (const QString &folder : std::as_const(missing)) {
        const QByteArray name = QFile::encodeName(folder);
        if (::mkdir(name.constData(), 0700) != 0) {
            if (errno == EEXIST && QFileInfo(folder).isDir())
                continue; // made by someone else meanwhile: theirs, not ours
            *error = tr("Cannot create the folder %1: %2.")
                         .arg(folder, QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        ::chmod(name.constData(), 0700); // a umask may have taken bits away
        *created = folder == absolute;
    }
    return true;
}

bool ProfileDirectory::restrictToOwner(const QString &file)
{
    if (!QFileInfo::exists(file))
        return true;
    return QFile::setPermissions(file, OwnerOnly);
}

bool ProfileDirectory::createPrivateFile(const QString &file, QString *error)
{
    const int fd = ::open(QFile::encodeName(file).constData(),
                          O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                          0600);
    if (fd < 0) {
        *error = tr("Cannot create %1: %2.").arg(file, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    // Created 0600 & ~umask, or it existed with whatever mode an older Shoal gave it.
    const bool ok = ::fchmod(fd, 0600) == 0;
    ::close(fd);
    if (!ok)
        *error = tr("Cannot make %1 private to its owner.").arg(file);
    return ok;
}

std::unique_ptr<ProfileDirectory> ProfileDirectory::open(const QString &path,
                                                         QString *error,
                                                         bool *heldByAnother)
{
    if (heldByAnother)
        *heldByAnother = false;
    bool created = false;
    if (!createPrivateDirectory(path, &created, error))
        return nullptr;
    std::unique_ptr<ProfileDirectory> profile(
        new ProfileDirectory(QFileInfo(path).absoluteFilePath()));
    // Only a live process holds the lock: one that was killed leaves a file whose process is
    // gone, and QLockFile takes it over. Age alone never makes a lock stale.
    profile->m_lock.setStaleLockTime(0);
    if (!profile->m_lock.tryLock(0)) {
        if (profile->m_lock.error() == QLockFile::LockFailedError) {
            if (heldByAnother)
                *heldByAnother = true;
            qint64 pid = 0;
            QString host, app;
            profile->m_lock.getLockInfo(&pid, &host, &app);
            *error = tr("Another Shoal (process %1) is already using the profile %2. Close it "
                        "first, or start this one with --profile and another folder.")
                         .arg(pid)
                         .arg(profile->m_path);
        } else {
            *error
                = tr("Cannot lock the profile %1 (is the folder writable?).").arg(profile->m_path);
        }
        return nullptr;
    }
    restrictToOwner(profile->m_lock.fileName());
    if (!created) {
        const QFileDevice::Permissions mode = QFileInfo(profile->m_path).permissions();
        if (mode & (QFileDevice::ReadGroup | QFileDevice::ReadOther)) {
            const QString warning = tr("The profile folder %1 can be read by other users of "
                                       "this computer. Its files are private, but consider "
                                       "\"chmod 700 %1\".")
                                        .arg(profile->m_path);
            qCWarning(lcProfile).noquote() << warning;
            profile->m_warnings.append(warning);
        }
    }
    return profile;
}
