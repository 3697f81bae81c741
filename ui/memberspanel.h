// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "groups/groupinfo.h"

#include <QWidget>

#include <optional>

class Messenger;
class QDialog;
class QInputDialog;
class QLabel;
class QListWidget;
class QMessageBox;
class QPushButton;

// Beside a group's conversation: who is in it and who is online, the owner marked; add
// members, rename, leave (asked first), and for the owner remove a member (asked first).
// Kept current from the group as the Messenger reports it.
class MembersPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit MembersPanel(Messenger &messenger, QWidget *parent = nullptr);

    void setGroup(const QString &groupId);
    QString groupId() const { return m_groupId; }

    QLabel *titleLabel() const { return m_title; }
    QListWidget *memberList() const { return m_list; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *removeButton() const { return m_remove; }
    QPushButton *renameButton() const { return m_rename; }
    QPushButton *leaveButton() const { return m_leave; }
    QLabel *errorLabel() const { return m_error; }

    // What the buttons open (window-modal, not blocking): returned for tests.
    QDialog *openAddMembers();
    QMessageBox *confirmRemove();
    QInputDialog *openRename();
    QMessageBox *confirmLeave();

    static constexpr int IdRole = Qt::UserRole + 1;
    static constexpr int OnlineRole = Qt::UserRole + 2;

private:
    std::optional<GroupInfo> group() const;
    void refresh();
    void updateButtons();
    void showError(const QString &error);
    QString nameOf(const GroupMemberInfo &member) const;

    Messenger &m_messenger;
    QString m_groupId;
    QLabel *m_title;
    QListWidget *m_list;
    QPushButton *m_add;
    QPushButton *m_remove;
    QPushButton *m_rename;
    QPushButton *m_leave;
    QLabel *m_error;
};
