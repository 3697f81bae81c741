// SPDX-License-Identifier: GPL-3.0-or-later
#include "thumbnailloader.h"

#include <QImageReader>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcThumbnails, "shoal.ui.thumbnails")

ThumbnailLoader::ThumbnailLoader(QObject *parent)
    : QObject(parent)
{
    m_pool.setMaxThreadCount(1); // one picture at a time: the network and the GUI come first
}

ThumbnailLoader::~ThumbnailLoader()
{
    m_pool.clear();
    m_pool.waitForDone();
}

QImage ThumbnailLoader::decode(const QString &path, int side, QString *error)
{
    QImageReader reader(path);
    // Checked by the decoder against the size the file claims, before it allocates.
    reader.setAllocationLimit(AllocationLimitMiB);
    const QSize size = reader.size();
    // A decoder that scales while reading (PNG, JPEG) allocates only the small image, but would
    // still inflate every row a bomb claims: refused before it starts.
    if (size.isValid() && qint64(size.width()) * size.height() > MaxPixels) {
        if (error)
            *error = tr("the picture claims %1 × %2 pixels").arg(size.width()).arg(size.height());
        return {};
    }
    if (size.isValid() && (size.width() > side || size.height() > side)) {
        // Decoders that can scale while reading (JPEG) then allocate only the small image.
        reader.setScaledSize(size.scaled(side, side, Qt::KeepAspectRatio));
    }
    QImage image = reader.read();
    if (image.isNull()) {
        if (error)
            *error = reader.errorString();
        return {};
    }
    if (image.width() > side || image.height() > side)
        image = image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    return image;
}

QImage ThumbnailLoader::thumbnail(const QString &path, int side)
{
    const QString key = QString::number(side) + u':' + path;
    if (const QImage *done = m_done.object(key))
        return *done;
    if (m_refused.contains(key) || m_pending.contains(key))
        return {};
    m_pending.insert(key);
    m_pool.start([this, path, key, side] {
        QString error;
        QImage image = decode(path, side, &error);
        QMetaObject::invokeMethod(
            this,
            [this, path, key, image, error] {
                m_pending.remove(key);
                if (image.isNull()) {
                    qCInfo(lcThumbnails,
                           "no thumbnail for %s: %s",
                           qPrintable(path),
                           qPrintable(error));
                    m_refused.insert(key);
                } else {
                    m_done.insert(key,
                                  new QImage(image),
                                  qMax<qsizetype>(1, image.sizeInBytes() / 1024));
                }
                Q_EMIT ready(path);
            },
            Qt::QueuedConnection);
    });
    return {};
}
