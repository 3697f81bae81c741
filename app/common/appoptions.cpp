#include "appoptions.h"

#include "messenger/messenger.h"

#include <QCommandLineParser>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QStandardPaths>
#include <QTranslator>

using namespace Qt::StringLiterals;

QStringList AppOptions::arguments(int argc, char *argv[])
{
    QStringList out;
    for (int i = 0; i < argc; ++i)
        out.append(QString::fromLocal8Bit(argv[i]));
    return out;
}

std::optional<AppOptions> AppOptions::parse(QCommandLineParser &parser,
                                            const QStringList &arguments,
                                            QString *error)
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
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({profile,
                       name,
                       port,
                       listen,
                       connect,
                       lang,
                       discoveryPort,
                       discoveryTarget,
                       noDiscovery,
                       discoveryInterval});
    parser.process(arguments);

    AppOptions options;
    options.profileDir = parser.isSet(profile)
                             ? QDir(parser.value(profile)).absolutePath()
                             : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    options.settings = ProfileSettings::load(options.profileDir);
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
    options.listenAddress = QHostAddress::Any;
    if (parser.isSet(listen) && !options.listenAddress.setAddress(parser.value(listen))) {
        *error = tr("--listen needs an IP address, not \"%1\".").arg(parser.value(listen));
        return std::nullopt;
    }
    return options;
}

MessengerConfig AppOptions::messengerConfig(const QString &displayName)
{
    if (settings.name != displayName) {
        settings.name = displayName;
        QString error;
        if (!settings.save(profileDir, &error))
            qWarning("%s", qPrintable(error));
    }
    MessengerConfig config;
    config.profileDir = profileDir;
    config.name = displayName;
    config.listenAddress = listenAddress;
    config.port = port;
    config.discovery = discovery;
    config.sendReadReceipts = settings.readReceipts;
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
