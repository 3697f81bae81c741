// SPDX-License-Identifier: GPL-3.0-or-later
// Invite links in the window: the QR code reads back as the link, and the Connect dialog
// takes a link and connects to a real second Messenger.
#include "connectdialog.h"
#include "conversationpane.h"
#include "inviteqrdialog.h"
#include "mainwindow.h"
#include "messageinput.h"
#include "messenger/messenger.h"
#include "peerlistview.h"
#include "protocol/invitelink.h"
#include "storage/messagestore.h"
#include "testpeer.h"

#include <QAction>
#include <QClipboard>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_Invite : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void qrCodeReadsBackAsTheLink();
    void copyInviteLink();
    void connectDialogTakesALink();
    void connectDialogRefusesAWrongKey();
    void connectDialogRefusesOwnLink();
};

void tst_Invite::qrCodeReadsBackAsTheLink()
{
    auto alice = makePeer(u"Alice"_s);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.inviteQrAction()->trigger();
    auto *dialog = window.findChild<InviteQrDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(dialog->link(), alice->inviteLink());

    // What is on screen, read by a real QR reader.
    const QString zbarimg = QStandardPaths::findExecutable(u"zbarimg"_s);
    if (zbarimg.isEmpty())
        QSKIP("zbarimg (zbar-tools, scripts/setup.sh) is not installed");
    QTemporaryDir dir;
    const QString file = dir.filePath(u"code.png"_s);
    QVERIFY(dialog->imageLabel()->pixmap().save(file));
    QProcess reader;
    reader.start(zbarimg, {u"--quiet"_s, u"--raw"_s, file});
    QVERIFY(reader.waitForFinished(20'000));
    QCOMPARE(reader.exitCode(), 0);
    QCOMPARE(QString::fromUtf8(reader.readAllStandardOutput()).trimmed(), alice->inviteLink());

    dialog->copyButton()->click();
    QCOMPARE(QApplication::clipboard()->text(), alice->inviteLink());
}

void tst_Invite::copyInviteLink()
{
    auto alice = makePeer(u"Alice"_s);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QApplication::clipboard()->clear();
    window.copyInviteAction()->trigger();
    QString error;
    const auto link = InviteLink::decode(QApplication::clipboard()->text(), &error);
    QVERIFY2(link, qPrintable(error));
    QCOMPARE(link->peerId, alice->id());
    QCOMPARE(link->port, alice->port());
}

void tst_Invite::connectDialogTakesALink()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    QTest::keyClick(&window, Qt::Key_N, Qt::ControlModifier);
    auto *dialog = window.findChild<ConnectDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QVERIFY(dialog->addressEdit()->placeholderText().contains(u"invite link"_s));
    QTest::keyClicks(dialog->addressEdit(), bob->inviteLink());
    QTest::keyClick(dialog->addressEdit(), Qt::Key_Return);
    // Listed at once under the link's name.
    QVERIFY(alice->peer(bob->id()));
    QCOMPARE(alice->peer(bob->id())->name, u"Bob"_s);
    // The dialog closes by itself once Bob proved the link's key; Bob is selected.
    QTRY_VERIFY(!window.findChild<ConnectDialog *>());
    QTRY_COMPARE(window.peerList()->currentPeerId(), bob->id());
    QVERIFY(alice->peer(bob->id())->online);
    QVERIFY(!alice->peer(bob->id())->invited);

    MessageInput *input = window.conversation()->input();
    QTest::keyClicks(input, u"Hello Bob"_s);
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_COMPARE(bob->history().conversation(alice->id()).size(), 1);
    QCOMPARE(bob->history().conversation(alice->id()).first().text, u"Hello Bob"_s);
}

void tst_Invite::connectDialogRefusesAWrongKey()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    auto carol = makePeer(u"Carol"_s);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // Carol's ID, Bob's address.
    QString error;
    auto tampered = InviteLink::decode(bob->inviteLink(), &error);
    QVERIFY2(tampered, qPrintable(error));
    tampered->peerId = carol->id();
    ConnectDialog *dialog = window.openConnectDialog(tampered->encode());
    QTRY_VERIFY(dialog->statusLabel()->text().contains(u"differs from the invite link's"_s));
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->addressEdit()->isEnabled());
    QVERIFY(!alice->peer(carol->id())->online);
    QVERIFY(!bob->peer(alice->id())); // Bob heard nothing of Alice: no hello went there
    QCOMPARE(window.findChildren<QMessageBox *>(u"identityWarning"_s).size(), 1);
}

void tst_Invite::connectDialogRefusesOwnLink()
{
    auto alice = makePeer(u"Alice"_s);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ConnectDialog *dialog = window.openConnectDialog(alice->inviteLink());
    QVERIFY(dialog->statusLabel()->isVisible());
    QVERIFY2(dialog->statusLabel()->text().startsWith(u"This is your own invite link."_s),
             qPrintable(dialog->statusLabel()->text()));
    QCOMPARE(alice->peers()->rowCount(), 0);
}

QTEST_MAIN(tst_Invite)
#include "tst_invite.moc"
