// SPDX-License-Identifier: GPL-3.0-or-later
// shoal and shoal-cli's command lines: help without a display, one exit code for usage
// errors, Qt's own options, --lang=, the profile folder's mode and the XDG layout.
#include "cliprocess.h"
#include "net/networksafety.h"
#include "testports.h"

#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QProcess>
#include <QSettings>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;

static const QString Gui = QStringLiteral(SHOAL_GUI_PATH);
static const QString Cli = QStringLiteral(SHOAL_CLI_PATH);

struct Run
{
    int exitCode = -1;
    QByteArray out, err;
};

static Run run(const QString &program,
               const QStringList &arguments,
               const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, arguments);
    Run r;
    if (!p.waitForFinished(20'000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// No window system at all: no X, no Wayland, no platform chosen.
static QProcessEnvironment headless()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        env.remove(QString::fromLatin1(name));
    return env;
}

class tst_CommandLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void helpAndVersionNeedNoDisplay();
    void langWithEqualsSign();
    void usageErrorsGoToStderrWithOneCode_data();
    void usageErrorsGoToStderrWithOneCode();
    void qtOptionsAreQts();
    void existingProfileFolderKeepsItsMode();
    void defaultLayoutFollowsXdg();
    void oldSettingsAreMoved();
    void settingsNotMovedWithoutTheLock();
    void leftoverOldSettingsAreNamed();

private:
    QTemporaryDir m_runtime;
};

void tst_CommandLine::initTestCase()
{
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
    // The windows' hand-over sockets apart from any real Shoal's.
    QVERIFY(m_runtime.isValid());
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
    // No session bus: nothing these windows do reaches the desktop's notifications.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/shoal-test-bus");
}

void tst_CommandLine::helpAndVersionNeedNoDisplay()
{
    for (const QString &program : {Gui, Cli}) {
        const Run help = run(program, {u"--help"_s}, headless());
        QCOMPARE(help.exitCode, 0);
        for (const char *option : {"--profile", "--lang", "--connect"})
            QVERIFY2(help.out.contains(option), help.out.constData());
        QVERIFY2(help.err.isEmpty(), help.err.constData());
        const Run version = run(program, {u"--version"_s}, headless());
        QCOMPARE(version.exitCode, 0);
        QVERIFY2(version.out.startsWith("shoal " SHOAL_VERSION), version.out.constData());
    }
    QVERIFY(run(Cli, {u"--help"_s}, headless()).out.contains("--serve"));
}

void tst_CommandLine::langWithEqualsSign()
{
    // Both spellings translate --help (which is read before the rest of the command line).
    for (const QStringList &lang : {QStringList{u"--lang=zh_CN"_s}, {u"--lang"_s, u"zh_CN"_s}}) {
        for (const QString &program : {Gui, Cli}) {
            const Run help = run(program, lang + QStringList{u"--help"_s}, headless());
            QCOMPARE(help.exitCode, 0);
            QVERIFY2(QString::fromUtf8(help.out).contains(u"选项"_s), help.out.constData());
        }
    }
}

void tst_CommandLine::usageErrorsGoToStderrWithOneCode_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("mentions");
    for (const QString &program : {Gui, Cli}) {
        const QString tag = QFileInfo(program).fileName();
        QTest::addRow("%s unknown option", qPrintable(tag))
            << program << QStringList{u"--bogus"_s} << QByteArray("bogus");
        QTest::addRow("%s missing value", qPrintable(tag))
            << program << QStringList{u"--port"_s} << QByteArray("port");
        QTest::addRow("%s bad value", qPrintable(tag))
            << program << QStringList{u"--port"_s, u"70000"_s} << QByteArray("--port");
        QTest::addRow("%s stray argument", qPrintable(tag))
            << program << QStringList{u"stray"_s} << QByteArray("stray");
    }
    QTest::addRow("shoal has no --serve")
        << Gui << QStringList{u"--serve"_s} << QByteArray("serve");
}

void tst_CommandLine::usageErrorsGoToStderrWithOneCode()
{
    QFETCH(QString, program);
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, mentions);
    QTemporaryDir profile;
    // Headless: a usage error of the window needs no display either (and no message box).
    const Run r = run(program,
                      QStringList{u"--profile"_s, profile.path(), u"--no-discovery"_s} + arguments,
                      headless());
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.contains(mentions), r.err.constData());
    QVERIFY2(r.err.contains("--help"), r.err.constData());
}

void tst_CommandLine::qtOptionsAreQts()
{
    // Taken by Qt, not refused as Shoal's: the window starts (and --version answers).
    const Run version = run(Gui,
                            {u"-style"_s,
                             u"Fusion"_s,
                             u"-platform"_s,
                             u"offscreen"_s,
                             u"--reverse"_s,
                             u"-stylesheet=x.qss"_s,
                             u"--version"_s});
    QCOMPARE(version.exitCode, 0);
    QVERIFY2(version.out.startsWith("shoal "), version.err.constData());

    QTemporaryDir profile;
    const quint16 port = freeTcpPort();
    QProcess window;
    window.setProcessChannelMode(QProcess::ForwardedChannels);
    window.start(Gui,
                 {u"-platform"_s,
                  u"offscreen"_s,
                  u"-style"_s,
                  u"Fusion"_s,
                  u"--profile"_s,
                  profile.path(),
                  u"--name"_s,
                  u"Q"_s,
                  u"--listen"_s,
                  u"127.0.0.1"_s,
                  u"--port"_s,
                  QString::number(port),
                  u"--no-discovery"_s});
    QVERIFY(window.waitForStarted());
    // Running means it got past the command line and the profile, and answers on its port.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            QTcpSocket probe;
            probe.connectToHost(u"127.0.0.1"_s, port);
            return probe.waitForConnected(1000);
        }(),
        20'000);
    QCOMPARE(window.state(), QProcess::Running);
    window.terminate();
    QVERIFY(window.waitForFinished(10'000));
    QCOMPARE(window.exitStatus(), QProcess::NormalExit);
    QCOMPARE(window.exitCode(), 0);
}

void tst_CommandLine::existingProfileFolderKeepsItsMode()
{
    // A folder someone made shared on purpose stays as they made it; Shoal only warns.
    QTemporaryDir parent;
    const QString shared = parent.filePath(u"shared"_s);
    QVERIFY(QDir().mkdir(shared));
    QVERIFY(::chmod(QFile::encodeName(shared).constData(), 0755) == 0);
    CliProcess cli(Cli,
                   {u"--profile"_s,
                    shared,
                    u"--listen"_s,
                    u"127.0.0.1"_s,
                    u"--port"_s,
                    u"0"_s,
                    u"--no-discovery"_s});
    QTRY_VERIFY(!cli.id().isEmpty());
    cli.send({{u"cmd"_s, u"quit"_s}});
    QVERIFY(cli.process.waitForFinished(10'000));
    struct stat st = {};
    QVERIFY(::stat(QFile::encodeName(shared).constData(), &st) == 0);
    QCOMPARE(st.st_mode & 07777, mode_t(0755));
    // A folder it creates is its own: owner-only.
    const QString made = parent.filePath(u"made/here"_s);
    CliProcess second(Cli,
                      {u"--profile"_s,
                       made,
                       u"--listen"_s,
                       u"127.0.0.1"_s,
                       u"--port"_s,
                       u"0"_s,
                       u"--no-discovery"_s});
    QTRY_VERIFY(!second.id().isEmpty());
    QVERIFY(::stat(QFile::encodeName(made).constData(), &st) == 0);
    QCOMPARE(st.st_mode & 07777, mode_t(0700));
}

// A home of its own for one run of shoal-cli without --profile.
struct Home
{
    QTemporaryDir dir;
    QString config() const { return dir.filePath(u"config/shoal"_s); }
    QString data() const { return dir.filePath(u"data/shoal"_s); }
    QStringList arguments() const
    {
        return {u"--listen"_s, u"127.0.0.1"_s, u"--port"_s, u"0"_s, u"--no-discovery"_s};
    }
    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, dir.path());
        env.insert(u"XDG_CONFIG_HOME"_s, dir.filePath(u"config"_s));
        env.insert(u"XDG_DATA_HOME"_s, dir.filePath(u"data"_s));
        return env;
    }
    // Starts shoal-cli, waits for it to be ready and quits it; returns its ready event (and
    // every event in *events).
    QJsonObject runOnce(const QStringList &extra = {}, QList<QJsonObject> *events = nullptr) const
    {
        // The child takes this process's environment when it starts.
        const QByteArray saved[] = {qgetenv("HOME"),
                                    qgetenv("XDG_CONFIG_HOME"),
                                    qgetenv("XDG_DATA_HOME")};
        qputenv("HOME", QFile::encodeName(dir.path()));
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(dir.filePath(u"config"_s)));
        qputenv("XDG_DATA_HOME", QFile::encodeName(dir.filePath(u"data"_s)));
        CliProcess cli(Cli, arguments() + extra);
        qputenv("HOME", saved[0]);
        qputenv("XDG_CONFIG_HOME", saved[1]);
        qputenv("XDG_DATA_HOME", saved[2]);
        if (!QTest::qWaitFor([&] { return !cli.id().isEmpty(); }, 20'000))
            return {};
        cli.send({{u"cmd"_s, u"quit"_s}});
        cli.process.waitForFinished(10'000);
        if (events)
            *events = cli.events;
        return cli.event(u"ready"_s);
    }
};

void tst_CommandLine::defaultLayoutFollowsXdg()
{
    const Home home;
    const QJsonObject ready = home.runOnce({u"--name"_s, u"Xdg"_s});
    QCOMPARE(ready.value(u"name"_s).toString(), u"Xdg"_s);
    // Settings in the config folder; identity and history in the data folder.
    QVERIFY(QFileInfo::exists(home.config() + u"/shoal.ini"_s));
    QVERIFY(!QFileInfo::exists(home.data() + u"/shoal.ini"_s));
    for (const char *file : {"identity.key", "identity.crt", "history.sqlite"}) {
        QVERIFY2(QFileInfo::exists(home.data() + u'/' + QLatin1StringView(file)), file);
        QVERIFY2(!QFileInfo::exists(home.config() + u'/' + QLatin1StringView(file)), file);
    }
    // The name was kept there: the next run uses it.
    QCOMPARE(home.runOnce().value(u"name"_s).toString(), u"Xdg"_s);
}

void tst_CommandLine::oldSettingsAreMoved()
{
    // An older Shoal kept shoal.ini with the data.
    const Home home;
    QVERIFY(QDir().mkpath(home.data()));
    {
        QSettings old(home.data() + u"/shoal.ini"_s, QSettings::IniFormat);
        old.setValue(u"name"_s, u"老设置"_s);
    }
    QCOMPARE(home.runOnce().value(u"name"_s).toString(), u"老设置"_s);
    QVERIFY(!QFileInfo::exists(home.data() + u"/shoal.ini"_s));
    const QString moved = home.config() + u"/shoal.ini"_s;
    QVERIFY(QFileInfo::exists(moved));
    struct stat st = {};
    QVERIFY(::stat(QFile::encodeName(moved).constData(), &st) == 0);
    QCOMPARE(st.st_mode & 0077, mode_t(0)); // still private
    QCOMPARE(QSettings(moved, QSettings::IniFormat).value(u"name"_s).toString(), u"老设置"_s);
}

void tst_CommandLine::settingsNotMovedWithoutTheLock()
{
    // Another process holds the profile: a shoal-cli started now refuses, and leaves the old
    // settings where that process (perhaps an older Shoal) still reads and writes them.
    const Home home;
    QVERIFY(QDir().mkpath(home.data()));
    {
        QSettings old(home.data() + u"/shoal.ini"_s, QSettings::IniFormat);
        old.setValue(u"name"_s, u"Old"_s);
    }
    QLockFile lock(home.data() + u"/shoal.lock"_s);
    QVERIFY(lock.tryLock(0));
    const Run refused = run(Cli, home.arguments(), home.environment());
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains("already using the profile"), refused.err.constData());
    QVERIFY(QFileInfo::exists(home.data() + u"/shoal.ini"_s));
    QVERIFY(!QFileInfo::exists(home.config() + u"/shoal.ini"_s));

    // Once the profile is free, the next start moves them.
    lock.unlock();
    QCOMPARE(home.runOnce().value(u"name"_s).toString(), u"Old"_s);
    QVERIFY(!QFileInfo::exists(home.data() + u"/shoal.ini"_s));
    QVERIFY(QFileInfo::exists(home.config() + u"/shoal.ini"_s));
}

void tst_CommandLine::leftoverOldSettingsAreNamed()
{
    // An older Shoal wrote shoal.ini with the data again after the move: it is not used, and
    // the person is told so rather than left wondering why a change did nothing.
    const Home home;
    QVERIFY(QDir().mkpath(home.data()));
    QVERIFY(QDir().mkpath(home.config()));
    QSettings(home.config() + u"/shoal.ini"_s, QSettings::IniFormat).setValue(u"name"_s, u"New"_s);
    QSettings(home.data() + u"/shoal.ini"_s, QSettings::IniFormat).setValue(u"name"_s, u"Old"_s);
    QList<QJsonObject> events;
    QCOMPARE(home.runOnce({}, &events).value(u"name"_s).toString(), u"New"_s);
    const bool warned = std::any_of(events.cbegin(), events.cend(), [&](const QJsonObject &e) {
        return e.value(u"event"_s) == u"error"_s
               && e.value(u"message"_s).toString().contains(home.data() + u"/shoal.ini"_s)
               && e.value(u"message"_s).toString().contains(u"not used"_s);
    });
    QVERIFY2(warned, "a warning names the leftover file");
    QVERIFY(QFileInfo::exists(home.data() + u"/shoal.ini"_s)); // left as it was
}

QTEST_GUILESS_MAIN(tst_CommandLine)
#include "tst_commandline.moc"
