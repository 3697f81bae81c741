// SPDX-License-Identifier: GPL-3.0-or-later
#include "contactemaildialog.h"

#include "messenger/messenger.h"
#include "models/peerlistmodel.h"
#include "uicolors.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

ContactEmailDialog::ContactEmailDialog(Messenger &messenger, const QString &peerId, QWidget *parent)
    : QDialog(parent)
    , m_messenger(messenger)
    , m_peerId(peerId)
    , m_email(new QLineEdit(this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    const auto peer = messenger.peers()->peer(peerId);
    const QString name = peer && !peer->name.isEmpty() ? peer->name
                                                       : PeerListModel::shortId(peerId);
    setWindowTitle(tr("E-mail address of %1").arg(name));
    auto *about = new QLabel(tr("When your messages wait too long for %1 (Settings, E-mail "
                                "notices), Shoal e-mails this address a short notice. Leave it "
                                "empty for no notices.")
                                 .arg(name),
                             this);
    about->setWordWrap(true);
    about->setTextFormat(Qt::PlainText);
    m_email->setObjectName(QStringLiteral("contactEmail"));
    m_email->setText(messenger.contactEmail(peerId));
    m_email->setPlaceholderText(tr("name@example.com"));
    m_email->setMaxLength(254); // the longest address SMTP carries
    m_email->setMinimumWidth(m_email->fontMetrics().averageCharWidth() * 36);
    m_error->setObjectName(QStringLiteral("contactEmailError"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    UiColors::showAsError(m_error);
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("&E-mail address:"), m_email);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(about);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ContactEmailDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_email, &QLineEdit::textChanged, this, &ContactEmailDialog::validate);
    validate();
}

bool ContactEmailDialog::looksLikeEmail(const QString &text)
{
    // One "@" with something on each side and a dot in the domain, no spaces: what a person
    // mistypes. The server says the rest.
    static const QRegularExpression address(QStringLiteral(R"(^[^@\s]+@[^@\s]+\.[^@\s.]+$)"));
    const QString t = text.trimmed();
    return t.isEmpty() || address.match(t).hasMatch();
}

void ContactEmailDialog::validate()
{
    const bool ok = looksLikeEmail(m_email->text());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
    m_error->setVisible(!ok);
    if (!ok)
        m_error->setText(tr("This does not look like an e-mail address (name@example.com)."));
}

void ContactEmailDialog::accept()
{
    if (!looksLikeEmail(m_email->text()))
        return;
    QString error;
    if (!m_messenger.setContactEmail(m_peerId, m_email->text().trimmed(), &error)) {
        m_error->setText(error.isEmpty() ? tr("The address could not be kept.") : error);
        m_error->show();
        return;
    }
    QDialog::accept();
}
