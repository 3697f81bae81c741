// SPDX-License-Identifier: GPL-3.0-or-later
// Groups in the window: the peer list's group rows, the members panel, how events and
// per-member states read, "New group…" and "Send to several…". Real Messengers on loopback;
// where a group's own state is what is tested, a hand-made GroupInfo as the Messenger would
// report it.
#include "conversationpane.h"
#include "grouptext.h"
#include "mainwindow.h"
#include "memberspanel.h"
#include "messagedelegate.h"
#include "messageinput.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "models/peerlistmodel.h"
#include "newgroupdialog.h"
#include "peerchecklist.h"
#include "peerlistview.h"
#include "sendmanydialog.h"
#include "storage/messagestore.h"
#include "testpeer.h"

#include <QDialogButtonBox>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// `b` dials `a`; both know each other once this returns true.
bool meet(Messenger &a, Messenger &b)
{
    QString error;
    if (!b.connectToAddress(u"127.0.0.1:%1"_s.arg(a.port()), &error))
        return false;
    return QTest::qWaitFor([&] {
        const auto ab = a.peers()->peer(b.id());
        const auto ba = b.peers()->peer(a.id());
        return ab && ab->online && ba && ba->online;
    });
}

GroupMemberInfo member(const Messenger &m, bool online = true)
{
    return {m.id(), m.name(), online};
}

QString memberText(const MembersPanel *panel, const QString &id)
{
    for (int i = 0; i < panel->memberList()->count(); ++i) {
        const QListWidgetItem *item = panel->memberList()->item(i);
        if (item->data(MembersPanel::IdRole).toString() == id)
            return item->text();
    }
    return {};
}

bool memberOnline(const MembersPanel *panel, const QString &id)
{
    for (int i = 0; i < panel->memberList()->count(); ++i) {
        const QListWidgetItem *item = panel->memberList()->item(i);
        if (item->data(MembersPanel::IdRole).toString() == id)
            return item->data(MembersPanel::OnlineRole).toBool();
    }
    return false;
}

QPushButton *buttonWithText(QWidget *parent, const QString &text)
{
    for (QPushButton *b : parent->findChildren<QPushButton *>()) {
        if (b->text() == text)
            return b;
    }
    return nullptr;
}

// Clicks row `row` of the peer list with `modifiers`, as a person would.
void clickPeer(PeerListView *list, int row, Qt::KeyboardModifiers modifiers = {})
{
    const QRect r = list->visualRect(list->model()->index(row, 0));
    QTest::mouseClick(list->viewport(), Qt::LeftButton, modifiers, r.center());
}

} // namespace

class tst_Groups : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eventsAreWordedForPeople();
    void deliverySummaries();
    void groupsFollowPeersInTheList();
    void membersPanelFollowsTheGroup();
    void ownGroupMessageShowsPerMemberState();
    void newGroupAppearsAtTheOtherMember();
    void otherMembersSeeChangesAsTheyHappen();
    void sendToSeveralConfirmsEveryRecipient();
};

void tst_Groups::eventsAreWordedForPeople()
{
    const QString me(64, u'a');
    const QString bob(64, u'b');
    const QString dave(64, u'd');
    const QString eve(64, u'e');
    const GroupText::NameOf nameOf = [&](const QString &id) {
        return id == bob ? u"Bob"_s : id == dave ? u"Dave"_s : id == eve ? u"Eve"_s : u"?"_s;
    };
    auto event = [&](const QString &json) { return GroupText::event(json, me, nameOf); };
    QCOMPARE(event(u"{\"op\":\"add\",\"by\":\"%1\",\"ids\":[\"%2\",\"%3\"]}"_s.arg(bob, dave, eve)),
             u"Bob added Dave and Eve"_s);
    QCOMPARE(event(u"{\"op\":\"add\",\"by\":\"%1\",\"ids\":[\"%2\"]}"_s.arg(bob, me)),
             u"Bob added you"_s);
    QCOMPARE(event(u"{\"op\":\"rename\",\"by\":\"%1\",\"name\":\"Lunch\"}"_s.arg(bob)),
             u"Bob renamed the group to “Lunch”"_s);
    QCOMPARE(event(u"{\"op\":\"leave\",\"by\":\"%1\",\"ids\":[\"%1\"]}"_s.arg(eve)), u"Eve left"_s);
    QCOMPARE(event(u"{\"op\":\"remove\",\"by\":\"%1\",\"ids\":[\"%2\"]}"_s.arg(me, dave)),
             u"You removed Dave"_s);
    QCOMPARE(event(u"{\"op\":\"create\",\"by\":\"%1\",\"ids\":[\"%1\",\"%2\",\"%3\",\"%4\"],"
                   "\"name\":\"Team\"}"_s.arg(bob, me, dave, eve)),
             u"Bob created the group “Team” with you, Dave and Eve"_s);
    // A name that looks like a placeholder stays a name.
    QCOMPARE(event(u"{\"op\":\"rename\",\"by\":\""_s + bob + u"\",\"name\":\"%2 %1\"}"_s),
             u"Bob renamed the group to “%2 %1”"_s);
}

void tst_Groups::deliverySummaries()
{
    const QString bob(64, u'b');
    const QString carol(64, u'c');
    using S = MessageState;
    QCOMPARE(GroupText::deliverySummary({{bob, S::Queued}, {carol, S::Queued}}),
             u"delivered to 0 of 2"_s);
    QCOMPARE(GroupText::deliverySummary({{bob, S::Delivered}, {carol, S::Queued}}),
             u"delivered to 1 of 2"_s);
    QCOMPARE(GroupText::deliverySummary({{bob, S::Read}, {carol, S::Queued}}),
             u"read by 1 · delivered to 1 of 2"_s);
    QCOMPARE(GroupText::deliverySummary({{bob, S::Read}, {carol, S::Delivered}}), u"read by 1"_s);
    const GroupText::NameOf nameOf = [&](const QString &id) {
        return id == bob ? u"Bob"_s : u"Carol"_s;
    };
    QCOMPARE(GroupText::deliveryDetails({{bob, S::Read}, {carol, S::Queued}}, nameOf),
             u"Read by: Bob\nWaiting for: Carol"_s);
}

void tst_Groups::groupsFollowPeersInTheList()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    QVERIFY(meet(*alice, *bob));
    PeerListModel *model = alice->peers();
    QCOMPARE(model->rowCount(), 1);

    GroupInfo zoo{QString(32, u'1'), u"Zoo"_s, alice->id(), {member(*alice), member(*bob)}, true, 0};
    GroupInfo ants{QString(32, u'2'), u"Ants"_s, bob->id(), {member(*alice)}, true, 3};
    model->setGroup(zoo);
    model->setGroup(ants);
    // After the peers, by name.
    QCOMPARE(model->rowCount(), 3);
    QCOMPARE(model->rowOf(bob->id()), 0);
    QCOMPARE(model->rowOf(ants.id), 1);
    QCOMPARE(model->rowOf(zoo.id), 2);
    const QModelIndex z = model->index(2);
    QVERIFY(z.data(PeerListModel::IsGroupRole).toBool());
    QVERIFY(!model->index(0).data(PeerListModel::IsGroupRole).toBool());
    QCOMPARE(z.data(PeerListModel::NameRole).toString(), u"Zoo"_s);
    QCOMPARE(z.data(PeerListModel::MemberCountRole).toInt(), 2);
    // Bob is online; Alice (this profile) does not count.
    QVERIFY(z.data(PeerListModel::OnlineRole).toBool());
    QCOMPARE(z.data(PeerListModel::OnlineMemberCountRole).toInt(), 1);
    QVERIFY(!model->index(1).data(PeerListModel::OnlineRole).toBool());
    QCOMPARE(model->index(1).data(PeerListModel::UnreadRole).toInt(), 3);

    // A rename moves it to its place by name.
    QSignalSpy moved(model, &QAbstractItemModel::rowsMoved);
    zoo.name = u"Aardvarks"_s;
    model->setGroup(zoo);
    QCOMPARE(moved.size(), 1);
    QCOMPARE(model->rowOf(zoo.id), 1);
    QCOMPARE(model->rowOf(ants.id), 2);
    QCOMPARE(model->index(1).data(PeerListModel::NameRole).toString(), u"Aardvarks"_s);

    model->removeGroup(ants.id);
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(model->rowOf(ants.id), -1);

    // The window shows the group's row, with its own icon and line.
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.peerList()->selectPeer(zoo.id);
    QCOMPARE(window.peerList()->currentPeerId(), zoo.id);
    QCOMPARE(window.conversation()->peerId(), zoo.id);
    QVERIFY(window.conversation()->headerLabel()->text().contains(u"Aardvarks"_s));
}

void tst_Groups::membersPanelFollowsTheGroup()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    auto carol = makePeer(u"Carol"_s);
    QVERIFY(meet(*alice, *bob));
    QVERIFY(meet(*alice, *carol));
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    GroupInfo g{QString(32, u'3'),
                u"Lunch"_s,
                alice->id(),
                {member(*alice), member(*bob, true), member(*carol, false)},
                true,
                0};
    alice->peers()->setGroup(g);
    MembersPanel *panel = window.conversation()->membersPanel();
    QVERIFY(!panel->isVisible()); // no group open
    window.peerList()->selectPeer(g.id);
    QVERIFY(panel->isVisible());
    QCOMPARE(panel->memberList()->count(), 3);
    QVERIFY(memberText(panel, alice->id()).contains(u"(you)"_s));
    QVERIFY(memberText(panel, alice->id()).contains(u"owner"_s));
    QVERIFY(memberText(panel, bob->id()).startsWith(u"Bob"_s));
    QVERIFY(memberOnline(panel, bob->id()));
    QVERIFY(!memberOnline(panel, carol->id()));
    QVERIFY2(window.conversation()->headerLabel()->text().contains(u"3 members, 1 online"_s),
             qPrintable(window.conversation()->headerLabel()->text()));
    // The owner may remove someone else, once chosen.
    QVERIFY(panel->removeButton()->isVisible());
    QVERIFY(!panel->removeButton()->isEnabled());
    panel->memberList()->setCurrentRow(1);
    QVERIFY(panel->removeButton()->isEnabled());

    // Carol comes online, Dave is added, the group is renamed: the panel shows it at once.
    g.members[2].online = true;
    g.members.append({QString(64, u'd'), u"Dave"_s, false});
    g.name = u"Lunch on Friday"_s;
    alice->peers()->setGroup(g);
    QCOMPARE(panel->memberList()->count(), 4);
    QVERIFY(memberOnline(panel, carol->id()));
    QCOMPARE(memberText(panel, QString(64, u'd')), u"Dave"_s);
    QVERIFY(window.conversation()->headerLabel()->text().contains(u"4 members, 2 online"_s));
    QVERIFY(window.conversation()->headerLabel()->text().contains(u"Lunch on Friday"_s));

    // Bob is removed.
    g.members.removeAt(1);
    alice->peers()->setGroup(g);
    QCOMPARE(panel->memberList()->count(), 3);
    QVERIFY(memberText(panel, bob->id()).isEmpty());

    // Someone else's group: no Remove button for this profile.
    g.owner = carol->id();
    alice->peers()->setGroup(g);
    QVERIFY(!panel->removeButton()->isVisible());
    QVERIFY(memberText(panel, carol->id()).contains(u"owner"_s));

    // Leave asks first; Cancel leaves it be.
    QMessageBox *box = panel->confirmLeave();
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QVERIFY(box->text().contains(u"Lunch on Friday"_s));
    box->button(QMessageBox::Cancel)->click();
    QTRY_VERIFY(!window.findChild<QMessageBox *>(u"leaveGroupConfirmation"_s));
    QVERIFY(panel->errorLabel()->isHidden());

    // Removed from it: read-only, the panel says so.
    g.isMember = false;
    g.members.removeAt(0);
    alice->peers()->setGroup(g);
    QVERIFY(!window.conversation()->input()->isEnabled());
    QVERIFY(!panel->addButton()->isEnabled());
    QVERIFY(!panel->leaveButton()->isEnabled());
    QVERIFY(panel->titleLabel()->text().contains(u"no longer a member"_s));
}

void tst_Groups::ownGroupMessageShowsPerMemberState()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    auto carol = makePeer(u"Carol"_s);
    QVERIFY(meet(*alice, *bob));
    QVERIFY(meet(*alice, *carol));
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QString error;
    const std::optional<QString> group = alice->createGroup(u"Trio"_s,
                                                            {bob->id(), carol->id()},
                                                            &error);
    QVERIFY2(group, qPrintable(error));
    QTRY_VERIFY(alice->peers()->rowOf(*group) >= 0);
    window.peerList()->selectPeer(*group);
    // Carol is away: her copy waits.
    carol.reset();
    MessageInput *input = window.conversation()->input();
    QTRY_VERIFY(input->isEnabled());
    QTest::keyClicks(input, u"Pizza?"_s);
    QTest::keyClick(input, Qt::Key_Return);

    QAbstractItemModel *rows = window.conversation()->messageView()->model();
    auto own = [&]() -> QModelIndex {
        for (int r = rows->rowCount() - 1; r >= 0; --r) {
            const QModelIndex i = rows->index(r, 0);
            if (i.data(ConversationModel::TextRole).toString() == u"Pizza?"_s)
                return i;
        }
        return {};
    };
    QTRY_VERIFY(own().isValid());
    auto summary = [&] {
        return GroupText::deliverySummary(
            own().data(ConversationModel::DeliveriesRole).value<QList<GroupDelivery>>());
    };
    QTRY_COMPARE(summary(), u"delivered to 1 of 2"_s);
    const QString details = window.conversation()->delegate()->deliveryDetails(own());
    QVERIFY2(details.contains(u"Delivered to: Bob"_s), qPrintable(details));
    QVERIFY2(details.contains(u"Waiting for: Carol"_s), qPrintable(details));

    // Bob opens the group: read.
    bob->setActiveConversation(*group, true);
    QTRY_COMPARE(summary(), u"read by 1 · delivered to 1 of 2"_s);
    QVERIFY(window.conversation()->delegate()->deliveryDetails(own()).contains(u"Read by: Bob"_s));
}

void tst_Groups::newGroupAppearsAtTheOtherMember()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    QVERIFY(meet(*alice, *bob));
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTest::keyClick(&window, Qt::Key_G, Qt::ControlModifier);
    auto *dialog = window.findChild<NewGroupDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QPushButton *create = buttonWithText(dialog, u"Create group"_s);
    QVERIFY(create);
    QVERIFY(!create->isEnabled()); // no name, nobody picked
    QTest::keyClicks(dialog->nameEdit(), u"Book club"_s);
    QVERIFY(!create->isEnabled());
    QCOMPARE(dialog->members()->count(), 1);
    dialog->members()->setChecked(bob->id(), true);
    QVERIFY(create->isEnabled());
    create->click();

    QTRY_VERIFY(!window.findChild<NewGroupDialog *>());
    // Opened here, and Bob sees it in his list with both members.
    QTRY_VERIFY(isGroupId(window.peerList()->currentPeerId()));
    const QString id = window.peerList()->currentPeerId();
    QVERIFY(window.conversation()->membersPanel()->isVisible());
    QTRY_VERIFY(bob->peers()->group(id).has_value());
    QCOMPARE(bob->peers()->group(id)->name, u"Book club"_s);
    QCOMPARE(bob->peers()->group(id)->members.size(), 2);
    QCOMPARE(bob->peers()->group(id)->owner, alice->id());
}

void tst_Groups::otherMembersSeeChangesAsTheyHappen()
{
    // Bob's window, while Alice (the owner) renames, adds and removes.
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    auto carol = makePeer(u"Carol"_s);
    QVERIFY(meet(*alice, *bob));
    QVERIFY(meet(*alice, *carol));
    QVERIFY(meet(*bob, *carol));
    MainWindow window(*bob, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QString error;
    const std::optional<QString> group = alice->createGroup(u"Band"_s, {bob->id()}, &error);
    QVERIFY2(group, qPrintable(error));
    QTRY_VERIFY(bob->peers()->rowOf(*group) >= 0);
    window.peerList()->selectPeer(*group);
    MembersPanel *panel = window.conversation()->membersPanel();
    QVERIFY(panel->isVisible());
    QCOMPARE(panel->memberList()->count(), 2);
    QVERIFY(memberText(panel, alice->id()).contains(u"owner"_s));
    QVERIFY(memberOnline(panel, alice->id()));
    QVERIFY(!panel->removeButton()->isVisible()); // Bob did not create it

    QAbstractItemModel *rows = window.conversation()->messageView()->model();
    auto lastEvent = [&] {
        for (int r = rows->rowCount() - 1; r >= 0; --r) {
            const QModelIndex i = rows->index(r, 0);
            if (MessageDelegate::isGroupEvent(i))
                return window.conversation()->delegate()->eventText(i);
        }
        return QString();
    };
    QTRY_COMPARE(lastEvent(), u"Alice created the group “Band” with you"_s);

    QVERIFY2(alice->renameGroup(*group, u"The Band"_s, &error), qPrintable(error));
    QTRY_VERIFY(window.conversation()->headerLabel()->text().contains(u"The Band"_s));
    QTRY_COMPARE(lastEvent(), u"Alice renamed the group to “The Band”"_s);

    QVERIFY2(alice->addGroupMembers(*group, {carol->id()}, &error), qPrintable(error));
    QTRY_COMPARE(panel->memberList()->count(), 3);
    QTRY_VERIFY(memberOnline(panel, carol->id()));
    QTRY_COMPARE(lastEvent(), u"Alice added Carol"_s);

    QVERIFY2(alice->removeGroupMember(*group, carol->id(), &error), qPrintable(error));
    QTRY_COMPARE(panel->memberList()->count(), 2);
    QVERIFY(memberText(panel, carol->id()).isEmpty());
    QTRY_COMPARE(lastEvent(), u"Alice removed Carol"_s);

    // A message from Alice names her, in her colour.
    QVERIFY(alice->sendGroupMessage(*group, u"Rehearsal at 8"_s, &error));
    QTRY_COMPARE(rows->index(rows->rowCount() - 1, 0).data(ConversationModel::TextRole).toString(),
                 u"Rehearsal at 8"_s);
    QCOMPARE(rows->index(rows->rowCount() - 1, 0).data(ConversationModel::AuthorNameRole).toString(),
             u"Alice"_s);
}

void tst_Groups::sendToSeveralConfirmsEveryRecipient()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    auto carol = makePeer(u"Carol"_s);
    auto dave = makePeer(u"Dave"_s);
    QVERIFY(meet(*alice, *bob));
    QVERIFY(meet(*alice, *carol));
    QVERIFY(meet(*alice, *dave));
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // Bob, then Ctrl+click Dave: two selected, Carol not.
    PeerListView *list = window.peerList();
    clickPeer(list, alice->peers()->rowOf(bob->id()));
    clickPeer(list, alice->peers()->rowOf(dave->id()), Qt::ControlModifier);
    QCOMPARE(list->selectedPeerIds().size(), 2);
    QVERIFY(list->selectedPeerIds().contains(bob->id()));
    QVERIFY(list->selectedPeerIds().contains(dave->id()));
    QCOMPARE(window.conversation()->peerId(), dave->id()); // the one clicked last

    SendManyDialog *dialog = window.openSendManyDialog();
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(dialog->recipients()->checkedIds().size(), 2);
    QTest::keyClicks(dialog->textEdit(), u"Meeting at 3"_s);
    QPushButton *send = buttonWithText(dialog, u"Send…"_s);
    QVERIFY(send && send->isEnabled());
    send->click();
    QMessageBox *box = dialog->confirmation();
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QVERIFY2(box->text().contains(u"Bob"_s) && box->text().contains(u"Dave"_s),
             qPrintable(box->text()));
    QVERIFY(!box->text().contains(u"Carol"_s));
    // Enter does not send: Cancel is the default.
    QCOMPARE(box->defaultButton(), box->button(QMessageBox::Cancel));
    box->button(QMessageBox::Cancel)->click();
    QTRY_VERIFY(!dialog->confirmation());
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->textEdit()->toPlainText(), u"Meeting at 3"_s);

    // Confirmed: each gets it, as a 1:1 message.
    send->click();
    box = dialog->confirmation();
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    buttonWithText(box, u"Send to 2"_s)->click();
    QTRY_COMPARE(bob->history().conversation(alice->id()).size(), 1);
    QTRY_COMPARE(dave->history().conversation(alice->id()).size(), 1);
    QCOMPARE(bob->history().conversation(alice->id()).first().text, u"Meeting at 3"_s);
    // Sent once each (the Cancel sent nothing), and nothing to Carol.
    QCOMPARE(alice->history().conversation(bob->id()).size(), 1);
    QCOMPARE(alice->history().conversation(carol->id()).size(), 0);
    QCOMPARE(carol->history().conversation(alice->id()).size(), 0);
}

QTEST_MAIN(tst_Groups)
#include "tst_groups.moc"
