// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: an invite link, as pasted or clicked. Properties: nothing crashes, every
// refusal says why, whatever decodes re-encodes to a link that decodes to the same invite, and
// an accepted invite keeps its bounds.
#include "protocol/invitelink.h"
#include "protocol/messages.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    const auto link = InviteLink::decode(text, &error);
    if (!link) {
        if (error.isEmpty())
            std::abort();
        return 0;
    }
    if (!Protocol::isValidPeerId(link->peerId) || link->port == 0 || link->addresses.isEmpty()
        || link->addresses.size() > InviteLink::MaxAddresses
        || link->name.size() > Protocol::MaxNameLength)
        std::abort();
    const QString again = link->encode();
    if (again.size() > InviteLink::MaxLength)
        std::abort();
    const auto back = InviteLink::decode(again, &error);
    if (!back || !(*back == *link))
        std::abort();
    return 0;
}
