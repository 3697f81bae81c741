// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mail/mailmessage.h"
#include "mail/mailsettings.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>

class MailProfile;
class MailTransport;
class MessageStore;
struct ChatMessage;

// Extended offline delivery (issue 16; docs/relay.md, "E-mail notices"). Every minute, when the
// settings change, and when the next wait is due: for each contact with an e-mail address whose
// oldest message from us not yet delivered (and not covered by a notice before) has waited
// longer than the wait, ONE notice goes to that address covering every such message, and those
// messages never get another: the newest one's seq is kept (MailProfile, so a restart does not
// mail them again). Nothing while off, nothing for a contact without an address. A failed send
// is reported and tried again after 1, 2, 4 ... 60 minutes.
class MailNotices final : public QObject
{
    Q_OBJECT

public:
    static constexpr int CheckIntervalMs = 60'000;
    static constexpr qint64 FirstRetryMs = 60'000;
    static constexpr qint64 MaxRetryMs = 3'600'000;
    // Messages one notice counts at most (the rest get a later one), and whose text it carries.
    static constexpr int MaxCounted = 10'000;
    static constexpr int MaxQuoted = 50;
    static constexpr int MaxQuotedChars = 2'000; // of one message

    // All must outlive the service; `store` is open.
    MailNotices(const MessageStore &store,
                MailTransport &transport,
                MailProfile &profile,
                QObject *parent = nullptr);

    // The profile's settings (MailProfile) changed: applied, failures forgotten, checked now.
    void settingsChanged();
    // Our display name: "Alice sent you ...".
    void setOwnName(const QString &name) { m_ownName = name; }
    // Contact -> address, asked at each check (the contact cards).
    void setAddressBook(std::function<QHash<QString, QString>()> addresses)
    {
        m_addresses = std::move(addresses);
    }
    // For tests: the clock (the real one when unset).
    void setClock(std::function<QDateTime()> now) { m_clock = std::move(now); }

    // Looks at every contact now (also what the timers call).
    void check();
    // One of our messages was queued at `sentAt`: a check when it has waited long enough (a
    // timer at most; nothing is read here: this is on the send path).
    void messageQueued(const QDateTime &sentAt);
    // The notice for `messages` (oldest first) as it would be mailed to `address`.
    MailMessage notice(const QString &address, const QList<ChatMessage> &messages) const;
    bool isSending(const QString &peerId) const { return m_sending.contains(peerId); }

Q_SIGNALS:
    void sent(const QString &peerId, int count);
    void failed(const QString &peerId, const QString &error);

private:
    struct Attempt
    {
        QString peerId;
        int count = 0;
        qint64 newestSeq = 0;
    };
    struct Backoff
    {
        int failures = 0;
        QDateTime next;
    };
    QDateTime now() const;
    void onFinished(quint64 ticket, const QString &error);
    void schedule(const QDateTime &due);

    const MessageStore &m_store;
    MailTransport &m_transport;
    MailProfile &m_profile;
    QString m_ownName;
    std::function<QHash<QString, QString>()> m_addresses;
    std::function<QDateTime()> m_clock;
    QHash<quint64, Attempt> m_inFlight; // ticket -> what it covers
    QHash<QString, quint64> m_sending;  // peer -> ticket
    QHash<QString, Backoff> m_backoff;
    QTimer m_tick; // every minute
    QTimer m_due;  // the next wait or retry that ends before the tick
};
