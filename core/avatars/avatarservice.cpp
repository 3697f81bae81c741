// SPDX-License-Identifier: GPL-3.0-or-later
#include "avatarservice.h"

#include "avatars/avatarimage.h"
#include "net/transport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSaveFile>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAvatars, "shoal.avatars")

namespace {
constexpr char OwnFile[] = "avatar.png";
constexpr char CacheDir[] = "avatars";

QByteArray readSmallFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() > Protocol::MaxAvatarBytes)
        return {};
    return file.readAll();
}
} // namespace

AvatarService::AvatarService(const QString &ownId, Transport &transport, QObject *parent)
    : QObject(parent)
    , m_ownId(ownId)
    , m_transport(transport)
{
    m_clock.start();
    m_now = [this] { return m_clock.elapsed(); };
    connect(&m_transport,
            &Transport::peerConnected,
            this,
            [this](const QString &peerId, const Protocol::Hello &hello) {
                onPeerConnected(peerId, hello);
            });
    connect(&m_transport, &Transport::peerDisconnected, this, &AvatarService::onPeerDisconnected);
}

void AvatarService::load(const QString &profileDir)
{
    m_dir = profileDir;
    if (m_dir.isEmpty())
        return;
    const QByteArray own = readSmallFile(QDir(m_dir).filePath(QLatin1StringView(OwnFile)));
    if (!own.isEmpty()) {
        QString error;
        if (auto image = Avatars::decode(own, Avatars::hashOf(own), &error)) {
            m_ownPng = own;
            m_ownHash = Avatars::hashOf(own);
            m_ownImage = *image;
        } else {
            qCWarning(lcAvatars) << "own picture not used:" << error;
        }
    }
    const QDir cache(QDir(m_dir).filePath(QLatin1StringView(CacheDir)));
    const QStringList names = cache.entryList({u"*.png"_s}, QDir::Files);
    for (const QString &name : names) {
        const QByteArray hash = QByteArray::fromHex(name.chopped(4).toLatin1());
        if (hash.size() == Protocol::Sha256Bytes)
            m_onDisk.insert(hash);
    }
}

bool AvatarService::setOwn(const QByteArray &png, QString *error)
{
    QImage image;
    if (!png.isEmpty()) {
        QString why;
        auto decoded = Avatars::decode(png, Avatars::hashOf(png), &why);
        if (!decoded) {
            *error = tr("The picture cannot be used: %1").arg(why);
            return false;
        }
        image = *decoded;
    }
    if (!m_dir.isEmpty()) {
        const QString path = QDir(m_dir).filePath(QLatin1StringView(OwnFile));
        if (png.isEmpty()) {
            if (QFile::exists(path) && !QFile::remove(path)) {
                *error = tr("Could not remove %1.").arg(QDir::toNativeSeparators(path));
                return false;
            }
        } else {
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly) || file.write(png) != png.size()
                || !file.commit()) {
                *error = tr("Could not save the picture to %1: %2")
                             .arg(QDir::toNativeSeparators(path), file.errorString());
                return false;
            }
        }
    }
    m_ownPng = png;
    m_ownHash = png.isEmpty() ? QByteArray() : Avatars::hashOf(png);
    m_ownImage = image;
    Q_EMIT changed(m_ownId);
    return true;
}

void AvatarService::setAnnounced(const QString &peerId, const QByteArray &hash)
{
    if (peerId == m_ownId)
        return;
    const QByteArray valid = hash.size() == Protocol::Sha256Bytes ? hash : QByteArray();
    if (m_announced.value(peerId) == valid && m_announced.contains(peerId))
        return;
    m_announced.insert(peerId, valid);
    const QByteArray before = m_shown.value(peerId);
    if (valid.isEmpty())
        m_shown.remove(peerId); // the peer took its picture away
    else if (isCached(valid))
        m_shown.insert(peerId, valid);
    // else: the previous picture stays until the new one arrives
    if (m_shown.value(peerId) != before)
        Q_EMIT changed(peerId);
    askIfMissing(peerId);
}

bool AvatarService::isCached(const QByteArray &hash) const
{
    return m_images.contains(hash) || m_onDisk.contains(hash);
}

QImage AvatarService::image(const QString &peerId) const
{
    if (peerId == m_ownId)
        return m_ownImage;
    const QByteArray hash = m_shown.value(peerId);
    if (hash.isEmpty())
        return {};
    if (const auto it = m_images.constFind(hash); it != m_images.cend())
        return *it;
    if (!m_onDisk.contains(hash))
        return {};
    // Our own disk, but checked as if it came from the peer: it is the same picture.
    QString error;
    const auto image = Avatars::decode(readSmallFile(cachePath(hash)), hash, &error);
    if (!image) {
        qCWarning(lcAvatars) << "cached picture" << hash.left(4).toHex() << "unusable:" << error;
        return {};
    }
    m_images.insert(hash, *image);
    return *image;
}

void AvatarService::onPeerConnected(const QString &peerId, const Protocol::Hello &hello)
{
    Peer &p = m_peers[peerId];
    p.answers = hello.hasCapability(QLatin1StringView(Protocol::AvatarCapability));
    p.asked.clear();
    askIfMissing(peerId);
}

void AvatarService::onPeerDisconnected(const QString &peerId)
{
    m_peers.remove(peerId);
}

void AvatarService::askIfMissing(const QString &peerId)
{
    const auto it = m_peers.find(peerId);
    const QByteArray hash = m_announced.value(peerId);
    if (it == m_peers.end() || !it->answers || hash.isEmpty() || isCached(hash))
        return;
    const qint64 now = m_now();
    // One request at a time; the same one again only after RetryIntervalMs.
    if (!it->asked.isEmpty() && now - it->askedMs < RetryIntervalMs)
        return;
    if (m_transport.send(peerId, Protocol::AvatarGet{hash})) {
        it->asked = hash;
        it->askedMs = now;
    }
}

void AvatarService::onAvatarGet(const QString &peerId, const Protocol::AvatarGet &get)
{
    if (m_ownHash.isEmpty() || get.hash != m_ownHash) {
        qCDebug(lcAvatars) << peerId.left(8) << "asked for a picture we do not have";
        return;
    }
    Peer &p = m_peers[peerId];
    const qint64 now = m_now();
    // The same picture once per AnswerIntervalMs; a new one (ours just changed) at once.
    if (p.answered == get.hash && now - p.answeredMs < AnswerIntervalMs) {
        if (m_ignored.count())
            qCInfo(lcAvatars) << "avget from" << peerId.left(8) << "too soon: ignored ("
                              << m_ignored.total() << "so far)";
        return;
    }
    if (m_transport.send(peerId, Protocol::Avatar{m_ownHash, m_ownPng})) {
        p.answered = get.hash;
        p.answeredMs = now;
    }
}

void AvatarService::onAvatar(const QString &peerId, const Protocol::Avatar &avatar)
{
    const auto it = m_peers.find(peerId);
    if (it == m_peers.end() || it->asked.isEmpty() || it->asked != avatar.hash) {
        if (m_ignored.count())
            qCInfo(lcAvatars) << "picture from" << peerId.left(8) << "not asked for: ignored";
        return;
    }
    it->asked.clear();
    QString error;
    std::optional<QImage> image;
    if (avatar.hash != m_announced.value(peerId))
        error = u"picture is not the one announced"_s;
    else
        image = Avatars::decode(avatar.png, avatar.hash, &error);
    if (!image) {
        // The peer keeps the picture shown before (or its generated one); not asked again
        // for this hash until RetryIntervalMs has passed.
        it->asked = avatar.hash;
        if (m_refused.count())
            qCWarning(lcAvatars).noquote()
                << "picture from" << peerId.left(8) << "refused:" << error;
        return;
    }
    if (!store(avatar.hash, avatar.png, *image))
        return;
    if (m_shown.value(peerId) != avatar.hash) {
        m_shown.insert(peerId, avatar.hash);
        Q_EMIT changed(peerId);
    }
}

QString AvatarService::cachePath(const QByteArray &hash) const
{
    return QDir(m_dir).filePath(QLatin1StringView(CacheDir) + u'/'
                                + QString::fromLatin1(hash.toHex()) + u".png"_s);
}

bool AvatarService::store(const QByteArray &hash, const QByteArray &png, const QImage &image)
{
    m_images.insert(hash, image);
    if (m_dir.isEmpty())
        return true;
    if (!QDir(m_dir).mkpath(QLatin1StringView(CacheDir))) {
        qCWarning(lcAvatars) << "cannot make the avatar cache in" << m_dir;
        return true; // shown from memory all the same
    }
    QSaveFile file(cachePath(hash));
    if (!file.open(QIODevice::WriteOnly) || file.write(png) != png.size() || !file.commit()) {
        qCWarning(lcAvatars) << "cannot cache a picture:" << file.errorString();
        return true;
    }
    m_onDisk.insert(hash);
    trimCache();
    return true;
}

void AvatarService::trimCache()
{
    if (m_onDisk.size() <= MaxCached)
        return;
    // The pictures nobody announces now go first, oldest first.
    QSet<QByteArray> inUse;
    for (const QByteArray &h : std::as_const(m_announced))
        inUse.insert(h);
    for (const QByteArray &h : std::as_const(m_shown))
        inUse.insert(h);
    QList<QPair<QDateTime, QByteArray>> old;
    for (const QByteArray &h : std::as_const(m_onDisk)) {
        if (!inUse.contains(h))
            old.append({QFileInfo(cachePath(h)).lastModified(), h});
    }
    std::sort(old.begin(), old.end());
    for (const auto &[when, h] : std::as_const(old)) {
        if (m_onDisk.size() <= MaxCached)
            break;
        QFile::remove(cachePath(h));
        m_onDisk.remove(h);
        m_images.remove(h);
    }
}
