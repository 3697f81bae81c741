// SPDX-License-Identifier: GPL-3.0-or-later
// The profile folder: owner-only files whatever the umask, an existing folder's mode left
// alone, and one process per profile.
#include "identity/identity.h"
#include "messenger/messenger.h"
#include "storage/profiledirectory.h"
#include "storage/profilesettings.h"

#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace {

mode_t modeOf(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return mode_t(-1);
    return st.st_mode & 07777;
}

// Runs the test body with this umask and puts the old one back.
class Umask
{
public:
    explicit Umask(mode_t mask)
        : m_old(::umask(mask))
    {}
    ~Umask() { ::umask(m_old); }

private:
    mode_t m_old;
};

} // namespace

class tst_ProfileDirectory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createdOwnerOnly();
    void existingFolderModeKept_data();
    void existingFolderModeKept();
    void secondOpenRefused();
    void lockOfKilledProcessTakenOver();
    void everyProfileFileOwnerOnly();
};

void tst_ProfileDirectory::createdOwnerOnly()
{
    const Umask loose(0);
    QTemporaryDir root;
    QCOMPARE(::chmod(QFile::encodeName(root.path()).constData(), 0755), 0);
    const QString path = root.filePath(u"a/b/profile"_s);
    QString error;
    const auto profile = ProfileDirectory::open(path, &error);
    QVERIFY2(profile, qPrintable(error));
    QCOMPARE(modeOf(path), mode_t(0700));
    // The parents it had to make are its own too; the folder that was there is left alone.
    QCOMPARE(modeOf(root.filePath(u"a"_s)), mode_t(0700));
    QCOMPARE(modeOf(root.filePath(u"a/b"_s)), mode_t(0700));
    QCOMPARE(modeOf(root.path()), mode_t(0755));
    QCOMPARE(modeOf(QDir(path).filePath(QLatin1StringView(ProfileDirectory::LockFile))),
             mode_t(0600));
    QVERIFY(profile->warnings().isEmpty());
}

void tst_ProfileDirectory::existingFolderModeKept_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("warned");
    QTest::newRow("sticky 1777") << 01777 << true;
    QTest::newRow("setgid 2775") << 02775 << true;
    QTest::newRow("0750") << 0750 << true;
    QTest::newRow("0700") << 0700 << false;
    QTest::newRow("0711") << 0711 << false;
}

void tst_ProfileDirectory::existingFolderModeKept()
{
    QFETCH(int, mode);
    QFETCH(bool, warned);
    QTemporaryDir root;
    const QString path = root.filePath(u"shared"_s);
    QVERIFY(QDir().mkdir(path));
    QCOMPARE(::chmod(QFile::encodeName(path).constData(), mode_t(mode)), 0);
    QString error;
    {
        const auto profile = ProfileDirectory::open(path, &error);
        QVERIFY2(profile, qPrintable(error));
        QCOMPARE(!profile->warnings().isEmpty(), warned);
        // Identity and history go in; the folder stays as its owner made it.
        QVERIFY2(Identity::loadOrCreate(path, &error), qPrintable(error));
    }
    QCOMPARE(modeOf(path), mode_t(mode));
    QCOMPARE(modeOf(QDir(path).filePath(QLatin1StringView(Identity::KeyFile))), mode_t(0600));
}

void tst_ProfileDirectory::secondOpenRefused()
{
    QTemporaryDir root;
    QString error;
    auto first = ProfileDirectory::open(root.path(), &error);
    QVERIFY2(first, qPrintable(error));
    QVERIFY(!ProfileDirectory::open(root.path(), &error));
    QVERIFY2(error.contains(QString::number(QCoreApplication::applicationPid())), qPrintable(error));
    QVERIFY2(error.contains(u"--profile"_s), qPrintable(error));
    first.reset();
    QVERIFY2(ProfileDirectory::open(root.path(), &error), qPrintable(error));
}

void tst_ProfileDirectory::lockOfKilledProcessTakenOver()
{
    // A lock left by a process that no longer runs (kill -9 leaves its file behind).
    QProcess gone;
    gone.start(u"sleep"_s, {u"30"_s});
    QVERIFY(gone.waitForStarted());
    const qint64 pid = gone.processId();
    gone.kill();
    QVERIFY(gone.waitForFinished());
    QTemporaryDir root;
    QFile lock(root.filePath(QLatin1StringView(ProfileDirectory::LockFile)));
    QVERIFY(lock.open(QIODevice::WriteOnly));
    lock.write(QByteArray::number(pid) + "\nshoal-cli\n" + QSysInfo::machineHostName().toUtf8()
               + "\n");
    lock.close();
    QString error;
    QVERIFY2(ProfileDirectory::open(root.path(), &error), qPrintable(error));
}

void tst_ProfileDirectory::everyProfileFileOwnerOnly()
{
    const Umask loose(0);
    QTemporaryDir root;
    const QString path = root.filePath(u"profile"_s);
    // An older Shoal left its history readable by everyone.
    QVERIFY(QDir().mkpath(path));
    const QString history = QDir(path).filePath(u"history.sqlite"_s);
    {
        QString error;
        const auto identity = Identity::loadOrCreate(path, &error);
        QVERIFY2(identity, qPrintable(error));
        MessengerConfig config;
        config.profileDir = path;
        config.listenAddress = QHostAddress::LocalHost;
        config.port = 0;
        Messenger first(*identity, config);
        QVERIFY2(first.start(), qPrintable(first.errorString()));
        first.shutdown();
    }
    QCOMPARE(::chmod(QFile::encodeName(history).constData(), 0644), 0);

    QString error;
    const auto profile = ProfileDirectory::open(path, &error);
    QVERIFY2(profile, qPrintable(error));
    const auto identity = Identity::loadOrCreate(path, &error);
    QVERIFY2(identity, qPrintable(error));
    ProfileSettings settings;
    settings.name = u"Alice"_s;
    QVERIFY2(settings.save(path, &error), qPrintable(error));
    MessengerConfig config;
    config.profileDir = path;
    config.listenAddress = QHostAddress::LocalHost;
    config.port = 0;
    Messenger messenger(*identity, config);
    QVERIFY2(messenger.start(), qPrintable(messenger.errorString()));
    QVERIFY(QFileInfo::exists(history + u"-wal"_s)); // else this test would prove little
    const auto files = QDir(path).entryInfoList(QDir::Files | QDir::Hidden);
    QVERIFY(files.size() >= 6); // lock, key, certificate, ini, history, -wal, -shm
    for (const QFileInfo &f : files)
        QVERIFY2(modeOf(f.filePath()) == 0600,
                 qPrintable(u"%1 has mode %2"_s.arg(f.fileName()).arg(modeOf(f.filePath()), 0, 8)));
    messenger.shutdown();
}

QTEST_GUILESS_MAIN(tst_ProfileDirectory)
#include "tst_profiledirectory.moc"
