// SPDX-License-Identifier: GPL-3.0-or-later
// Avatars (issue 15) between shoal-cli processes: {"cmd":"avatar","path":FILE} sets the
// picture (a centred square, at most 128×128), the other side's peer event carries its hash
// once the picture has arrived, and "path": null removes it on both sides. A file that is no
// picture is an error that changes nothing.
#include "cliprocess.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QImage>
#include <QImageReader>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

class CliPeer : public CliProcess
{
public:
    CliPeer(const QString &profile, const QString &name, const QStringList &more = {})
        : CliProcess(QStringLiteral(SHOAL_CLI_PATH), isolatedCliArguments(profile, name) + more)
    {}
    QString id() const { return event(u"ready"_s).value(u"id"_s).toString(); }
    int port() const { return event(u"ready"_s).value(u"port"_s).toInt(); }
    QJsonObject reply(const QString &ref) const
    {
        return find([&](const QJsonObject &e) { return e.value(u"ref"_s).toString() == ref; });
    }
    // The "avatar" of the latest peer event about `peerId` (null: none; undefined: no event).
    QJsonValue avatarOf(const QString &peerId) const
    {
        const auto peers = all(u"peer"_s);
        for (auto it = peers.crbegin(); it != peers.crend(); ++it) {
            if (it->value(u"id"_s).toString() == peerId)
                return it->value(u"avatar"_s);
        }
        return QJsonValue(QJsonValue::Undefined);
    }
};

} // namespace

class tst_AvatarCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void avatarSetSeenAndRemoved();
};

void tst_AvatarCli::avatarSetSeenAndRemoved()
{
    QTemporaryDir dirA, dirB, files;
    CliPeer bob(dirB.path(), u"Bob"_s);
    QTRY_VERIFY(bob.port() > 0);
    CliPeer alice(dirA.path(), u"Alice"_s, {u"--connect"_s, u"127.0.0.1:%1"_s.arg(bob.port())});
    QTRY_VERIFY(alice.peerOnline(bob.id(), true));
    QTRY_VERIFY(bob.peerOnline(alice.id(), true));
    QVERIFY(bob.avatarOf(alice.id()).isNull());

    // A wide JPEG: a centred square of it, at most 128 pixels.
    QImage photo(600, 300, QImage::Format_RGB32);
    photo.fill(Qt::blue);
    const QString jpeg = files.filePath(u"photo.jpg"_s);
    QVERIFY(photo.save(jpeg, "JPEG"));
    alice.send({{u"cmd"_s, u"avatar"_s}, {u"path"_s, jpeg}, {u"ref"_s, u"set"_s}});
    QTRY_VERIFY(!alice.reply(u"set"_s).isEmpty());
    const QJsonObject set = alice.reply(u"set"_s);
    QCOMPARE(set.value(u"event"_s).toString(), u"avatar"_s);
    const QString hash = set.value(u"avatar"_s).toString();
    QCOMPARE(hash.size(), 64);
    QFile own(dirA.filePath(u"avatar.png"_s));
    QVERIFY(own.open(QIODevice::ReadOnly));
    const QByteArray png = own.readAll();
    QCOMPARE(QString::fromLatin1(QCryptographicHash::hash(png, QCryptographicHash::Sha256).toHex()),
             hash);
    QCOMPARE(QImage::fromData(png, "PNG").size(), QSize(128, 128));

    // Bob sees it: his peer event carries the hash once the picture is here.
    QTRY_COMPARE(bob.avatarOf(alice.id()).toString(), hash);
    QVERIFY(QFile::exists(dirB.filePath(u"avatars/%1.png"_s.arg(hash))));

    // Not a picture: an error, the picture stays.
    const QString text = files.filePath(u"notes.txt"_s);
    QFile f(text);
    QVERIFY(f.open(QIODevice::WriteOnly) && f.write("not a picture") > 0);
    f.close();
    alice.send({{u"cmd"_s, u"avatar"_s}, {u"path"_s, text}, {u"ref"_s, u"bad"_s}});
    QTRY_COMPARE(alice.reply(u"bad"_s).value(u"event"_s).toString(), u"error"_s);
    QVERIFY(QFile::exists(dirA.filePath(u"avatar.png"_s)));

    // Removed: null on both sides.
    alice.send({{u"cmd"_s, u"avatar"_s}, {u"path"_s, QJsonValue::Null}, {u"ref"_s, u"rm"_s}});
    QTRY_VERIFY(!alice.reply(u"rm"_s).isEmpty());
    QVERIFY(alice.reply(u"rm"_s).value(u"avatar"_s).isNull());
    QVERIFY(!QFile::exists(dirA.filePath(u"avatar.png"_s)));
    QTRY_VERIFY(bob.avatarOf(alice.id()).isNull());
}

QTEST_GUILESS_MAIN(tst_AvatarCli)
#include "tst_avatarcli.moc"
