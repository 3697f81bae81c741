// SPDX-License-Identifier: GPL-3.0-or-later
#include "settingsdialog.h"

#include "ipmsgtext.h"       // issue 17
#include "mailsettingsbox.h" // issue 16

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>

SettingsDialog::SettingsDialog(const ProfileSettings &settings, QWidget *parent)
    : QDialog(parent)
    , m_original(settings)
    , m_name(new QLineEdit(settings.name, this))
    , m_port(new QSpinBox(this))
    , m_discovery(new QCheckBox(tr("Find peers on the local network"), this))
    , m_discoveryPort(new QSpinBox(this))
    , m_portForThisRun(new QLabel(this))
    , m_discoveryPortForThisRun(new QLabel(this))
    , m_readReceipts(new QCheckBox(tr("Let senders know when I have read their messages"), this))
    , m_peerExchange(
          new QCheckBox(tr("Tell my contacts where my other contacts are (peer exchange)"), this))
    , m_tray(new QCheckBox(tr("Show an icon in the system tray"), this))
    , m_notifications(new QCheckBox(tr("Notify me when the window is not in front"), this))
    , m_alert(new QCheckBox(tr("Mark the window as needing attention"), this))
    , m_unreadInTitle(new QCheckBox(tr("Show the unread count in the window title"), this))
    , m_downloadDir(new QLineEdit(QDir::toNativeSeparators(settings.effectiveDownloadDir()), this))
    , m_note(new QLabel(this))
{
    setWindowTitle(tr("Settings"));
    m_name->setMaxLength(64);
    m_port->setRange(0, 65535);
    m_port->setValue(settings.port);
    m_port->setSpecialValueText(tr("any free port"));
    m_discovery->setChecked(settings.discoveryEnabled);
    m_discoveryPort->setRange(1, 65535);
    m_discoveryPort->setValue(settings.discoveryPort);
    m_readReceipts->setChecked(settings.readReceipts);
    m_peerExchange->setChecked(settings.peerExchange);
    m_peerExchange->setToolTip(tr("Contacts connected to you learn the address of your other "
                                  "contacts online, so that they can connect to each other "
                                  "across routers. A contact can be left out from its menu."));
    m_tray->setChecked(settings.trayIcon);
    m_tray->setToolTip(tr("While the icon is in the tray, closing the window keeps Shoal "
                          "running there; Quit ends it."));
    m_notifications->setChecked(settings.notifications);
    m_alert->setChecked(settings.alertWindow);
    m_unreadInTitle->setChecked(settings.unreadInTitle);
    m_note->setWordWrap(true);
    m_note->setTextFormat(Qt::PlainText);

    auto *form = new QFormLayout;
    m_form = form; // avatars (issue 15)
    form->addRow(tr("Your &name:"), m_name);
    // A port and, when the command line overrode it, what this run uses beside it.
    auto portRow = [this, form](const QString &text, QSpinBox *box, QLabel *forThisRun) {
        forThisRun->setTextFormat(Qt::PlainText);
        forThisRun->hide();
        auto *row = new QHBoxLayout;
        row->addWidget(box, 1); // as wide as the other fields when nothing is said
        row->addWidget(forThisRun);
        auto *label = new QLabel(text, this);
        label->setBuddy(box);
        form->addRow(label, row);
    };
    portRow(tr("TCP &port:"), m_port, m_portForThisRun);
    form->addRow(QString(), m_discovery);
    portRow(tr("&Discovery port (UDP):"), m_discoveryPort, m_discoveryPortForThisRun);
    form->addRow(tr("Read receipts:"), m_readReceipts);
    form->addRow(tr("Contacts:"), m_peerExchange);
    form->addRow(tr("Tray:"), m_tray);
    form->addRow(tr("New messages:"), m_notifications);
    form->addRow(QString(), m_alert);
    form->addRow(QString(), m_unreadInTitle);
    // --- Presence (issue 15) ---
    m_autoAway = new QSpinBox(this);
    m_autoAway->setObjectName(QStringLiteral("autoAwayMinutes"));
    m_autoAway->setRange(0, 24 * 60);
    m_autoAway->setValue(settings.autoAwayMinutes);
    m_autoAway->setSuffix(tr(" min without input"));
    m_autoAway->setSpecialValueText(tr("Never"));
    m_autoAway->setToolTip(tr("Your status becomes Away after this long without keyboard or "
                              "mouse, and Available again when you are back. A status you "
                              "chose yourself is left as it is."));
    form->addRow(tr("&Away after:"), m_autoAway);
    // --- end presence ---
    // --- IP Messenger (issue 17): on by default, and what it means under it ---
    m_ipmsg = new QCheckBox(IpmsgText::settingLabel(), this);
    m_ipmsg->setObjectName(QStringLiteral("ipmsgEnabled"));
    m_ipmsg->setChecked(settings.ipmsgEnabled);
    m_ipmsg->setToolTip(tr("IP Messenger, FeiQ (飞秋) and iptux users on this network appear in "
                           "your list, marked as not encrypted and not verified. Uses UDP and "
                           "TCP port 2425."));
    auto *ipmsgNote = new QLabel(IpmsgText::settingNote(), this);
    ipmsgNote->setObjectName(QStringLiteral("ipmsgNote"));
    ipmsgNote->setWordWrap(true);
    ipmsgNote->setTextFormat(Qt::PlainText);
    // Its own row under the box, in the text's colour: what it costs must be readable (a
    // wrapped label in a nested layout was given one line and cut).
    ipmsgNote->setContentsMargins(m_ipmsg->style()->pixelMetric(QStyle::PM_IndicatorWidth)
                                      + m_ipmsg->style()->pixelMetric(
                                          QStyle::PM_CheckBoxLabelSpacing),
                                  0,
                                  0,
                                  0);
    form->addRow(tr("IP Messenger:"), m_ipmsg);
    form->addRow(QString(), ipmsgNote);
    // --- end IP Messenger ---
    auto *downloadRow = new QHBoxLayout;
    auto *chooseDownload = new QPushButton(tr("C&hoose…"), this);
    downloadRow->addWidget(m_downloadDir, 1);
    downloadRow->addWidget(chooseDownload);
    auto *downloadLabel = new QLabel(tr("Save &received files in:"), this);
    downloadLabel->setBuddy(m_downloadDir);
    form->addRow(downloadLabel, downloadRow);
    connect(chooseDownload, &QPushButton::clicked, this, &SettingsDialog::chooseDownloadDir);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    auto *layout = new QVBoxLayout(this);
    // E-mail notices (issue 16): their box goes beside the form (addMailBox()).
    m_columns = new QHBoxLayout;
    m_columns->addLayout(form, 1);
    layout->addLayout(m_columns);
    layout->addWidget(m_note);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, &SettingsDialog::validate);
    connect(m_port, &QSpinBox::valueChanged, this, &SettingsDialog::validate);
    connect(m_discoveryPort, &QSpinBox::valueChanged, this, &SettingsDialog::validate);
    connect(m_discovery, &QCheckBox::toggled, this, &SettingsDialog::validate);
    connect(m_downloadDir, &QLineEdit::textChanged, this, &SettingsDialog::validate);
    validate();
}

ProfileSettings SettingsDialog::settings() const
{
    ProfileSettings s = m_original; // what the dialog does not show is kept
    s.name = m_name->text().simplified();
    s.port = quint16(m_port->value());
    s.discoveryEnabled = m_discovery->isChecked();
    s.discoveryPort = quint16(m_discoveryPort->value());
    s.readReceipts = m_readReceipts->isChecked();
    s.peerExchange = m_peerExchange->isChecked();
    s.trayIcon = m_tray->isChecked();
    s.notifications = m_notifications->isChecked();
    s.alertWindow = m_alert->isChecked();
    s.unreadInTitle = m_unreadInTitle->isChecked();
    s.autoAwayMinutes = m_autoAway->value(); // issue 15
    // Issue 17; a box turned off for this run keeps the saved choice.
    if (m_ipmsg->isEnabled())
        s.ipmsgEnabled = m_ipmsg->isChecked();
    // The system's folder stays "the default" (empty), so that it follows the system's.
    const QString dir = QDir::fromNativeSeparators(m_downloadDir->text().trimmed());
    const ProfileSettings defaults;
    s.downloadDir = dir.isEmpty()
                            || QDir::cleanPath(dir)
                                   == QDir::cleanPath(defaults.effectiveDownloadDir())
                        ? QString()
                        : QDir::cleanPath(dir);
    return s;
}

void SettingsDialog::chooseDownloadDir()
{
    const QString dir = QFileDialog::getExistingDirectory(this,
                                                          tr("Save received files in"),
                                                          settings().effectiveDownloadDir());
    if (!dir.isEmpty())
        m_downloadDir->setText(QDir::toNativeSeparators(dir));
}

void SettingsDialog::validate()
{
    const ProfileSettings s = settings();
    m_discoveryPort->setEnabled(s.discoveryEnabled);
    // Issue 16: the e-mail box says what is wrong in it; OK waits until it is right.
    const bool mailOk = !m_mail || (m_mail->isValid() && !m_mail->isSaving());
    m_ok->setEnabled(!s.name.isEmpty() && mailOk);
    if (s.name.isEmpty()) {
        m_note->setText(tr("Enter the name others will see."));
        return;
    }
    const QString dir = s.effectiveDownloadDir();
    if (!QDir::isAbsolutePath(dir)) {
        m_ok->setEnabled(false);
        m_note->setText(tr("Choose a folder for received files (a full path)."));
        return;
    }
    const bool restart = s.port != m_original.port
                         || s.discoveryEnabled != m_original.discoveryEnabled
                         || s.discoveryPort != m_original.discoveryPort;
    m_note->setText(restart ? tr("Port and discovery changes take effect the next time Shoal "
                                 "starts.")
                            : QString());
}

// --- Avatars (issue 15) ---
void SettingsDialog::addPictureRow(QWidget *row)
{
    m_form->insertRow(1, tr("Your picture:"), row);
}
// --- end avatars ---

// --- IP Messenger (issue 17) ---
void SettingsDialog::setIpmsgOffForThisRun(bool off)
{
    m_ipmsg->setEnabled(!off);
    if (off) {
        m_ipmsg->setChecked(false);
        m_ipmsg->setToolTip(tr("Turned off for this run with --no-ipmsg."));
    }
}
// --- end IP Messenger ---

void SettingsDialog::setPortsForThisRun(std::optional<quint16> port,
                                        std::optional<quint16> discoveryPort)
{
    m_portForThisRun->setVisible(port.has_value());
    if (port)
        m_portForThisRun->setText(tr("This run uses %1 (--port)").arg(*port));
    m_discoveryPortForThisRun->setVisible(discoveryPort.has_value());
    if (discoveryPort)
        m_discoveryPortForThisRun->setText(
            tr("This run uses %1 (--discovery-port)").arg(*discoveryPort));
}

// --- E-mail notices (issue 16) ---
void SettingsDialog::addMailBox(MailSettingsBox *box)
{
    m_mail = box;
    m_columns->addWidget(box, 1, Qt::AlignTop);
    connect(box, &MailSettingsBox::validityChanged, this, &SettingsDialog::validate);
    connect(box, &MailSettingsBox::savingChanged, this, &SettingsDialog::validate);
    validate();
}

void SettingsDialog::accept()
{
    if (!m_mail) {
        QDialog::accept();
        return;
    }
    // Only what the e-mail box says keeps it open (the rest is the OK button's business).
    if (!m_mail->isValid() || m_mail->isSaving())
        return;
    m_mail->apply([this] { QDialog::accept(); });
}
// --- end e-mail notices ---
