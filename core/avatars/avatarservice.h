// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "net/throttledcount.h"
#include "protocol/messages.h"

#include <QElapsedTimer>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>

#include <functional>

class Transport;

// Avatars (issue 15; docs/protocol.md, "Avatars"): our own picture and the cache of peers'.
// A peer announces the SHA-256 of its picture (hello "av", presence's `pres`); when the
// announced hash is not cached here and the peer answers avatars ("av" in its hello caps), it
// is asked for once (avget), and what comes back (av) is kept only if it is that picture
// (Avatars::decode). We answer avget only for our current picture. Both ways are rate-limited.
// Pictures are kept in <profile>/avatars/<hex>.png (at most MaxCached), ours in
// <profile>/avatar.png; with no profile directory everything stays in memory.
class AvatarService final : public QObject
{
    Q_OBJECT

public:
    static constexpr int MaxCached = 500;
    // One avget per peer at a time; the same picture is asked for again after this long.
    static constexpr int RetryIntervalMs = 30'000;
    // The same picture sent to a peer at most once per this long; avgets beyond are ignored.
    static constexpr int AnswerIntervalMs = 2'000;

    AvatarService(const QString &ownId, Transport &transport, QObject *parent = nullptr);

    // Reads our picture and notes the cached ones. Empty `profileDir`: memory only.
    void load(const QString &profileDir);

    // Our picture: a PNG already made by Avatars::encode, or empty to remove it. Saved
    // atomically; false and *error when it could not be saved.
    bool setOwn(const QByteArray &png, QString *error);
    QByteArray ownHash() const { return m_ownHash; }
    QByteArray ownPng() const { return m_ownPng; }

    // The hash `peerId` announces now (empty: none). Asked for when it is new to us.
    void setAnnounced(const QString &peerId, const QByteArray &hash);
    QByteArray announced(const QString &peerId) const { return m_announced.value(peerId); }
    // The hash of the picture image() shows for a peer, empty when none.
    QByteArray shownHash(const QString &peerId) const { return m_shown.value(peerId); }
    // The peer's picture (ours for our own ID), or a null image while there is none.
    QImage image(const QString &peerId) const;
    bool isCached(const QByteArray &hash) const;

    // The Dispatcher's handlers on a chat stream.
    void onAvatarGet(const QString &peerId, const Protocol::AvatarGet &get);
    void onAvatar(const QString &peerId, const Protocol::Avatar &avatar);

    // For tests: the clock the intervals go by; pictures refused since the start.
    void setClock(std::function<qint64()> clock) { m_now = std::move(clock); }
    quint64 refusedCount() const { return m_refused.total(); }
    quint64 ignoredCount() const { return m_ignored.total(); }

Q_SIGNALS:
    // The picture shown for `peerId` changed (our own ID: ours).
    void changed(const QString &peerId);

private:
    void onPeerConnected(const QString &peerId, const Protocol::Hello &hello);
    void onPeerDisconnected(const QString &peerId);
    void askIfMissing(const QString &peerId);
    QString cachePath(const QByteArray &hash) const;
    bool store(const QByteArray &hash, const QByteArray &png, const QImage &image);
    void trimCache();

    QString m_ownId;
    Transport &m_transport;
    QString m_dir; // the profile's; empty: memory only
    QByteArray m_ownPng, m_ownHash;
    QImage m_ownImage;
    QHash<QString, QByteArray> m_announced;     // peer ID -> hash it announced
    QHash<QString, QByteArray> m_shown;         // peer ID -> hash of the picture shown (cached)
    mutable QHash<QByteArray, QImage> m_images; // decoded, by hash
    QSet<QByteArray> m_onDisk;                  // cached files, by hash
    struct Peer
    {
        bool answers = false; // "av" in its hello
        QByteArray asked;     // the hash of the avget in flight, if any
        qint64 askedMs = -1;
        QByteArray answered;    // the picture we last sent it
        qint64 answeredMs = -1; // and when
    };
    QHash<QString, Peer> m_peers; // connected for chat
    QElapsedTimer m_clock;
    std::function<qint64()> m_now;
    ThrottledCount m_refused{1000};
    ThrottledCount m_ignored{1000};
};
