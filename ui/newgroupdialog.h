// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class Messenger;
class PeerCheckList;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

// "New group…": a name and members picked from the known peers. Creates the group on OK and
// says inline what went wrong (a name too long, too many members...).
class NewGroupDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit NewGroupDialog(Messenger &messenger, QWidget *parent = nullptr);

    QLineEdit *nameEdit() const { return m_name; }
    PeerCheckList *members() const { return m_members; }
    QLabel *statusLabel() const { return m_status; }
    QDialogButtonBox *buttons() const { return m_buttons; }

Q_SIGNALS:
    void groupCreated(const QString &groupId);

private:
    void create();
    void updateButton();

    Messenger &m_messenger;
    QLineEdit *m_name;
    PeerCheckList *m_members;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
};
