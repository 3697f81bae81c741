// SPDX-License-Identifier: GPL-3.0-or-later
// shoal-cli: a headless Shoal peer driven by JSON lines on stdin/stdout.
#include "appoptions.h"
#include "eventloop.h"
#include "jsonlinesession.h"
#include "quitsignals.h"
#include "sleepwatcher.h"

#include "identity/identity.h"
#include "messenger/messenger.h"
#include "storage/profiledirectory.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTimer>

#include <unistd.h>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    const QStringList arguments = AppOptions::arguments(argc, argv);
    preferQtEventLoop();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"shoal"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(SHOAL_VERSION));
    QLoggingCategory::setFilterRules(u"shoal.*.debug=false"_s);

    QCommandLineParser parser;
    QString error;
    auto options = AppOptions::parse(parser, arguments, &error, AppOptions::Program::Cli);
    if (!options || options->action != AppOptions::Action::Run) {
        // Help, version or a usage error, in the language asked for.
        const QString language = AppOptions::languageIn(arguments);
        if (!language.isEmpty())
            installTranslations(app, language);
        return AppOptions::report(arguments,
                                  QCoreApplication::translate("main",
                                                              "Headless Shoal peer: JSON "
                                                              "commands on stdin, one per line; "
                                                              "JSON events on stdout."),
                                  AppOptions::Program::Cli);
    }
    if (!options->language.isEmpty())
        installTranslations(app, options->language);

    // Held until exit: a second process on this profile refuses to start.
    const auto profile = ProfileDirectory::open(options->profileDir, &error);
    if (!profile) {
        std::fprintf(stderr, "shoal-cli: %s\n", qPrintable(error));
        return 1;
    }
    // Only now that the profile is ours: older Shoals kept shoal.ini with the data.
    const QStringList settingsWarnings = options->migrateSettings();
    const auto identity = Identity::loadOrCreate(options->profileDir, &error);
    if (!identity) {
        std::fprintf(stderr, "shoal-cli: %s\n", qPrintable(error));
        return 1;
    }
    QString name = options->chosenName();
    if (name.isEmpty())
        name = AppOptions::systemUserName();
    Messenger messenger(*identity, options->messengerConfig(name, AppOptions::Program::Cli));
    for (const QString &warning : profile->warnings() + settingsWarnings)
        messenger.addWarning(warning);
    JsonLineSession session(messenger, STDIN_FILENO, stdout);
    QObject::connect(&session, &JsonLineSession::settingsChanged, &session, [&] {
        options->settings.peerExchange = messenger.peerExchange();
        options->settings.notSharedWithOthers = messenger.notSharedWithOthers();
        options->settings.status = PeerInfo::statusName(messenger.status()); // issue 15
        options->settings.statusText = messenger.statusText();
        if (!options->settings.save(options->settingsDir, &error))
            session.emitError(error);
    });
    session.setQuitAtEndOfInput(!options->serve);
    // SIGTERM (systemctl stop) and SIGINT (Ctrl+C) end like the quit command: bye to peers.
    QuitSignals quitSignals;
    QObject::connect(&quitSignals, &QuitSignals::received, &session, [&] { session.end(); });
    // Woken from sleep: look at the network and reach the peers again at once.
    SleepWatcher sleepWatcher;
    QObject::connect(&sleepWatcher, &SleepWatcher::resumed, &messenger, &Messenger::hostResumed);

    if (!messenger.start()) {
        session.emitError(messenger.errorString());
        return 1;
    }
    for (const QString &warning : messenger.warnings())
        session.emitError(warning);
    session.emitEvent({{u"event"_s, u"ready"_s},
                       {u"id"_s, messenger.id()},
                       {u"name"_s, messenger.name()},
                       {u"port"_s, int(messenger.port())}});
    for (const QString &address : options->connectTo) {
        if (!messenger.connectToAddress(address, &error))
            session.emitError(error);
    }

    QObject::connect(&session, &JsonLineSession::quitRequested, &app, [&] {
        messenger.shutdown();
        // Give the byes a moment to leave, then go, whether or not every peer has read them.
        auto *wait = new QTimer(&app);
        QObject::connect(wait, &QTimer::timeout, &app, [&messenger, ticks = 0]() mutable {
            if (!messenger.hasOpenConnections() || ++ticks > 40)
                QCoreApplication::quit();
        });
        wait->start(50);
    });
    return app.exec();
}
