// SPDX-License-Identifier: GPL-3.0-or-later
#include "sendmanydialog.h"

#include "grouptext.h"
#include "messenger/messenger.h"
#include "peerchecklist.h"
#include "uicolors.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

SendManyDialog::SendManyDialog(Messenger &messenger, const QStringList &recipients, QWidget *parent)
    : QDialog(parent)
    , m_messenger(messenger)
    , m_recipients(new PeerCheckList(this))
    , m_text(new QPlainTextEdit(this))
    , m_status(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Send to several"));
    m_recipients->setPeers(m_messenger.peers()->peers(), {}, recipients);
    m_recipients->setAccessibleName(tr("Recipients"));
    m_text->setAccessibleName(tr("Message"));
    m_text->setPlaceholderText(tr("Each one gets it as a message from you alone."));
    m_text->setTabChangesFocus(true);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->hide();
    m_buttons->addButton(tr("Send…"), QDialogButtonBox::AcceptRole)->setDefault(true);

    auto *toLabel = new QLabel(tr("&To:"), this);
    toLabel->setBuddy(m_recipients);
    auto *textLabel = new QLabel(tr("&Message:"), this);
    textLabel->setBuddy(m_text);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(toLabel);
    layout->addWidget(m_recipients, 1);
    layout->addWidget(textLabel);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &SendManyDialog::confirmAndSend);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_text, &QPlainTextEdit::textChanged, this, &SendManyDialog::updateButton);
    connect(m_recipients, &PeerCheckList::checkedChanged, this, &SendManyDialog::updateButton);
    updateButton();
    resize(420, 480);
    m_text->setFocus();
}

void SendManyDialog::updateButton()
{
    for (QAbstractButton *b : m_buttons->buttons()) {
        if (m_buttons->buttonRole(b) == QDialogButtonBox::AcceptRole)
            b->setEnabled(!m_text->toPlainText().trimmed().isEmpty()
                          && !m_recipients->checkedIds().isEmpty());
    }
}

void SendManyDialog::confirmAndSend()
{
    const QStringList ids = m_recipients->checkedIds();
    const QString text = m_text->toPlainText();
    if (ids.isEmpty() || text.trimmed().isEmpty() || m_confirmation)
        return;
    // Every name spelled out: the point is to notice a wrong one before it is too late.
    m_confirmation = new QMessageBox(QMessageBox::Question,
                                     ids.size() == 1
                                         ? tr("Send to 1 person?")
                                         : tr("Send to %n people?", nullptr, int(ids.size())),
                                     tr("Send this message to %1?")
                                         .arg(GroupText::nameList(m_recipients->checkedNames())),
                                     QMessageBox::Cancel,
                                     this);
    m_confirmation->setObjectName(QStringLiteral("sendManyConfirmation"));
    m_confirmation->setAttribute(Qt::WA_DeleteOnClose);
    m_confirmation->setTextFormat(Qt::PlainText);
    m_confirmation->setInformativeText(
        tr("Each gets a message of their own; none of them sees who else got it."));
    QPushButton *sendButton = m_confirmation->addButton(tr("Send to %n", nullptr, int(ids.size())),
                                                        QMessageBox::AcceptRole);
    m_confirmation->setDefaultButton(QMessageBox::Cancel); // Enter must not send by accident
    connect(m_confirmation, &QMessageBox::finished, this, [this, sendButton, ids, text] {
        const bool confirmed = m_confirmation->clickedButton() == sendButton;
        m_confirmation = nullptr;
        if (confirmed)
            send(ids, text);
    });
    m_confirmation->open();
}

void SendManyDialog::send(const QStringList &peerIds, const QString &text)
{
    QString error;
    if (m_messenger.sendToMany(peerIds, text, &error).isEmpty()) {
        UiColors::showAsError(m_status);
        m_status->setText(error);
        m_status->show();
        return;
    }
    Q_EMIT sent(peerIds);
    accept();
}
