// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectdialog.h"

#include "messenger/messenger.h"
#include "uicolors.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

ConnectDialog::ConnectDialog(Messenger &messenger, QWidget *parent)
    : QDialog(parent)
    , m_messenger(messenger)
    , m_address(new QLineEdit(this))
    , m_status(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Connect to peer"));
    m_address->setPlaceholderText(
        tr("192.168.1.20:%1, [fe80::1]:%1 or alice-laptop").arg(DefaultPort));
    m_address->setMinimumWidth(320);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->hide();
    QPushButton *connectButton = m_buttons->addButton(tr("Connect"), QDialogButtonBox::AcceptRole);
    connectButton->setDefault(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&Address:"), m_address);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::tryConnect);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_address, &QLineEdit::textEdited, m_status, &QWidget::hide);
    connect(&m_messenger,
            &Messenger::connectFinished,
            this,
            [this](int attempt, const QString &peerId, const QString &error) {
                if (attempt != m_attempt)
                    return;
                m_attempt = 0;
                m_address->setEnabled(true);
                m_buttons->button(QDialogButtonBox::Ok);
                for (QAbstractButton *b : m_buttons->buttons())
                    b->setEnabled(true);
                if (!error.isEmpty()) {
                    showError(error);
                    return;
                }
                Q_EMIT peerConnected(peerId);
                accept();
            });
}

void ConnectDialog::tryConnect()
{
    if (m_attempt)
        return;
    QString error;
    m_attempt = m_messenger.connectToAddress(m_address->text(), &error);
    if (!m_attempt) {
        showError(error);
        return;
    }
    UiColors::showAsError(m_status, false);
    m_status->setText(tr("Connecting to %1…").arg(m_address->text().trimmed()));
    m_status->show();
    fitHeight();
    m_address->setEnabled(false);
    for (QAbstractButton *b : m_buttons->buttons()) {
        if (m_buttons->buttonRole(b) == QDialogButtonBox::AcceptRole)
            b->setEnabled(false);
    }
}

void ConnectDialog::showError(const QString &error)
{
    UiColors::showAsError(m_status);
    m_status->setText(error);
    m_status->show();
    fitHeight();
    m_address->setFocus();
    m_address->selectAll();
}

void ConnectDialog::fitHeight()
{
    // A dialog keeps its size when a wrapped label gains a line; the second line of an error
    // was cut off. Grow to what the text needs at this width.
    layout()->activate();
    const int needed = layout()->totalHeightForWidth(width());
    if (needed > height())
        resize(width(), needed);
}
