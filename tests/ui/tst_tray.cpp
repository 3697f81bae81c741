// SPDX-License-Identifier: GPL-3.0-or-later
// The tray and notification logic in the real window, offscreen (no tray, no session bus):
// what the title, the tooltip and the icon say, when a notification is due and what it says,
// and that each can be turned off. tst_traydesktop runs them against a real tray and daemon.
#include "mainwindow.h"
#include "messenger/messenger.h"
#include "notifier.h"
#include "peerlistview.h"
#include "settingsdialog.h"
#include "storage/messagestore.h"
#include "storage/profilesettings.h"
#include "testpeer.h"
#include "trayicon.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QMenu>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_Tray : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void unreadCountInTitleAndTooltip();
    void unreadInTitleTurnedOff();
    void notifiesOnlyWhileAway();
    void ownDialogIsNotAway();
    void notificationsTurnedOff();
    void busyMeansNoNotifications(); // issue 15
    void notificationText_data();
    void notificationText();
    void closeQuitsWithoutTray();
    void menuShowsStatus();
    void settingsDialogKeepsDesktopChoices();
    void settingsSavedInProfile();

private:
    void connectPeers();
    void send(const QString &text);

    std::unique_ptr<Messenger> m_alice;
    std::unique_ptr<Messenger> m_bob;
};

void tst_Tray::init()
{
    m_alice = makePeer(u"Alice"_s);
    m_bob = makePeer(u"Bob"_s);
}

void tst_Tray::connectPeers()
{
    QString error;
    m_bob->connectToAddress(u"127.0.0.1:%1"_s.arg(m_alice->port()), &error);
    QTRY_VERIFY(m_alice->peers()->peer(m_bob->id()).has_value());
    // Both sides: the one that dialled learns the other from its hello a moment later.
    QTRY_VERIFY(m_bob->peers()->peer(m_alice->id()).has_value());
}

void tst_Tray::send(const QString &text)
{
    // Until Alice's messenger has told the window: her store may have it a moment before.
    QSignalSpy received(m_alice.get(), &Messenger::messageReceived);
    QString error;
    const auto id = m_bob->sendMessage(m_alice->id(), text, &error);
    QVERIFY2(id, qPrintable(error));
    QTRY_VERIFY(std::any_of(received.cbegin(), received.cend(), [&](const QList<QVariant> &args) {
        return args.at(0).value<ChatMessage>().id == *id;
    }));
}

void tst_Tray::unreadCountInTitleAndTooltip()
{
    connectPeers();
    MainWindow window(*m_alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QCOMPARE(window.windowTitle(), u"Shoal"_s);
    QCOMPARE(window.trayIcon()->icon()->toolTip(), u"Shoal"_s);
    const QImage plain = window.trayIcon()->icon()->icon().pixmap(32).toImage();

    // No conversation open: Bob's messages wait unread.
    send(u"one"_s);
    send(u"two"_s);
    QTRY_COMPARE(window.windowTitle(), u"(2) Shoal"_s);
    QTRY_COMPARE(window.trayIcon()->icon()->toolTip(), u"Shoal — 2 unread"_s);
    // The count is drawn on the icon.
    QVERIFY(window.trayIcon()->icon()->icon().pixmap(32).toImage() != plain);

    // Alice opens the conversation and reads them: the count goes.
    window.peerList()->selectPeer(m_bob->id());
    QTRY_COMPARE(window.windowTitle(), u"Shoal"_s);
    QTRY_COMPARE(window.trayIcon()->icon()->toolTip(), u"Shoal"_s);
    QCOMPARE(window.trayIcon()->icon()->icon().pixmap(32).toImage(), plain);
}

void tst_Tray::unreadInTitleTurnedOff()
{
    connectPeers();
    ProfileSettings settings;
    settings.unreadInTitle = false;
    MainWindow window(*m_alice, settings);
    window.show();
    send(u"one"_s);
    QTRY_COMPARE(window.trayIcon()->unread(), 1);
    // The tray still counts: only the title was turned off.
    QTRY_COMPARE(window.trayIcon()->icon()->toolTip(), u"Shoal — 1 unread"_s);
    QCOMPARE(window.windowTitle(), u"Shoal"_s);
}

void tst_Tray::notifiesOnlyWhileAway()
{
    connectPeers();
    MainWindow window(*m_alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QSignalSpy notified(window.notifier(), &Notifier::notified);
    QSignalSpy alerted(window.notifier(), &Notifier::alerted);

    // In front of her: no notification (the peer list shows it).
    send(u"while you look"_s);
    // Away (the window hidden, as in the tray): this one is notified, and only this one.
    window.hide();
    send(u"while you are away"_s);
    QTRY_COMPARE(notified.size(), 1);
    QCOMPARE(notified.at(0).at(0).toString(), m_bob->id());
    QCOMPARE(notified.at(0).at(1).toString(), u"Bob"_s);
    QCOMPARE(notified.at(0).at(2).toString(), u"while you are away"_s);
    QCOMPARE(alerted.size(), 1);

    // Minimized counts as away too.
    window.showMinimized();
    send(u"minimized"_s);
    QTRY_COMPARE(notified.size(), 2);
    QCOMPARE(notified.at(1).at(2).toString(), u"minimized"_s);
    QCOMPARE(alerted.size(), 2);
}

void tst_Tray::ownDialogIsNotAway()
{
    // Settings open over the window: Shoal is still in front, so no notification and no alert.
    connectPeers();
    MainWindow window(*m_alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QSignalSpy notified(window.notifier(), &Notifier::notified);
    QSignalSpy alerted(window.notifier(), &Notifier::alerted);
    // A window of its own (no parent): the main window is not the active one, yet Shoal is.
    SettingsDialog dialog(ProfileSettings{});
    dialog.show();
    dialog.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QVERIFY(!window.isActiveWindow());
    send(u"while Settings is open"_s);
    // Then no Shoal window at all (as in the tray): this one is announced. (Another program in
    // front: tst_traydesktop, on a real X server.)
    dialog.hide();
    window.hide();
    send(u"while away"_s);
    QTRY_COMPARE(notified.size(), 1);
    QCOMPARE(notified.at(0).at(2).toString(), u"while away"_s);
    QCOMPARE(alerted.size(), 1);
}

void tst_Tray::notificationsTurnedOff()
{
    connectPeers();
    ProfileSettings settings;
    settings.notifications = false;
    settings.alertWindow = false;
    MainWindow window(*m_alice, settings);
    QSignalSpy notified(window.notifier(), &Notifier::notified);
    QSignalSpy alerted(window.notifier(), &Notifier::alerted);
    window.hide();
    send(u"not announced"_s);
    // Only the alert turned back on: the window is marked, and nothing is announced.
    settings.alertWindow = true;
    window.notifier()->setSettings(settings);
    send(u"marked"_s);
    QTRY_COMPARE(alerted.size(), 1);
    // Notifications turned back on: the next one is announced, and the first ones never were.
    settings.notifications = true;
    window.notifier()->setSettings(settings);
    send(u"announced"_s);
    QTRY_COMPARE(notified.size(), 1);
    QCOMPARE(notified.at(0).at(2).toString(), u"announced"_s);
    QCOMPARE(alerted.size(), 2);
}

// --- Presence (issue 15) ---
void tst_Tray::busyMeansNoNotifications()
{
    connectPeers();
    MainWindow window(*m_alice, ProfileSettings{});
    QSignalSpy notified(window.notifier(), &Notifier::notified);
    window.hide();
    m_alice->setStatus(PeerInfo::Status::Busy, u"focus time"_s);
    send(u"not announced"_s);
    // Available again: the next one is announced, and the one while Busy never was.
    m_alice->setStatus(PeerInfo::Status::Available, {});
    send(u"announced"_s);
    QTRY_COMPARE(notified.size(), 1);
    QCOMPARE(notified.at(0).at(2).toString(), u"announced"_s);
}
// --- end presence ---

void tst_Tray::notificationText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("body");
    QTest::newRow("one line") << u"lunch?"_s << u"lunch?"_s;
    QTest::newRow("first line of several") << u"lunch?\nat noon"_s << u"lunch?…"_s;
    QTest::newRow("blank lines first") << u"\n  \n  hello  \n"_s << u"hello"_s;
    // Plain text: the D-Bus path escapes it for servers that read markup.
    QTest::newRow("markup stays text")
        << u"<b>bold</b> & <a href=x>y</a>"_s << u"<b>bold</b> & <a href=x>y</a>"_s;
    QTest::newRow("long line") << QString(500, u'x')
                               << QString(Notifier::MaxBodyLength, u'x') + u'…';
    const QString heavy = u"a"_s + QString(300, QChar(0x0301)); // a letter under 300 accents
    QTest::newRow("combining marks") << heavy << QString();
}

void tst_Tray::notificationText()
{
    QFETCH(QString, text);
    QFETCH(QString, body);
    const QString shown = Notifier::bodyFor(text);
    if (body.isEmpty()) {
        // Cut like a bubble: the letter and a few marks, never the 300.
        QVERIFY(shown.startsWith(u"a"_s));
        QVERIFY2(shown.count(QChar(0x0301)) <= 6, qPrintable(shown));
        return;
    }
    QCOMPARE(shown, body);
}

void tst_Tray::closeQuitsWithoutTray()
{
    // Offscreen there is no tray: closing closes, as before, and no note is shown.
    QVERIFY(!QSystemTrayIcon::isSystemTrayAvailable());
    MainWindow window(*m_alice, ProfileSettings{});
    QSignalSpy note(window.trayIcon(), &TrayIcon::closeNoteShown);
    QSignalSpy quit(&window, &MainWindow::quitRequested);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(!window.trayIcon()->keepsRunning());
    QVERIFY(window.close());
    QVERIFY(!window.isVisible());
    QCOMPARE(note.size(), 0);
    // It asks the app to quit the one graceful way (app/gui/main.cpp: bye to peers, then the
    // event loop ends; tst_lifecycle sees the bye from the real program), once.
    QVERIFY(quit.wait());
    QCOMPARE(quit.size(), 1);

    // Quit in the menu (Ctrl+Q) asks the same, window or not.
    MainWindow other(*m_alice, ProfileSettings{});
    QSignalSpy otherQuit(&other, &MainWindow::quitRequested);
    other.show();
    QVERIFY(QTest::qWaitForWindowExposed(&other));
    QAction *quitAction = nullptr;
    for (QAction *action : other.findChildren<QAction *>()) {
        if (action->shortcut() == QKeySequence(QKeySequence::Quit))
            quitAction = action;
    }
    QVERIFY(quitAction);
    quitAction->trigger();
    QCOMPARE(otherQuit.size(), 1);
    QVERIFY(!other.isVisible());
}

void tst_Tray::menuShowsStatus()
{
    MainWindow window(*m_alice, ProfileSettings{});
    QMenu *menu = window.trayIcon()->menu();
    QCOMPARE(window.trayIcon()->icon()->contextMenu(), menu);
    QStringList texts;
    for (QAction *action : menu->actions()) {
        if (!action->isSeparator())
            texts << action->text();
    }
    // Issue 15: the status choices between the status line and Quit.
    QCOMPARE(texts,
             (QStringList{u"&Show Shoal"_s,
                          texts.at(1),
                          u"Available"_s,
                          u"Away"_s,
                          u"Busy"_s,
                          u"Set status message…"_s,
                          u"Clear status message"_s,
                          u"&Quit"_s}));
    QCOMPARE(texts.at(1), u"Alice · online, listening on port %1"_s.arg(m_alice->port()));
    QVERIFY(!window.trayIcon()->statusAction()->isEnabled());

    // Show brings a hidden window back.
    window.hide();
    menu->actions().at(0)->trigger();
    QVERIFY(window.isVisible());
}

void tst_Tray::settingsDialogKeepsDesktopChoices()
{
    ProfileSettings settings;
    settings.trayNoteShown = true;
    SettingsDialog dialog(settings);
    QVERIFY(dialog.trayBox()->isChecked());
    QVERIFY(dialog.notificationsBox()->isChecked());
    QVERIFY(dialog.alertBox()->isChecked());
    QVERIFY(dialog.unreadInTitleBox()->isChecked());
    dialog.notificationsBox()->click();
    dialog.alertBox()->click();
    dialog.unreadInTitleBox()->click();
    dialog.trayBox()->click();
    const ProfileSettings edited = dialog.settings();
    QVERIFY(!edited.notifications);
    QVERIFY(!edited.alertWindow);
    QVERIFY(!edited.unreadInTitle);
    QVERIFY(!edited.trayIcon);
    // What the dialog does not show is kept: the note is not shown again.
    QVERIFY(edited.trayNoteShown);
}

void tst_Tray::settingsSavedInProfile()
{
    QTemporaryDir dir;
    ProfileSettings settings;
    settings.name = u"Alice"_s;
    settings.trayIcon = false;
    settings.notifications = false;
    settings.alertWindow = false;
    settings.unreadInTitle = false;
    settings.trayNoteShown = true;
    QString error;
    QVERIFY2(settings.save(dir.path(), &error), qPrintable(error));
    QCOMPARE(ProfileSettings::load(dir.path()), settings);
    // A profile from before has all of them on, and the note still to show.
    QTemporaryDir old;
    const ProfileSettings fresh = ProfileSettings::load(old.path());
    QVERIFY(fresh.trayIcon && fresh.notifications && fresh.alertWindow && fresh.unreadInTitle);
    QVERIFY(!fresh.trayNoteShown);
}

int main(int argc, char *argv[])
{
    // No desktop's notification server may see these tests' messages.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/shoal-test-bus");
    QApplication app(argc, argv);
    tst_Tray test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_tray.moc"
