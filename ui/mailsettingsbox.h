// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mail/mailsettings.h"

#include <QGroupBox>

#include <functional>

class Messenger;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

// Settings' "E-mail notices" (issue 16, docs/relay.md): whether Shoal e-mails a contact when
// messages wait too long for them, through which SMTP server, and after how many hours. The
// box's title checks it on and off. What is wrong is said under the fields as the person
// types, and Settings' OK waits until it is right. The password goes to the desktop keyring
// through the messenger, only when it was typed in (the field never shows the saved one).
class MailSettingsBox final : public QGroupBox
{
    Q_OBJECT

public:
    MailSettingsBox(Messenger &messenger, QWidget *parent = nullptr);

    // What the fields say now.
    MailSettings settings() const;
    // Whether they can be kept (MailSettings::validate), and what to fix if not.
    bool isValid() const { return m_valid; }
    // Keeps them (Messenger::setMailSettings) and, if it was typed, the password (in the
    // keyring); then calls `done`. On an error it says why under the fields and does not call
    // it. The keyring answers later: `done` may come after this returns.
    void apply(std::function<void()> done);
    bool isSaving() const { return m_saving; }

    QLineEdit *hostEdit() const { return m_host; }
    QSpinBox *portBox() const { return m_port; }
    QComboBox *securityBox() const { return m_security; }
    QLineEdit *userEdit() const { return m_user; }
    QLineEdit *passwordEdit() const { return m_password; }
    QLineEdit *fromEdit() const { return m_from; }
    QSpinBox *waitBox() const { return m_waitHours; }
    QCheckBox *includeTextBox() const { return m_includeText; }
    QLabel *errorLabel() const { return m_error; }

Q_SIGNALS:
    void validityChanged(bool valid);
    void savingChanged(bool saving);

private:
    void validate();
    void showError(const QString &error);
    void setSaving(bool saving);

    Messenger &m_messenger;
    MailSettings m_original;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QComboBox *m_security;
    QLineEdit *m_user;
    QLineEdit *m_password;
    QLineEdit *m_from;
    QSpinBox *m_waitHours;
    QCheckBox *m_includeText;
    QLabel *m_error;
    bool m_passwordTyped = false;
    bool m_valid = true;
    bool m_saving = false;
};
