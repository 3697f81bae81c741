// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: a peer's picture (av's "png", docs/protocol.md "Avatars") through the
// decoder that decides whether it is shown. Properties: nothing crashes or allocates without
// bound; a picture is accepted only when it is 1..64 KiB, matches its hash and decodes as a
// PNG of at most 512×512; a wrong hash is always refused.
//
// Input: the PNG's bytes as sent. Its own hash is given (so the decoder, not the hash check, is
// exercised), then a hash with one bit flipped, which must be refused.
#include "avatars/avatarimage.h"
#include "protocol/messages.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray png(reinterpret_cast<const char *>(data), qsizetype(size));
    QByteArray hash = Avatars::hashOf(png);
    QString error;
    if (const auto image = Avatars::decode(png, hash, &error)) {
        if (image->isNull() || image->width() > Avatars::MaxDecodedSide
            || image->height() > Avatars::MaxDecodedSide || png.size() > Protocol::MaxAvatarBytes
            || !png.startsWith("\x89PNG"))
            abort();
    } else if (error.isEmpty()) {
        abort(); // a refusal says why
    }
    hash[0] = char(hash.at(0) ^ 1);
    if (Avatars::decode(png, hash, &error))
        abort();
    return 0;
}
