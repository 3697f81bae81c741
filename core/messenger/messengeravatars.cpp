// SPDX-License-Identifier: GPL-3.0-or-later
// Avatars (issue 15): the facade's side. The pictures are made and checked in core/avatars; the
// hash a peer announces comes with its presence (PeerInfo::avatarHash), ours goes out with
// ours (setAvatarHash).
#include "messenger.h"

#include "avatars/avatarimage.h"
#include "avatars/avatarservice.h"
#include "net/connectionregistry.h"
#include "peers/roster.h"

#include <QDir>
#include <QImage>
#include <QImageReader>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

void Messenger::wireAvatars()
{
    m_avatars = new AvatarService(id(), *m_registry, this);
    connect(m_avatars, &AvatarService::changed, this, &Messenger::avatarChanged);
    connect(m_roster, &Roster::peerUpdated, m_avatars, [this](const PeerInfo &peer) {
        Q_UNUSED(peer); // PRESENCE-MERGE m_avatars->setAnnounced(peer.id, peer.avatarHash);
    });
}

void Messenger::loadAvatars()
{
    m_avatars->load(m_config.profileDir);
    // What peers announced when last seen: their pictures show while they are away.
    for (const PeerInfo &peer : m_roster->peers())
        Q_UNUSED(peer); // PRESENCE-MERGE m_avatars->setAnnounced(peer.id, peer.avatarHash);
    // PRESENCE-MERGE setAvatarHash(m_avatars->ownHash());
}

bool Messenger::setAvatar(const QImage &image, QString *error, const QRect &crop)
{
    const QByteArray png = Avatars::encode(image, error, crop);
    if (png.isEmpty() || !m_avatars->setOwn(png, error))
        return false;
    // PRESENCE-MERGE setAvatarHash(m_avatars->ownHash());
    return true;
}

bool Messenger::setAvatarFile(const QString &path, QString *error)
{
    if (path.isEmpty()) {
        clearAvatar();
        return true;
    }
    QImageReader reader(path);
    reader.setAutoTransform(true);
    QImageReader::setAllocationLimit(Avatars::AllocationLimitMiB);
    QImage image;
    if (!reader.read(&image)) {
        *error = tr("%1 could not be read as a picture: %2")
                     .arg(QDir::toNativeSeparators(path), reader.errorString());
        return false;
    }
    return setAvatar(image, error);
}

void Messenger::clearAvatar()
{
    QString error;
    if (!m_avatars->setOwn({}, &error)) {
        addWarning(error);
        return;
    }
    // PRESENCE-MERGE setAvatarHash({});
}

QImage Messenger::avatar(const QString &peerId) const
{
    return m_avatars->image(peerId);
}

QByteArray Messenger::avatarHashOf(const QString &peerId) const
{
    if (peerId == id())
        return m_avatars->ownHash();
    return m_avatars->shownHash(peerId);
}
