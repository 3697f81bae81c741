// SPDX-License-Identifier: GPL-3.0-or-later
// E-mail notices (issue 16; docs/relay.md, "E-mail notices"): the facade's side.
#include "messenger.h"

#include "mail/keyring.h"
#include "mail/mailmessage.h"
#include "mail/mailnotices.h"
#include "mail/mailprofile.h"
#include "mail/smtpsender.h"
#include "protocol/messages.h"
#include "relay/carrystore.h"
#include "storage/messagestore.h"

using namespace Qt::StringLiterals;

void Messenger::wireMail()
{
    m_mailProfile = new MailProfile(m_config.profileDir, this);
    m_smtp = new SmtpSender(this);
    m_smtp->setServer(m_mailProfile->settings());
    // Until the keyring answers (startMail), a notice that needs the password waits.
    m_smtp->setPassword({}, tr("The mail password has not been read from the keyring yet."));
    m_keyring = new Keyring(u"smtp-password:"_s + id(), this);
    connect(m_keyring,
            &Keyring::readFinished,
            this,
            [this](bool found, const QString &password, const QString &error) {
                m_passwordReads = qMax(0, m_passwordReads - 1);
                if (m_stalePasswordReads > 0) {
                    --m_stalePasswordReads; // asked before a save: the saved one stands
                    return;
                }
                QString unavailable = error;
                if (error.isEmpty() && !found)
                    unavailable = tr("No mail password is kept; enter it in the e-mail settings.");
                m_smtp->setPassword(password, unavailable);
                if (m_mailNotices)
                    m_mailNotices->settingsChanged(); // what waited for it goes now
            });
    connect(m_keyring, &Keyring::stored, this, [this](bool ok, const QString &error) {
        if (m_passwordSaves.isEmpty())
            return;
        const QString password = m_passwordSaves.takeFirst();
        if (ok) {
            m_smtp->setPassword(password,
                                password.isEmpty()
                                    ? tr("No mail password is kept; enter it in the e-mail "
                                         "settings.")
                                    : QString());
            if (m_mailNotices)
                m_mailNotices->settingsChanged();
        }
        Q_EMIT mailPasswordSaved(ok, error);
    });
}

void Messenger::startMail()
{
    m_mailNotices = new MailNotices(*m_store, *m_smtp, *m_mailProfile, this);
    m_mailNotices->setOwnName(m_config.name);
    m_mailNotices->setAddressBook(
        [this] { return m_carryStore ? m_carryStore->emails() : QHash<QString, QString>(); });
    connect(m_mailNotices, &MailNotices::sent, this, &Messenger::mailNoticeSent);
    connect(m_mailNotices, &MailNotices::failed, this, &Messenger::mailNoticeFailed);
    if (!m_mailProfile->settings().user.isEmpty())
        readMailPassword();
}

void Messenger::readMailPassword()
{
    ++m_passwordReads;
    m_keyring->read();
}

bool Messenger::setContactEmail(const QString &peerId, const QString &email, QString *error)
{
    QString ignored;
    QString &err = error ? *error : ignored;
    const QString address = email.trimmed();
    if (!Protocol::isValidPeerId(peerId)) {
        err = tr("Only a Shoal contact can have an e-mail address for notices.");
        return false;
    }
    if (!address.isEmpty() && !MailMessage::isValidAddress(address)) {
        err = tr("\"%1\" is not an e-mail address Shoal can send to (name@example.com).")
                  .arg(address);
        return false;
    }
    if (!m_carryStore) {
        err = tr("Contact cards are not available in this build.");
        return false;
    }
    if (m_carryStore->email(peerId) == address)
        return true;
    if (!m_carryStore->setEmail(peerId, address)) {
        err = tr("The contact's e-mail address could not be saved (%1).")
                  .arg(m_carryStore->lastError());
        return false;
    }
    Q_EMIT contactEmailChanged(peerId, address);
    if (m_mailNotices)
        m_mailNotices->check();
    return true;
}

QString Messenger::contactEmail(const QString &peerId) const
{
    return m_carryStore ? m_carryStore->email(peerId) : QString();
}

MailSettings Messenger::mailSettings() const
{
    return m_mailProfile->settings();
}

bool Messenger::setMailSettings(const MailSettings &settings, QString *error)
{
    QString ignored;
    QString &err = error ? *error : ignored;
    MailSettings s = settings;
    s.host = s.host.trimmed();
    s.fromAddress = s.fromAddress.trimmed();
    if (!s.validate(&err))
        return false;
    const MailSettings before = m_mailProfile->settings();
    if (s == before)
        return true;
    if (!m_mailProfile->setSettings(s, &err))
        return false;
    m_smtp->setServer(s);
    if (m_mailNotices && !s.user.isEmpty() && (before.user.isEmpty() || !before.enabled))
        readMailPassword(); // answered later; settingsChanged() then
    if (m_mailNotices)
        m_mailNotices->settingsChanged();
    Q_EMIT mailSettingsChanged(s);
    return true;
}

void Messenger::setMailPassword(const QString &password)
{
    // One answer per save, in order (a connection per call answered the first save twice and
    // applied the second's password); a read still out answers with what was there before.
    m_passwordSaves.append(password);
    m_stalePasswordReads = m_passwordReads;
    m_keyring->store(password);
}
