// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/profilesettings.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_ProfileSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsWhenNothingSaved();
    void savedAndLoaded();
    void badValuesFallBackToDefaults();
    void savedIntoAFolderNotYetThere();
    void migrateMovesOnlyWhenTheNewPlaceIsEmpty();
};

void tst_ProfileSettings::defaultsWhenNothingSaved()
{
    QTemporaryDir dir;
    const ProfileSettings s = ProfileSettings::load(dir.path());
    QCOMPARE(s.port, DefaultPort);
    QCOMPARE(s.discoveryPort, DefaultDiscoveryPort);
    QVERIFY(s.discoveryEnabled);
    QVERIFY(s.name.isEmpty());
    QVERIFY(s.peerExchange); // on unless the person turns it off
    QVERIFY(s.notSharedWithOthers.isEmpty());
}

void tst_ProfileSettings::savedAndLoaded()
{
    QTemporaryDir dir;
    ProfileSettings s;
    s.name = u"李雷"_s;
    s.port = 0;
    s.discoveryEnabled = false;
    s.discoveryPort = 50001;
    s.peerExchange = false;
    s.notSharedWithOthers = {QString(64, u'a'), QString(64, u'b')};
    QString error;
    QVERIFY2(s.save(dir.path(), &error), qPrintable(error));
    QVERIFY(ProfileSettings::load(dir.path()) == s);
}

void tst_ProfileSettings::badValuesFallBackToDefaults()
{
    QTemporaryDir dir;
    QFile f(dir.filePath(u"shoal.ini"_s));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("port=99999\n[discovery]\nport=0\nenabled=maybe\n");
    f.close();
    const ProfileSettings s = ProfileSettings::load(dir.path());
    QCOMPARE(s.port, DefaultPort);
    QCOMPARE(s.discoveryPort, DefaultDiscoveryPort);
}

void tst_ProfileSettings::savedIntoAFolderNotYetThere()
{
    // ~/.config/shoal on a first start: made owner-only, then written.
    QTemporaryDir dir;
    const QString config = dir.filePath(u"config/shoal"_s);
    ProfileSettings s;
    s.name = u"New"_s;
    QString error;
    QVERIFY2(s.save(config, &error), qPrintable(error));
    QCOMPARE(ProfileSettings::load(config).name, u"New"_s);
    QCOMPARE(QFileInfo(config).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
}

void tst_ProfileSettings::migrateMovesOnlyWhenTheNewPlaceIsEmpty()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(u"data"_s), config = dir.filePath(u"config"_s);
    QVERIFY(QDir().mkpath(data));
    ProfileSettings old;
    old.name = u"Old"_s;
    QString error;
    QVERIFY(old.save(data, &error));
    QVERIFY2(ProfileSettings::migrate(data, config, &error), qPrintable(error));
    QCOMPARE(ProfileSettings::load(config).name, u"Old"_s);
    QVERIFY(!QFileInfo::exists(data + u"/shoal.ini"_s));

    // Settings already in the new place win; an older file left behind stays untouched.
    QVERIFY(old.save(data, &error));
    ProfileSettings current;
    current.name = u"Current"_s;
    QVERIFY(current.save(config, &error));
    QVERIFY(ProfileSettings::migrate(data, config, &error));
    QCOMPARE(ProfileSettings::load(config).name, u"Current"_s);
    QCOMPARE(ProfileSettings::load(data).name, u"Old"_s);

    // One folder for both (--profile): nothing to do.
    QVERIFY(ProfileSettings::migrate(data, data, &error));
    QCOMPARE(ProfileSettings::load(data).name, u"Old"_s);
}

QTEST_APPLESS_MAIN(tst_ProfileSettings)
#include "tst_profilesettings.moc"
