// SPDX-License-Identifier: GPL-3.0-or-later
#include "mailsettings.h"

#include "mail/mailmessage.h"

#include <QHostAddress>

using namespace Qt::StringLiterals;

namespace {

// A host name (letters, digits, hyphens, dots) or an IP address: nothing that could change the
// URL handed to libcurl (no "/", "@", ":" outside an IPv6 address, spaces or controls).
bool isValidMailHost(const QString &host)
{
    if (host.isEmpty() || host.size() > 253)
        return false;
    if (QHostAddress address; address.setAddress(host))
        return true;
    for (const QStringView label : QStringView(host).split(u'.')) {
        if (label.isEmpty() || label.size() > 63 || label.startsWith(u'-') || label.endsWith(u'-'))
            return false;
        for (const QChar c : label) {
            const char16_t u = c.unicode();
            if (!((u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')
                  || u == u'-'))
                return false;
        }
    }
    return true;
}

bool isLoopbackMailHost(const QString &host)
{
    if (host.compare(u"localhost"_s, Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

} // namespace

bool MailSettings::validate(QString *error) const
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (!enabled)
        return true;
    if (!isValidMailHost(host))
        return fail(tr("Enter the mail server's host name or address (such as smtp.example.com)."));
    if (port == 0)
        return fail(tr("Enter the mail server's port (587 for STARTTLS, 465 for TLS)."));
    if (!MailMessage::isValidAddress(fromAddress))
        return fail(tr("Enter the address notices are sent from (such as alice@example.com)."));
    for (const QChar c : user) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return fail(tr("The user name cannot contain control characters."));
    }
    if (user.size() > 256)
        return fail(tr("The user name is too long."));
    if (security == Security::None && !user.isEmpty() && !isLoopbackMailHost(host))
        return fail(tr("Without TLS the password would cross the network in clear text; "
                       "choose STARTTLS or TLS."));
    if (waitSeconds < 1 || waitSeconds > MaxWaitSeconds)
        return fail(tr("The wait before a notice must be between 1 second and 30 days."));
    return true;
}

quint16 MailSettings::defaultPort(Security security)
{
    switch (security) {
    case Security::None:
        return 25;
    case Security::StartTls:
        return 587;
    case Security::Tls:
        return 465;
    }
    return 587;
}

QString MailSettings::securityName(Security security)
{
    switch (security) {
    case Security::None:
        return u"none"_s;
    case Security::StartTls:
        return u"starttls"_s;
    case Security::Tls:
        return u"tls"_s;
    }
    return {};
}

bool MailSettings::securityFromName(const QString &name, Security *security)
{
    for (const Security s : {Security::None, Security::StartTls, Security::Tls}) {
        if (name == securityName(s)) {
            *security = s;
            return true;
        }
    }
    return false;
}
