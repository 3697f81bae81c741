// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: a byte stream through the frame decoder, every frame through the message
// decoder. Properties: nothing crashes, whatever decodes re-encodes to the same message and
// then to the same bytes, the decoder's fast path agrees with the general one, and so does
// the encoder's (chat, ack, read, data written straight into a frame) with QCborValue's.
//
// Input: first byte picks the chunk size the stream is fed in (1..256), the rest is the stream.
#include "protocol/framedecoder.h"
#include "protocol/messages.h"

#include <QCborMap>
#include <QCborValue>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const qsizetype chunk = qsizetype(data[0]) + 1;
    const QByteArrayView stream(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));

    FrameDecoder decoder(Protocol::MaxFrameSize);
    for (qsizetype pos = 0; pos < stream.size(); pos += chunk) {
        QList<QByteArray> frames;
        const bool ok = decoder.feed(stream.sliced(pos, qMin(chunk, stream.size() - pos)), &frames);
        for (const QByteArray &frame : std::as_const(frames)) {
            QString error;
            const auto message = Protocol::decode(frame, &error);
            QString generalError;
            const auto general = Protocol::decodeGeneral(frame, &generalError);
            if (message.has_value() != general.has_value() || (message && !(*message == *general)))
                std::abort(); // the fast path read something the general way reads otherwise
            if (!message) {
                if (error.isEmpty())
                    std::abort(); // every refusal says why
                continue;
            }
            if (std::holds_alternative<Protocol::Unknown>(*message))
                continue;
            const QByteArray encoded = Protocol::encode(*message);
            const auto again = Protocol::decode(encoded, &error);
            if (!again || !(*again == *message))
                std::abort();
            if (Protocol::encode(*again) != encoded)
                std::abort(); // encode(decode(x)) is stable
            const QByteArray viaCborValue = std::visit(
                [](const auto &m) {
                    if constexpr (std::is_same_v<std::decay_t<decltype(m)>, Protocol::Unknown>)
                        return QByteArray();
                    else
                        return m.toCbor().toCborValue().toCbor();
                },
                *message);
            if (viaCborValue != encoded)
                std::abort(); // the fast encoder wrote other bytes than QCborValue would
        }
        if (!ok)
            break;
    }
    return 0;
}
