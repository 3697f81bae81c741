// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class Messenger;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

// "Connect to peer…": takes host[:port] or an invite link, shows what went wrong inline,
// never blocks.
class ConnectDialog final : public QDialog
{
    Q_OBJECT

public:
    ConnectDialog(Messenger &messenger, QWidget *parent = nullptr);

    QLineEdit *addressEdit() const { return m_address; }
    QLabel *statusLabel() const { return m_status; }
    // Fills in `text` (an address or an invite link, as clicked on the desktop) and connects.
    void connectTo(const QString &text);

Q_SIGNALS:
    void peerConnected(const QString &peerId);

private:
    void tryConnect();
    void tryInvite(const QString &link);
    void connecting(const QString &what);
    void finished(const QString &peerId, const QString &error);
    void showError(const QString &error);
    void fitHeight();

    Messenger &m_messenger;
    QLineEdit *m_address;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
    int m_attempt = 0;
    QString m_invited; // the peer of the invite link being tried
};
