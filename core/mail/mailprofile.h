// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mail/mailsettings.h"

#include <QHash>
#include <QObject>
#include <QString>

// What e-mail notices keep in the profile folder, in mail.ini (owner-only, like the rest of the
// profile; the password is never here):
//
//   [mail]    enabled, host, port, security (none/starttls/tls), user, from, waitSeconds,
//             includeText
//   [noticed] <peer ID>=<seq>: the newest of our messages to that contact a notice covered, so
//             that a restart does not mail the same messages again
//
// An empty folder: kept in memory only (tests, a history in memory). Written at once on every
// change: both change seldom.
class MailProfile final : public QObject
{
    Q_OBJECT

public:
    static constexpr auto FileName = "mail.ini";

    explicit MailProfile(const QString &profileDir, QObject *parent = nullptr);

    const MailSettings &settings() const { return m_settings; }
    // False and *error when the file cannot be written.
    bool setSettings(const MailSettings &settings, QString *error);

    qint64 noticed(const QString &peerId) const { return m_noticed.value(peerId); }
    bool setNoticed(const QString &peerId, qint64 seq);

private:
    bool write(QString *error) const;

    QString m_path; // empty: in memory
    MailSettings m_settings;
    QHash<QString, qint64> m_noticed;
};
