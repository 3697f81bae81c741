// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: one discovery datagram. Properties: nothing crashes, every refusal says
// why, and whatever decodes re-encodes to the same announcement.
#include "discovery/announcement.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray datagram = QByteArray::fromRawData(reinterpret_cast<const char *>(data),
                                                        qsizetype(size));
    QString error;
    const auto a = Announcement::decode(datagram, &error);
    if (!a) {
        if (error.isEmpty())
            std::abort();
        return 0;
    }
    const auto again = Announcement::decode(a->encode(), &error);
    if (!again || !(*again == *a))
        std::abort();
    return 0;
}
