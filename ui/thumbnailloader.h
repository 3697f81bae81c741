// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCache>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QString>
#include <QThreadPool>

// Thumbnails of received (and sent) pictures, decoded off the GUI thread: a big picture never
// freezes the window, and a decompression bomb (a few bytes claiming 100,000 × 100,000 pixels)
// is refused: by the pixels it claims, and by the decoder's allocation limit (QImageReader).
class ThumbnailLoader final : public QObject
{
    Q_OBJECT

public:
    static constexpr int AllocationLimitMiB = 64;
    static constexpr int MaxCachedKiB = 32 * 1024;
    static constexpr qint64 MaxPixels = 100'000'000; // a 100-megapixel photo still gets one

    explicit ThumbnailLoader(QObject *parent = nullptr);
    ~ThumbnailLoader() override;

    // The thumbnail of `path` when it has been decoded; otherwise starts decoding it (once)
    // and returns a null image; ready() says when to ask again.
    QImage thumbnail(const QString &path, int side);
    // Blocking; at most `side` pixels on the longer side. A null image and *error when the
    // file is not a picture, is damaged, or needs more than AllocationLimitMiB.
    static QImage decode(const QString &path, int side, QString *error = nullptr);

Q_SIGNALS:
    // Decoded, or refused (then thumbnail() stays null for it).
    void ready(const QString &path);

private:
    QCache<QString, QImage> m_done{MaxCachedKiB};
    QSet<QString> m_pending;
    QSet<QString> m_refused;
    QThreadPool m_pool; // last: it waits for a decode still running before the rest goes
};
