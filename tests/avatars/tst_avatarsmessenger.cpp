// SPDX-License-Identifier: GPL-3.0-or-later
// Avatars (issue 15) between real Messengers on loopback: a picture set on one side is seen
// by the other, cached in its profile and still shown after a restart while the first is
// away; a change and a removal reach it too. A peer that sends a picture that is not the one
// it announced is refused and keeps its previous one, its connection stays; a malformed
// avatar message closes only that connection.
#include "../common/rawpeer.h"
#include "../common/testpeer.h"
#include "avatars/avatarimage.h"
#include "messenger/messenger.h"
#include "net/connectionregistry.h"
#include "net/networksafety.h"
#include "protocol/framedecoder.h"
#include "storage/messagestore.h"

#include <QBuffer>
#include <QCborMap>
#include <QDir>
#include <QImageWriter>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

bool isOnline(const Messenger &m, const QString &peerId)
{
    const auto p = m.peer(peerId);
    return p && p->online && p->verified;
}

bool introduce(Messenger &from, Messenger &to)
{
    QString error;
    if (!from.connectToAddress(u"127.0.0.1:%1"_s.arg(to.port()), &error))
        return false;
    return QTest::qWaitFor([&] { return isOnline(from, to.id()) && isOnline(to, from.id()); },
                           10'000);
}

QImage filled(QColor colour, int w = 300, int h = 200)
{
    QImage image(w, h, QImage::Format_RGB32);
    image.fill(colour);
    return image;
}

QByteArray pngOf(const QImage &image)
{
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter(&buffer, "png").write(image);
    return png;
}

QColor centre(const QImage &image)
{
    return image.isNull() ? QColor() : image.pixelColor(image.width() / 2, image.height() / 2);
}

} // namespace

class tst_AvatarsMessenger : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void pictureSeenCachedAndShownAfterRestart();
    void changeAndRemovalReachThePeer();
    void pictureNotAnnouncedIsRefused();
    void malformedAvatarClosesOnlyThatConnection_data();
    void malformedAvatarClosesOnlyThatConnection();

private:
    QString m_error;
};

void tst_AvatarsMessenger::initTestCase()
{
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
}

void tst_AvatarsMessenger::pictureSeenCachedAndShownAfterRestart()
{
    QTemporaryDir aliceDir, bobDir;
    MessengerConfig aliceConfig = testPeerConfig(u"Alice"_s);
    aliceConfig.profileDir = aliceDir.path();
    MessengerConfig bobConfig = testPeerConfig(u"Bob"_s);
    bobConfig.profileDir = bobDir.path();
    const auto bobIdentity = Identity::generate(&m_error);
    auto alice = startPeer(aliceConfig);
    auto bob = startPeer(bobConfig, &*bobIdentity);
    QVERIFY(alice->avatar(alice->id()).isNull());
    QVERIFY(alice->setAvatar(filled(Qt::red), &m_error));
    QCOMPARE(alice->avatar(alice->id()).size(), QSize(128, 128));

    QSignalSpy changed(bob.get(), &Messenger::avatarChanged);
    QVERIFY(introduce(*bob, *alice));
    QTRY_COMPARE(centre(bob->avatar(alice->id())), QColor(Qt::red));
    QVERIFY(changed.contains(QVariantList{alice->id()}));
    const QByteArray hash = bob->avatarHashOf(alice->id());
    QCOMPARE(hash, alice->avatarHashOf(alice->id()));
    QVERIFY(QFile::exists(
        bobDir.filePath(u"avatars/"_s + QString::fromLatin1(hash.toHex()) + u".png"_s)));

    // Alice goes away; Bob starts again: her picture is still hers.
    const QString aliceId = alice->id();
    alice->shutdown();
    alice.reset();
    bob->shutdown();
    QTRY_VERIFY(!bob->hasOpenConnections());
    bob.reset();
    bob = startPeer(bobConfig, &*bobIdentity);
    QCOMPARE(centre(bob->avatar(aliceId)), QColor(Qt::red));
    QCOMPARE(bob->avatarHashOf(aliceId), hash);

    // And Alice's own picture is kept in her profile.
    auto again = startPeer(aliceConfig);
    QCOMPARE(centre(again->avatar(again->id())), QColor(Qt::red));
}

void tst_AvatarsMessenger::changeAndRemovalReachThePeer()
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    QVERIFY(introduce(*bob, *alice));
    QVERIFY(bob->avatar(alice->id()).isNull()); // none yet: the window draws initials
    QVERIFY(alice->setAvatar(filled(Qt::green), &m_error));
    QTRY_COMPARE(centre(bob->avatar(alice->id())), QColor(Qt::green));
    QVERIFY(alice->setAvatar(filled(Qt::blue), &m_error));
    QTRY_COMPARE(centre(bob->avatar(alice->id())), QColor(Qt::blue));
    alice->clearAvatar();
    QTRY_VERIFY(bob->avatar(alice->id()).isNull());
    QVERIFY(bob->avatarHashOf(alice->id()).isEmpty());
}

void tst_AvatarsMessenger::pictureNotAnnouncedIsRefused()
{
    // Mallory announces one picture and, asked for it, sends another.
    auto alice = makePeer(u"Alice"_s);
    RawPeer mallory(*Identity::generate(&m_error));
    QVERIFY(mallory.connectAndWait(*alice));
    const QByteArray announced = pngOf(filled(Qt::red, 16, 16));
    const QByteArray sent = pngOf(filled(Qt::black, 16, 16));
    Protocol::Hello hello = mallory.hello(mallory.m_identity.id());
    hello.capabilities = {QString::fromLatin1(Protocol::AvatarCapability)};
    hello.avatarHash = Avatars::hashOf(announced);
    mallory.send(hello);
    QTRY_VERIFY(isOnline(*alice, mallory.m_identity.id()));
    auto asked = [&] {
        for (const auto &m : mallory.received) {
            if (const auto *g = std::get_if<Protocol::AvatarGet>(&m))
                return g->hash == Avatars::hashOf(announced);
        }
        return false;
    };
    QTRY_VERIFY(asked());
    mallory.send(Protocol::Avatar{Avatars::hashOf(sent), sent});
    mallory.send(Protocol::Avatar{Avatars::hashOf(announced), sent});
    // Then a chat message: once it is stored, both avatars were handled before it.
    const QUuid id = QUuid::createUuid();
    mallory.send(Protocol::Chat{id, QDateTime::currentDateTimeUtc(), u"after"_s});
    QTRY_VERIFY(mallory.acked(id));
    QVERIFY(alice->avatar(mallory.m_identity.id()).isNull());
    QVERIFY(alice->connections().isConnected(mallory.m_identity.id()));
}

void tst_AvatarsMessenger::malformedAvatarClosesOnlyThatConnection_data()
{
    QTest::addColumn<QCborMap>("map");
    const QByteArray hash(32, 'h');
    QTest::newRow("avget h 31 bytes") << QCborMap{{u"t"_s, u"avget"_s}, {u"h"_s, hash.left(31)}};
    QTest::newRow("av png over 64 KiB")
        << QCborMap{{u"t"_s, u"av"_s},
                    {u"h"_s, hash},
                    {u"png"_s, QByteArray(Protocol::MaxAvatarBytes + 1, 'p')}};
    QTest::newRow("av without png") << QCborMap{{u"t"_s, u"av"_s}, {u"h"_s, hash}};
}

void tst_AvatarsMessenger::malformedAvatarClosesOnlyThatConnection()
{
    QFETCH(QCborMap, map);
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    QVERIFY(introduce(*bob, *alice));
    RawPeer mallory(*Identity::generate(&m_error));
    QVERIFY(mallory.connectAndWait(*alice));
    Protocol::Hello hello = mallory.hello(mallory.m_identity.id());
    hello.capabilities = {QString::fromLatin1(Protocol::AvatarCapability)};
    mallory.send(hello);
    QTRY_VERIFY(isOnline(*alice, mallory.m_identity.id()));
    mallory.sendRaw(FrameDecoder::encode(map.toCborValue().toCbor()));
    QTRY_VERIFY(!alice->connections().isConnected(mallory.m_identity.id()));
    QVERIFY(alice->connections().isConnected(bob->id()));
    QVERIFY(bob->sendMessage(alice->id(), u"still here"_s, &m_error));
    QTRY_COMPARE(alice->history().count(bob->id()), 1);
}

QTEST_GUILESS_MAIN(tst_AvatarsMessenger)
#include "tst_avatarsmessenger.moc"
