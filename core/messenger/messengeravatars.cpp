// SPDX-License-Identifier: GPL-3.0-or-later
// Avatars (issue 15): the facade's side. The pictures are made and checked in core/avatars; the
// hash a peer announces comes with its presence (PeerInfo::avatarHash), ours goes out with
// ours (setAvatarHash).
#include "messenger.h"

#include "avatars/avatarimage.h"
#include "avatars/avatarservice.h"
#include "net/connectionregistry.h"
#include "net/transportmux.h" // issue 17
#include "peers/roster.h"
#include "storage/messagestore.h"

#include <QDir>
#include <QImage>
#include <QImageReader>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

void Messenger::wireAvatars()
{
    m_avatars = new AvatarService(id(), *m_mux, this); // issue 17: the mux
    connect(m_avatars, &AvatarService::changed, this, &Messenger::avatarChanged);
    connect(m_roster, &Roster::peerUpdated, m_avatars, [this](const PeerInfo &peer) {
        // A verified peer's new picture (its pres) is remembered for the next run; the hello's
        // is saved with the rest of the peer when it connects.
        const QByteArray before = m_avatars->announced(peer.id);
        m_avatars->setAnnounced(peer.id, peer.avatarHash);
        if (peer.verified && peer.online && before != peer.avatarHash
            && m_avatars->announced(peer.id) == peer.avatarHash) {
            PeerRecord record;
            record.id = peer.id;
            record.name = peer.name;
            record.addresses = {peer.address};
            record.lastSeen = peer.lastSeen;
            record.avatarHash = peer.avatarHash;
            m_store->savePeer(record); // no certificate: the pinned one is kept
        }
    });
}

void Messenger::loadAvatars()
{
    m_avatars->load(m_config.profileDir);
    // What peers announced when last seen: their pictures show while they are away.
    for (const PeerInfo &peer : m_roster->peers())
        m_avatars->setAnnounced(peer.id, peer.avatarHash);
    setAvatarHash(m_avatars->ownHash());
}

bool Messenger::setAvatar(const QImage &image, QString *error, const QRect &crop)
{
    const QByteArray png = Avatars::encode(image, error, crop);
    if (png.isEmpty() || !m_avatars->setOwn(png, error))
        return false;
    setAvatarHash(m_avatars->ownHash());
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
    setAvatarHash({});
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
