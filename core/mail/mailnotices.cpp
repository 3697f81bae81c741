// SPDX-License-Identifier: GPL-3.0-or-later
#include "mailnotices.h"

#include "mail/mailprofile.h"
#include "mail/mailtransport.h"
#include "storage/messagestore.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcMailProfile) // "shoal.mail", mailprofile.cpp

MailNotices::MailNotices(const MessageStore &store,
                         MailTransport &transport,
                         MailProfile &profile,
                         QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_transport(transport)
    , m_profile(profile)
{
    connect(&m_transport, &MailTransport::finished, this, &MailNotices::onFinished);
    m_tick.setInterval(CheckIntervalMs);
    connect(&m_tick, &QTimer::timeout, this, &MailNotices::check);
    m_due.setSingleShot(true);
    connect(&m_due, &QTimer::timeout, this, &MailNotices::check);
    settingsChanged();
}

QDateTime MailNotices::now() const
{
    return m_clock ? m_clock() : QDateTime::currentDateTimeUtc();
}

void MailNotices::settingsChanged()
{
    m_backoff.clear(); // a new server, or the same fixed: try at once
    if (m_profile.settings().enabled) {
        if (!m_tick.isActive())
            m_tick.start();
    } else {
        m_tick.stop();
        m_due.stop();
    }
    check();
}

void MailNotices::schedule(const QDateTime &due)
{
    const qint64 ms = qBound(qint64(0), now().msecsTo(due), qint64(CheckIntervalMs));
    if (ms >= CheckIntervalMs)
        return; // the tick comes first
    if (!m_due.isActive() || m_due.remainingTime() > ms)
        m_due.start(int(ms));
}

void MailNotices::messageQueued(const QDateTime &sentAt)
{
    if (m_profile.settings().enabled)
        schedule(sentAt.addSecs(m_profile.settings().waitSeconds).addMSecs(1));
}

void MailNotices::check()
{
    const MailSettings &settings = m_profile.settings();
    if (!settings.enabled || !m_addresses)
        return;
    const QDateTime current = now();
    const QHash<QString, QString> addresses = m_addresses();
    for (auto it = addresses.cbegin(); it != addresses.cend(); ++it) {
        const QString &peerId = it.key();
        if (it.value().isEmpty() || m_sending.contains(peerId))
            continue;
        const auto backoff = m_backoff.constFind(peerId);
        if (backoff != m_backoff.cend() && backoff->next > current) {
            schedule(backoff->next);
            continue;
        }
        const qint64 noticed = m_profile.noticed(peerId);
        const QList<ChatMessage> oldest = m_store.undelivered(peerId, noticed, 1);
        if (oldest.isEmpty() || oldest.first().seq <= 0) {
            m_backoff.remove(peerId); // nothing waits any more
            continue;
        }
        const QDateTime due = oldest.first().sentAt.addSecs(settings.waitSeconds);
        if (due >= current) { // longer than the wait, not as long
            schedule(due.addMSecs(1));
            continue;
        }
        QList<ChatMessage> waiting = m_store.undelivered(peerId, noticed, MaxCounted);
        waiting.removeIf([](const ChatMessage &m) { return m.seq <= 0; });
        if (waiting.isEmpty())
            continue;
        const MailMessage message = notice(it.value(), waiting);
        const quint64 ticket = m_transport.send(message);
        m_sending.insert(peerId, ticket);
        m_inFlight.insert(ticket, Attempt{peerId, int(waiting.size()), waiting.constLast().seq});
        qCInfo(lcMailProfile) << "notice of" << waiting.size() << "messages for" << peerId;
    }
}

void MailNotices::onFinished(quint64 ticket, const QString &error)
{
    const auto attempt = m_inFlight.take(ticket);
    if (attempt.peerId.isEmpty())
        return;
    m_sending.remove(attempt.peerId);
    if (error.isEmpty()) {
        m_backoff.remove(attempt.peerId);
        m_profile.setNoticed(attempt.peerId, attempt.newestSeq);
        Q_EMIT sent(attempt.peerId, attempt.count);
        return;
    }
    Backoff &b = m_backoff[attempt.peerId];
    const qint64 delay = qMin(MaxRetryMs, FirstRetryMs << qMin(b.failures, 6));
    ++b.failures;
    b.next = now().addMSecs(delay);
    qCWarning(lcMailProfile).noquote()
        << "notice for" << attempt.peerId << "failed, again in" << delay / 1000 << "s:" << error;
    Q_EMIT failed(attempt.peerId, error);
    if (m_profile.settings().enabled)
        schedule(b.next);
}

MailMessage MailNotices::notice(const QString &address, const QList<ChatMessage> &messages) const
{
    const MailSettings &settings = m_profile.settings();
    const int count = int(messages.size());
    const QString name = m_ownName.isEmpty() ? tr("A Shoal contact") : m_ownName;
    MailMessage m;
    m.fromName = tr("%1 (Shoal)").arg(name);
    m.fromAddress = settings.fromAddress;
    m.toAddress = address;
    m.date = now().toLocalTime();
    m.id = QUuid::createUuid();
    m.subject = tr("%1 sent you %n message(s) in Shoal", nullptr, count).arg(name);
    QStringList lines;
    lines << m.subject + u'.' << QString()
          << tr("To read them, open Shoal while %1 is online on your network: they arrive then "
                "(or sooner, through a contact you both allow to hold messages).")
                 .arg(name);
    if (settings.includeText) {
        lines << QString() << tr("The messages:") << QString();
        for (int i = 0; i < count && i < MaxQuoted; ++i) {
            const ChatMessage &msg = messages.at(i);
            QString text = msg.text.left(MaxQuotedChars);
            if (msg.text.size() > MaxQuotedChars)
                text += u'…';
            text.replace(u"\r\n"_s, u"\n"_s);
            text.replace(u'\r', u'\n');
            lines << u"[%1]"_s.arg(msg.sentAt.toLocalTime().toString(u"yyyy-MM-dd HH:mm"_s));
            for (const QString &line : text.split(u'\n'))
                lines << u"  "_s + line;
        }
        if (count > MaxQuoted)
            lines << tr("… and %n more.", nullptr, count - MaxQuoted);
    }
    lines << QString() << u"-- "_s
          << tr("Sent by %1's Shoal because these messages waited for you longer than %1 chose.")
                 .arg(name);
    m.body = lines.join(u'\n');
    return m;
}
