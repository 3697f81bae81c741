// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/profilesettings.h"

#include <QDialog>

#include <optional>

class QCheckBox;
class QFormLayout;     // avatars (issue 15)
class QHBoxLayout;     // e-mail notices (issue 16)
class MailSettingsBox; // e-mail notices (issue 16)
class QLabel;
class QLineEdit;
class QSpinBox;
class QPushButton;

// Name, ports, LAN discovery, IP Messenger, notifications and the download folder. The name,
// the folder and IP Messenger apply at once; ports on the next start.
class SettingsDialog final : public QDialog
{
    Q_OBJECT

public:
    SettingsDialog(const ProfileSettings &settings, QWidget *parent = nullptr);

    ProfileSettings settings() const;
    QLineEdit *nameEdit() const { return m_name; }
    QSpinBox *portBox() const { return m_port; }
    QCheckBox *discoveryBox() const { return m_discovery; }
    QSpinBox *discoveryPortBox() const { return m_discoveryPort; }
    QCheckBox *readReceiptsBox() const { return m_readReceipts; }
    QCheckBox *peerExchangeBox() const { return m_peerExchange; }
    QCheckBox *trayBox() const { return m_tray; }
    QCheckBox *notificationsBox() const { return m_notifications; }
    QCheckBox *alertBox() const { return m_alert; }
    QCheckBox *unreadInTitleBox() const { return m_unreadInTitle; }
    QSpinBox *autoAwayBox() const { return m_autoAway; } // issue 15
    QLineEdit *downloadDirEdit() const { return m_downloadDir; }
    // --- IP Messenger (issue 17) ---
    QCheckBox *ipmsgBox() const { return m_ipmsg; }
    // Turned off for this run (--no-ipmsg): the box shows it and cannot be changed.
    void setIpmsgOffForThisRun(bool off);
    // --- end IP Messenger ---
    // The ports this run uses where the command line (--port, --discovery-port) overrode the
    // saved ones: said beside each field; what is saved stays what the field says.
    void setPortsForThisRun(std::optional<quint16> port, std::optional<quint16> discoveryPort);
    QLabel *portForThisRunLabel() const { return m_portForThisRun; }
    QLabel *discoveryPortForThisRunLabel() const { return m_discoveryPortForThisRun; }
    // --- Avatars (issue 15) ---
    // The picture's row (ui/avatarsettings.h), under the name; it applies at once.
    void addPictureRow(QWidget *row);
    // --- end avatars ---
    // --- E-mail notices (issue 16) ---
    // The "E-mail notices" box (ui/mailsettingsbox.h), beside the rest. OK stays off while it
    // is wrong, and it is kept (and its password saved) before the dialog closes.
    void addMailBox(MailSettingsBox *box);
    MailSettingsBox *mailBox() const { return m_mail; }
    void accept() override;
    // --- end e-mail notices ---

private:
    void validate();
    void chooseDownloadDir();

    ProfileSettings m_original;
    QLineEdit *m_name;
    QSpinBox *m_port;
    QCheckBox *m_discovery;
    QSpinBox *m_discoveryPort;
    QLabel *m_portForThisRun;
    QLabel *m_discoveryPortForThisRun;
    QCheckBox *m_readReceipts;
    QCheckBox *m_peerExchange;
    QCheckBox *m_tray;
    QCheckBox *m_notifications;
    QCheckBox *m_alert;
    QCheckBox *m_unreadInTitle;
    QSpinBox *m_autoAway; // issue 15
    QLineEdit *m_downloadDir;
    QCheckBox *m_ipmsg = nullptr; // issue 17
    QLabel *m_note;
    QPushButton *m_ok = nullptr;
    QFormLayout *m_form = nullptr;    // avatars (issue 15)
    QHBoxLayout *m_columns = nullptr; // e-mail notices (issue 16)
    MailSettingsBox *m_mail = nullptr;
};
