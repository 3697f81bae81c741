// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QLockFile>
#include <QString>
#include <QStringList>

#include <memory>

// The folder a person's identity, settings and history live in. Opening it creates it
// owner-only if it is missing (an existing folder's mode is never changed: it may be shared on
// purpose), and locks it, so that a second Shoal on the same profile refuses to start instead
// of running with the same identity and losing the first one's messages.
class ProfileDirectory final
{
    Q_DECLARE_TR_FUNCTIONS(ProfileDirectory)

public:
    static constexpr auto LockFile = "shoal.lock";

    // nullptr with *error set when the folder cannot be made or another process holds it
    // (then *heldByAnother, if given, is true: a second window may hand over to the first).
    static std::unique_ptr<ProfileDirectory> open(const QString &path,
                                                  QString *error,
                                                  bool *heldByAnother = nullptr);
    ~ProfileDirectory();

    QString path() const { return m_path; }
    // Problems that do not stop Shoal (a folder others can read), for the person.
    QStringList warnings() const { return m_warnings; }

    // Creates `path` (and missing parents) with owner-only permissions; an existing folder is
    // left as it is. *created says whether it was made here.
    static bool createPrivateDirectory(const QString &path, bool *created, QString *error);
    // Makes an existing file that Shoal owns readable and writable by its owner only.
    static bool restrictToOwner(const QString &file);
    // Creates `file` empty and owner-only unless it exists (then only restricts it), so that
    // whatever opens it next (SQLite, QSettings) never makes it readable by others.
    static bool createPrivateFile(const QString &file, QString *error);

private:
    explicit ProfileDirectory(const QString &path);

    QString m_path;
    QLockFile m_lock;
    QStringList m_warnings;
};
