// SPDX-License-Identifier: GPL-3.0-or-later
#include "smtpsender.h"

#include "net/networksafety.h"

#include <QHostAddress>
#include <QLoggingCategory>

#include <curl/curl.h>

#include <cstring>
#include <mutex>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcMailProfile) // "shoal.mail", mailprofile.cpp

struct SmtpSender::Job
{
    quint64 ticket = 0;
    QByteArray url;
    MailSettings::Security security = MailSettings::Security::StartTls;
    QByteArray user;
    QByteArray password;
    QByteArray from;
    QByteArray to;
    QByteArray bytes;
    QByteArray caFile;
    QString host;
    long connectTimeoutS = 0;
    long messageTimeoutS = 0;
};

namespace {

struct SmtpUpload
{
    const QByteArray *bytes;
    qsizetype offset = 0;
};

size_t smtpRead(char *buffer, size_t size, size_t count, void *user)
{
    auto *upload = static_cast<SmtpUpload *>(user);
    const size_t room = size * count;
    const size_t left = size_t(upload->bytes->size() - upload->offset);
    const size_t n = qMin(room, left);
    std::memcpy(buffer, upload->bytes->constData() + upload->offset, n);
    upload->offset += qsizetype(n);
    return n;
}

int smtpProgress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    return static_cast<const std::atomic<bool> *>(user)->load() ? 1 : 0; // non-zero aborts
}

} // namespace

SmtpSender::SmtpSender(QObject *parent)
    : MailTransport(parent)
    , m_worker(new QObject)
    , m_abort(std::make_shared<std::atomic<bool>>(false))
{
    // Not thread-safe in every libcurl: once, here on the owner's thread, before any transfer.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    m_thread.setObjectName(u"smtp"_s);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

SmtpSender::~SmtpSender()
{
    m_abort->store(true);
    m_thread.quit();
    m_thread.wait();
}

void SmtpSender::setServer(const MailSettings &settings)
{
    m_server = settings;
}

void SmtpSender::setPassword(const QString &password, const QString &unavailable)
{
    m_password = password;
    m_passwordUnavailable = unavailable;
}

quint64 SmtpSender::send(const MailMessage &message)
{
    const quint64 ticket = m_nextTicket++;
    const auto failLater = [this, ticket](const QString &error) {
        QMetaObject::invokeMethod(
            this, [this, ticket, error] { Q_EMIT finished(ticket, error); }, Qt::QueuedConnection);
        return ticket;
    };
    QString error;
    const QByteArray bytes = message.build(&error);
    if (bytes.isEmpty())
        return failLater(error);
    if (!m_server.user.isEmpty() && !m_passwordUnavailable.isEmpty())
        return failLater(m_passwordUnavailable);
    if (m_server.host.isEmpty())
        return failLater(tr("No mail server is set."));
    // The test machines' backstop (SHOAL_LOOPBACK_ONLY): nothing beyond this host, mail too.
    if (NetworkSafety::loopbackOnly() && !NetworkSafety::isLoopbackHost(m_server.host))
        return failLater(tr("Only this computer may be reached (SHOAL_LOOPBACK_ONLY is set); the "
                            "mail server %1 is not on it.")
                             .arg(m_server.host));

    auto job = std::make_shared<Job>();
    job->ticket = ticket;
    job->host = m_server.host;
    const QHostAddress address(m_server.host);
    const QString host = !address.isNull() && address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u"["_s + m_server.host + u"]"_s
                             : m_server.host;
    const QString scheme = m_server.security == MailSettings::Security::Tls ? u"smtps"_s
                                                                            : u"smtp"_s;
    // The path is the name given in EHLO: libcurl's default (the local host name) is fine, so
    // none; the host was checked (MailSettings::validate) to hold nothing a URL would read.
    job->url = u"%1://%2:%3"_s.arg(scheme, host).arg(m_server.port).toUtf8();
    job->security = m_server.security;
    job->user = m_server.user.toUtf8();
    job->password = m_password.toUtf8();
    job->from = '<' + message.fromAddress.toLatin1() + '>';
    job->to = '<' + message.toAddress.toLatin1() + '>';
    job->bytes = bytes;
    job->caFile = m_caFile.toLocal8Bit();
    job->connectTimeoutS = m_connectTimeoutS;
    job->messageTimeoutS = m_messageTimeoutS;

    const auto abort = m_abort;
    QMetaObject::invokeMethod(
        m_worker,
        [this, job, abort] {
            const Result result = perform(*job, *abort);
            // Back on the owner's thread; dropped with it if it is gone.
            QMetaObject::invokeMethod(
                this,
                [this, job, result] {
                    const QString error = describe(*job, result);
                    if (!error.isEmpty()) {
                        qCWarning(lcMailProfile).noquote()
                            << "SMTP to" << job->host << "failed:" << result.code << result.response
                            << result.detail;
                    }
                    Q_EMIT finished(job->ticket, error);
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
    return ticket;
}

SmtpSender::Result SmtpSender::perform(const Job &job, const std::atomic<bool> &abort)
{
    Result result;
    CURL *curl = curl_easy_init();
    if (!curl) {
        result.code = CURLE_FAILED_INIT;
        return result;
    }
    char errorBuffer[CURL_ERROR_SIZE] = {};
    curl_slist *recipients = curl_slist_append(nullptr, job.to.constData());
    SmtpUpload upload{&job.bytes};

    curl_easy_setopt(curl, CURLOPT_URL, job.url.constData());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); // a worker thread: no SIGALRM
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, job.connectTimeoutS);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, job.messageTimeoutS);
    if (job.security == MailSettings::Security::StartTls)
        curl_easy_setopt(curl, CURLOPT_USE_SSL, long(CURLUSESSL_ALL)); // STARTTLS or nothing
    if (!job.caFile.isEmpty())
        curl_easy_setopt(curl, CURLOPT_CAINFO, job.caFile.constData());
    if (!job.user.isEmpty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, job.user.constData());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, job.password.constData());
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, job.from.constData());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, smtpRead);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(job.bytes.size()));
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, smtpProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &abort);

    result.code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.response);
    if (result.code != CURLE_OK) {
        result.detail = QString::fromUtf8(
            errorBuffer[0] ? errorBuffer : curl_easy_strerror(CURLcode(result.code)));
    }
    curl_slist_free_all(recipients);
    curl_easy_cleanup(curl);
    return result;
}

QString SmtpSender::describe(const Job &job, const Result &result) const
{
    switch (CURLcode(result.code)) {
    case CURLE_OK:
        return {};
    case CURLE_COULDNT_RESOLVE_HOST:
        return tr("The mail server %1 was not found; check its name in the e-mail settings.")
            .arg(job.host);
    case CURLE_COULDNT_CONNECT:
        return tr("The mail server %1 could not be reached (%2); check its address and port.")
            .arg(job.host, result.detail);
    case CURLE_OPERATION_TIMEDOUT:
        return tr("The mail server %1 did not answer in time.").arg(job.host);
    case CURLE_LOGIN_DENIED:
        return tr("The mail server %1 refused the user name or password.").arg(job.host);
    case CURLE_USE_SSL_FAILED:
        return tr("The mail server %1 does not offer STARTTLS; choose TLS or another server.")
            .arg(job.host);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
        return tr("A secure connection to the mail server %1 could not be made (%2).")
            .arg(job.host, result.detail);
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
        return tr("The connection to the mail server %1 broke (%2).").arg(job.host, result.detail);
    default:
        break;
    }
    if (result.response >= 400) {
        return tr("The mail server %1 refused the message (%2: %3).")
            .arg(job.host)
            .arg(result.response)
            .arg(result.detail);
    }
    return tr("The notice could not be sent through %1 (%2).").arg(job.host, result.detail);
}
