// SPDX-License-Identifier: GPL-3.0-or-later
#include "mailsettingsbox.h"

#include "messenger/messenger.h"
#include "uicolors.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

static constexpr int SecondsPerHour = 3600;

MailSettingsBox::MailSettingsBox(Messenger &messenger, QWidget *parent)
    : QGroupBox(tr("E-mail a contact when my messages wait too long"), parent)
    , m_messenger(messenger)
    , m_original(messenger.mailSettings())
    , m_host(new QLineEdit(m_original.host, this))
    , m_port(new QSpinBox(this))
    , m_security(new QComboBox(this))
    , m_user(new QLineEdit(m_original.user, this))
    , m_password(new QLineEdit(this))
    , m_from(new QLineEdit(m_original.fromAddress, this))
    , m_waitHours(new QSpinBox(this))
    , m_includeText(new QCheckBox(tr("Put the messages' text in the e-mail"), this))
    , m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("mailNotices"));
    setCheckable(true);
    setChecked(m_original.enabled);
    setToolTip(tr("When a message has waited this long for a contact who has an e-mail address "
                  "(the contact's menu: E-mail address…), Shoal sends that address a short "
                  "notice through your mail server: \"Alice sent you 3 messages in Shoal\"."));
    m_host->setPlaceholderText(tr("smtp.example.com"));
    m_port->setRange(1, 65535);
    m_port->setValue(m_original.port);
    // In MailSettings::Security's order.
    m_security->addItem(tr("None (not encrypted)"));
    m_security->addItem(tr("STARTTLS"));
    m_security->addItem(tr("TLS"));
    m_security->setCurrentIndex(int(m_original.security));
    m_user->setPlaceholderText(tr("none: the server asks for no login"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("unchanged (kept in the keyring)"));
    m_password->setToolTip(tr("Kept in your desktop's keyring, never in Shoal's files. Type a "
                              "new one to replace it; clear the field to remove it."));
    m_from->setPlaceholderText(tr("you@example.com"));
    m_waitHours->setRange(1, int(MailSettings::MaxWaitSeconds / SecondsPerHour));
    // A wait set outside the window (seconds, for a test) shows as whole hours, rounded up.
    m_waitHours->setValue(int((m_original.waitSeconds + SecondsPerHour - 1) / SecondsPerHour));
    m_waitHours->setSuffix(tr(" hours"));
    m_includeText->setChecked(m_original.includeText);
    m_includeText->setToolTip(tr("Off: the e-mail only says how many messages wait, and who "
                                 "sent them. E-mail is not encrypted like Shoal's messages."));
    m_error->setObjectName(QStringLiteral("mailError"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("Mail &server:"), m_host);
    form->addRow(tr("P&ort:"), m_port);
    form->addRow(tr("Se&curity:"), m_security);
    form->addRow(tr("&User name:"), m_user);
    form->addRow(tr("Pass&word:"), m_password);
    form->addRow(tr("&From address:"), m_from);
    form->addRow(tr("After &waiting:"), m_waitHours);
    form->addRow(QString(), m_includeText);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);

    // The usual port follows the security unless the person chose another.
    connect(m_security, &QComboBox::currentIndexChanged, this, [this](int index) {
        static constexpr MailSettings::Security all[] = {MailSettings::Security::None,
                                                         MailSettings::Security::StartTls,
                                                         MailSettings::Security::Tls};
        for (MailSettings::Security s : all) {
            if (m_port->value() == MailSettings::defaultPort(s)) {
                m_port->setValue(MailSettings::defaultPort(MailSettings::Security(index)));
                break;
            }
        }
    });
    connect(m_password, &QLineEdit::textEdited, this, [this] { m_passwordTyped = true; });
    connect(this, &QGroupBox::toggled, this, &MailSettingsBox::validate);
    for (QLineEdit *edit : {m_host, m_user, m_from})
        connect(edit, &QLineEdit::textChanged, this, &MailSettingsBox::validate);
    connect(m_port, &QSpinBox::valueChanged, this, &MailSettingsBox::validate);
    connect(m_security, &QComboBox::currentIndexChanged, this, &MailSettingsBox::validate);
    connect(m_waitHours, &QSpinBox::valueChanged, this, &MailSettingsBox::validate);
    validate();
}

MailSettings MailSettingsBox::settings() const
{
    MailSettings s = m_original;
    s.enabled = isChecked();
    s.host = m_host->text().trimmed();
    s.port = quint16(m_port->value());
    s.security = MailSettings::Security(m_security->currentIndex());
    s.user = m_user->text().trimmed();
    s.fromAddress = m_from->text().trimmed();
    // Unchanged hours keep the seconds they stand for (a test's 2 s stays 2 s).
    const qint64 shown = (m_original.waitSeconds + SecondsPerHour - 1) / SecondsPerHour;
    if (m_waitHours->value() != shown)
        s.waitSeconds = qint64(m_waitHours->value()) * SecondsPerHour;
    s.includeText = m_includeText->isChecked();
    return s;
}

void MailSettingsBox::validate()
{
    QString error;
    const bool valid = settings().validate(&error);
    if (valid)
        m_error->hide();
    else
        showError(error);
    if (valid != m_valid) {
        m_valid = valid;
        Q_EMIT validityChanged(valid);
    }
}

void MailSettingsBox::showError(const QString &error)
{
    m_error->setText(error);
    UiColors::showAsError(m_error);
    m_error->show();
}

void MailSettingsBox::setSaving(bool saving)
{
    if (saving == m_saving)
        return;
    m_saving = saving;
    Q_EMIT savingChanged(saving);
}

void MailSettingsBox::apply(std::function<void()> done)
{
    if (m_saving)
        return;
    const MailSettings s = settings();
    QString error;
    if (s != m_original) {
        if (!m_messenger.setMailSettings(s, &error)) {
            showError(error);
            return;
        }
        m_original = s;
    }
    if (!m_passwordTyped) {
        done();
        return;
    }
    // The keyring answers later (over D-Bus): Settings stays open until it has.
    setSaving(true);
    m_error->setText(tr("Saving the password in the keyring…"));
    UiColors::showAsError(m_error, false);
    m_error->show();
    auto *once = new QObject(this);
    connect(&m_messenger,
            &Messenger::mailPasswordSaved,
            once,
            [this, once, done = std::move(done)](bool ok, const QString &why) {
                m_messenger.disconnect(once); // one answer per save
                once->deleteLater();
                setSaving(false);
                if (!ok) {
                    showError(tr("The password was not saved: %1").arg(why));
                    return;
                }
                m_passwordTyped = false;
                m_error->hide();
                done();
            });
    m_messenger.setMailPassword(m_password->text());
}
