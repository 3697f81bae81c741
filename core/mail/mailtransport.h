// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mail/mailmessage.h"

#include <QObject>

// What sends an e-mail for MailNotices: SmtpSender (libcurl), or a fake in tests.
class MailTransport : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    // Starts sending `message`; the answer comes as finished(ticket, error), never from within
    // this call.
    virtual quint64 send(const MailMessage &message) = 0;

Q_SIGNALS:
    // `error` empty: the server took the message. Otherwise a sentence for the person.
    void finished(quint64 ticket, const QString &error);
};
