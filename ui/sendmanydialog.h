// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class Messenger;
class PeerCheckList;
class QDialogButtonBox;
class QLabel;
class QMessageBox;
class QPlainTextEdit;

// "Send to several…": one text, a 1:1 message to each peer checked. Before anything is sent a
// confirmation names every recipient (a message to the wrong people cannot be taken back);
// Cancel there sends nothing and keeps the dialog as it was.
class SendManyDialog final : public QDialog
{
    Q_OBJECT

public:
    // `recipients`: the peers checked at first (those selected in the peer list).
    SendManyDialog(Messenger &messenger, const QStringList &recipients, QWidget *parent = nullptr);

    PeerCheckList *recipients() const { return m_recipients; }
    QPlainTextEdit *textEdit() const { return m_text; }
    QLabel *statusLabel() const { return m_status; }
    // Asks for the confirmation (the Send button does this).
    void confirmAndSend();
    // The open confirmation, if any.
    QMessageBox *confirmation() const { return m_confirmation; }

Q_SIGNALS:
    void sent(const QStringList &peerIds);

private:
    void send(const QStringList &peerIds, const QString &text);
    void updateButton();

    Messenger &m_messenger;
    PeerCheckList *m_recipients;
    QPlainTextEdit *m_text;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
    QMessageBox *m_confirmation = nullptr;
};
