// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any bytes as a group message's signed body and as a receipt's body
// (core/groups/groupbody.h). Properties: nothing crashes, every refusal says why, and whatever
// decodes encodes to bytes that decode to the same body, which encode to the same bytes again
// (names are cleaned on decoding, so the first encoding may differ from the input).
#include "groups/groupbody.h"
#include "groups/grouplimits.h"

#include <cstdint>
#include <cstdlib>

namespace {

template<typename Decode, typename Encode>
void check(const QByteArray &bytes, Decode decode, Encode encode)
{
    QString error;
    const auto decoded = decode(bytes, &error);
    if (!decoded) {
        if (error.isEmpty())
            std::abort(); // every refusal says why
        return;
    }
    if (decoded->toString().isEmpty()) // what a refusal's log line shows
        std::abort();
    const QByteArray encoded = encode(*decoded);
    const auto again = decode(encoded, &error);
    if (!again || !(*again == *decoded))
        std::abort();
    if (encode(*again) != encoded)
        std::abort(); // encode(decode(x)) is stable
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    check(bytes, Groups::decode, Groups::encode);
    check(bytes, Groups::decodeReceipt, Groups::encodeReceipt);
    return 0;
}
