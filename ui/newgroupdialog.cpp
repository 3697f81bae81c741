// SPDX-License-Identifier: GPL-3.0-or-later
#include "newgroupdialog.h"

#include "messenger/messenger.h"
#include "peerchecklist.h"
#include "uicolors.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

NewGroupDialog::NewGroupDialog(Messenger &messenger, QWidget *parent)
    : QDialog(parent)
    , m_messenger(messenger)
    , m_name(new QLineEdit(this))
    , m_members(new PeerCheckList(this))
    , m_status(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("New group"));
    m_name->setMaxLength(64); // the limit every member applies (docs/groups.md)
    m_name->setPlaceholderText(tr("Lunch, Project X, Family…"));
    m_members->setForGroup(true); // issue 17
    m_members->setPeers(m_messenger.peers()->peers());
    m_members->setAccessibleName(tr("Members"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->hide();
    QPushButton *create = m_buttons->addButton(tr("Create group"), QDialogButtonBox::AcceptRole);
    create->setDefault(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    auto *membersLabel = new QLabel(tr("&Members (peers you know; offline ones join when they "
                                       "are next online):"),
                                    this);
    membersLabel->setWordWrap(true);
    membersLabel->setBuddy(m_members);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(membersLabel);
    layout->addWidget(m_members, 1);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    if (m_members->count() == 0) {
        m_status->setText(tr("You know no peers yet: connect to someone first (Ctrl+N)."));
        m_status->show();
    }

    connect(m_buttons, &QDialogButtonBox::accepted, this, &NewGroupDialog::create);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, &NewGroupDialog::updateButton);
    connect(m_members, &PeerCheckList::checkedChanged, this, &NewGroupDialog::updateButton);
    updateButton();
    resize(380, 420);
}

void NewGroupDialog::updateButton()
{
    for (QAbstractButton *b : m_buttons->buttons()) {
        if (m_buttons->buttonRole(b) == QDialogButtonBox::AcceptRole)
            b->setEnabled(!m_name->text().trimmed().isEmpty() && !m_members->checkedIds().isEmpty());
    }
}

void NewGroupDialog::create()
{
    const QStringList members = m_members->checkedIds();
    if (m_name->text().trimmed().isEmpty() || members.isEmpty())
        return;
    QString error;
    const std::optional<QString> id = m_messenger.createGroup(m_name->text().trimmed(),
                                                              members,
                                                              &error);
    if (!id) {
        UiColors::showAsError(m_status);
        m_status->setText(error);
        m_status->show();
        return;
    }
    Q_EMIT groupCreated(*id);
    accept();
}
