// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QMetaType>
#include <QString>

// E-mail notices (issue 16; docs/relay.md, "E-mail notices"): the SMTP server this profile
// sends its notices through, and when. Kept in the profile folder (mail.ini, MailProfile); the
// password never is: it lives in the desktop keyring (Keyring).
struct MailSettings
{
    Q_DECLARE_TR_FUNCTIONS(MailSettings)

public:
    enum class Security {
        None,     // plain SMTP (only to a server on this host when a user is set)
        StartTls, // smtp://, then STARTTLS, required
        Tls,      // smtps://: TLS from the first byte
    };
    static constexpr qint64 DefaultWaitSeconds = 4 * 3600;
    static constexpr qint64 MaxWaitSeconds = 30LL * 24 * 3600;

    bool enabled = false;
    QString host;
    quint16 port = 587;
    Security security = Security::StartTls;
    QString user;        // empty: no AUTH
    QString fromAddress; // the notices' From (and the envelope's MAIL FROM)
    // How long a message waits for its recipient before the notice goes: seconds, so that a
    // test can wait 2 s; the window shows hours.
    qint64 waitSeconds = DefaultWaitSeconds;
    bool includeText = false; // the messages' text in the notice (off: only how many)

    // Whether these settings can be used; *error says what to fix, for the person. Settings
    // that are off are always valid (the fields may be half filled).
    bool validate(QString *error) const;
    // The usual port for a security mode (587, 465; 25 for none).
    static quint16 defaultPort(Security security);
    static QString securityName(Security security); // "none", "starttls", "tls"
    static bool securityFromName(const QString &name, Security *security);

    bool operator==(const MailSettings &o) const
    {
        return enabled == o.enabled && host == o.host && port == o.port && security == o.security
               && user == o.user && fromAddress == o.fromAddress && waitSeconds == o.waitSeconds
               && includeText == o.includeText;
    }
    bool operator!=(const MailSettings &o) const { return !(*this == o); }
};
Q_DECLARE_METATYPE(MailSettings)
