// SPDX-License-Identifier: GPL-3.0-or-later
// Avatars (issue 15): the pictures and their two messages. A peer's picture is hostile bytes:
// only its own PNG of at most 512×512 and 64 KiB is taken; ours is cut square, at most
// 128×128 and 64 KiB whatever the person picks. avget and av are refused when malformed.
#include "avatars/avatarimage.h"
#include "protocol/messages.h"

#include <QBuffer>
#include <QCborMap>
#include <QImageWriter>
#include <QRandomGenerator>
#include <QTest>
#include <QtEndian>

using namespace Qt::StringLiterals;

namespace {

QByteArray pngOf(const QImage &image)
{
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter(&buffer, "png").write(image);
    return png;
}

QImage filled(int w, int h, QColor colour)
{
    QImage image(w, h, QImage::Format_RGB32);
    image.fill(colour);
    return image;
}

// A photo's worth of noise: compresses badly, so a 128×128 PNG of it is over 64 KiB.
QImage noise(int w, int h)
{
    QImage image(w, h, QImage::Format_ARGB32);
    QRandomGenerator random(15);
    for (int y = 0; y < h; ++y) {
        auto *line = reinterpret_cast<quint32 *>(image.scanLine(y));
        for (int x = 0; x < w; ++x)
            line[x] = random.generate();
    }
    return image;
}

quint32 crc32Of(const QByteArray &bytes)
{
    quint32 crc = 0xffffffff;
    for (char c : bytes) {
        crc ^= quint8(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320 & (0u - (crc & 1)));
    }
    return ~crc;
}

// A PNG whose header claims w×h, with one row of data: a decompression bomb's shape.
QByteArray claimedPng(quint32 w, quint32 h)
{
    auto chunk = [](const QByteArray &type, const QByteArray &data) {
        QByteArray out(4, '\0');
        qToBigEndian(quint32(data.size()), out.data());
        const QByteArray body = type + data;
        QByteArray crc(4, '\0');
        qToBigEndian(crc32Of(body), crc.data());
        return out + body + crc;
    };
    QByteArray ihdr(13, '\0');
    qToBigEndian(w, ihdr.data());
    qToBigEndian(h, ihdr.data() + 4);
    ihdr[8] = 8; // depth
    ihdr[9] = 0; // grey
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr)
           + chunk("IDAT", qCompress(QByteArray(64, '\0')).mid(4)) + chunk("IEND", {});
}

} // namespace

class tst_AvatarImage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void peersPictureAccepted();
    void peersPictureRefused_data();
    void peersPictureRefused();
    void ownPictureCutSquareAndSmall_data();
    void ownPictureCutSquareAndSmall();
    void noisyPhotoShrinksUnder64KiB();
    void cropChosenByThePerson();
    void messagesRoundTrip();
    void malformedMessagesRefused_data();
    void malformedMessagesRefused();
};

void tst_AvatarImage::peersPictureAccepted()
{
    const QByteArray png = pngOf(filled(512, 512, Qt::red));
    QString error;
    const auto image = Avatars::decode(png, Avatars::hashOf(png), &error);
    QVERIFY2(image, qPrintable(error));
    QCOMPARE(image->size(), QSize(512, 512));
    QCOMPARE(image->pixelColor(10, 10), QColor(Qt::red));
}

void tst_AvatarImage::peersPictureRefused_data()
{
    QTest::addColumn<QByteArray>("png");
    QTest::addColumn<bool>("ownHash"); // else the hash of another picture
    QTest::addColumn<QString>("why");
    const QByteArray good = pngOf(filled(16, 16, Qt::blue));
    QTest::newRow("wrong hash") << good << false << u"hash"_s;
    QTest::newRow("not a PNG (JPEG)") << [] {
        QByteArray jpeg;
        QBuffer b(&jpeg);
        b.open(QIODevice::WriteOnly);
        QImageWriter(&b, "jpeg").write(filled(16, 16, Qt::blue));
        return jpeg;
    }() << true << u"not a PNG"_s;
    QTest::newRow("not a picture") << QByteArray("hello, picture") << true << u"not a PNG"_s;
    QTest::newRow("PNG signature, then garbage")
        << QByteArray("\x89PNG\r\n\x1a\ngarbage garbage garbage", 31) << true << u"pixels"_s;
    QTest::newRow("513 wide") << pngOf(filled(513, 1, Qt::blue)) << true << u"513×1"_s;
    QTest::newRow("513 high") << pngOf(filled(1, 513, Qt::blue)) << true << u"1×513"_s;
    QTest::newRow("bomb: claims 100000×100000")
        << claimedPng(100000, 100000) << true << u"100000×100000"_s;
    QTest::newRow("bomb: claims 2^31-1 wide") << claimedPng(0x7fffffff, 1) << true << u"pixels"_s;
    QTest::newRow("truncated") << good.left(good.size() / 2) << true << u"picture"_s;
    QTest::newRow("over 64 KiB") << pngOf(noise(200, 200)) << true << u"bytes"_s;
    QTest::newRow("empty") << QByteArray() << true << u"bytes"_s;
}

void tst_AvatarImage::peersPictureRefused()
{
    QFETCH(QByteArray, png);
    QFETCH(bool, ownHash);
    QFETCH(QString, why);
    const QByteArray hash = Avatars::hashOf(ownHash ? png : png + 'x');
    QString error;
    QVERIFY(!Avatars::decode(png, hash, &error));
    QVERIFY2(error.contains(why), qPrintable(error));
}

void tst_AvatarImage::ownPictureCutSquareAndSmall_data()
{
    QTest::addColumn<QSize>("picked");
    QTest::addColumn<QSize>("stored");
    QTest::newRow("wide photo") << QSize(1920, 1080) << QSize(128, 128);
    QTest::newRow("tall photo") << QSize(300, 900) << QSize(128, 128);
    QTest::newRow("small square stays") << QSize(48, 48) << QSize(48, 48);
    QTest::newRow("small wide") << QSize(100, 40) << QSize(40, 40);
}

void tst_AvatarImage::ownPictureCutSquareAndSmall()
{
    QFETCH(QSize, picked);
    QFETCH(QSize, stored);
    // Left third red, the rest green: a centred square of a wide picture is all green.
    QImage image = filled(picked.width(), picked.height(), Qt::green);
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width() / 8; ++x)
            image.setPixelColor(x, y, Qt::red);
    QString error;
    const QByteArray png = Avatars::encode(image, &error);
    QVERIFY2(!png.isEmpty(), qPrintable(error));
    QVERIFY(png.size() <= Protocol::MaxAvatarBytes);
    const auto back = Avatars::decode(png, Avatars::hashOf(png), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->size(), stored);
    if (picked.width() > 2 * picked.height())
        QCOMPARE(back->pixelColor(0, 0), QColor(Qt::green));
}

void tst_AvatarImage::noisyPhotoShrinksUnder64KiB()
{
    const QImage photo = noise(128, 128); // noise scaled down smooths out: this is not scaled
    QVERIFY(pngOf(noise(128, 128)).size() > Protocol::MaxAvatarBytes); // the case is real
    QString error;
    const QByteArray png = Avatars::encode(photo, &error);
    QVERIFY2(!png.isEmpty(), qPrintable(error));
    QVERIFY(png.size() <= Protocol::MaxAvatarBytes);
    const auto back = Avatars::decode(png, Avatars::hashOf(png), &error);
    QVERIFY2(back, qPrintable(error));
    QVERIFY(back->width() < 128);
    QCOMPARE(back->width(), back->height());
}

void tst_AvatarImage::cropChosenByThePerson()
{
    QImage image = filled(400, 200, Qt::green);
    for (int y = 0; y < 100; ++y)
        for (int x = 300; x < 400; ++x)
            image.setPixelColor(x, y, Qt::blue);
    QString error;
    const QByteArray png = Avatars::encode(image, &error, QRect(300, 0, 100, 100));
    const auto back = Avatars::decode(png, Avatars::hashOf(png), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->size(), QSize(100, 100));
    QCOMPARE(back->pixelColor(50, 50), QColor(Qt::blue));
    QVERIFY(Avatars::encode(QImage(), &error).isEmpty());
    QVERIFY(!error.isEmpty());
}

void tst_AvatarImage::messagesRoundTrip()
{
    const QByteArray png = pngOf(filled(4, 4, Qt::red));
    const QByteArray hash = Avatars::hashOf(png);
    const QList<Protocol::Message> messages{Protocol::AvatarGet{hash}, Protocol::Avatar{hash, png}};
    for (const Protocol::Message &m : messages) {
        QString error;
        const auto back = Protocol::decode(Protocol::encode(m), &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(Protocol::toString(*back), Protocol::toString(m));
        QVERIFY(*back == m);
    }
    // The largest picture fits a frame with room to spare.
    const Protocol::Avatar largest{hash, QByteArray(Protocol::MaxAvatarBytes, 'p')};
    QVERIFY(Protocol::encode(largest).size() < Protocol::MaxFrameSize);
}

void tst_AvatarImage::malformedMessagesRefused_data()
{
    QTest::addColumn<QCborMap>("map");
    const QByteArray hash(32, 'h');
    QTest::newRow("avget without h") << QCborMap{{u"t"_s, u"avget"_s}};
    QTest::newRow("avget h 31 bytes") << QCborMap{{u"t"_s, u"avget"_s}, {u"h"_s, hash.left(31)}};
    QTest::newRow("avget h 33 bytes") << QCborMap{{u"t"_s, u"avget"_s}, {u"h"_s, hash + 'x'}};
    QTest::newRow("avget h text") << QCborMap{{u"t"_s, u"avget"_s}, {u"h"_s, u"h"_s}};
    QTest::newRow("av without png") << QCborMap{{u"t"_s, u"av"_s}, {u"h"_s, hash}};
    QTest::newRow("av without h") << QCborMap{{u"t"_s, u"av"_s}, {u"png"_s, QByteArray("p")}};
    QTest::newRow("av png empty") << QCborMap{{u"t"_s, u"av"_s},
                                              {u"h"_s, hash},
                                              {u"png"_s, QByteArray()}};
    QTest::newRow("av png 64 KiB + 1")
        << QCborMap{{u"t"_s, u"av"_s},
                    {u"h"_s, hash},
                    {u"png"_s, QByteArray(Protocol::MaxAvatarBytes + 1, 'p')}};
    QTest::newRow("av png text") << QCborMap{{u"t"_s, u"av"_s},
                                             {u"h"_s, hash},
                                             {u"png"_s, u"png"_s}};
}

void tst_AvatarImage::malformedMessagesRefused()
{
    QFETCH(QCborMap, map);
    QString error;
    QVERIFY(!Protocol::decode(map.toCborValue().toCbor(), &error));
    QVERIFY(!error.isEmpty());
}

QTEST_APPLESS_MAIN(tst_AvatarImage)
#include "tst_avatarimage.moc"
