// SPDX-License-Identifier: GPL-3.0-or-later
// Around the conversation: the peer list and the keyboard focus, the header, the Connect
// dialog, shortcuts and menus, the toolbar in Chinese, and the window's remembered layout.
#include "connectdialog.h"
#include "conversationpane.h"
#include "mainwindow.h"
#include "messageinput.h"
#include "messenger/messenger.h"
#include "models/peerlistmodel.h"
#include "net/networksafety.h"
#include "net/peerconnection.h"
#include "net/tlsconfiguration.h"
#include "peerlistview.h"
#include "protocol/messages.h"
#include "settingsdialog.h"
#include "testpeer.h"

#include <QAccessible>
#include <QApplication>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSignalSpy>
#include <QSplitter>
#include <QSslServer>
#include <QStyle>
#include <QStyleOptionFrame>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QTranslator>

using namespace Qt::StringLiterals;

class tst_WindowChrome : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void clickingOpenPeerKeepsTypingInInput();
    void arrowKeysKeepWorkingInPeerList();
    void clickingEmptyListSpaceKeepsConversation();
    void peersHaveAccessibleText();
    void offlineHeaderWrapsAndLeavesListAlone();
    void connectDialogShowsTwoLineErrorWhole();
    void peerWordsNotSplicedIntoErrors();
    void ctrlCommaOpensSettings();
    void helpMenuHasAbout();
    void chineseToolbarHasNoMnemonicMarkers();
    void windowLayoutRemembered();
    void connectExampleFitsInBothLanguages();

private:
    // Alice's window with `count` peers connected to her (online).
    void openWindow(int count);
    QPoint rowCenter(int row) const
    {
        PeerListView *list = m_window->peerList();
        return list->visualRect(list->model()->index(row, 0)).center();
    }

    std::unique_ptr<Messenger> m_alice;
    std::vector<std::unique_ptr<Messenger>> m_peers;
    std::unique_ptr<MainWindow> m_window;
};

void tst_WindowChrome::initTestCase()
{
    // Network safety: whatever this test does, Shoal sends nothing beyond this host.
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_WindowChrome::cleanup()
{
    m_window.reset();
    m_peers.clear();
    m_alice.reset();
}

void tst_WindowChrome::openWindow(int count)
{
    m_alice = makePeer(u"Alice"_s);
    QString error;
    for (int i = 0; i < count; ++i) {
        m_peers.push_back(makePeer(u"Peer %1"_s.arg(i)));
        m_peers.back()->connectToAddress(u"127.0.0.1:%1"_s.arg(m_alice->port()), &error);
    }
    QTRY_COMPARE(m_alice->peers()->rowCount(), count);
    // Both sides: the one that dialled learns the other from its hello a moment later.
    for (const auto &peer : m_peers)
        QTRY_VERIFY(peer->peers()->peer(m_alice->id()).has_value());
    m_window = std::make_unique<MainWindow>(*m_alice, ProfileSettings{});
    m_window->resize(800, 560);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void tst_WindowChrome::clickingOpenPeerKeepsTypingInInput()
{
    openWindow(1);
    PeerListView *list = m_window->peerList();
    MessageInput *input = m_window->conversation()->input();
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rowCenter(0));
    QCOMPARE(m_window->conversation()->peerId(), m_peers[0]->id());
    QTRY_VERIFY(input->hasFocus());
    QTest::keyClicks(QApplication::focusWidget(), u"hel"_s);
    // A second click on the open peer: the keyboard stays in the box, nothing typed is lost.
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rowCenter(0));
    QTRY_VERIFY(input->hasFocus());
    QTest::keyClicks(QApplication::focusWidget(), u"lo"_s);
    QCOMPARE(input->toPlainText(), u"hello"_s);
    QCOMPARE(m_window->conversation()->peerId(), m_peers[0]->id());
}

void tst_WindowChrome::arrowKeysKeepWorkingInPeerList()
{
    openWindow(3);
    PeerListView *list = m_window->peerList();
    list->setFocus();
    QTest::keyClick(list, Qt::Key_Home);
    const QString first = list->currentPeerId();
    QCOMPARE(m_window->conversation()->peerId(), first);
    QStringList seen{first};
    // Down, Down, Up: each moves the selection, opens that conversation, keeps the focus.
    for (const Qt::Key key : {Qt::Key_Down, Qt::Key_Down, Qt::Key_Up}) {
        QTest::keyClick(QApplication::focusWidget(), key);
        QVERIFY2(list->hasFocus(), QApplication::focusWidget()->metaObject()->className());
        QCOMPARE(m_window->conversation()->peerId(), list->currentPeerId());
        seen.append(list->currentPeerId());
    }
    QVERIFY(seen.at(1) != seen.at(0) && seen.at(2) != seen.at(1));
    QCOMPARE(seen.at(3), seen.at(1));
}

void tst_WindowChrome::clickingEmptyListSpaceKeepsConversation()
{
    openWindow(1);
    PeerListView *list = m_window->peerList();
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rowCenter(0));
    QCOMPARE(m_window->conversation()->peerId(), m_peers[0]->id());
    const QPoint empty(list->viewport()->width() / 2, list->viewport()->height() - 10);
    QVERIFY(!list->indexAt(empty).isValid());
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, empty);
    QCOMPARE(m_window->conversation()->peerId(), m_peers[0]->id());
    QCOMPARE(list->currentPeerId(), m_peers[0]->id());
    // Ctrl+click on the open peer neither.
    QTest::mouseClick(list->viewport(), Qt::LeftButton, Qt::ControlModifier, rowCenter(0));
    QCOMPARE(m_window->conversation()->peerId(), m_peers[0]->id());
    QVERIFY(m_window->conversation()->input()->isEnabled());
}

void tst_WindowChrome::peersHaveAccessibleText()
{
    openWindow(2);
    QString error;
    m_peers[1]->sendMessage(m_alice->id(), u"one"_s, &error);
    m_peers[1]->sendMessage(m_alice->id(), u"two"_s, &error);
    QTRY_COMPARE(m_alice->peers()->peer(m_peers[1]->id())->unread, 2);
    const QString leaving = m_peers[0]->id();
    m_peers[0].reset(); // goes offline
    QTRY_VERIFY(!m_alice->peers()->peer(leaving)->online);

    QAccessibleInterface *list = QAccessible::queryAccessibleInterface(m_window->peerList());
    QVERIFY(list);
    QCOMPARE(list->childCount(), 2);
    QStringList names;
    for (int i = 0; i < 2; ++i)
        names.append(list->child(i)->text(QAccessible::Name));
    const QString online = names.filter(u"Peer 1"_s).value(0);
    const QString offline = names.filter(u"Peer 0"_s).value(0);
    QVERIFY2(online.contains(u"online"_s) && online.contains(u"2 unread"_s), qPrintable(online));
    QVERIFY2(offline.contains(u"offline"_s) && !offline.contains(u"unread"_s), qPrintable(offline));
}

void tst_WindowChrome::offlineHeaderWrapsAndLeavesListAlone()
{
    m_alice = makePeer(u"Alice"_s);
    const QString longName = u"Somebody with a rather long name from the third floor"_s;
    m_peers.push_back(makePeer(longName));
    QString error;
    m_peers[0]->connectToAddress(u"127.0.0.1:%1"_s.arg(m_alice->port()), &error);
    QTRY_COMPARE(m_alice->peers()->rowCount(), 1);
    const QString id = m_peers[0]->id();
    m_peers[0].reset();
    QTRY_VERIFY(!m_alice->peers()->peer(id)->online);

    m_window = std::make_unique<MainWindow>(*m_alice, ProfileSettings{});
    m_window->resize(640, 480);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    const int listWidth = m_window->peerList()->width();
    m_window->peerList()->selectPeer(id);
    QLabel *header = m_window->conversation()->headerLabel();
    QVERIFY(header->text().contains(longName));
    // Seen today: the time alone, not the date.
    const QDateTime seen = m_alice->peers()->peer(id)->lastSeen.toLocalTime();
    QVERIFY2(header->text().contains(
                 u"last seen %1;"_s.arg(QLocale().toString(seen.time(), QLocale::ShortFormat))),
             qPrintable(header->text()));
    QTRY_COMPARE(m_window->peerList()->width(), listWidth);
    QVERIFY(listWidth >= 200);
    // The whole line is there, on as many lines as it takes, inside the pane.
    QCoreApplication::processEvents();
    QVERIFY(header->geometry().right() <= m_window->conversation()->width());
    QVERIFY2(header->height() >= header->heightForWidth(header->width()),
             qPrintable(
                 u"%1 < %2"_s.arg(header->height()).arg(header->heightForWidth(header->width()))));
    QVERIFY(header->height() > 2 * header->fontMetrics().height());
}

void tst_WindowChrome::connectDialogShowsTwoLineErrorWhole()
{
    openWindow(0);
    QTest::keyClick(m_window.get(), Qt::Key_N, Qt::ControlModifier);
    auto *dialog = m_window->findChild<ConnectDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    const int heightBefore = dialog->height();
    QTest::keyClicks(
        dialog->addressEdit(),
        u"not a host name, with spaces and more words, so many that the error takes two lines:80"_s);
    QTest::keyClick(dialog->addressEdit(), Qt::Key_Return);
    QLabel *status = dialog->statusLabel();
    QVERIFY(status->isVisible());
    QCoreApplication::processEvents();
    const int lines = status->heightForWidth(status->width()) / status->fontMetrics().lineSpacing();
    QVERIFY2(lines >= 2, qPrintable(status->text())); // the case this is about
    QVERIFY2(status->height() >= status->heightForWidth(status->width()),
             qPrintable(
                 u"%1 < %2"_s.arg(status->height()).arg(status->heightForWidth(status->width()))));
    const auto *buttons = dialog->findChild<QDialogButtonBox *>();
    QVERIFY(status->geometry().bottom() < buttons->geometry().top());
    QVERIFY(dialog->height() > heightBefore);
}

void tst_WindowChrome::peerWordsNotSplicedIntoErrors()
{
    // A "peer" that says goodbye, in its own words and language, before it says hello.
    QString error;
    const Identity other = *Identity::generate(&error);
    QSslServer server;
    server.setSslConfiguration(Tls::configuration(other));
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QSslServer::pendingConnectionAvailable, &server, [&server] {
        server.nextPendingConnection()->write(
            Protocol::encodeFrame(Protocol::Bye{u"busy, come back later"_s}));
    });
    openWindow(0);
    QTest::keyClick(m_window.get(), Qt::Key_N, Qt::ControlModifier);
    auto *dialog = m_window->findChild<ConnectDialog *>();
    QVERIFY(dialog);
    QTest::keyClicks(dialog->addressEdit(), u"127.0.0.1:%1"_s.arg(server.serverPort()));
    QTest::keyClick(dialog->addressEdit(), Qt::Key_Return);
    // The dialog's own (translated) words, not the peer's.
    QTRY_VERIFY(dialog->addressEdit()->isEnabled());
    QCOMPARE(dialog->statusLabel()->text(),
             PeerConnection::describe(PeerConnection::Error::RemoteClosed));
}

void tst_WindowChrome::ctrlCommaOpensSettings()
{
    openWindow(0);
    QTest::keyClick(m_window.get(), Qt::Key_Comma, Qt::ControlModifier);
    auto *dialog = m_window->findChild<SettingsDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
}

void tst_WindowChrome::helpMenuHasAbout()
{
    QCoreApplication::setApplicationVersion(u"1.2.3"_s);
    openWindow(0);
    QStringList menus;
    for (QAction *action : m_window->menuBar()->actions())
        menus.append(MainWindow::withoutMnemonic(action->text()));
    QVERIFY2(menus.contains(u"Help"_s), qPrintable(menus.join(u", "_s)));
    m_window->aboutAction()->trigger();
    auto *box = m_window->findChild<QMessageBox *>(u"aboutDialog"_s);
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    const QString text = box->text() + box->informativeText();
    for (const QString &part : {u"1.2.3"_s, u"GPL-3.0-or-later"_s, QString::fromLatin1(qVersion())})
        QVERIFY2(text.contains(part), qPrintable(text));
}

void tst_WindowChrome::chineseToolbarHasNoMnemonicMarkers()
{
    QTranslator zh;
    QVERIFY(zh.load(QLocale(u"zh_CN"_s), u"shoal"_s, u"_"_s, u":/i18n"_s));
    QCoreApplication::installTranslator(&zh);
    openWindow(0);
    const auto buttons
        = m_window->findChild<QToolBar *>(u"mainToolBar"_s)->findChildren<QToolButton *>();
    QStringList texts;
    for (const QToolButton *button : buttons) {
        if (button->defaultAction())
            texts.append(button->text());
    }
    QCoreApplication::removeTranslator(&zh);
    QCOMPARE(texts.size(), 6); // connect, new group, copy ID, network, send files, send folder
    QVERIFY2(texts.contains(u"新建群组"_s), qPrintable(texts.join(u", "_s)));
    QVERIFY2(texts.contains(u"连接到用户"_s), qPrintable(texts.join(u", "_s)));
    for (const QString &text : std::as_const(texts)) {
        QVERIFY2(!text.contains(u'(') && !text.contains(u'&'), qPrintable(text));
    }
    QCOMPARE(MainWindow::withoutMnemonic(u"复制我的 ID(&I)"_s), u"复制我的 ID"_s);
    QCOMPARE(MainWindow::withoutMnemonic(u"S&ettings…"_s), u"Settings"_s);
    QCOMPARE(MainWindow::withoutMnemonic(u"Save && &quit"_s), u"Save & quit"_s);
}

void tst_WindowChrome::windowLayoutRemembered()
{
    openWindow(0);
    m_window->resize(700, 500);
    m_window->splitter()->setSizes({300, 400});
    QTRY_COMPARE(m_window->size(), QSize(700, 500));
    const int listWidth = m_window->splitter()->sizes().at(0);
    QSignalSpy saved(m_window.get(), &MainWindow::settingsChanged);
    m_window->close();
    QCOMPARE(saved.size(), 1);
    QTemporaryDir profile;
    QString error;
    QVERIFY2(saved.first().first().value<ProfileSettings>().save(profile.path(), &error),
             qPrintable(error));

    // The next start, from what the profile kept.
    const ProfileSettings settings = ProfileSettings::load(profile.path());
    QVERIFY(!settings.windowGeometry.isEmpty() && !settings.splitterState.isEmpty());
    MainWindow again(*m_alice, settings);
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    QCOMPARE(again.size(), QSize(700, 500));
    QCOMPARE(again.splitter()->sizes().at(0), listWidth);
}

void tst_WindowChrome::connectExampleFitsInBothLanguages()
{
    // The Connect dialog's example address was cut in Chinese (a fixed 360 px field): the field
    // is as wide as its example, whatever the language.
    auto alice = makePeer(u"Alice"_s);
    QTranslator zh;
    QVERIFY(zh.load(QLocale(u"zh_CN"_s), u"shoal"_s, u"_"_s, u":/i18n"_s));
    for (const bool chinese : {false, true}) {
        if (chinese)
            QCoreApplication::installTranslator(&zh);
        ConnectDialog dialog(*alice);
        dialog.show();
        const bool exposed = QTest::qWaitForWindowExposed(&dialog);
        if (chinese)
            QCoreApplication::removeTranslator(&zh);
        QVERIFY(exposed);
        QLineEdit *edit = dialog.addressEdit();
        const QString example = edit->placeholderText();
        QCOMPARE(example.contains(u"邀请链接"_s), chinese);
        QStyleOptionFrame frame;
        frame.initFrom(edit);
        frame.rect = edit->rect();
        frame.lineWidth = edit->style()->pixelMetric(QStyle::PM_DefaultFrameWidth, &frame, edit);
        // The text's room: inside the frame, less the line edit's own 2 px a side.
        const int room
            = edit->style()->subElementRect(QStyle::SE_LineEditContents, &frame, edit).width() - 4;
        QVERIFY2(edit->fontMetrics().horizontalAdvance(example) <= room,
                 qPrintable(u"%1: %2 > %3"_s.arg(example)
                                .arg(edit->fontMetrics().horizontalAdvance(example))
                                .arg(room)));
    }
}

QTEST_MAIN(tst_WindowChrome)
#include "tst_windowchrome.moc"
