// SPDX-License-Identifier: GPL-3.0-or-later
#include "avatarimage.h"

#include "protocol/messages.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QImageReader>
#include <QImageWriter>

using namespace Qt::StringLiterals;

namespace Avatars {

QByteArray hashOf(const QByteArray &png)
{
    return QCryptographicHash::hash(png, QCryptographicHash::Sha256);
}

std::optional<QImage> decode(const QByteArray &png, const QByteArray &hash, QString *error)
{
    static constexpr char Signature[] = "\x89PNG\r\n\x1a\n";
    if (png.isEmpty() || png.size() > Protocol::MaxAvatarBytes) {
        *error
            = u"picture of %1 bytes (1..%2 taken)"_s.arg(png.size()).arg(Protocol::MaxAvatarBytes);
        return std::nullopt;
    }
    if (hash.size() != Protocol::Sha256Bytes || hashOf(png) != hash) {
        *error = u"picture does not match its hash"_s;
        return std::nullopt;
    }
    if (!png.startsWith(QByteArrayView(Signature, 8))) {
        *error = u"picture is not a PNG"_s;
        return std::nullopt;
    }
    QBuffer buffer;
    buffer.setData(png);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, "png");
    reader.setAutoDetectImageFormat(false);
    reader.setDecideFormatFromContent(false);
    QImageReader::setAllocationLimit(AllocationLimitMiB);
    const QSize size = reader.size(); // from the header, before any pixel is decoded
    if (!size.isValid() || size.isEmpty() || size.width() > MaxDecodedSide
        || size.height() > MaxDecodedSide) {
        *error = u"picture of %1×%2 pixels (at most %3×%3 taken)"_s.arg(size.width())
                     .arg(size.height())
                     .arg(MaxDecodedSide);
        return std::nullopt;
    }
    QImage image;
    if (!reader.read(&image) || image.isNull() || image.size() != size) {
        *error = u"picture could not be decoded: %1"_s.arg(reader.errorString());
        return std::nullopt;
    }
    return image;
}

QByteArray encode(const QImage &image, QString *error, const QRect &crop)
{
    if (image.isNull()) {
        *error = QCoreApplication::translate("Avatars", "The picture could not be read.");
        return {};
    }
    QRect square = crop.isValid() ? crop.intersected(image.rect()) : QRect();
    if (!square.isValid() || square.width() != square.height()) {
        const int side = qMin(image.width(), image.height());
        square = QRect((image.width() - side) / 2, (image.height() - side) / 2, side, side);
    }
    QImage cut = image.copy(square).convertToFormat(QImage::Format_ARGB32);
    int side = qMin(StoredSide, cut.width());
    // Photos with noise can exceed the limit even at 128 pixels: smaller until it fits.
    while (side >= 8) {
        const QImage scaled = cut.width() == side ? cut
                                                  : cut.scaled(side,
                                                               side,
                                                               Qt::IgnoreAspectRatio,
                                                               Qt::SmoothTransformation);
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        QImageWriter writer(&buffer, "png");
        // Qt's PNG writer compresses best by default (its compression option, set, wrote a
        // solid 128×128 picture in 64 KiB here).
        if (!writer.write(scaled)) {
            *error = QCoreApplication::translate("Avatars", "The picture could not be written: %1")
                         .arg(writer.errorString());
            return {};
        }
        if (png.size() <= Protocol::MaxAvatarBytes)
            return png;
        side = side * 3 / 4;
    }
    *error = QCoreApplication::translate("Avatars", "The picture cannot be made small enough.");
    return {};
}

} // namespace Avatars
