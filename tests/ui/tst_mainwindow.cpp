// SPDX-License-Identifier: GPL-3.0-or-later
// Drives the real window the way a person would, against a second peer in the same process.
#include "connectdialog.h"
#include "conversationpane.h"
#include "elidinglabel.h"
#include "mainwindow.h"
#include "messageinput.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "net/connectionregistry.h"
#include "net/networksafety.h"
#include "networkdialog.h"
#include "peerlistview.h"
#include "settingsdialog.h"
#include "storage/messagestore.h"
#include "testpeer.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTcpServer>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QUdpSocket>

using namespace Qt::StringLiterals;

namespace {

ConnectDialog *openConnect(MainWindow &window)
{
    // Ctrl+N, as a person would press it.
    QTest::keyClick(&window, Qt::Key_N, Qt::ControlModifier);
    return window.findChild<ConnectDialog *>();
}

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void connectAndChat();
    void badAddressShowsInlineError();
    void refusedConnectionShowsInlineError();
    void shiftEnterAddsLine();
    void unreadCountedForOtherConversations();
    void networkPanelExplainsDiscovery();
    void settingsChangeNameAtOnce();
    void shownMessagesAreReadAndReceipted();
    void noReceiptsWhenTurnedOff();
    void olderMessagesLoadWhenScrollingUp();
    void identityMismatchWarnsOnce();
    void peerExchangeSettingAndExclusion();
    void statusLineCutOnANarrowWindow();
    void settingsSayWhatThisRunUses();
};

void tst_MainWindow::identityMismatchWarnsOnce()
{
    // The messenger reports a known peer's address answering with another key: the window
    // says so plainly, with the text naming both fingerprints, once per peer.
    auto alice = makePeer(u"Alice"_s);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QString peer(64, u'b');
    const QString warning = u"expected %1, got %2"_s.arg(peer, QString(64, u'e'));
    Q_EMIT alice->identityMismatch(peer, warning);
    Q_EMIT alice->identityMismatch(peer, warning); // the forger tries again
    const auto boxes = window.findChildren<QMessageBox *>(u"identityWarning"_s);
    QCOMPARE(boxes.size(), 1);
    QTRY_VERIFY(boxes.constFirst()->isVisible());
    QCOMPARE(boxes.constFirst()->informativeText(), warning);
    QCOMPARE(boxes.constFirst()->icon(), QMessageBox::Warning);
}

void tst_MainWindow::connectAndChat()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // Without LAN discovery an address is the way to a peer, and the empty list says so.
    QVERIFY(window.peerList()->emptyText().contains(u"type an address"_s));

    ConnectDialog *dialog = openConnect(window);
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QTest::keyClicks(dialog->addressEdit(), u"127.0.0.1:%1"_s.arg(bob->port()));
    QTest::keyClick(dialog->addressEdit(), Qt::Key_Return);
    // The dialog closes by itself once Bob answers, and Bob is selected.
    QTRY_VERIFY(!window.findChild<ConnectDialog *>());
    QTRY_COMPARE(window.peerList()->currentPeerId(), bob->id());
    QCOMPARE(window.peerList()->model()->rowCount(), 1);

    MessageInput *input = window.conversation()->input();
    QVERIFY(input->isEnabled());
    // Tab from the box goes to what is beside it, as it is seen: the emoji button, then Send.
    window.activateWindow(); // the Connect dialog had it
    QVERIFY(QTest::qWaitForWindowActive(&window));
    input->setFocus();
    QTRY_VERIFY(input->hasFocus());
    QTest::keyClick(input, Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), window.conversation()->emojiButton());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    auto *send = qobject_cast<QPushButton *>(QApplication::focusWidget());
    QVERIFY(send);
    QCOMPARE(send->text(), u"Send"_s);
    input->setFocus();
    QTest::keyClicks(input, u"Hello Bob"_s);
    QTest::keyClick(input, Qt::Key_Return);
    QCOMPARE(input->toPlainText(), QString());

    QAbstractItemModel *messages = window.conversation()->messageView()->model();
    QTRY_COMPARE(messages->rowCount(), 1);
    const QModelIndex row = messages->index(0, 0);
    QCOMPARE(row.data(ConversationModel::TextRole).toString(), u"Hello Bob"_s);
    QVERIFY(row.data(ConversationModel::OutgoingRole).toBool());
    QTRY_COMPARE(MessageState(row.data(ConversationModel::StateRole).toInt()),
                 MessageState::Delivered);
    QCOMPARE(bob->history().conversation(alice->id()).size(), 1);
    QCOMPARE(bob->history().conversation(alice->id()).first().text, u"Hello Bob"_s);

    // Bob answers; it shows on the left.
    QString error;
    bob->sendMessage(alice->id(), u"Hi Alice"_s, &error);
    QTRY_COMPARE(messages->rowCount(), 2);
    QVERIFY(!messages->index(1, 0).data(ConversationModel::OutgoingRole).toBool());
    QCOMPARE(messages->index(1, 0).data(ConversationModel::TextRole).toString(), u"Hi Alice"_s);

    // The list made as narrow as it goes: the row is cut at its width, with no scroll bar under
    // it that scrolls nothing.
    window.resize(480, 400);
    window.splitter()->setSizes({1, 2000});
    QTRY_COMPARE(window.peerList()->width(), window.peerList()->minimumWidth());
    QVERIFY(!window.peerList()->horizontalScrollBar()->isVisible());
}

void tst_MainWindow::badAddressShowsInlineError()
{
    auto alice = makePeer(u"Alice"_s);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ConnectDialog *dialog = openConnect(window);
    QVERIFY(dialog);
    QTest::keyClicks(dialog->addressEdit(), u"alice:99999"_s);
    QTest::keyClick(dialog->addressEdit(), Qt::Key_Return);
    QVERIFY(dialog->statusLabel()->isVisible());
    QVERIFY2(dialog->statusLabel()->text().contains(u"99999"_s),
             qPrintable(dialog->statusLabel()->text()));
    QVERIFY(dialog->isVisible());
    QCOMPARE(alice->connections().connectionCount(), 0);
    // Editing the address clears the error.
    QTest::keyClick(dialog->addressEdit(), Qt::Key_Backspace);
    QVERIFY(!dialog->statusLabel()->isVisible());
}

void tst_MainWindow::refusedConnectionShowsInlineError()
{
    auto alice = makePeer(u"Alice"_s);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 closedPort = probe.serverPort();
    probe.close();
    ConnectDialog *dialog = openConnect(window);
    QTest::keyClicks(dialog->addressEdit(), u"127.0.0.1:%1"_s.arg(closedPort));
    QTest::keyClick(dialog->addressEdit(), Qt::Key_Return);
    QTRY_COMPARE(dialog->statusLabel()->text(),
                 PeerConnection::describe(PeerConnection::Error::ConnectionRefused));
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->addressEdit()->isEnabled());
}

void tst_MainWindow::shiftEnterAddsLine()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    QString error;
    alice->connectToAddress(u"127.0.0.1:%1"_s.arg(bob->port()), &error);
    QTRY_VERIFY(alice->peers()->rowCount() == 1);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.peerList()->selectPeer(bob->id());
    MessageInput *input = window.conversation()->input();
    QTest::keyClicks(input, u"line one"_s);
    QTest::keyClick(input, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(input, u"line two"_s);
    QCOMPARE(input->toPlainText(), u"line one\nline two"_s);
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_COMPARE(bob->history().conversation(alice->id()).size(), 1);
    QCOMPARE(bob->history().conversation(alice->id()).first().text, u"line one\nline two"_s);
}

void tst_MainWindow::unreadCountedForOtherConversations()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    auto carol = makePeer(u"Carol"_s);
    QString error;
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    bob->connectToAddress(u"127.0.0.1:%1"_s.arg(alice->port()), &error);
    carol->connectToAddress(u"127.0.0.1:%1"_s.arg(alice->port()), &error);
    QTRY_COMPARE(alice->peers()->rowCount(), 2);
    QTRY_VERIFY(carol->peers()->peer(alice->id()).has_value()); // the dialler learns a moment later
    window.peerList()->selectPeer(bob->id());
    carol->sendMessage(alice->id(), u"psst"_s, &error);
    bob->sendMessage(alice->id(), u"hi"_s, &error);
    QTRY_COMPARE(alice->peers()->peer(carol->id())->unread, 1);
    QTRY_COMPARE(window.conversation()->messageView()->model()->rowCount(), 1);
    QCOMPARE(alice->peers()->peer(bob->id())->unread, 0);
    window.peerList()->selectPeer(carol->id());
    QCOMPARE(alice->peers()->peer(carol->id())->unread, 0);
}

void tst_MainWindow::initTestCase()
{
    // Network safety: whatever this test does, Shoal sends nothing beyond this host.
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_MainWindow::networkPanelExplainsDiscovery()
{
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    const quint16 discoveryPort = probe.localPort();
    probe.close();
    QString error;
    MessengerConfig config;
    config.name = u"Alice"_s;
    config.listenAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.discovery = DiscoveryConfig{discoveryPort, {QHostAddress(u"127.255.255.255"_s)}, 30000};
    Messenger alice(*Identity::generate(&error), config);
    QVERIFY(alice.start());
    MainWindow window(alice, ProfileSettings{});
    window.show();
    // With discovery on, the empty list says that peers on the network come by themselves.
    QVERIFY(window.peerList()->emptyText().contains(u"by themselves"_s));
    window.networkAction()->trigger();
    auto *dialog = window.findChild<NetworkDialog *>();
    QVERIFY(dialog);
    // Where this computer listens, the port said once (the addresses carry it).
    const QString port = QString::number(alice.port());
    QVERIFY2(dialog->identityLabel()->text().contains(u"127.0.0.1:"_s + port),
             qPrintable(dialog->identityLabel()->text()));
    QCOMPARE(dialog->identityLabel()->text().section(u'\n', 1).count(port), 1); // not the ID
    QCOMPARE(dialog->targetList()->topLevelItemCount(), 1);
    QCOMPARE(dialog->targetList()->topLevelItem(0)->text(1), u"127.255.255.255"_s);
    // Our own announcement comes back over loopback: the self-test passes.
    QTRY_VERIFY(dialog->selfTestLabel()->text().contains(u"passed"_s));
    // Alone on the network: the panel says what to check.
    QVERIFY(dialog->hintLabel()->text().contains(QString::number(discoveryPort)));
    // Issue 14: this host's network changes are listed (a resume is one), and after 10 s of
    // announcing with nobody heard, the panel says what to do instead.
    QVERIFY(dialog->changeList()->isHidden());
    alice.hostResumed();
    QTRY_COMPARE(dialog->changeList()->topLevelItemCount(), 1);
    QVERIFY(dialog->changeList()->topLevelItem(0)->text(1).contains(u"woke from sleep"_s));
    QVERIFY(!dialog->changeList()->isHidden());
    QTRY_VERIFY_WITH_TIMEOUT(dialog->hintLabel()->text().contains(u"invite link"_s), 15000);
    // A second trigger brings the same panel forward.
    window.networkAction()->trigger();
    QCOMPARE(window.findChildren<NetworkDialog *>().size(), 1);
}

void tst_MainWindow::settingsChangeNameAtOnce()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    ProfileSettings settings;
    settings.name = u"Alice"_s;
    MainWindow window(*alice, settings);
    window.show();
    QSignalSpy changed(&window, &MainWindow::settingsChanged);
    window.settingsAction()->trigger();
    auto *dialog = window.findChild<SettingsDialog *>();
    QVERIFY(dialog);
    dialog->nameEdit()->selectAll();
    QTest::keyClicks(dialog->nameEdit(), u"Alicia"_s);
    dialog->nameEdit()->insert(u" 爱"_s); // keyClicks types ASCII only
    dialog->portBox()->setValue(48000);
    dialog->accept();
    QCOMPARE(changed.size(), 1);
    const auto saved = changed.first().first().value<ProfileSettings>();
    QCOMPARE(saved.name, u"Alicia 爱"_s);
    QCOMPARE(saved.port, quint16(48000));
    QCOMPARE(alice->name(), u"Alicia 爱"_s);
    // Peers met from now on see the new name.
    QString error;
    bob->connectToAddress(u"127.0.0.1:%1"_s.arg(alice->port()), &error);
    QTRY_VERIFY(bob->peers()->peer(alice->id()).has_value());
    QCOMPARE(bob->peers()->peer(alice->id())->name, u"Alicia 爱"_s);
}

void tst_MainWindow::shownMessagesAreReadAndReceipted()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    QString error;
    bob->connectToAddress(u"127.0.0.1:%1"_s.arg(alice->port()), &error);
    QTRY_VERIFY(alice->peers()->peer(bob->id()).has_value());
    QTRY_VERIFY(bob->peers()->peer(alice->id()).has_value()); // the dialler learns a moment later
    const QUuid first = *bob->sendMessage(alice->id(), u"unseen"_s, &error);
    QTRY_COMPARE(bob->history().message(first)->state, MessageState::Delivered);

    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QCOMPARE(alice->peers()->peer(bob->id())->unread, 1);
    // Alice opens the conversation: the message is shown, so it is read, and Bob is told.
    window.peerList()->selectPeer(bob->id());
    QTRY_COMPARE(bob->history().message(first)->state, MessageState::Read);
    QCOMPARE(alice->peers()->peer(bob->id())->unread, 0);
    // While she looks, new messages are read as they arrive.
    const QUuid second = *bob->sendMessage(alice->id(), u"seen at once"_s, &error);
    QTRY_COMPARE(bob->history().message(second)->state, MessageState::Read);
    // The bubble on Bob's side would say so; on Alice's, the message is there.
    QTRY_COMPARE(window.conversation()->messageView()->model()->rowCount(), 2);
}

void tst_MainWindow::noReceiptsWhenTurnedOff()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    alice->setSendReadReceipts(false);
    QString error;
    bob->connectToAddress(u"127.0.0.1:%1"_s.arg(alice->port()), &error);
    QTRY_VERIFY(alice->peers()->peer(bob->id()).has_value());
    QTRY_VERIFY(bob->peers()->peer(alice->id()).has_value()); // the dialler learns a moment later
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.peerList()->selectPeer(bob->id());
    const QUuid id = *bob->sendMessage(alice->id(), u"private"_s, &error);
    QTRY_COMPARE(bob->history().message(id)->state, MessageState::Delivered);
    // Alice has read it (her own unread count is zero) but Bob is not told.
    QTRY_COMPARE(alice->history().message(id)->state, MessageState::Read);
    // A ping-pong round trip after it proves nothing more is on its way.
    const QUuid probe = *alice->sendMessage(bob->id(), u"probe"_s, &error);
    QTRY_COMPARE(alice->history().message(probe)->state, MessageState::Delivered);
    QCOMPARE(bob->history().message(id)->state, MessageState::Delivered);
}

void tst_MainWindow::olderMessagesLoadWhenScrollingUp()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    QString error;
    bob->connectToAddress(u"127.0.0.1:%1"_s.arg(alice->port()), &error);
    QTRY_VERIFY(alice->peers()->peer(bob->id()).has_value());
    QTRY_VERIFY(bob->peers()->peer(alice->id()).has_value()); // the dialler learns a moment later
    for (int i = 0; i < 250; ++i)
        bob->sendMessage(alice->id(), u"line %1"_s.arg(i), &error);
    QTRY_COMPARE(alice->history().count(bob->id()), 250);
    // All read: the conversation opens at the newest (unread ones would be loaded to show the
    // first of them, see tst_ConversationView::opensAtFirstUnread).
    alice->markRead(bob->id());
    QTRY_COMPARE(alice->peers()->peer(bob->id())->unread, 0);

    MainWindow window(*alice, ProfileSettings{});
    window.show();
    window.peerList()->selectPeer(bob->id());
    QAbstractItemModel *model = window.conversation()->messageView()->model();
    QCOMPARE(model->rowCount(), ConversationModel::PageSize); // the newest page only
    QCOMPARE(model->index(model->rowCount() - 1, 0).data().toString(), u"line 249"_s);
    QScrollBar *bar = window.conversation()->messageView()->verticalScrollBar();
    bar->setValue(bar->minimum()); // the person scrolls to the top
    QCOMPARE(model->rowCount(), 2 * ConversationModel::PageSize);
    QVERIFY(bar->value() > bar->minimum()); // what they were reading stays in view
    bar->setValue(bar->minimum());
    QCOMPARE(model->rowCount(), 250);
    QCOMPARE(model->index(0, 0).data().toString(), u"line 0"_s);
}

// Peer exchange: the Settings checkbox turns the telling off, the peer menu keeps one
// contact's address to ourselves; both are kept with the settings.
void tst_MainWindow::peerExchangeSettingAndExclusion()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    QString error;
    bob->connectToAddress(u"127.0.0.1:%1"_s.arg(alice->port()), &error);
    QTRY_VERIFY(alice->peers()->peer(bob->id()).has_value());
    QTRY_VERIFY(bob->peers()->peer(alice->id()).has_value()); // the dialler learns a moment later
    ProfileSettings settings;
    settings.name = u"Alice"_s;
    MainWindow window(*alice, settings);
    window.show();
    QSignalSpy changed(&window, &MainWindow::settingsChanged);

    window.settingsAction()->trigger();
    auto *dialog = window.findChild<SettingsDialog *>();
    QVERIFY(dialog);
    QVERIFY(dialog->peerExchangeBox()->isChecked()); // on by default
    QCOMPARE(dialog->peerExchangeBox()->text(),
             u"Tell my contacts where my other contacts are (peer exchange)"_s);
    dialog->peerExchangeBox()->click();
    dialog->accept();
    QCOMPARE(changed.size(), 1);
    QVERIFY(!changed.last().first().value<ProfileSettings>().peerExchange);
    QVERIFY(!alice->peerExchange());

    QTimer::singleShot(0, this, [] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        QVERIFY(menu);
        QAction *hide = nullptr;
        for (QAction *a : menu->actions()) {
            if (MainWindow::withoutMnemonic(a->text()) == u"Don't share this contact's address"_s)
                hide = a;
        }
        QVERIFY(hide);
        QVERIFY(!hide->isChecked());
        menu->setActiveAction(hide);
        QTest::keyClick(menu, Qt::Key_Return);
    });
    PeerListView *peers = window.peerList();
    const QRect row = peers->visualRect(peers->model()->index(0, 0));
    Q_EMIT peers->customContextMenuRequested(row.center());
    QTRY_COMPARE(changed.size(), 2);
    QCOMPARE(changed.last().first().value<ProfileSettings>().notSharedWithOthers,
             QStringList{bob->id()});
    QVERIFY(!alice->isSharedWithOthers(bob->id()));
}

void tst_MainWindow::statusLineCutOnANarrowWindow()
{
    // "Alice · ID … · listening on …" was cut mid-letter at the window's right edge: now it
    // ends in "…" where there is no more room, and the tool tip has it whole.
    auto alice = makePeer(u"Alice, whose name is about as long as a name may be here"_s);
    MainWindow window(*alice, ProfileSettings{});
    window.resize(1600, 600);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ElidingLabel *line = window.statusLine();
    const QString whole = line->fullText();
    QVERIFY(whole.contains(u"listening on 127.0.0.1:%1"_s.arg(alice->port())));
    QTRY_COMPARE(line->text(), whole);
    QVERIFY(line->toolTip().isEmpty());

    window.resize(window.minimumSizeHint().width(), 600);
    QTRY_VERIFY2(line->text().endsWith(u"…"_s), qPrintable(line->text()));
    QVERIFY(line->fontMetrics().horizontalAdvance(line->text()) <= line->contentsRect().width());
    QVERIFY(whole.startsWith(line->text().chopped(1)));
    QCOMPARE(line->toolTip(), whole);
    // It does not hold the window wide.
    QVERIFY(window.minimumSizeHint().width() < line->fontMetrics().horizontalAdvance(whole));

    window.resize(1600, 600);
    QTRY_COMPARE(line->text(), whole);
    QVERIFY(line->toolTip().isEmpty());
}

void tst_MainWindow::settingsSayWhatThisRunUses()
{
    // Started with --port 0 --discovery-port 47941 while 47800 and 47801 are saved: Settings
    // shows the saved ports (what it saves) and, beside them, what this run uses.
    auto alice = makePeer(u"Alice"_s);
    ProfileSettings settings;
    settings.name = u"Alice"_s;
    settings.port = 47800;
    settings.discoveryPort = 47801;
    MainWindow window(*alice, settings);
    window.setPortsForThisRun(alice->port(), quint16(47941));
    window.show();
    QSignalSpy changed(&window, &MainWindow::settingsChanged);
    window.settingsAction()->trigger();
    auto *dialog = window.findChild<SettingsDialog *>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QCOMPARE(dialog->portBox()->value(), 47800);
    QCOMPARE(dialog->discoveryPortBox()->value(), 47801);
    QVERIFY(dialog->portForThisRunLabel()->isVisible());
    QCOMPARE(dialog->portForThisRunLabel()->text(),
             u"This run uses %1 (--port)"_s.arg(alice->port()));
    QVERIFY(dialog->discoveryPortForThisRunLabel()->isVisible());
    QCOMPARE(dialog->discoveryPortForThisRunLabel()->text(),
             u"This run uses 47941 (--discovery-port)"_s);
    // Beside the field, whole.
    const QLabel *note = dialog->portForThisRunLabel();
    QCOMPARE(note->mapTo(dialog, QPoint(0, note->height() / 2)).y(),
             dialog->portBox()->mapTo(dialog, QPoint(0, dialog->portBox()->height() / 2)).y());
    QVERIFY(note->width() >= note->sizeHint().width());
    // OK saves the saved ports, not this run's.
    dialog->nameEdit()->setText(u"Alicia"_s);
    dialog->accept();
    QCOMPARE(changed.size(), 1);
    const auto saved = changed.first().first().value<ProfileSettings>();
    QCOMPARE(saved.port, quint16(47800));
    QCOMPARE(saved.discoveryPort, quint16(47801));

    // Without --port and --discovery-port nothing is said.
    window.setPortsForThisRun(std::nullopt, std::nullopt);
    window.settingsAction()->trigger();
    QTRY_VERIFY(window.findChildren<SettingsDialog *>().size() == 1);
    dialog = window.findChild<SettingsDialog *>();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QVERIFY(!dialog->portForThisRunLabel()->isVisible());
    QVERIFY(!dialog->discoveryPortForThisRunLabel()->isVisible());
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
