#pragma once

#include "discovery/discoveryservice.h"
#include "messenger/messenger.h"
#include "storage/profilesettings.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QStringList>

#include <optional>

class QCommandLineParser;
class QTranslator;

// The options shared by shoal and shoal-cli.
struct AppOptions
{
    Q_DECLARE_TR_FUNCTIONS(AppOptions)

public:
    QString profileDir;
    QString name; // empty: use the saved one, or ask / use the OS user name
    quint16 port = 0;
    QHostAddress listenAddress;
    QStringList connectTo;
    QString language; // empty: the system's
    // LAN discovery; nullopt with --no-discovery. Default: every interface.
    std::optional<DiscoveryConfig> discovery;

    // Adds the options to `parser`, processes `arguments` (exiting for --help/--version) and
    // validates them. On bad input returns nullopt with *error set. Take `arguments` before
    // QApplication exists: it removes X11 options such as --name from argv.
    static std::optional<AppOptions> parse(QCommandLineParser &parser,
                                           const QStringList &arguments,
                                           QString *error);
    static QStringList arguments(int argc, char *argv[]);

    // What Settings saved in the profile (the options above already include it).
    ProfileSettings settings;

    // The name to use: --name, else the saved one (empty if neither).
    QString chosenName() const { return name.isEmpty() ? settings.name : name; }
    // Keeps `displayName` in the profile (if it changed) and returns the messenger's settings.
    MessengerConfig messengerConfig(const QString &displayName);
    static QString systemUserName();
};

// Loads the Qt and Shoal translations for `language` (or the system locale) into `app`.
void installTranslations(QCoreApplication &app, const QString &language);
