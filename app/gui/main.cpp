// shoal: the desktop window.
#include "appoptions.h"

#include "identity/identity.h"
#include "mainwindow.h"
#include "messenger/messenger.h"
#include "storage/profiledirectory.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QInputDialog>
#include <QLoggingCategory>
#include <QMessageBox>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    const QStringList arguments = AppOptions::arguments(argc, argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"shoal"_s);
    QApplication::setApplicationDisplayName(u"Shoal"_s);
    QApplication::setApplicationVersion(QStringLiteral(SHOAL_VERSION));
    QLoggingCategory::setFilterRules(u"shoal.*.debug=false"_s);

    // Parse first so that --lang is known, then translate, so that --help is translated too.
    const QStringList &args = arguments;
    const qsizetype langAt = args.indexOf(u"--lang"_s);
    installTranslations(app,
                        langAt >= 0 && langAt + 1 < args.size() ? args.at(langAt + 1) : QString());
    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Serverless LAN chat."));
    QString error;
    auto options = AppOptions::parse(parser, arguments, &error);
    if (!options) {
        QMessageBox::critical(nullptr, QApplication::translate("main", "Shoal"), error);
        return 2;
    }

    // Held until exit: a second window on this profile refuses to start.
    const auto profile = ProfileDirectory::open(options->profileDir, &error);
    if (!profile) {
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
            if (!edited.save(options->profileDir, &saveError))
                QMessageBox::warning(&window,
                                     QApplication::translate("main", "Shoal"),
                                     QApplication::translate("main", "Settings were not saved: %1")
                                         .arg(saveError));
        });
    window.show();
    QObject::connect(&app, &QApplication::aboutToQuit, &messenger, &Messenger::shutdown);
    return app.exec();
}
