// SPDX-License-Identifier: GPL-3.0-or-later
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
    enum class Program { Gui, Cli };
    enum class Action { Run, ShowHelp, ShowVersion };
    // The exit code of every usage error (unknown option, bad value), in both programs.
    static constexpr int UsageError = 2;

    Action action = Action::Run;
    QString profileDir;  // identity, history, lock
    QString settingsDir; // shoal.ini: the config folder, or profileDir with --profile
    bool serve = false;  // shoal-cli: keep running at the end of stdin
    QString name;        // empty: use the saved one, or ask / use the OS user name
    quint16 port = 0;
    QHostAddress listenAddress;
    QStringList connectTo;
    QString inviteLink;      // shoal (the window): a shoal: link given as its argument
    QString language;        // empty: the system's
    QString downloadDir;     // --download-dir; empty: the Downloads folder
    QString acceptFilesInto; // shoal-cli --accept-files: every offer accepted into it
    // LAN discovery; nullopt with --no-discovery. Default: every interface.
    std::optional<DiscoveryConfig> discovery;
    // --- IP Messenger (issue 17) ---
    // --no-ipmsg: off for this run, whatever the setting says.
    bool noIpmsg = false;
    // --ipmsg-port and the --discovery-target addresses (broadcast targets; empty: every
    // interface), the OS user name as the packets' user field.
    IpmsgConfig ipmsg;
    // --- end IP Messenger ---

    // Adds the options to `parser`, parses `arguments` and validates them. On bad input
    // returns nullopt with *error set. Changes nothing on disk. Never exits and needs no
    // application object, so that
    // --help, --version and usage errors are known before a window system is needed; for
    // those, action says what to show and nothing is loaded. Take `arguments` before
    // QApplication exists: it removes X11 options such as --name from argv.
    static std::optional<AppOptions> parse(QCommandLineParser &parser,
                                           const QStringList &arguments,
                                           QString *error,
                                           Program program = Program::Gui);
    static QStringList arguments(int argc, char *argv[]);
    // `arguments` without Qt's own window-system options (-style Fusion, -platform offscreen,
    // --reverse...), which QApplication reads from argv itself; those go to *qtOptions.
    static QStringList withoutQtOptions(const QStringList &arguments,
                                        QStringList *qtOptions = nullptr);
    // The --lang value (either form: --lang zh_CN, --lang=zh_CN), read without parsing the rest.
    static QString languageIn(const QStringList &arguments);
    // For a command line that does not run Shoal: prints the help or version to stdout, or the
    // usage error to stderr, translated (an application object must exist), and returns the
    // exit code.
    static int report(const QStringList &arguments, const QString &description, Program program);

    // What Settings saved in the profile (the options above already include it).
    ProfileSettings settings;

    // Moves shoal.ini from where older Shoals kept it (with the data) to the config folder.
    // Call it only while holding the profile's lock: parse() reads the old file where it is
    // and changes nothing. Returns warnings for the person (both files there, a failed move).
    QStringList migrateSettings() const;

    // The name to use: --name, else the saved one (empty if neither).
    QString chosenName() const { return name.isEmpty() ? settings.name : name; }
    // Keeps `displayName` in the profile (if it changed) and returns the messenger's settings.
    // IP Messenger (issue 17): shoal-cli runs it unless --no-ipmsg; the window also asks the
    // setting (`program`).
    MessengerConfig messengerConfig(const QString &displayName, Program program = Program::Gui);
    static QString systemUserName();
};

// Loads the Qt and Shoal translations for `language` (or the system locale) into `app`.
void installTranslations(QCoreApplication &app, const QString &language);
