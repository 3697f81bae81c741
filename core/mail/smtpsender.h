// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mail/mailsettings.h"
#include "mail/mailtransport.h"

#include <QThread>

#include <atomic>
#include <memory>

// Sends e-mail through the SMTP server the person configured, with libcurl (smtp:// or
// smtps://, STARTTLS required when asked, certificates checked), on a worker thread of its own:
// a slow or silent server never blocks the event loop. One message at a time, in order; the
// answer comes back as finished() on the owner's thread (a queued call).
class SmtpSender final : public MailTransport
{
    Q_OBJECT

public:
    // libcurl gives up on a connection after this, and on a whole message after MessageTimeoutS.
    static constexpr long ConnectTimeoutS = 20;
    static constexpr long MessageTimeoutS = 90;

    explicit SmtpSender(QObject *parent = nullptr);
    ~SmtpSender() override; // aborts a transfer under way, waits for the thread

    // Where to send (host, port, security, user). Used by the next send().
    void setServer(const MailSettings &settings);
    // The password for the user; when it could not be read (no keyring), `unavailable` says why
    // and every send with a user fails with that sentence.
    void setPassword(const QString &password, const QString &unavailable = {});

    quint64 send(const MailMessage &message) override;

    // For tests: the CA file a TLS server's certificate is checked against (empty: the system's),
    // and shorter timeouts (seconds).
    void setCaFile(const QString &path) { m_caFile = path; }
    void setTimeouts(long connectS, long messageS)
    {
        m_connectTimeoutS = connectS;
        m_messageTimeoutS = messageS;
    }

private:
    struct Job;
    struct Result
    {
        int code = 0; // CURLcode
        long response = 0;
        QString detail;
    };
    static Result perform(const Job &job, const std::atomic<bool> &abort);
    QString describe(const Job &job, const Result &result) const;

    MailSettings m_server;
    QString m_password;
    QString m_passwordUnavailable;
    QString m_caFile;
    long m_connectTimeoutS = ConnectTimeoutS;
    long m_messageTimeoutS = MessageTimeoutS;
    quint64 m_nextTicket = 1;
    QThread m_thread;
    QObject *m_worker; // lives in m_thread
    std::shared_ptr<std::atomic<bool>> m_abort;
};
