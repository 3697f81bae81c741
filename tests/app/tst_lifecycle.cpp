// SPDX-License-Identifier: GPL-3.0-or-later
// How shoal and shoal-cli end and how they share a profile: SIGTERM/SIGINT say bye to peers,
// shoal-cli --serve outlives its stdin, a second shoal on a profile hands over to the first.
#include "cliprocess.h"
#include "net/networksafety.h"
#include "rawpeer.h"
#include "testports.h"

#include <QDir>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

static const QString Gui = QStringLiteral(SHOAL_GUI_PATH);
static const QString Cli = QStringLiteral(SHOAL_CLI_PATH);

static QStringList loopback(const QString &profile, quint16 port = 0)
{
    return {u"--profile"_s,
            profile,
            u"--listen"_s,
            u"127.0.0.1"_s,
            u"--port"_s,
            QString::number(port),
            u"--no-discovery"_s,
            u"--name"_s,
            u"Tester"_s};
}

// A raw TLS peer that has introduced itself to the Shoal on `port` and heard its hello.
static bool introduce(RawPeer &raw, quint16 port)
{
    raw.socket.connectToHostEncrypted(u"127.0.0.1"_s, port);
    if (!QTest::qWaitFor([&] { return raw.socket.isEncrypted(); }, 10'000))
        return false;
    raw.send(raw.hello(raw.m_identity.id()));
    return QTest::qWaitFor(
        [&] {
            return std::any_of(raw.received.cbegin(), raw.received.cend(), [](const auto &m) {
                return std::holds_alternative<Protocol::Hello>(m);
            });
        },
        10'000);
}

class tst_Lifecycle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cliSaysByeOnSignal_data();
    void cliSaysByeOnSignal();
    void windowSaysByeOnSignal();
    void windowSaysByeOnQuit();
    void serveOutlivesStdin();
    void secondWindowHandsOverToFirst();
    void secondWindowHandsOverWhileFirstStarts();
    void clickedInviteLinkGoesToRunningWindow();

private:
    QTemporaryDir m_runtime;
    QString m_error;
};

void tst_Lifecycle::initTestCase()
{
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
    // The hand-over sockets of these tests' windows, apart from any real Shoal's.
    QVERIFY(m_runtime.isValid());
    QFile::setPermissions(m_runtime.path(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
    // No session bus: nothing these windows do reaches the desktop's notifications.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/shoal-test-bus");
}

void tst_Lifecycle::init()
{
    // A window an earlier test killed left its hand-over socket behind: gone, so that a test
    // waiting for its first window's socket waits for that window, not for the dead one's.
    QDir runtime(m_runtime.path());
    for (const QString &socket : runtime.entryList({u"shoal-*.socket"_s}, QDir::System))
        QVERIFY(runtime.remove(socket));
}

void tst_Lifecycle::cliSaysByeOnSignal_data()
{
    QTest::addColumn<int>("signal");
    QTest::addRow("SIGTERM") << SIGTERM;
    QTest::addRow("SIGINT") << SIGINT;
}

void tst_Lifecycle::cliSaysByeOnSignal()
{
    QFETCH(int, signal);
    QTemporaryDir profile;
    CliProcess cli(Cli, loopback(profile.path()));
    QTRY_VERIFY(!cli.id().isEmpty());
    RawPeer raw(*Identity::generate(&m_error));
    QVERIFY(introduce(raw, quint16(cli.port())));
    QTRY_VERIFY(cli.peerOnline(raw.m_identity.id(), true));

    QCOMPARE(::kill(pid_t(cli.process.processId()), signal), 0);
    QTRY_VERIFY(raw.receivedBye());
    QVERIFY(cli.process.waitForFinished(10'000));
    QCOMPARE(cli.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.process.exitCode(), 0);
    // As after the quit command: "bye" is the last line.
    QCOMPARE(cli.events.constLast().value(u"event"_s).toString(), u"bye"_s);
}

void tst_Lifecycle::windowSaysByeOnSignal()
{
    QTemporaryDir profile;
    const quint16 port = freeTcpPort();
    QProcess window;
    window.setProcessChannelMode(QProcess::ForwardedChannels);
    window.start(Gui, QStringList{u"-platform"_s, u"offscreen"_s} + loopback(profile.path(), port));
    RawPeer raw(*Identity::generate(&m_error));
    QTRY_VERIFY_WITH_TIMEOUT(introduce(raw, port), 20'000);

    QCOMPARE(::kill(pid_t(window.processId()), SIGTERM), 0);
    QTRY_VERIFY(raw.receivedBye());
    QVERIFY(window.waitForFinished(10'000));
    QCOMPARE(window.exitStatus(), QProcess::NormalExit);
    QCOMPARE(window.exitCode(), 0);
}

void tst_Lifecycle::windowSaysByeOnQuit()
{
    // Ctrl+Q in the real window on a real X server (a private Xvfb; no window manager, so no
    // tray either), the way a person quits: peers get bye, as with SIGTERM. (xdotool, Xvfb and
    // xprop come with scripts/setup.sh, so CI never skips.)
    for (const QString &tool : {u"Xvfb"_s, u"xdotool"_s, u"xprop"_s}) {
        if (QStandardPaths::findExecutable(tool).isEmpty())
            QSKIP(qPrintable(tool + u" is missing (scripts/setup.sh installs it)"_s));
    }
    QProcess xvfb;
    xvfb.start(
        u"Xvfb"_s,
        {u"-displayfd"_s, u"1"_s, u"-nolisten"_s, u"tcp"_s, u"-screen"_s, u"0"_s, u"800x600x24"_s});
    QTRY_VERIFY_WITH_TIMEOUT(xvfb.canReadLine(), 20'000);
    const QString display = u":"_s + QString::fromLatin1(xvfb.readLine()).trimmed();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"DISPLAY"_s, display);
    env.insert(u"QT_QPA_PLATFORM"_s, u"xcb"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    const auto xdotool = [&](const QStringList &args) {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(u"xdotool"_s, args);
        p.waitForFinished(20'000); // bounds a hang only: --sync waits for the window itself
        return QString::fromLatin1(p.readAllStandardOutput()).trimmed();
    };

    QTemporaryDir profile;
    const quint16 port = freeTcpPort();
    QProcess window;
    window.setProcessEnvironment(env);
    window.setProcessChannelMode(QProcess::ForwardedChannels);
    window.start(Gui, loopback(profile.path(), port));
    RawPeer raw(*Identity::generate(&m_error));
    QTRY_VERIFY_WITH_TIMEOUT(introduce(raw, port), 20'000);
    const QString id = xdotool({u"search"_s,
                                u"--sync"_s,
                                u"--onlyvisible"_s,
                                u"--pid"_s,
                                QString::number(window.processId()),
                                u"--name"_s,
                                u"Shoal"_s})
                           .section(u'\n', 0, 0);
    QVERIFY(!id.isEmpty());
    // --name is Shoal's, not X11's -name: the window's class stays the program's.
    QProcess xprop;
    xprop.setProcessEnvironment(env);
    xprop.start(u"xprop"_s, {u"-id"_s, id, u"WM_CLASS"_s});
    QVERIFY(xprop.waitForFinished(20'000));
    QCOMPARE(xprop.readAllStandardOutput().trimmed(),
             QByteArray(R"(WM_CLASS(STRING) = "shoal", "shoal")"));
    xdotool({u"windowfocus"_s, u"--sync"_s, id});
    xdotool({u"key"_s, u"--clearmodifiers"_s, u"ctrl+q"_s});

    QTRY_VERIFY(raw.receivedBye());
    QVERIFY(window.waitForFinished(10'000));
    QCOMPARE(window.exitStatus(), QProcess::NormalExit);
    QCOMPARE(window.exitCode(), 0);
    xvfb.terminate();
    xvfb.waitForFinished(10'000);
}

void tst_Lifecycle::serveOutlivesStdin()
{
    QTemporaryDir profile;
    CliProcess served(Cli, loopback(profile.path()) + QStringList{u"--serve"_s});
    QTRY_VERIFY(!served.id().isEmpty());
    served.process.closeWriteChannel(); // what a service's empty stdin looks like
    // Still there after the end of its input, and still answering peers: a peer introduces
    // itself and hears back, then sees it online, after stdin closed.
    RawPeer raw(*Identity::generate(&m_error));
    QVERIFY(introduce(raw, quint16(served.port())));
    QTRY_VERIFY(served.peerOnline(raw.m_identity.id(), true));
    QCOMPARE(served.process.state(), QProcess::Running);
    QVERIFY(
        served.find([](const QJsonObject &e) { return e.value(u"event"_s) == u"bye"_s; }).isEmpty());
    QCOMPARE(::kill(pid_t(served.process.processId()), SIGTERM), 0);
    QVERIFY(served.process.waitForFinished(10'000));
    QCOMPARE(served.process.exitCode(), 0);

    // Without --serve the end of stdin quits, as before.
    QTemporaryDir other;
    CliProcess plain(Cli, loopback(other.path()));
    QTRY_VERIFY(!plain.id().isEmpty());
    plain.process.closeWriteChannel();
    QVERIFY(plain.process.waitForFinished(10'000));
    QCOMPARE(plain.process.exitCode(), 0);
}

void tst_Lifecycle::secondWindowHandsOverToFirst()
{
    QTemporaryDir profile, bobProfile;
    CliProcess bob(Cli, loopback(bobProfile.path()));
    QTRY_VERIFY(!bob.id().isEmpty());

    QProcess first;
    first.setProcessChannelMode(QProcess::ForwardedChannels);
    first.start(Gui, QStringList{u"-platform"_s, u"offscreen"_s} + loopback(profile.path()));
    // Holding the profile and taking command lines.
    QTRY_VERIFY_WITH_TIMEOUT(!QDir(m_runtime.path())
                                  .entryList({u"shoal-*.socket"_s}, QDir::System)
                                  .isEmpty(),
                             20'000);

    // The second one, on the same profile, asks the first to connect to Bob, and leaves.
    QProcess second;
    second.setProcessChannelMode(QProcess::ForwardedChannels);
    second.start(Gui,
                 QStringList{u"-platform"_s, u"offscreen"_s} + loopback(profile.path())
                     + QStringList{u"--connect"_s, u"127.0.0.1:%1"_s.arg(bob.port())});
    QVERIFY(second.waitForFinished(20'000));
    QCOMPARE(second.exitCode(), 0);

    // The first did as asked: Bob sees it online. No second process opened the profile.
    QTRY_VERIFY_WITH_TIMEOUT(!bob.find([](const QJsonObject &e) {
                                     return e.value(u"event"_s) == u"peer"_s
                                            && e.value(u"online"_s).toBool();
                                 })
                                  .isEmpty(),
                             10'000);
    QCOMPARE(first.state(), QProcess::Running);

    // A shoal-cli on that profile is refused with a clear reason.
    QProcess cli;
    cli.start(Cli, loopback(profile.path()));
    QVERIFY(cli.waitForFinished(10'000));
    QCOMPARE(cli.exitCode(), 1);
    const QByteArray why = cli.readAllStandardError();
    QVERIFY2(why.contains(QByteArray::number(first.processId())), why.constData());
    QVERIFY2(why.contains("already using the profile"), why.constData());

    first.terminate();
    QVERIFY(first.waitForFinished(10'000));
    QCOMPARE(first.exitCode(), 0);
}

void tst_Lifecycle::secondWindowHandsOverWhileFirstStarts()
{
    // A fresh profile with no name: the first window asks for one and waits for the person.
    // Meanwhile a second start on that profile is taken at once, not refused.
    QTemporaryDir profile, bobProfile;
    CliProcess bob(Cli, loopback(bobProfile.path()));
    QTRY_VERIFY(!bob.id().isEmpty());
    QStringList noName = loopback(profile.path());
    noName.remove(noName.indexOf(u"--name"_s), 2);
    QProcess first;
    first.setProcessChannelMode(QProcess::ForwardedChannels);
    first.start(Gui, QStringList{u"-platform"_s, u"offscreen"_s} + noName);
    QTRY_VERIFY_WITH_TIMEOUT(!QDir(m_runtime.path())
                                  .entryList({u"shoal-*.socket"_s}, QDir::System)
                                  .isEmpty(),
                             20'000);

    QProcess second;
    second.setProcessChannelMode(QProcess::ForwardedChannels);
    second.start(Gui,
                 QStringList{u"-platform"_s, u"offscreen"_s} + noName
                     + QStringList{u"--connect"_s, u"127.0.0.1:%1"_s.arg(bob.port())});
    QVERIFY(second.waitForFinished(20'000));
    QCOMPARE(second.exitCode(), 0);
    QCOMPARE(first.state(), QProcess::Running);
    first.kill(); // still asking for a name

    QVERIFY(first.waitForFinished(10'000));
}

void tst_Lifecycle::clickedInviteLinkGoesToRunningWindow()
{
    // The desktop runs `shoal %u` for a clicked shoal: link; the window already running on that
    // profile takes it and connects. Discovery is off: the link is the only way to Bob.
    QTemporaryDir profile, bobProfile;
    CliProcess bob(Cli, loopback(bobProfile.path()));
    QTRY_VERIFY(!bob.id().isEmpty());
    bob.send({{u"cmd"_s, u"invite"_s}});
    QTRY_VERIFY(!bob.event(u"invite"_s).isEmpty());
    const QString link = bob.event(u"invite"_s).value(u"link"_s).toString();

    QProcess first;
    first.setProcessChannelMode(QProcess::ForwardedChannels);
    first.start(Gui, QStringList{u"-platform"_s, u"offscreen"_s} + loopback(profile.path()));
    QTRY_VERIFY_WITH_TIMEOUT(!QDir(m_runtime.path())
                                  .entryList({u"shoal-*.socket"_s}, QDir::System)
                                  .isEmpty(),
                             20'000);

    QProcess second;
    second.setProcessChannelMode(QProcess::ForwardedChannels);
    second.start(Gui,
                 QStringList{u"-platform"_s, u"offscreen"_s, u"--profile"_s, profile.path(), link});
    QVERIFY(second.waitForFinished(20'000));
    QCOMPARE(second.exitCode(), 0);

    QTRY_VERIFY_WITH_TIMEOUT(!bob.find([](const QJsonObject &e) {
                                     return e.value(u"event"_s) == u"peer"_s
                                            && e.value(u"online"_s).toBool();
                                 })
                                  .isEmpty(),
                             10'000);
    QCOMPARE(first.state(), QProcess::Running);
    first.terminate();
    QVERIFY(first.waitForFinished(10'000));
    QCOMPARE(first.exitCode(), 0);
}

QTEST_GUILESS_MAIN(tst_Lifecycle)
#include "tst_lifecycle.moc"
