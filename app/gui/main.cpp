// shoal: the desktop window.
#include "appoptions.h"
#include "quitsignals.h"
#include "singleinstance.h"

#include "identity/identity.h"
#include "mainwindow.h"
#include "messenger/messenger.h"
#include "storage/profiledirectory.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QInputDialog>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QThread>
#include <QTimer>

using namespace Qt::StringLiterals;

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

// Says bye to every peer, gives the byes a moment to leave, then quits.
static void quitAfterGoodbyes(Messenger &messenger)
{
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
    const QStringList arguments = AppOptions::withoutQtOptions(AppOptions::arguments(argc, argv));
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

    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(u"Shoal"_s);
    QGuiApplication::setDesktopFileName(QLatin1StringView(AppId));
    QApplication::setWindowIcon(appIcon());
    QLoggingCategory::setFilterRules(u"shoal.*.debug=false"_s);
    installTranslations(app, options->language);

    // Held until exit: one Shoal per profile. A second one hands its command line over.
    QString error;
    bool heldByAnother = false;
    const auto profile = ProfileDirectory::open(options->profileDir, &error, &heldByAnother);
    if (!profile) {
        if (heldByAnother) {
            // The first Shoal may still be starting: give it a few seconds to listen.
            const SingleInstance other(options->profileDir);
            for (int attempt = 0; attempt < 20; ++attempt) {
                if (other.handOver(arguments, 1000))
                    return 0;
                QThread::msleep(250);
            }
        }
        QMessageBox::critical(nullptr, QApplication::translate("main", "Shoal"), error);
        return 1;
    }
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
        if (!ok)
            return 0;
        if (name.isEmpty())
            name = AppOptions::systemUserName();
    }
    const MessengerConfig config = options->messengerConfig(name);
    Messenger messenger(*identity, config);
    for (const QString &warning : profile->warnings())
        messenger.addWarning(warning);
    if (!messenger.start()) {
        QMessageBox::critical(nullptr,
                              QApplication::translate("main", "Shoal"),
                              messenger.errorString());
        return 1;
    }
    for (const QString &address : options->connectTo)
        messenger.connectToAddress(address, &error);

    MainWindow window(messenger, options->settings);
    QObject::connect(
        &window, &MainWindow::settingsChanged, &window, [&](const ProfileSettings &edited) {
            QString saveError;
            if (!edited.save(options->settingsDir, &saveError))
                QMessageBox::warning(&window,
                                     QApplication::translate("main", "Shoal"),
                                     QApplication::translate("main", "Settings were not saved: %1")
                                         .arg(saveError));
        });
    window.show();

    SingleInstance instance(options->profileDir);
    if (!instance.listen(&error))
        qWarning("a second shoal on this profile cannot reach this one: %s", qPrintable(error));
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
                         window.show();
                         window.setWindowState((window.windowState() & ~Qt::WindowMinimized)
                                               | Qt::WindowActive);
                         window.raise();
                         window.activateWindow();
                         QApplication::alert(&window);
                     });

    // SIGTERM (logout, kill) and SIGINT (Ctrl+C in a terminal) close like Quit: peers get bye.
    QuitSignals quitSignals;
    QObject::connect(&quitSignals, &QuitSignals::received, &window, [&] {
        window.hide();
        quitAfterGoodbyes(messenger);
    });
    QObject::connect(&app, &QApplication::aboutToQuit, &messenger, &Messenger::shutdown);
    return app.exec();
}
