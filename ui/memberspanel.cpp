// SPDX-License-Identifier: GPL-3.0-or-later
#include "memberspanel.h"

#include "grouptext.h"
#include "messenger/messenger.h"
#include "peerchecklist.h"
#include "uicolors.h"

#include <QDialogButtonBox>
#include <QGridLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace {

QIcon dot(const QColor &color)
{
    QPixmap pixmap(10, 10);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawEllipse(QRectF(1, 1, 8, 8));
    return QIcon(pixmap);
}

} // namespace

MembersPanel::MembersPanel(Messenger &messenger, QWidget *parent)
    : QWidget(parent)
    , m_messenger(messenger)
    , m_title(new QLabel(this))
    , m_list(new QListWidget(this))
    , m_add(new QPushButton(tr("&Add members…"), this))
    , m_remove(new QPushButton(tr("Re&move"), this))
    , m_rename(new QPushButton(tr("Re&name…"), this))
    , m_leave(new QPushButton(tr("&Leave group…"), this))
    , m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("membersPanel"));
    m_title->setTextFormat(Qt::PlainText);
    m_title->setWordWrap(true);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_list->setAccessibleName(tr("Members"));
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setIconSize(QSize(10, 10));
    m_remove->setToolTip(tr("Only the group's creator can remove members"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->hide();

    auto *buttons = new QGridLayout;
    // Remove last: it shows for the owner only, and leaves no hole when it does not.
    buttons->addWidget(m_add, 0, 0);
    buttons->addWidget(m_rename, 0, 1);
    buttons->addWidget(m_leave, 1, 0);
    buttons->addWidget(m_remove, 1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_error);
    layout->addLayout(buttons);

    connect(m_add, &QPushButton::clicked, this, &MembersPanel::openAddMembers);
    connect(m_remove, &QPushButton::clicked, this, &MembersPanel::confirmRemove);
    connect(m_rename, &QPushButton::clicked, this, &MembersPanel::openRename);
    connect(m_leave, &QPushButton::clicked, this, &MembersPanel::confirmLeave);
    connect(m_list, &QListWidget::itemSelectionChanged, this, &MembersPanel::updateButtons);
    connect(&m_messenger, &Messenger::groupChanged, this, [this](const GroupInfo &g) {
        if (g.id == m_groupId)
            refresh();
    });
    // The peer list's row of the group changes with it (and a member's name with the roster).
    PeerListModel *peers = m_messenger.peers();
    connect(peers, &QAbstractItemModel::dataChanged, this, &MembersPanel::refresh);
    connect(peers, &QAbstractItemModel::rowsInserted, this, &MembersPanel::refresh);
    connect(peers, &QAbstractItemModel::rowsMoved, this, &MembersPanel::refresh);
    setGroup({});
}

void MembersPanel::setGroup(const QString &groupId)
{
    m_groupId = groupId;
    m_error->hide();
    refresh();
}

std::optional<GroupInfo> MembersPanel::group() const
{
    if (m_groupId.isEmpty())
        return std::nullopt;
    // As the peer list shows it (what the Messenger last reported), else as the service has it.
    if (auto g = m_messenger.peers()->group(m_groupId))
        return g;
    return m_messenger.group(m_groupId);
}

QString MembersPanel::nameOf(const GroupMemberInfo &member) const
{
    if (member.id == m_messenger.id())
        return tr("%1 (you)").arg(m_messenger.name());
    if (const auto peer = m_messenger.peers()->peer(member.id); peer && !peer->name.isEmpty())
        return peer->name;
    return member.name.isEmpty() ? PeerListModel::shortId(member.id) : member.name;
}

void MembersPanel::refresh()
{
    const std::optional<GroupInfo> g = group();
    const QString selected = m_list->currentItem() ? m_list->currentItem()->data(IdRole).toString()
                                                   : QString();
    const QSignalBlocker quiet(m_list);
    m_list->clear();
    if (!g) {
        m_title->clear();
        updateButtons();
        return;
    }
    QList<GroupMemberInfo> members = g->members;
    // Online first (who can answer now), then by name; this profile leads its own list.
    std::stable_sort(members.begin(), members.end(), [this](const auto &a, const auto &b) {
        const bool selfA = a.id == m_messenger.id();
        const bool selfB = b.id == m_messenger.id();
        if (selfA != selfB)
            return selfA;
        if (a.online != b.online)
            return a.online;
        return QString::localeAwareCompare(nameOf(a), nameOf(b)) < 0;
    });
    const QColor onlineColor(0x2e, 0xa0, 0x43);
    const QColor offlineColor(0x9a, 0x9a, 0x9a);
    for (const GroupMemberInfo &m : members) {
        QString text = nameOf(m);
        if (m.id == g->owner)
            text = tr("%1 · owner", "a member who created the group").arg(text);
        auto *item = new QListWidgetItem(dot(m.online ? onlineColor : offlineColor), text, m_list);
        item->setData(IdRole, m.id);
        item->setData(OnlineRole, m.online);
        item->setData(Qt::AccessibleTextRole,
                      m.online ? tr("%1, online").arg(text) : tr("%1, offline").arg(text));
        item->setToolTip(tr("ID %1").arg(m.id));
        if (m.id == selected)
            m_list->setCurrentItem(item);
    }
    // The conversation's header has the counts.
    m_title->setText(g->isMember ? tr("Members") : tr("You are no longer a member of this group."));
    m_title->setToolTip(g->name);
    updateButtons();
}

void MembersPanel::updateButtons()
{
    const std::optional<GroupInfo> g = group();
    const bool member = g && g->isMember;
    const bool owner = member && g->owner == m_messenger.id();
    const QListWidgetItem *current = m_list->currentItem();
    const bool otherSelected = current && current->isSelected()
                               && current->data(IdRole).toString() != m_messenger.id();
    m_add->setEnabled(member);
    m_rename->setEnabled(member);
    m_leave->setEnabled(member);
    m_remove->setVisible(owner);
    m_remove->setEnabled(owner && otherSelected);
}

void MembersPanel::showError(const QString &error)
{
    UiColors::showAsError(m_error);
    m_error->setText(error);
    m_error->show();
}

QDialog *MembersPanel::openAddMembers()
{
    const std::optional<GroupInfo> g = group();
    if (!g || !g->isMember)
        return nullptr;
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("addMembersDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Add members to %1").arg(g->name));
    auto *list = new PeerCheckList(dialog);
    QStringList current;
    for (const GroupMemberInfo &m : g->members)
        current.append(m.id);
    list->setForGroup(true); // issue 17
    list->setPeers(m_messenger.peers()->peers(), current);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, dialog);
    QPushButton *add = buttons->addButton(tr("Add"), QDialogButtonBox::AcceptRole);
    add->setDefault(true);
    add->setEnabled(false);
    auto *layout = new QVBoxLayout(dialog);
    auto *label = new QLabel(list->count() > 0 ? tr("Peers you know who are not in the group:")
                                               : tr("Everyone you know is in the group already."),
                             dialog);
    label->setWordWrap(true);
    layout->addWidget(label);
    layout->addWidget(list, 1);
    layout->addWidget(buttons);
    connect(list, &PeerCheckList::checkedChanged, add, [list, add] {
        add->setEnabled(!list->checkedIds().isEmpty());
    });
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    const QString groupId = m_groupId;
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, list, groupId] {
        QString error;
        if (!m_messenger.addGroupMembers(groupId, list->checkedIds(), &error))
            showError(error);
        dialog->accept();
    });
    dialog->resize(340, 380);
    dialog->open();
    return dialog;
}

QMessageBox *MembersPanel::confirmRemove()
{
    const std::optional<GroupInfo> g = group();
    const QListWidgetItem *current = m_list->currentItem();
    if (!g || !current || g->owner != m_messenger.id())
        return nullptr;
    const QString member = current->data(IdRole).toString();
    if (member == m_messenger.id())
        return nullptr;
    QString name;
    for (const GroupMemberInfo &m : g->members) {
        if (m.id == member)
            name = nameOf(m);
    }
    auto *box = new QMessageBox(QMessageBox::Question,
                                tr("Remove member"),
                                tr("Remove %1 from “%2”?").arg(name, g->name),
                                QMessageBox::Cancel,
                                this);
    box->setObjectName(QStringLiteral("removeMemberConfirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextFormat(Qt::PlainText);
    box->setInformativeText(tr("They keep what was said so far, but get nothing new."));
    QPushButton *remove = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    const QString groupId = m_groupId;
    connect(box, &QMessageBox::finished, this, [this, box, remove, groupId, member] {
        if (box->clickedButton() != remove)
            return;
        QString error;
        if (!m_messenger.removeGroupMember(groupId, member, &error))
            showError(error);
    });
    box->open();
    return box;
}

QInputDialog *MembersPanel::openRename()
{
    const std::optional<GroupInfo> g = group();
    if (!g || !g->isMember)
        return nullptr;
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("renameGroupDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Rename group"));
    dialog->setLabelText(tr("New name (every member sees it):"));
    dialog->setTextValue(g->name);
    dialog->setOkButtonText(tr("Rename"));
    if (auto *edit = dialog->findChild<QLineEdit *>())
        edit->setMaxLength(64);
    const QString groupId = m_groupId;
    connect(dialog, &QInputDialog::textValueSelected, this, [this, groupId](const QString &name) {
        QString error;
        if (!name.trimmed().isEmpty() && !m_messenger.renameGroup(groupId, name.trimmed(), &error))
            showError(error);
    });
    dialog->open();
    return dialog;
}

QMessageBox *MembersPanel::confirmLeave()
{
    const std::optional<GroupInfo> g = group();
    if (!g || !g->isMember)
        return nullptr;
    auto *box = new QMessageBox(QMessageBox::Question,
                                tr("Leave group"),
                                tr("Leave “%1”?").arg(g->name),
                                QMessageBox::Cancel,
                                this);
    box->setObjectName(QStringLiteral("leaveGroupConfirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextFormat(Qt::PlainText);
    box->setInformativeText(tr("You keep what was said so far, but get nothing new unless a "
                               "member adds you again."));
    QPushButton *leave = box->addButton(tr("Leave"), QMessageBox::DestructiveRole);
    const QString groupId = m_groupId;
    connect(box, &QMessageBox::finished, this, [this, box, leave, groupId] {
        if (box->clickedButton() != leave)
            return;
        QString error;
        if (!m_messenger.leaveGroup(groupId, &error))
            showError(error);
    });
    box->open();
    return box;
}
