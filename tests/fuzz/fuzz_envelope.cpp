// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: sealed envelopes (issue 16; docs/protocol.md, "Envelope"), opened by a fixed
// identity (fuzzenvelopeidentity.h). Nothing crashes, every refusal says why, and what opens is
// what was sealed. The first byte picks what the rest is:
//   0: an envelope as a carrier hands it over: readHeader() and open();
//   1: the plaintext inside (from, m, sig), sealed here for the fixed identity, then opened:
//      the fuzzer reaches the inner map, the certificate and the signature check;
//   2: the wire message inside, signed by a fixed author and sealed here, then opened: it
//      opens exactly when it decodes to a carried type, and to the same message.
#include "fuzzenvelopeidentity.h"
#include "identity/signer.h"
#include "protocol/messages.h"
#include "relay/envelope.h"
#include "relay/envelopeformat.h"

#include <cstdint>
#include <cstdlib>

namespace Format = Relay::EnvelopeFormat;

namespace {

struct Fixture
{
    Identity recipient;
    Identity author;
    Relay::Opener opener{recipient};
    Signer signer{author.privateKey()};
};

Fixture &fixture()
{
    static Fixture *const f = [] {
        QString error;
        auto recipient = fuzzEnvelopeIdentity();
        auto author = Identity::generate(&error);
        if (!recipient || !author)
            std::abort();
        return new Fixture{*recipient, *author};
    }();
    return *f;
}

constexpr qint64 Now = 1'780'000'000'000;
const QByteArray FixedId(Protocol::EnvelopeIdBytes, '\x5e');

QByteArray sealForRecipient(const QByteArray &plaintext)
{
    QString error;
    Fixture &f = fixture();
    return Format::seal(f.recipient.certificate().toDer(),
                        f.recipient.id(),
                        FixedId,
                        FuzzEnvelopeExpiry,
                        plaintext,
                        &error);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    Fixture &f = fixture();
    const int mode = data[0] % 3;
    const QByteArray rest(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    QString error;
    if (mode == 0) {
        const auto header = Relay::readHeader(rest, &error);
        if (!header && error.isEmpty())
            std::abort();
        error.clear();
        const auto opened = f.opener.open(rest, Now, &error);
        if (!opened && error.isEmpty())
            std::abort();
        if (opened
            && (!header || header->to != f.recipient.id() || !Relay::isCarried(opened->message)))
            std::abort();
        return 0;
    }
    QByteArray plaintext = rest;
    QByteArray m;
    if (mode == 2) {
        m = rest;
        const QByteArray sig = f.signer.sign(
            Format::signedBytes(f.recipient.id(), FixedId, FuzzEnvelopeExpiry, m));
        plaintext = Format::encodeInner({f.author.certificate().toDer(), m, sig});
    }
    const QByteArray envelope = sealForRecipient(plaintext);
    if (envelope.isEmpty())
        return 0; // too big to seal
    const auto opened = f.opener.open(envelope, Now, &error);
    if (!opened && error.isEmpty())
        std::abort();
    if (mode == 1 && opened) {
        QString innerError;
        const auto inner = Format::decodeInner(rest, &innerError);
        if (!inner)
            std::abort(); // opened what is not a well-formed inner map
        const auto message = Protocol::decode(inner->message, &innerError);
        if (!message || !(*message == opened->message) || opened->authorCert != inner->from)
            std::abort();
    }
    if (mode == 2) {
        QString decodeError;
        const auto message = Protocol::decode(m, &decodeError);
        const bool carried = message && Relay::isCarried(*message);
        if (carried != opened.has_value())
            std::abort(); // a carried message refused, or another type let through
        if (opened && (!(opened->message == *message) || opened->author != f.author.id()))
            std::abort();
    }
    return 0;
}
