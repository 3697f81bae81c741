// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QImage>
#include <QString>

#include <optional>

// Avatars (issue 15), the pictures themselves: what a peer sends is hostile bytes, what the
// person picks is any image. Pure: bytes and images in, bytes and images out, no disk, no
// network. Uses QImage and QImageReader (Qt Gui's image classes, no QGuiApplication).
namespace Avatars {

// Our own picture is stored and sent at most this wide and high.
constexpr int StoredSide = 128;
// A peer's picture is decoded only if it says it is at most this wide and high.
constexpr int MaxDecodedSide = 512;
// QImageReader's allocation limit while decoding a peer's picture, in MiB. The limit is
// process-wide in Qt, shared with the window's thumbnails (ui/thumbnailloader.h), so it is the
// same value; the dimension check before read() is what keeps a picture small.
constexpr int AllocationLimitMiB = 64;

// The SHA-256 of `png`: the picture's name on the wire and on disk.
QByteArray hashOf(const QByteArray &png);

// A peer's picture: decoded only when sha256(png) == `hash`, it is a PNG (by its signature and
// decoder, never another format), it is 1..MaxAvatarBytes long and its size is at most
// MaxDecodedSide on each side. nullopt and *error (for the log) otherwise.
std::optional<QImage> decode(const QByteArray &png, const QByteArray &hash, QString *error);

// The person's picture for sending: `image` cut to a centred square (or `crop`, when valid),
// scaled to at most StoredSide, as a PNG of at most Protocol::MaxAvatarBytes (made smaller
// until it fits). Empty and *error when the image is null or cannot be written.
QByteArray encode(const QImage &image, QString *error, const QRect &crop = {});

} // namespace Avatars
