// SPDX-License-Identifier: GPL-3.0-or-later
// Honest presence in the window: a peer heard on the network whose port refuses is shown
// "seen on the network, can't connect" with the reason (never online), its conversation says
// so with a way to the Network panel, and what is written to it waits until it is reached.
#include "conversationpane.h"
#include "discovery/announcement.h"
#include "mainwindow.h"
#include "messageinput.h"
#include "models/conversationmodel.h"
#include "models/peerlistmodel.h"
#include "net/networksafety.h"
#include "networkdialog.h"
#include "peerlistview.h"
#include "protocol/invitelink.h"
#include "testpeer.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QUdpSocket>

using namespace Qt::StringLiterals;

class tst_Presence : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void heardButRefusedIsNotOnline();
    void invitedButRefusedSaysSo();
};

void tst_Presence::initTestCase()
{
    // Network safety: whatever this test does, Shoal sends nothing beyond this host.
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_Presence::heardButRefusedIsNotOnline()
{
    QUdpSocket probe;
    QVERIFY(probe.bind(QHostAddress::LocalHost, 0));
    const quint16 discoveryPort = probe.localPort();
    probe.close();
    // A port where nothing listens: taken, read back, given up.
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 refusedPort = closed.serverPort();
    closed.close();

    MessengerConfig config = testPeerConfig(u"Alice"_s);
    config.discovery = DiscoveryConfig{discoveryPort, {QHostAddress(u"127.255.255.255"_s)}, 30000};
    auto alice = startPeer(config);
    auto bob = makePeer(u"Bob"_s);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // Bob is announced (his ID and name) at a port that refuses.
    Announcement heard;
    heard.peerId = bob->id();
    heard.instance = QUuid::createUuid();
    heard.name = u"Bob"_s;
    heard.port = refusedPort;
    QUdpSocket lan;
    QVERIFY(lan.bind(QHostAddress::LocalHost, 0));
    lan.writeDatagram(heard.encode(), QHostAddress(u"127.255.255.255"_s), discoveryPort);

    PeerListView *list = window.peerList();
    QTRY_COMPARE(list->model()->rowCount(), 1);
    const QModelIndex row = list->model()->index(0, 0);
    // Lower ID dials at once, higher after a pause: either way it is refused.
    QTRY_COMPARE_WITH_TIMEOUT(PeerInfo::DialProblem(
                                  row.data(PeerListModel::DialProblemRole).toInt()),
                              PeerInfo::DialProblem::Refused,
                              10000);
    QVERIFY(!row.data(PeerListModel::OnlineRole).toBool());
    // What the row says (a screen reader hears the same), and the detail on hover.
    const QString said = row.data(Qt::AccessibleTextRole).toString();
    QVERIFY2(said.contains(u"seen on the network, can't connect: connection refused"_s),
             qPrintable(said));
    QVERIFY(!said.contains(u"online"_s));
    QVERIFY(row.data(Qt::ToolTipRole).toString().contains(u"127.0.0.1:%1: "_s.arg(refusedPort)));

    // Its conversation: the header and the banner say so; a message waits.
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(row).center());
    QTRY_COMPARE(list->currentPeerId(), bob->id());
    ConversationPane *pane = window.conversation();
    QVERIFY(pane->reachBanner()->isVisible());
    QVERIFY2(pane->reachLabel()->text().contains(u"can't connect: connection refused"_s),
             qPrintable(pane->reachLabel()->text()));
    QVERIFY(pane->reachLabel()->text().contains(u"will be delivered"_s));
    QVERIFY(pane->reachLabel()->toolTip().startsWith(u"127.0.0.1:%1: "_s.arg(refusedPort)));
    QVERIFY(pane->headerLabel()->text().contains(u"can't connect"_s));
    QVERIFY(!pane->headerLabel()->text().contains(u"online"_s));
    QTest::keyClicks(pane->input(), u"Are you there?"_s);
    QTest::keyClick(pane->input(), Qt::Key_Return);
    QAbstractItemModel *messages = pane->messageView()->model();
    QTRY_COMPARE(messages->rowCount(), 1);
    QCOMPARE(MessageState(messages->index(0, 0).data(ConversationModel::StateRole).toInt()),
             MessageState::Queued);

    // "Network…" opens the Network panel.
    QVERIFY(!window.findChild<NetworkDialog *>());
    QTest::mouseClick(pane->networkButton(), Qt::LeftButton);
    QTRY_VERIFY(window.findChild<NetworkDialog *>());
    window.findChild<NetworkDialog *>()->close();

    // Bob reaches Alice himself: online, the banner goes, the message is delivered.
    QString error;
    QVERIFY(bob->connectToAddress(u"127.0.0.1:%1"_s.arg(alice->port()), &error) != 0);
    QTRY_VERIFY(row.data(PeerListModel::OnlineRole).toBool());
    QCOMPARE(PeerInfo::DialProblem(row.data(PeerListModel::DialProblemRole).toInt()),
             PeerInfo::DialProblem::None);
    QVERIFY(!pane->reachBanner()->isVisible());
    QVERIFY(pane->headerLabel()->text().contains(u"online"_s));
    QTRY_COMPARE(MessageState(messages->index(0, 0).data(ConversationModel::StateRole).toInt()),
                 MessageState::Delivered);
}

void tst_Presence::invitedButRefusedSaysSo()
{
    // A peer from an invite link is "connecting…" until its dial fails; then it says why,
    // rather than connecting for ever.
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    InviteLink invite;
    invite.peerId = QString(64, u'c');
    invite.name = u"Carol"_s;
    invite.addresses = {QHostAddress::LocalHost};
    invite.port = closed.serverPort();
    closed.close();
    auto alice = makePeer(u"Alice"_s);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QString error;
    QVERIFY2(alice->connectInvite(invite.encode(), &error), qPrintable(error));
    PeerListView *list = window.peerList();
    QTRY_COMPARE(list->model()->rowCount(), 1);
    const QModelIndex row = list->model()->index(0, 0);
    QTRY_COMPARE(PeerInfo::DialProblem(row.data(PeerListModel::DialProblemRole).toInt()),
                 PeerInfo::DialProblem::Refused);
    const QString said = row.data(Qt::AccessibleTextRole).toString();
    QVERIFY2(said.contains(u"invited, can't connect: connection refused"_s), qPrintable(said));
    QVERIFY(!said.contains(u"connecting"_s));
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(row).center());
    QTRY_COMPARE(list->currentPeerId(), invite.peerId);
    ConversationPane *pane = window.conversation();
    QVERIFY(pane->reachBanner()->isVisible());
    QVERIFY2(pane->reachLabel()->text().contains(u"invite link: connection refused"_s),
             qPrintable(pane->reachLabel()->text()));
}

QTEST_MAIN(tst_Presence)
#include "tst_presence.moc"
