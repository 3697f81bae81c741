// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity/identity.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_Identity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createdOnceAndReloaded();
    void idIsSha256OfDer();
    void secretsAreOwnerOnly();
    void corruptIdentityReported();
    void keyWithoutCertificateStartsAfresh();
    void certificateWithoutKeyRefused();
    void mismatchedPairRefused();
};

void tst_Identity::createdOnceAndReloaded()
{
    QTemporaryDir dir;
    QString error;
    const auto first = Identity::loadOrCreate(dir.path(), &error);
    QVERIFY2(first, qPrintable(error));
    const auto second = Identity::loadOrCreate(dir.path(), &error);
    QVERIFY2(second, qPrintable(error));
    QCOMPARE(second->id(), first->id());
    QCOMPARE(second->privateKey(), first->privateKey());
    // A different profile is a different person.
    QTemporaryDir other;
    QVERIFY(Identity::loadOrCreate(other.path(), &error)->id() != first->id());
}

void tst_Identity::idIsSha256OfDer()
{
    QString error;
    const auto identity = Identity::generate(&error);
    QVERIFY2(identity, qPrintable(error));
    const QString expected = QString::fromLatin1(
        QCryptographicHash::hash(identity->certificate().toDer(), QCryptographicHash::Sha256)
            .toHex());
    QCOMPARE(identity->id(), expected);
    QCOMPARE(identity->id().size(), 64);
    QCOMPARE(identity->id(), identity->id().toLower());
    QCOMPARE(identity->privateKey().algorithm(), QSsl::Ec);
}

void tst_Identity::secretsAreOwnerOnly()
{
    QTemporaryDir dir;
    QString error;
    QVERIFY(Identity::loadOrCreate(dir.path(), &error));
    const QFileInfo key(dir.filePath(QLatin1StringView(Identity::KeyFile)));
    QVERIFY(key.exists());
    QCOMPARE(key.permissions()
                 & ~(QFile::ReadUser | QFile::WriteUser | QFile::ReadOwner | QFile::WriteOwner),
             QFile::Permissions());
}

void tst_Identity::corruptIdentityReported()
{
    QTemporaryDir dir;
    QString error;
    QVERIFY(Identity::loadOrCreate(dir.path(), &error));
    QFile key(dir.filePath(QLatin1StringView(Identity::KeyFile)));
    QVERIFY(key.open(QIODevice::WriteOnly));
    key.write("not a key");
    key.close();
    QVERIFY(!Identity::loadOrCreate(dir.path(), &error));
    QVERIFY(!error.isEmpty());
}

void tst_Identity::keyWithoutCertificateStartsAfresh()
{
    // What a first start killed between writing the key and the certificate leaves behind.
    QTemporaryDir dir;
    QString error;
    const auto unfinished = Identity::loadOrCreate(dir.path(), &error);
    QVERIFY2(unfinished, qPrintable(error));
    QVERIFY(QFile::remove(dir.filePath(QLatin1StringView(Identity::CertificateFile))));

    const auto identity = Identity::loadOrCreate(dir.path(), &error);
    QVERIFY2(identity, qPrintable(error));
    // A complete, consistent pair: it loads again as the same identity.
    const auto again = Identity::loadOrCreate(dir.path(), &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(again->id(), identity->id());
    QCOMPARE(again->privateKey(), identity->privateKey());
}

void tst_Identity::certificateWithoutKeyRefused()
{
    QTemporaryDir dir;
    QString error;
    QVERIFY(Identity::loadOrCreate(dir.path(), &error));
    QVERIFY(QFile::remove(dir.filePath(QLatin1StringView(Identity::KeyFile))));
    QVERIFY(!Identity::loadOrCreate(dir.path(), &error));
    QVERIFY2(error.contains(QLatin1StringView(Identity::KeyFile)), qPrintable(error));
    // Nothing was overwritten: the certificate is still there for a restore.
    QVERIFY(QFile::exists(dir.filePath(QLatin1StringView(Identity::CertificateFile))));
    QVERIFY(!QFile::exists(dir.filePath(QLatin1StringView(Identity::KeyFile))));
}

void tst_Identity::mismatchedPairRefused()
{
    QTemporaryDir mine, other;
    QString error;
    QVERIFY(Identity::loadOrCreate(mine.path(), &error));
    QVERIFY(Identity::loadOrCreate(other.path(), &error));
    const QString key = mine.filePath(QLatin1StringView(Identity::KeyFile));
    QVERIFY(QFile::remove(key));
    QVERIFY(QFile::copy(other.filePath(QLatin1StringView(Identity::KeyFile)), key));
    // Refused at start with a clear reason, not loaded to fail every handshake later.
    QVERIFY(!Identity::loadOrCreate(mine.path(), &error));
    QVERIFY2(error.contains(u"does not belong"_s), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_Identity)
#include "tst_identity.moc"
