// SPDX-License-Identifier: GPL-3.0-or-later
// Avatars (issue 15), the service on a fake transport: a peer's announced picture is asked for
// once, kept when it is that picture and shown (also after a restart, from the cache); a
// picture that is not the one announced, not a PNG or not asked for is refused and the peer
// keeps what it had; we answer only for our current picture, and not too often.
#include "avatars/avatarimage.h"
#include "avatars/avatarservice.h"
#include "faketransport.h"

#include <QBuffer>
#include <QDir>
#include <QImageWriter>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString Own = QString(64, u'0');
const QString Alice = QString(64, u'a');
const QString Bob = QString(64, u'b');

QByteArray picture(QColor colour, int side = 16)
{
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(colour);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter(&buffer, "png").write(image);
    return png;
}

} // namespace

class tst_AvatarService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void announcedPictureAskedOnceCachedAndShown();
    void notAskedOfPeersWithoutTheCapability();
    void refusedPictureKeepsThePreviousOne_data();
    void refusedPictureKeepsThePreviousOne();
    void removedPictureGoesBackToNone();
    void answersOnlyForTheCurrentPictureAndNotTooOften();
    void ownPictureKeptAcrossRestarts();
    void cacheIsBounded();
};

void tst_AvatarService::announcedPictureAskedOnceCachedAndShown()
{
    QTemporaryDir dir;
    FakeTransport transport;
    transport.helloCapabilities = {u"av"_s};
    AvatarService service(Own, transport);
    service.load(dir.path());
    QSignalSpy changed(&service, &AvatarService::changed);

    const QByteArray png = picture(Qt::red);
    const QByteArray hash = Avatars::hashOf(png);
    service.setAnnounced(Alice, hash); // offline: nothing to ask yet
    QVERIFY(transport.sent.isEmpty());
    transport.connectPeer(Alice);
    QCOMPARE(transport.sentOf<Protocol::AvatarGet>(Alice),
             QList<Protocol::AvatarGet>{Protocol::AvatarGet{hash}});
    service.setAnnounced(Alice, hash); // announced again (presence): not asked twice
    QCOMPARE(transport.sent.size(), 1);
    QVERIFY(service.image(Alice).isNull());

    service.onAvatar(Alice, Protocol::Avatar{hash, png});
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).toString(), Alice);
    QCOMPARE(service.image(Alice).pixelColor(1, 1), QColor(Qt::red));
    QVERIFY(
        QFile::exists(dir.filePath(u"avatars/"_s + QString::fromLatin1(hash.toHex()) + u".png"_s)));

    // Bob announces the same picture: it is cached, so shown at once and never asked for.
    transport.connectPeer(Bob);
    service.setAnnounced(Bob, hash);
    QVERIFY(transport.sentOf<Protocol::AvatarGet>(Bob).isEmpty());
    QCOMPARE(service.image(Bob).pixelColor(1, 1), QColor(Qt::red));

    // A restart: the announced hash comes from the store, the picture from the cache.
    FakeTransport transport2;
    AvatarService restarted(Own, transport2);
    restarted.load(dir.path());
    restarted.setAnnounced(Alice, hash);
    QCOMPARE(restarted.image(Alice).pixelColor(1, 1), QColor(Qt::red));
}

void tst_AvatarService::notAskedOfPeersWithoutTheCapability()
{
    FakeTransport transport; // an older peer: no "av" in its hello
    AvatarService service(Own, transport);
    transport.connectPeer(Alice);
    service.setAnnounced(Alice, Avatars::hashOf(picture(Qt::red)));
    QVERIFY(transport.sent.isEmpty());
}

void tst_AvatarService::refusedPictureKeepsThePreviousOne_data()
{
    QTest::addColumn<QByteArray>("sentHash");
    QTest::addColumn<QByteArray>("sentPng");
    const QByteArray blue = picture(Qt::blue);
    const QByteArray blueHash = Avatars::hashOf(blue);
    QTest::newRow("bytes are not the hash") << blueHash << picture(Qt::green);
    QTest::newRow("a picture not asked for")
        << Avatars::hashOf(picture(Qt::green)) << picture(Qt::green);
    const QByteArray notPng("GIF89a not a png at all");
    QTest::newRow("not a PNG (hash matches)") << Avatars::hashOf(notPng) << notPng;
    const QByteArray huge = picture(Qt::blue, 600);
    QTest::newRow("600×600 (hash matches)") << Avatars::hashOf(huge) << huge;
}

void tst_AvatarService::refusedPictureKeepsThePreviousOne()
{
    QFETCH(QByteArray, sentHash);
    QFETCH(QByteArray, sentPng);
    FakeTransport transport;
    transport.helloCapabilities = {u"av"_s};
    AvatarService service(Own, transport);
    transport.connectPeer(Alice);
    const QByteArray red = picture(Qt::red);
    service.setAnnounced(Alice, Avatars::hashOf(red));
    service.onAvatar(Alice, Protocol::Avatar{Avatars::hashOf(red), red});
    QCOMPARE(service.image(Alice).pixelColor(1, 1), QColor(Qt::red));

    // Alice announces a new picture; what arrives is not it.
    const bool announcedIsSent = sentHash != Avatars::hashOf(picture(Qt::green))
                                 || sentPng != picture(Qt::green);
    service.setAnnounced(Alice, announcedIsSent ? sentHash : Avatars::hashOf(picture(Qt::blue)));
    QSignalSpy changed(&service, &AvatarService::changed);
    service.onAvatar(Alice, Protocol::Avatar{sentHash, sentPng});
    QCOMPARE(changed.size(), 0);
    QCOMPARE(service.image(Alice).pixelColor(1, 1), QColor(Qt::red));
    QVERIFY(!service.isCached(sentHash));
}

void tst_AvatarService::removedPictureGoesBackToNone()
{
    FakeTransport transport;
    transport.helloCapabilities = {u"av"_s};
    AvatarService service(Own, transport);
    transport.connectPeer(Alice);
    const QByteArray red = picture(Qt::red);
    service.setAnnounced(Alice, Avatars::hashOf(red));
    service.onAvatar(Alice, Protocol::Avatar{Avatars::hashOf(red), red});
    QSignalSpy changed(&service, &AvatarService::changed);
    service.setAnnounced(Alice, {});
    QCOMPARE(changed.size(), 1);
    QVERIFY(service.image(Alice).isNull());
}

void tst_AvatarService::answersOnlyForTheCurrentPictureAndNotTooOften()
{
    FakeTransport transport;
    AvatarService service(Own, transport);
    qint64 now = 0;
    service.setClock([&now] { return now; });
    transport.connectPeer(Alice);
    const QByteArray old = picture(Qt::red);
    QString error;
    QVERIFY(service.setOwn(old, &error));
    const QByteArray current = picture(Qt::blue);
    QVERIFY(service.setOwn(current, &error));
    QCOMPARE(service.ownHash(), Avatars::hashOf(current));

    service.onAvatarGet(Alice, Protocol::AvatarGet{Avatars::hashOf(old)});
    QVERIFY(transport.sent.isEmpty());
    service.onAvatarGet(Alice, Protocol::AvatarGet{Avatars::hashOf(current)});
    QCOMPARE(transport.sentOf<Protocol::Avatar>(Alice),
             (QList<Protocol::Avatar>{Protocol::Avatar{Avatars::hashOf(current), current}}));
    for (int i = 0; i < 50; ++i)
        service.onAvatarGet(Alice, Protocol::AvatarGet{Avatars::hashOf(current)});
    QCOMPARE(transport.sent.size(), 1);
    now += AvatarService::AnswerIntervalMs;
    service.onAvatarGet(Alice, Protocol::AvatarGet{Avatars::hashOf(current)});
    QCOMPARE(transport.sent.size(), 2);
    // A picture changed within the interval goes out at once: only repeats wait.
    const QByteArray newer = picture(Qt::yellow);
    QVERIFY(service.setOwn(newer, &error));
    service.onAvatarGet(Alice, Protocol::AvatarGet{Avatars::hashOf(newer)});
    QCOMPARE(transport.sent.size(), 3);
    QCOMPARE(transport.sentOf<Protocol::Avatar>(Alice).last().png, newer);
}

void tst_AvatarService::ownPictureKeptAcrossRestarts()
{
    QTemporaryDir dir;
    const QByteArray png = picture(Qt::magenta);
    {
        FakeTransport transport;
        AvatarService service(Own, transport);
        service.load(dir.path());
        QSignalSpy changed(&service, &AvatarService::changed);
        QString error;
        QVERIFY(service.setOwn(png, &error));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).toString(), Own);
    }
    FakeTransport transport;
    AvatarService service(Own, transport);
    service.load(dir.path());
    QCOMPARE(service.ownHash(), Avatars::hashOf(png));
    QCOMPARE(service.image(Own).pixelColor(0, 0), QColor(Qt::magenta));
    QString error;
    QVERIFY(service.setOwn({}, &error));
    QVERIFY(service.image(Own).isNull());
    AvatarService again(Own, transport);
    again.load(dir.path());
    QVERIFY(again.ownHash().isEmpty());
}

void tst_AvatarService::cacheIsBounded()
{
    QTemporaryDir dir;
    FakeTransport transport;
    transport.helloCapabilities = {u"av"_s};
    AvatarService service(Own, transport);
    service.load(dir.path());
    transport.connectPeer(Alice);
    for (int i = 0; i < AvatarService::MaxCached + 5; ++i) {
        QImage image(2, 2, QImage::Format_RGB32);
        image.fill(QColor::fromRgb(QRgb(0xff000000u | quint32(i))));
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        QImageWriter(&buffer, "png").write(image);
        service.setAnnounced(Alice, Avatars::hashOf(png));
        service.onAvatar(Alice, Protocol::Avatar{Avatars::hashOf(png), png});
    }
    QCOMPARE(QDir(dir.filePath(u"avatars"_s)).entryList(QDir::Files).size(),
             AvatarService::MaxCached);
    QVERIFY(!service.image(Alice).isNull()); // the one announced now is kept
}

QTEST_GUILESS_MAIN(tst_AvatarService)
#include "tst_avatarservice.moc"
