#include "storage/profilesettings.h"

#include <QFile>
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
};

void tst_ProfileSettings::defaultsWhenNothingSaved()
{
    QTemporaryDir dir;
    const ProfileSettings s = ProfileSettings::load(dir.path());
    QCOMPARE(s.port, DefaultPort);
    QCOMPARE(s.discoveryPort, DefaultDiscoveryPort);
    QVERIFY(s.discoveryEnabled);
    QVERIFY(s.name.isEmpty());
}

void tst_ProfileSettings::savedAndLoaded()
{
    QTemporaryDir dir;
    ProfileSettings s;
    s.name = u"李雷"_s;
    s.port = 0;
    s.discoveryEnabled = false;
    s.discoveryPort = 50001;
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

QTEST_APPLESS_MAIN(tst_ProfileSettings)
#include "tst_profilesettings.moc"
