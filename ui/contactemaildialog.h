// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class Messenger;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

// "E-mail address…" in the peer list's menu (issue 16): the contact card's address, where
// Shoal sends a notice when messages to that contact wait too long (Settings, E-mail notices).
// Empty removes it. A mistyped address and the messenger's refusal are shown in the dialog,
// which stays open until the address is kept.
class ContactEmailDialog final : public QDialog
{
    Q_OBJECT

public:
    ContactEmailDialog(Messenger &messenger, const QString &peerId, QWidget *parent = nullptr);

    QLineEdit *emailEdit() const { return m_email; }
    QLabel *errorLabel() const { return m_error; }
    QString peerId() const { return m_peerId; }

    // Whether `text` can be an e-mail address as a person types one (empty is allowed: none).
    static bool looksLikeEmail(const QString &text);

    void accept() override;

private:
    void validate();

    Messenger &m_messenger;
    QString m_peerId;
    QLineEdit *m_email;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};
