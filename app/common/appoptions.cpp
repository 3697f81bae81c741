// SPDX-License-Identifier: GPL-3.0-or-later
#include "appoptions.h"

#include "messenger/messenger.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QStandardPaths>

#include <climits>
#include <QTranslator>

#include <cstdio>

using namespace Qt::StringLiterals;

static QString settingsFile(const QString &dir)
{
    return QDir(dir).filePath(QLatin1StringView(ProfileSettings::FileName));
}

QStringList AppOptions::arguments(int argc, char *argv[])
{
    QStringList out;
    for (int i = 0; i < argc; ++i)
        out.append(QString::fromLocal8Bit(argv[i]));
    return out;
}

QStringList AppOptions::withoutQtOptions(const QStringList &arguments, QStringList *qtOptions)
{
    // QGuiApplication, QApplication and the xcb plugin take these from argv, with one dash or
    // two and as "-opt value" or "-opt=value". --name is Shoal's (it shadows X11's -name).
    static const QStringList withValue = {u"platform"_s,
                                          u"platformpluginpath"_s,
                                          u"platformtheme"_s,
                                          u"plugin"_s,
                                          u"qwindowgeometry"_s,
                                          u"qwindowicon"_s,
                                          u"qwindowtitle"_s,
                                          u"session"_s,
                                          u"display"_s,
                                          u"geometry"_s,
                                          u"style"_s,
                                          u"stylesheet"_s,
                                          u"title"_s,
                                          u"visual"_s};
    static const QStringList flags
        = {u"reverse"_s, u"widgetcount"_s, u"nograb"_s, u"dograb"_s, u"sync"_s, u"qmljsdebugger"_s};
    QStringList out;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (i == 0 || !arg.startsWith(u'-') || arg == u"--"_s) {
            out.append(arg);
            continue;
        }
        QString option = arg.mid(arg.startsWith(u"--"_s) ? 2 : 1);
        const qsizetype equals = option.indexOf(u'=');
        if (equals >= 0)
            option.truncate(equals);
        if (withValue.contains(option)) {
            if (qtOptions)
                qtOptions->append(arg);
            if (equals < 0 && ++i < arguments.size() && qtOptions) // and its value
                qtOptions->append(arguments.at(i));
        } else if (flags.contains(option)) {
            if (qtOptions)
                qtOptions->append(arg);
        } else {
            out.append(arg);
        }
    }
    return out;
}

QString AppOptions::languageIn(const QStringList &arguments)
{
    QString language;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (arg == u"--lang"_s && i + 1 < arguments.size())
            language = arguments.at(++i);
        else if (arg.startsWith(u"--lang="_s))
            language = arg.mid(7);
    }
    return language;
}

int AppOptions::report(const QStringList &arguments, const QString &description, Program program)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(description);
    QString error;
    const auto options = parse(parser, arguments, &error, program);
    if (options && options->action == Action::ShowHelp) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }
    if (options && options->action == Action::ShowVersion) {
        std::printf("%s %s\n",
                    qPrintable(QCoreApplication::applicationName()),
                    qPrintable(QCoreApplication::applicationVersion()));
        return 0;
    }
    if (options)
        return 0;
    const QString name
        = QFileInfo(arguments.value(0, QCoreApplication::applicationName())).fileName();
    std::fprintf(stderr,
                 "%s: %s\n%s\n",
                 qPrintable(name),
                 qPrintable(error),
                 qPrintable(tr("Run \"%1 --help\" to see the options.").arg(name)));
    return UsageError;
}

std::optional<AppOptions> AppOptions::parse(QCommandLineParser &parser,
                                            const QStringList &arguments,
                                            QString *error,
                                            Program program)
{
    const QCommandLineOption profile(u"profile"_s,
                                     tr("Keep identity, settings and peers in <dir>, so several "
                                        "instances can run side by side."),
                                     tr("dir"));
    const QCommandLineOption name(u"name"_s, tr("Show <name> to other peers."), tr("name"));
    const QCommandLineOption port(u"port"_s,
                                  tr("Listen on TCP <port> (default %1; 0 picks a free port).")
                                      .arg(DefaultPort),
                                  tr("port"));
    const QCommandLineOption listen(u"listen"_s,
                                    tr("Listen on <address> only (default: every address)."),
                                    tr("address"));
    const QCommandLineOption connect(u"connect"_s,
                                     tr("Connect to the peer at <host:port> on start "
                                        "(repeatable)."),
                                     tr("host:port"));
    const QCommandLineOption lang(u"lang"_s,
                                  tr("Use <language> (for example zh_CN or en)."),
                                  tr("language"));
    const QCommandLineOption discoveryPort(u"discovery-port"_s,
                                           tr("Find peers on UDP <port> (default %1).")
                                               .arg(DefaultDiscoveryPort),
                                           tr("port"));
    const QCommandLineOption discoveryTarget(
        u"discovery-target"_s,
        tr("Send announcements to <address> instead of every interface's broadcast address "
           "(repeatable)."),
        tr("address"));
    const QCommandLineOption noDiscovery(u"no-discovery"_s, tr("Do not look for peers on the LAN."));
    const QCommandLineOption discoveryInterval(
        u"discovery-interval"_s,
        tr("Announce every <ms> milliseconds (default %1); peers unheard for three intervals "
           "are gone.")
            .arg(DiscoveryConfig{}.intervalMs),
        tr("ms"));
    const QCommandLineOption serve(u"serve"_s,
                                   tr("Keep running at the end of standard input (for a "
                                      "service); quit on SIGTERM or SIGINT."));
    const QCommandLineOption downloadDir(u"download-dir"_s,
                                         tr("Save accepted files in <dir> (default: the "
                                            "Downloads folder)."),
                                         tr("dir"));
    const QCommandLineOption acceptFiles(u"accept-files"_s,
                                         tr("Accept every file offered, into <dir> (for "
                                            "scripts and tests)."),
                                         tr("dir"));
    // --- IP Messenger (issue 17) ---
    const QCommandLineOption ipmsgPort(u"ipmsg-port"_s,
                                       tr("Meet IP Messenger, FeiQ and iptux users on UDP and "
                                          "TCP <port> (default %1).")
                                           .arg(Ipmsg::DefaultPort),
                                       tr("port"));
    const QCommandLineOption noIpmsg(u"no-ipmsg"_s,
                                     tr("Do not talk to IP Messenger, FeiQ or iptux users."));
    // --- end IP Messenger ---
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    parser.addOptions({profile,
                       name,
                       port,
                       listen,
                       connect,
                       lang,
                       discoveryPort,
                       discoveryTarget,
                       noDiscovery,
                       discoveryInterval,
                       downloadDir,
                       ipmsgPort, // issue 17
                       noIpmsg});
    if (program == Program::Cli) {
        parser.addOption(serve);
        parser.addOption(acceptFiles);
    } else {
        // The desktop's handler for x-scheme-handler/shoal runs `shoal %u`.
        parser.addPositionalArgument(u"link"_s,
                                     tr("An invite link to connect to (shoal:invite?…)."),
                                     u"[shoal:…]"_s);
    }
    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return std::nullopt;
    }

    AppOptions options;
    if (parser.isSet(help) || parser.isSet(u"help-all"_s)) {
        options.action = Action::ShowHelp;
        return options;
    }
    if (parser.isSet(version)) {
        options.action = Action::ShowVersion;
        return options;
    }
    QStringList positional = parser.positionalArguments();
    if (program == Program::Gui && positional.size() == 1
        && positional.constFirst().startsWith(u"shoal:"_s, Qt::CaseInsensitive))
        options.inviteLink = positional.takeFirst();
    if (!positional.isEmpty()) {
        *error = tr("Unexpected argument \"%1\".").arg(positional.constFirst());
        return std::nullopt;
    }
    options.serve = program == Program::Cli && parser.isSet(serve);
    if (parser.isSet(downloadDir))
        options.downloadDir = QDir(parser.value(downloadDir)).absolutePath();
    if (program == Program::Cli && parser.isSet(acceptFiles))
        options.acceptFilesInto = QDir(parser.value(acceptFiles)).absolutePath();
    if (parser.isSet(profile)) {
        // One folder for everything, as given.
        options.profileDir = QDir(parser.value(profile)).absolutePath();
        options.settingsDir = options.profileDir;
    } else {
        // As XDG expects: settings in the config folder, identity and history in the data one.
        options.profileDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        options.settingsDir = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
    }
    // Older Shoals kept shoal.ini with the data; until migrateSettings() moves it (under the
    // profile's lock), it is read where it is.
    const bool oldLayout = options.settingsDir != options.profileDir
                           && !QFileInfo::exists(settingsFile(options.settingsDir))
                           && QFileInfo::exists(settingsFile(options.profileDir));
    options.settings = ProfileSettings::load(oldLayout ? options.profileDir : options.settingsDir);
    options.name = parser.value(name).simplified();
    options.language = parser.value(lang);
    options.connectTo = parser.values(connect);
    options.port = options.settings.port;
    if (parser.isSet(port)) {
        bool ok = false;
        const uint p = parser.value(port).toUInt(&ok);
        if (!ok || p > 65535) {
            *error
                = tr("--port needs a number from 0 to 65535, not \"%1\".").arg(parser.value(port));
            return std::nullopt;
        }
        options.port = quint16(p);
    }
    const bool discoveryOff = parser.isSet(noDiscovery)
                              || (!options.settings.discoveryEnabled && !parser.isSet(discoveryPort)
                                  && !parser.isSet(discoveryTarget));
    if (!discoveryOff) {
        DiscoveryConfig discovery;
        discovery.port = options.settings.discoveryPort;
        if (parser.isSet(discoveryPort)) {
            bool ok = false;
            const uint p = parser.value(discoveryPort).toUInt(&ok);
            if (!ok || p == 0 || p > 65535) {
                *error = tr("--discovery-port needs a number from 1 to 65535, not \"%1\".")
                             .arg(parser.value(discoveryPort));
                return std::nullopt;
            }
            discovery.port = quint16(p);
        }
        const QStringList targets = parser.values(discoveryTarget);
        for (const QString &t : targets) {
            QHostAddress address;
            if (!address.setAddress(t)) {
                *error = tr("--discovery-target needs an IP address, not \"%1\".").arg(t);
                return std::nullopt;
            }
            discovery.targets.append(address);
        }
        if (parser.isSet(discoveryInterval)) {
            bool ok = false;
            const int ms = parser.value(discoveryInterval).toInt(&ok);
            if (!ok || ms < 100 || ms > 3'600'000) {
                *error = tr("--discovery-interval needs milliseconds from 100 to 3600000, not "
                            "\"%1\".")
                             .arg(parser.value(discoveryInterval));
                return std::nullopt;
            }
            discovery.intervalMs = ms;
        }
        options.discovery = discovery;
    }
    // --- IP Messenger (issue 17) ---
    options.noIpmsg = parser.isSet(noIpmsg);
    if (parser.isSet(ipmsgPort)) {
        bool ok = false;
        const uint p = parser.value(ipmsgPort).toUInt(&ok);
        if (!ok || p == 0 || p > 65535) {
            *error = tr("--ipmsg-port needs a number from 1 to 65535, not \"%1\".")
                         .arg(parser.value(ipmsgPort));
            return std::nullopt;
        }
        options.ipmsg.port = quint16(p);
    }
    // Where discovery is told to announce, IP Messenger's entries go too (tests: a namespace's
    // own addresses); else every interface's broadcast address.
    for (const QString &t : parser.values(discoveryTarget)) {
        QHostAddress address;
        if (!address.setAddress(t)) {
            *error = tr("--discovery-target needs an IP address, not \"%1\".").arg(t);
            return std::nullopt;
        }
        if (address.protocol() == QAbstractSocket::IPv4Protocol)
            options.ipmsg.broadcastTargets.append(address);
    }
    options.ipmsg.userName = systemUserName();
    // --- end IP Messenger ---
    options.listenAddress = QHostAddress::Any;
    if (parser.isSet(listen) && !options.listenAddress.setAddress(parser.value(listen))) {
        *error = tr("--listen needs an IP address, not \"%1\".").arg(parser.value(listen));
        return std::nullopt;
    }
    return options;
}

QStringList AppOptions::migrateSettings() const
{
    if (settingsDir == profileDir)
        return {};
    const QString old = settingsFile(profileDir);
    if (QFileInfo::exists(old) && QFileInfo::exists(settingsFile(settingsDir))) {
        // An older Shoal wrote it again after the move: its changes are not used.
        return {tr("%1 is left from an older Shoal and is not used; the settings are in %2.")
                    .arg(old, settingsFile(settingsDir))};
    }
    QString error;
    if (!ProfileSettings::migrate(profileDir, settingsDir, &error))
        return {error};
    return {};
}

MessengerConfig AppOptions::messengerConfig(const QString &displayName, Program program)
{
    if (settings.name != displayName) {
        settings.name = displayName;
        QString error;
        if (!settings.save(settingsDir, &error))
            qWarning("%s", qPrintable(error));
    }
    MessengerConfig config;
    config.profileDir = profileDir;
    config.name = displayName;
    config.listenAddress = listenAddress;
    config.port = port;
    config.discovery = discovery;
    config.sendReadReceipts = settings.readReceipts;
    config.peerExchange = settings.peerExchange;
    config.notSharedWithOthers = settings.notSharedWithOthers;
    config.status = PeerInfo::statusFromName(settings.status); // issue 15
    config.statusText = settings.statusText;
    // --download-dir, else the one chosen in Settings, else the system's Downloads.
    config.downloadDir = !downloadDir.isEmpty() ? downloadDir : settings.effectiveDownloadDir();
    if (settings.maxOfferEntries > 0)
        config.offerLimits.maxEntries = int(qMin<qint64>(settings.maxOfferEntries, INT_MAX));
    if (settings.maxOfferBytes > 0)
        config.offerLimits.maxTotalBytes = settings.maxOfferBytes;
    if (settings.maxPendingOffers > 0)
        config.maxPendingOffersPerPeer = int(qMin<qint64>(settings.maxPendingOffers, INT_MAX));
    config.acceptFilesInto = acceptFilesInto;
    // --- IP Messenger (issue 17) ---
    // --no-ipmsg: off for this run. The window's setting off: kept for Settings to turn it on.
    if (!noIpmsg)
        config.ipmsg = ipmsg;
    config.ipmsgStart = program == Program::Cli || settings.ipmsgEnabled;
    // --- end IP Messenger ---
    return config;
}

QString AppOptions::systemUserName()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("USERNAME");
    return user.isEmpty() ? u"Shoal user"_s : user;
}

void installTranslations(QCoreApplication &app, const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    // Dates and numbers in the same language as the words.
    QLocale::setDefault(locale);
    auto *qt = new QTranslator(&app);
    if (qt->load(locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt);
    }
    auto *shoal = new QTranslator(&app);
    if (shoal->load(locale, u"shoal"_s, u"_"_s, u":/i18n"_s))
        QCoreApplication::installTranslator(shoal);
}
