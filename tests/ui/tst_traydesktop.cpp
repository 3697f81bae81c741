// SPDX-License-Identifier: GPL-3.0-or-later
// The tray and notifications on a real X desktop: Xvfb, a private session bus, an XEmbed tray
// host (trayer) and a notification daemon (dunst), all from Debian. The test runs itself again
// inside `dbus-run-session -- xvfb-run` on the xcb platform; it skips only when one of those
// programs is missing (scripts/setup.sh installs them, so CI never skips).
#include "mainwindow.h"
#include "messenger/messenger.h"
#include "notifier.h"
#include "peerlistview.h"
#include "storage/messagestore.h"
#include "testpeer.h"
#include "trayicon.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QElapsedTimer>
#include <QFile>
#include <QMenu>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

const char *const SessionMarker = "SHOAL_TRAY_SESSION";

QStringList missingTools()
{
    QStringList missing;
    for (const QString &tool : {u"dbus-run-session"_s,
                                u"xvfb-run"_s,
                                u"Xvfb"_s,
                                u"trayer"_s,
                                u"dunst"_s,
                                u"dunstctl"_s,
                                u"xwininfo"_s,
                                u"xdotool"_s}) {
        if (QStandardPaths::findExecutable(tool).isEmpty())
            missing << tool;
    }
    return missing;
}

QString run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    p.waitForFinished(10'000);
    return QString::fromLocal8Bit(p.readAllStandardOutput());
}

// The X window of the tray host's panel, the window icons are embedded into.
QString trayPanel()
{
    static const QRegularExpression line(uR"(^\s*(0x[0-9a-f]+) .*\("panel" "trayer"\))"_s,
                                         QRegularExpression::MultilineOption);
    return line.match(run(u"xwininfo"_s, {u"-root"_s, u"-tree"_s})).captured(1);
}

// The native window Qt's XEmbed tray icon draws in.
QWidget *trayIconWidget()
{
    for (QWidget *w : QApplication::topLevelWidgets()) {
        if (qstrcmp(w->metaObject()->className(), "QSystemTrayIconSys") == 0)
            return w;
    }
    return nullptr;
}

bool isEmbedded(QWidget *icon)
{
    const QString panel = trayPanel();
    if (!icon || panel.isEmpty())
        return false;
    // trayer puts a socket window of its own between its panel and the icon.
    const QString children = run(u"xwininfo"_s, {u"-tree"_s, u"-id"_s, panel});
    return children.contains(u"0x%1 "_s.arg(icon->winId(), 0, 16));
}

} // namespace

class tst_TrayDesktop : public QObject
{
    Q_OBJECT

public:
    explicit tst_TrayDesktop(QStringList missing)
        : m_missing(std::move(missing))
    {}

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void iconIsEmbeddedInTheTray();
    void notificationReachesTheDaemon();
    void closingKeepsShoalInTheTray();
    void aFloodIsOneNotification();
    void readConversationWithdrawsItsNotification();

private:
    QStringList notifications() const;
    void connectPeers();
    void send(const QString &text);

    QStringList m_missing;
    QTemporaryDir m_dir;
    QProcess m_trayer;
    QProcess m_dunst;
    std::unique_ptr<Messenger> m_alice;
    std::unique_ptr<Messenger> m_bob;
};

void tst_TrayDesktop::initTestCase()
{
    if (!m_missing.isEmpty())
        QSKIP(
            qPrintable(u"needs %1 (scripts/setup.sh installs them)"_s.arg(m_missing.join(u", "))));
    QCOMPARE(QGuiApplication::platformName(), u"xcb"_s);
    QVERIFY(QDBusConnection::sessionBus().isConnected());
    QVERIFY(!QDBusConnection::sessionBus().interface()->isServiceRegistered(
        u"org.freedesktop.Notifications"_s));

    // dunst runs a script for every notification it shows: that log is what reached it.
    const QString script = m_dir.filePath(u"log.sh"_s);
    QFile s(script);
    QVERIFY(s.open(QIODevice::WriteOnly));
    s.write(QStringLiteral("#!/bin/sh\nprintf '%s\\t%s\\t%s\\n' \"$1\" \"$2\" \"$3\" >> %1\n")
                .arg(m_dir.filePath(u"notifications.log"_s))
                .toLocal8Bit());
    s.close();
    s.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    QFile config(m_dir.filePath(u"dunstrc"_s));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(QStringLiteral("[global]\n    origin = top-right\n    offset = 10x40\n"
                                "[log]\n    summary = \"*\"\n    script = %1\n")
                     .arg(script)
                     .toLocal8Bit());
    config.close();
    m_dunst.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_dunst.start(u"dunst"_s, {u"-config"_s, config.fileName()});
    m_trayer.start(u"trayer"_s,
                   {u"--edge"_s,
                    u"top"_s,
                    u"--align"_s,
                    u"right"_s,
                    u"--widthtype"_s,
                    u"pixel"_s,
                    u"--width"_s,
                    u"120"_s,
                    u"--height"_s,
                    u"28"_s,
                    u"--transparent"_s,
                    u"false"_s});
    QVERIFY(m_dunst.waitForStarted());
    QVERIFY(m_trayer.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QDBusConnection::sessionBus().interface()->isServiceRegistered(
                                 u"org.freedesktop.Notifications"_s),
                             15'000);
    QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 15'000);
    QTRY_VERIFY_WITH_TIMEOUT(!trayPanel().isEmpty(), 15'000);
}

void tst_TrayDesktop::cleanupTestCase()
{
    m_alice.reset();
    m_bob.reset();
    for (QProcess *p : {&m_trayer, &m_dunst}) {
        p->terminate();
        p->waitForFinished(5'000);
    }
}

QStringList tst_TrayDesktop::notifications() const
{
    QFile log(m_dir.filePath(u"notifications.log"_s));
    if (!log.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(log.readAll()).split(u'\n', Qt::SkipEmptyParts);
}

void tst_TrayDesktop::connectPeers()
{
    m_alice = makePeer(u"Alice"_s);
    m_bob = makePeer(u"Bob"_s);
    QString error;
    m_bob->connectToAddress(u"127.0.0.1:%1"_s.arg(m_alice->port()), &error);
    QTRY_VERIFY(m_alice->peers()->peer(m_bob->id()).has_value());
    // Both sides: the one that dialled learns the other from its hello a moment later.
    QTRY_VERIFY(m_bob->peers()->peer(m_alice->id()).has_value());
}

void tst_TrayDesktop::send(const QString &text)
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

void tst_TrayDesktop::iconIsEmbeddedInTheTray()
{
    connectPeers();
    MainWindow window(*m_alice, ProfileSettings{});
    window.show();
    QVERIFY(window.trayIcon()->icon()->isVisible());
    // The tray host took Qt's icon window in: it is now a child of trayer's panel.
    QTRY_VERIFY(trayIconWidget());
    QTRY_VERIFY_WITH_TIMEOUT(isEmbedded(trayIconWidget()), 10'000);
    QVERIFY(window.trayIcon()->keepsRunning());

    // Turned off in Settings: the icon leaves the tray.
    ProfileSettings off;
    off.trayIcon = false;
    window.trayIcon()->setSettings(off);
    QVERIFY(!window.trayIcon()->icon()->isVisible());
    QTRY_VERIFY(!isEmbedded(trayIconWidget()));
    QVERIFY(!window.trayIcon()->keepsRunning());
}

void tst_TrayDesktop::notificationReachesTheDaemon()
{
    connectPeers();
    MainWindow window(*m_alice, ProfileSettings{});
    window.show();
    window.activateWindow(); // no window manager to do it
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QSignalSpy notified(window.notifier(), &Notifier::notified);

    send(u"seen in front"_s);
    // Another program in front (the tray host's panel takes the focus): no Shoal window is
    // active any more.
    run(u"xdotool"_s, {u"windowfocus"_s, u"--sync"_s, trayPanel()});
    QTRY_VERIFY(QApplication::activeWindow() == nullptr);
    send(u"<b>Lunch</b> at 12:30 & coffee?\nsecond line"_s);
    QTRY_COMPARE(notified.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(notifications().size(), 1, 10'000);
    // dunst got the sender and the first line, escaped for its markup: shown as typed.
    const QStringList fields = notifications().constFirst().split(u'\t');
    QCOMPARE(fields.size(), 3);
    QCOMPARE(fields.at(1), u"Bob"_s);
    QCOMPARE(fields.at(2), u"&lt;b&gt;Lunch&lt;/b&gt; at 12:30 &amp; coffee?…"_s);
    QCOMPARE(window.windowTitle(), u"(2) Shoal"_s);
    QTRY_COMPARE(window.trayIcon()->icon()->toolTip(), u"Shoal — 2 unread"_s);

    if (qEnvironmentVariableIsSet("SHOAL_TRAY_SCREENSHOT"))
        run(u"import"_s, {u"-window"_s, u"root"_s, qEnvironmentVariable("SHOAL_TRAY_SCREENSHOT")});

    // Clicking it (dunst's default action) brings the window up on Bob's conversation.
    QVERIFY(window.peerList()->currentPeerId().isEmpty());
    QSignalSpy requested(window.notifier(), &Notifier::conversationRequested);
    run(u"dunstctl"_s, {u"action"_s, u"0"_s});
    QTRY_COMPARE(requested.size(), 1);
    QCOMPARE(window.peerList()->currentPeerId(), m_bob->id());
    QTRY_VERIFY(window.isActiveWindow());
    // Read now: the count leaves the title.
    QTRY_COMPARE(window.windowTitle(), u"Shoal"_s);
}

void tst_TrayDesktop::closingKeepsShoalInTheTray()
{
    connectPeers();
    ProfileSettings settings;
    MainWindow window(*m_alice, settings);
    QSignalSpy saved(&window, &MainWindow::settingsChanged);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(isEmbedded(trayIconWidget()), 10'000);
    QVERIFY(!QApplication::quitOnLastWindowClosed());

    // Closing hides the window in the tray; the first time a note says so, and the profile
    // remembers it was shown.
    QVERIFY(!window.close());
    QVERIFY(!window.isVisible());
    QVERIFY(window.trayIcon()->icon()->isVisible());
    QCOMPARE(saved.size(), 1);
    QVERIFY(saved.at(0).at(0).value<ProfileSettings>().trayNoteShown);
    bool balloon = false;
    for (QWidget *w : QApplication::topLevelWidgets())
        balloon |= qstrcmp(w->metaObject()->className(), "QBalloonTip") == 0 && w->isVisible();
    QVERIFY2(balloon, "the note about the tray is on screen");

    // Still chatting while hidden: a message is counted.
    send(u"while hidden"_s);
    QTRY_COMPARE(window.trayIcon()->unread(), 1);

    // The tray menu's Show brings it back; closing again says nothing more.
    window.trayIcon()->menu()->actions().constFirst()->trigger();
    QVERIFY(window.isVisible());
    QVERIFY(!window.close());
    QVERIFY(!window.isVisible());
    QCOMPARE(saved.size(), 1);
}

void tst_TrayDesktop::aFloodIsOneNotification()
{
    connectPeers();
    MainWindow window(*m_alice, ProfileSettings{});
    window.hide(); // in the tray
    const int before = notifications().size();
    QSignalSpy received(m_alice.get(), &Messenger::messageReceived);
    QElapsedTimer clock;
    clock.start();
    QString error;
    for (int i = 0; i < 50; ++i)
        QVERIFY(m_bob->sendMessage(m_alice->id(), u"message %1"_s.arg(i), &error));
    QTRY_COMPARE(received.size(), 50);
    const qint64 arriving = clock.elapsed();
    // The first is shown at once; the rest replace it with the newest, at most one a second
    // (two in all when the 50 arrive within a second, as they do here unless the machine is
    // slow).
    QTRY_COMPARE_WITH_TIMEOUT(notifications().constLast().section(u'\t', 2),
                              u"message 49"_s,
                              10'000);
    const qsizetype shown = notifications().size() - before;
    QVERIFY2(shown >= 2 && shown <= 2 + arriving / Notifier::MinIntervalMs,
             qPrintable(u"%1 notifications for 50 messages in %2 ms"_s.arg(shown).arg(arriving)));
}

void tst_TrayDesktop::readConversationWithdrawsItsNotification()
{
    connectPeers();
    MainWindow window(*m_alice, ProfileSettings{});
    window.hide(); // in the tray
    run(u"dunstctl"_s, {u"close-all"_s});
    QTRY_COMPARE(run(u"dunstctl"_s, {u"count"_s, u"displayed"_s}).trimmed(), u"0"_s);
    QSignalSpy notified(window.notifier(), &Notifier::notified);
    QSignalSpy withdrawn(window.notifier(), &Notifier::withdrawn);
    send(u"first"_s);
    QTRY_COMPARE(notified.size(), 1);
    QTRY_COMPARE(run(u"dunstctl"_s, {u"count"_s, u"displayed"_s}).trimmed(), u"1"_s);
    // Within a second of the first: this one waits to replace it.
    send(u"second"_s);

    // She opens the window and reads Bob's conversation before it is due.
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.peerList()->selectPeer(m_bob->id());
    QTRY_COMPARE(window.windowTitle(), u"Shoal"_s);
    // The notification on the desktop is taken back...
    QTRY_COMPARE(withdrawn.size(), 1);
    QTRY_COMPARE(run(u"dunstctl"_s, {u"count"_s, u"displayed"_s}).trimmed(), u"0"_s);
    // ...and the waiting one is never posted. (Waiting past its due time is the only way to
    // see that something did not happen.)
    QTest::qWait(2 * Notifier::MinIntervalMs);
    QCOMPARE(notified.size(), 1);
    QCOMPARE(run(u"dunstctl"_s, {u"count"_s, u"displayed"_s}).trimmed(), u"0"_s);
}

int main(int argc, char *argv[])
{
    const QStringList missing = missingTools();
    if (missing.isEmpty() && !qEnvironmentVariableIsSet(SessionMarker)) {
        // Again, inside a private X server and session bus of its own.
        qputenv(SessionMarker, "1");
        qputenv("QT_QPA_PLATFORM", "xcb");
        std::vector<QByteArray> args = {"dbus-run-session",
                                        "--",
                                        "xvfb-run",
                                        "-a",
                                        "-s",
                                        "-screen 0 1100x700x24 -nolisten tcp",
                                        "/proc/self/exe"};
        for (int i = 1; i < argc; ++i)
            args.emplace_back(argv[i]);
        // /proc/self/exe names this program only until exec; xvfb-run needs a real path.
        args[6] = QFile::symLinkTarget(u"/proc/self/exe"_s).toLocal8Bit();
        std::vector<char *> cargs;
        for (QByteArray &a : args)
            cargs.push_back(a.data());
        cargs.push_back(nullptr);
        execvp(cargs[0], cargs.data());
        qFatal("cannot run dbus-run-session: %s", strerror(errno));
    }
    QApplication app(argc, argv);
    tst_TrayDesktop test(missing);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_traydesktop.moc"
