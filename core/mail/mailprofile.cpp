// SPDX-License-Identifier: GPL-3.0-or-later
#include "mailprofile.h"

#include "storage/profiledirectory.h"

#include <QCoreApplication>
#include <QDir>
#include <QLoggingCategory>
#include <QSettings>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMailProfile, "shoal.mail")

MailProfile::MailProfile(const QString &profileDir, QObject *parent)
    : QObject(parent)
    , m_path(profileDir.isEmpty() ? QString()
                                  : QDir(profileDir).filePath(QLatin1StringView(FileName)))
{
    if (m_path.isEmpty())
        return;
    QSettings s(m_path, QSettings::IniFormat);
    s.beginGroup(u"mail"_s);
    MailSettings m;
    m.enabled = s.value(u"enabled"_s, false).toBool();
    m.host = s.value(u"host"_s).toString();
    MailSettings::securityFromName(s.value(u"security"_s).toString(), &m.security);
    const uint port = s.value(u"port"_s, MailSettings::defaultPort(m.security)).toUInt();
    m.port = port >= 1 && port <= 65535 ? quint16(port) : MailSettings::defaultPort(m.security);
    m.user = s.value(u"user"_s).toString();
    m.fromAddress = s.value(u"from"_s).toString();
    const qint64 wait = s.value(u"waitSeconds"_s, MailSettings::DefaultWaitSeconds).toLongLong();
    m.waitSeconds = wait >= 1 && wait <= MailSettings::MaxWaitSeconds
                        ? wait
                        : MailSettings::DefaultWaitSeconds;
    m.includeText = s.value(u"includeText"_s, false).toBool();
    s.endGroup();
    // A file edited by hand into something unusable: kept, but off until it is fixed.
    if (QString error; !m.validate(&error)) {
        qCWarning(lcMailProfile) << "e-mail notices off:" << m_path << error;
        m.enabled = false;
    }
    m_settings = m;
    s.beginGroup(u"noticed"_s);
    for (const QString &peer : s.childKeys()) {
        bool ok = false;
        const qint64 seq = s.value(peer).toLongLong(&ok);
        if (ok && seq > 0)
            m_noticed.insert(peer, seq);
    }
}

bool MailProfile::setSettings(const MailSettings &settings, QString *error)
{
    const MailSettings before = m_settings;
    m_settings = settings;
    if (write(error))
        return true;
    m_settings = before;
    return false;
}

bool MailProfile::setNoticed(const QString &peerId, qint64 seq)
{
    m_noticed.insert(peerId, seq);
    QString error;
    if (write(&error))
        return true;
    qCWarning(lcMailProfile).noquote() << error;
    return false;
}

bool MailProfile::write(QString *error) const
{
    if (m_path.isEmpty())
        return true;
    QSettings s(m_path, QSettings::IniFormat);
    s.clear();
    s.beginGroup(u"mail"_s);
    s.setValue(u"enabled"_s, m_settings.enabled);
    s.setValue(u"host"_s, m_settings.host);
    s.setValue(u"port"_s, m_settings.port);
    s.setValue(u"security"_s, MailSettings::securityName(m_settings.security));
    s.setValue(u"user"_s, m_settings.user);
    s.setValue(u"from"_s, m_settings.fromAddress);
    s.setValue(u"waitSeconds"_s, m_settings.waitSeconds);
    s.setValue(u"includeText"_s, m_settings.includeText);
    s.endGroup();
    s.beginGroup(u"noticed"_s);
    for (auto it = m_noticed.cbegin(); it != m_noticed.cend(); ++it)
        s.setValue(it.key(), it.value());
    s.endGroup();
    s.sync();
    ProfileDirectory::restrictToOwner(m_path);
    if (s.status() != QSettings::NoError) {
        if (error) {
            *error = QCoreApplication::translate("MailProfile", "Cannot save %1.")
                         .arg(QDir::toNativeSeparators(m_path));
        }
        return false;
    }
    return true;
}
