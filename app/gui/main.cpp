// SPDX-License-Identifier: GPL-3.0-or-later
// shoal: the desktop window.
#include "appoptions.h"
#include "quitsignals.h"
#include "singleinstance.h"
#include "sleepwatcher.h"

#include "conversationpane.h"
#include "identity/identity.h"
#include "mainwindow.h"
#include "messenger/messenger.h"
#include "storage/profiledirectory.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QIcon>
#include <QInputDialog>
#include <QLockFile>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QThread>
#include <QTimer>

#include <vector>

using namespace Qt::StringLiterals;

// How long a second Shoal keeps trying to hand over to the first, or to take the profile from
// one that is quitting, before it says the profile is in use.
static constexpr int HandOverWaitMs = 15'000;

// The app ID: the desktop file's name, the metainfo's ID and the icon's name.
static constexpr auto AppId = "io.github.shoal.Shoal";

static QString description()
{
    return QApplication::translate("main",
                                   "Serverless LAN chat. Qt's own options, such as -style Fusion, "
                                   "work too.");
}

static QIcon appIcon()
{
    // The installed theme icon when there is one, else the built-in copy (a build that is run
    // from its folder).
    QIcon builtIn;
    for (const int size : {16, 24, 32, 48, 64, 128, 256})
        builtIn.addFile(u":/icons/shoal-%1.png"_s.arg(size), QSize(size, size));
    builtIn.addFile(u":/icons/shoal.svg"_s);
    return QIcon::fromTheme(QLatin1StringView(AppId), builtIn);
}

// An argv for QApplication with only Qt's own options: Shoal's (such as --name, which the xcb
// plugin would read as X11's -name) are not the window system's business.
class QtArguments
{
public:
    explicit QtArguments(const QStringList &arguments)
    {
        for (const QString &argument : arguments)
            m_storage.push_back(QFile::encodeName(argument));
        for (QByteArray &argument : m_storage)
            m_argv.push_back(argument.data());
        m_argv.push_back(nullptr);
        argc = int(m_storage.size());
    }
    char **argv() { return m_argv.data(); }
    int argc = 0; // by reference to QApplication, so it must live as long

private:
    std::vector<QByteArray> m_storage;
    std::vector<char *> m_argv;
};

// The program that holds the lock on `profileDir`, by its process name ("shoal-cli"...).
static QString lockHolder(const QString &profileDir)
{
    QLockFile lock(QDir(profileDir).filePath(QLatin1StringView(ProfileDirectory::LockFile)));
    qint64 pid = 0;
    QString host, app;
    if (!lock.getLockInfo(&pid, &host, &app) || pid <= 0)
        return {};
    QFile comm(u"/proc/%1/comm"_s.arg(pid));
    if (!comm.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLocal8Bit(comm.readAll()).trimmed();
}

// Every way of quitting ends here (Quit, Ctrl+Q, the tray, closing without a tray, SIGTERM):
// says bye to every peer, gives the byes a moment to leave while the event loop still runs,
// then quits.
static void quitAfterGoodbyes(Messenger &messenger)
{
    static bool quitting = false;
    if (quitting)
        return;
    quitting = true;
    messenger.shutdown();
    auto *wait = new QTimer(qApp);
    QObject::connect(wait, &QTimer::timeout, qApp, [&messenger, ticks = 0]() mutable {
        if (!messenger.hasOpenConnections() || ++ticks > 40)
            QCoreApplication::quit();
    });
    wait->start(50);
}

int main(int argc, char *argv[])
{
    // Before any application object: the profile's default folders are named after it.
    QCoreApplication::setApplicationName(u"shoal"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(SHOAL_VERSION));
    const QStringList arguments0 = AppOptions::arguments(argc, argv);
    const QStringList arguments = AppOptions::withoutQtOptions(arguments0);
    std::optional<AppOptions> options;
    {
        QCommandLineParser parser;
        QString error;
        options = AppOptions::parse(parser, arguments, &error);
    }
    if (!options || options->action != AppOptions::Action::Run) {
        // --help, --version and usage errors go to the terminal and need no display.
        QCoreApplication app(argc, argv);
        installTranslations(app, AppOptions::languageIn(arguments));
        return AppOptions::report(arguments, description(), AppOptions::Program::Gui);
    }

    QStringList qtOptions;
    AppOptions::withoutQtOptions(arguments0, &qtOptions);
    QtArguments qtArguments(QStringList{arguments0.value(0)} + qtOptions);
    QApplication app(qtArguments.argc, qtArguments.argv());
    // Only quitAfterGoodbyes ends Shoal: the window closing must not stop the event loop
    // before the peers have been told.
    QApplication::setQuitOnLastWindowClosed(false);
    QApplication::setApplicationDisplayName(u"Shoal"_s);
    QGuiApplication::setDesktopFileName(QLatin1StringView(AppId));
    QApplication::setWindowIcon(appIcon());
    QLoggingCategory::setFilterRules(u"shoal.*.debug=false"_s);
    installTranslations(app, options->language);
    // From the start, so that SIGTERM while starting (or asking for a name) ends Shoal as
    // cleanly as later, rather than killing it half-way.
    QuitSignals quitSignals;
    bool quitWhileStarting = false;
    auto startingQuit = QObject::connect(&quitSignals, &QuitSignals::received, &app, [&] {
        quitWhileStarting = true;
        QApplication::closeAllWindows(); // the name prompt, a message box
    });

    // Held until exit: one Shoal per profile. A second one hands its command line over; if the
    // first is on its way out, the second waits for the profile instead.
    QString error;
    SingleInstance instance(options->profileDir);
    std::unique_ptr<ProfileDirectory> profile;
    const QDeadlineTimer handOverDeadline(HandOverWaitMs);
    for (;;) {
        bool heldByAnother = false;
        profile = ProfileDirectory::open(options->profileDir, &error, &heldByAnother);
        if (profile)
            break;
        if (heldByAnother && lockHolder(options->profileDir) == u"shoal-cli"_s) {
            // A headless Shoal (the service, say) never hands over: say so at once.
            error = QApplication::translate("main",
                                            "shoal-cli is using the profile %1 (a service, or a "
                                            "terminal). Stop it first, or start the window with "
                                            "--profile and another folder.")
                        .arg(options->profileDir);
            break;
        }
        if (!heldByAnother || handOverDeadline.hasExpired())
            break;
        if (instance.handOver(arguments, 1000))
            return 0;
        QThread::msleep(250);
    }
    if (!profile) {
        QMessageBox::critical(nullptr, QApplication::translate("main", "Shoal"), error);
        return 1;
    }
    // At once, so that a second Shoal is answered while this one asks for a name or loads.
    if (!instance.listen(&error))
        qWarning("a second shoal on this profile cannot reach this one: %s", qPrintable(error));
    // Only now that the profile is ours: older Shoals kept shoal.ini with the data.
    const QStringList settingsWarnings = options->migrateSettings();
    const auto identity = Identity::loadOrCreate(options->profileDir, &error);
    if (!identity) {
        QMessageBox::critical(nullptr,
                              QApplication::translate("main", "Shoal"),
                              QApplication::translate("main", "Cannot open the profile: %1")
                                  .arg(error));
        return 1;
    }
    QString name = options->chosenName();
    if (name.isEmpty()) {
        bool ok = false;
        name = QInputDialog::getText(nullptr,
                                     QApplication::translate("main", "Welcome to Shoal"),
                                     QApplication::translate("main",
                                                             "Your name, as others will see it:"),
                                     QLineEdit::Normal,
                                     AppOptions::systemUserName(),
                                     &ok)
                   .simplified();
        if (!ok || quitWhileStarting)
            return 0;
        if (name.isEmpty())
            name = AppOptions::systemUserName();
    }
    // IP Messenger (issue 17): AppOptions sets MessengerConfig::ipmsg (unless --no-ipmsg) and
    // starts it as the setting says; Settings turns it on and off at run time.
    Messenger messenger(*identity, options->messengerConfig(name));
    for (const QString &peerId : options->settings.acceptFilesFrom)
        messenger.setAcceptFilesFrom(peerId, true);
    for (const QString &warning : profile->warnings() + settingsWarnings)
        messenger.addWarning(warning);
    if (!messenger.start()) {
        QMessageBox::critical(nullptr,
                              QApplication::translate("main", "Shoal"),
                              messenger.errorString());
        return 1;
    }
    for (const QString &address : options->connectTo)
        messenger.connectToAddress(address, &error);
    // Woken from sleep: look at the network and reach the peers again at once.
    SleepWatcher sleepWatcher;
    QObject::connect(&sleepWatcher, &SleepWatcher::resumed, &messenger, &Messenger::hostResumed);

    MainWindow window(messenger, options->settings);
    window.setIpmsgOffForThisRun(options->noIpmsg); // issue 17
    // --port / --discovery-port overrode the saved ports: Settings says what this run uses.
    window.setPortsForThisRun(options->port != options->settings.port
                                  ? std::optional<quint16>(messenger.port())
                                  : std::nullopt,
                              options->discovery
                                      && options->discovery->port != options->settings.discoveryPort
                                  ? std::optional<quint16>(options->discovery->port)
                                  : std::nullopt);
    // The emoji picker's recently used go with the rest of the settings.
    window.conversation()->setEmojiSettingsFile(
        QDir(options->settingsDir).filePath(QLatin1StringView(ProfileSettings::FileName)));
    QObject::connect(
        &window, &MainWindow::settingsChanged, &window, [&](const ProfileSettings &edited) {
            QString saveError;
            if (!edited.save(options->settingsDir, &saveError))
                QMessageBox::warning(&window,
                                     QApplication::translate("main", "Shoal"),
                                     QApplication::translate("main", "Settings were not saved: %1")
                                         .arg(saveError));
        });
    QObject::connect(&instance,
                     &SingleInstance::argumentsReceived,
                     &window,
                     [&](const QStringList &received) {
                         // Act on what it asked for, and come to the front in its place.
                         QCommandLineParser parser;
                         QString ignored;
                         const auto asked = AppOptions::parse(parser,
                                                              AppOptions::withoutQtOptions(received),
                                                              &ignored);
                         if (asked) {
                             for (const QString &address : asked->connectTo)
                                 messenger.connectToAddress(address, &ignored);
                         }
                         // A shoal: link clicked on the desktop: the Connect dialog tries it
                         // and shows how it went.
                         if (asked && !asked->inviteLink.isEmpty())
                             window.openConnectDialog(asked->inviteLink);
                         window.show();
                         window.setWindowState((window.windowState() & ~Qt::WindowMinimized)
                                               | Qt::WindowActive);
                         window.raise();
                         window.activateWindow();
                         QApplication::alert(&window);
                     });
    window.show();
    if (!options->inviteLink.isEmpty())
        window.openConnectDialog(options->inviteLink);
    instance.setReady(true); // what came while starting

    // One way out for all: Quit, Ctrl+Q, the tray's Quit, closing without a tray, and SIGTERM
    // (logout, kill) or SIGINT (Ctrl+C in a terminal). Peers get bye.
    const auto quit = [&] {
        // A second Shoal from now on waits for the profile rather than handing over to us.
        instance.close();
        window.hide();
        quitAfterGoodbyes(messenger);
    };
    QObject::connect(&window, &MainWindow::quitRequested, &window, quit);
    QObject::disconnect(startingQuit);
    QObject::connect(&quitSignals, &QuitSignals::received, &window, quit);
    if (quitWhileStarting) // a signal that came while the messenger started
        QMetaObject::invokeMethod(&window, quit, Qt::QueuedConnection);
    QObject::connect(&app, &QApplication::aboutToQuit, &messenger, &Messenger::shutdown);
    return app.exec();
}
