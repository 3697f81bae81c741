// SPDX-License-Identifier: GPL-3.0-or-later
#include "profilesettings.h"

#include "storage/profiledirectory.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

static QString settingsPath(const QString &dir)
{
    return QDir(dir).filePath(QLatin1StringView(ProfileSettings::FileName));
}

bool ProfileSettings::migrate(const QString &fromDir, const QString &toDir, QString *error)
{
    const QString from = settingsPath(fromDir);
    const QString to = settingsPath(toDir);
    if (QDir(fromDir) == QDir(toDir) || !QFileInfo::exists(from) || QFileInfo::exists(to))
        return true;
    bool created = false;
    if (!ProfileDirectory::createPrivateDirectory(toDir, &created, error))
        return false;
    if (!QFile::rename(from, to)) {
        *error
            = QCoreApplication::translate("ProfileSettings", "Cannot move %1 to %2.").arg(from, to);
        return false;
    }
    ProfileDirectory::restrictToOwner(to);
    return true;
}

ProfileSettings ProfileSettings::load(const QString &profileDir)
{
    const QSettings s(settingsPath(profileDir), QSettings::IniFormat);
    ProfileSettings out;
    out.name = s.value(u"name"_s).toString().simplified().left(64);
    // Out-of-range values fall back to the defaults rather than failing the start.
    const uint port = s.value(u"port"_s, out.port).toUInt();
    if (port <= 65535)
        out.port = quint16(port);
    out.discoveryEnabled = s.value(u"discovery/enabled"_s, true).toBool();
    const uint dport = s.value(u"discovery/port"_s, out.discoveryPort).toUInt();
    if (dport >= 1 && dport <= 65535)
        out.discoveryPort = quint16(dport);
    out.readReceipts = s.value(u"privacy/readReceipts"_s, true).toBool();
    out.trayIcon = s.value(u"desktop/trayIcon"_s, true).toBool();
    out.notifications = s.value(u"desktop/notifications"_s, true).toBool();
    out.alertWindow = s.value(u"desktop/alertWindow"_s, true).toBool();
    out.unreadInTitle = s.value(u"desktop/unreadInTitle"_s, true).toBool();
    out.trayNoteShown = s.value(u"desktop/trayNoteShown"_s, false).toBool();
    out.downloadDir = s.value(u"files/downloadDir"_s).toString();
    for (const QString &id : s.value(u"files/acceptFrom"_s).toStringList()) {
        if (!id.isEmpty() && !out.acceptFilesFrom.contains(id))
            out.acceptFilesFrom.append(id);
    }
    out.peerExchange = s.value(u"privacy/peerExchange"_s, true).toBool();
    for (const QString &id : s.value(u"privacy/notSharedWithOthers"_s).toStringList()) {
        if (!id.isEmpty() && !out.notSharedWithOthers.contains(id))
            out.notSharedWithOthers.append(id);
    }
    // A limit that is not a positive number is Shoal's default.
    const auto limit = [&s](const QString &key) {
        bool ok = false;
        const qint64 v = s.value(key).toLongLong(&ok);
        return ok && v > 0 ? v : 0;
    };
    out.maxOfferEntries = limit(u"files/maxOfferEntries"_s);
    out.maxOfferBytes = limit(u"files/maxOfferBytes"_s);
    out.maxPendingOffers = limit(u"files/maxPendingOffers"_s);
    // Issue 15.
    out.status = s.value(u"presence/status"_s).toString();
    out.statusText = s.value(u"presence/text"_s).toString();
    out.autoAwayMinutes = qBound(0, s.value(u"presence/autoAwayMinutes"_s, 10).toInt(), 24 * 60);
    out.ipmsgEnabled = s.value(u"ipmsg/enabled"_s, true).toBool(); // issue 17
    out.windowGeometry = s.value(u"window/geometry"_s).toByteArray();
    out.windowState = s.value(u"window/state"_s).toByteArray();
    out.splitterState = s.value(u"window/splitter"_s).toByteArray();
    return out;
}

QString ProfileSettings::effectiveDownloadDir() const
{
    if (!downloadDir.isEmpty())
        return downloadDir;
    const QString system = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    return system.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::HomeLocation)
                            : system;
}

bool ProfileSettings::save(const QString &profileDir, QString *error) const
{
    // Owner-only before QSettings writes it (it keeps an existing file's mode; a new one would
    // get whatever the umask allows).
    // The config folder may not exist yet (a first start, settings apart from the profile).
    bool created = false;
    if (!ProfileDirectory::createPrivateDirectory(profileDir, &created, error)
        || !ProfileDirectory::createPrivateFile(settingsPath(profileDir), error))
        return false;
    QSettings s(settingsPath(profileDir), QSettings::IniFormat);
    s.setValue(u"name"_s, name);
    s.setValue(u"port"_s, port);
    s.setValue(u"discovery/enabled"_s, discoveryEnabled);
    s.setValue(u"discovery/port"_s, discoveryPort);
    s.setValue(u"privacy/readReceipts"_s, readReceipts);
    s.setValue(u"desktop/trayIcon"_s, trayIcon);
    s.setValue(u"desktop/notifications"_s, notifications);
    s.setValue(u"desktop/alertWindow"_s, alertWindow);
    s.setValue(u"desktop/unreadInTitle"_s, unreadInTitle);
    s.setValue(u"desktop/trayNoteShown"_s, trayNoteShown);
    s.setValue(u"files/downloadDir"_s, downloadDir);
    s.setValue(u"files/acceptFrom"_s, acceptFilesFrom);
    s.setValue(u"privacy/peerExchange"_s, peerExchange);
    s.setValue(u"privacy/notSharedWithOthers"_s, notSharedWithOthers);
    s.setValue(u"presence/status"_s, status); // issue 15
    s.setValue(u"presence/text"_s, statusText);
    s.setValue(u"presence/autoAwayMinutes"_s, autoAwayMinutes);
    s.setValue(u"ipmsg/enabled"_s, ipmsgEnabled); // issue 17
    const auto keepLimit = [&s](const QString &key, qint64 v) {
        if (v > 0)
            s.setValue(key, v);
        else
            s.remove(key);
    };
    keepLimit(u"files/maxOfferEntries"_s, maxOfferEntries);
    keepLimit(u"files/maxOfferBytes"_s, maxOfferBytes);
    keepLimit(u"files/maxPendingOffers"_s, maxPendingOffers);
    s.setValue(u"window/geometry"_s, windowGeometry);
    s.setValue(u"window/state"_s, windowState);
    s.setValue(u"window/splitter"_s, splitterState);
    s.sync();
    if (s.status() != QSettings::NoError) {
        // Shown in the window as it is: in the person's language.
        *error = QCoreApplication::translate("ProfileSettings", "Cannot write %1.")
                     .arg(QDir::toNativeSeparators(settingsPath(profileDir)));
        return false;
    }
    return true;
}
