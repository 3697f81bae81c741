// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer, connection level: one input is everything a peer sends after the TLS handshake,
// fed over a real loopback TLS connection into a real Messenger (frame decoder, hello state
// machine, every message type, acknowledgements, the history on its writer thread). Then the
// peer hangs up, and the connection must be gone within seconds: a crash, a sanitizer report,
// a leak or a connection that never closes is a finding.
//
// Input: the first byte's low bit chooses whether a valid hello (with the fuzzing peer's real
// ID) goes first, so the fuzzer reaches the messages after the hello without having to guess a
// SHA-256 fingerprint; the rest is sent as is.
#include "fuzzedpeer.h"
#include "identity/identity.h"
#include "messenger/messenger.h"
#include "net/connectionregistry.h"
#include "net/tlsconfiguration.h"
#include "protocol/messages.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSslConfiguration>
#include <QSslSocket>

#include <cstdio>
#include <cstdlib>

using namespace Qt::StringLiterals;

namespace {

Messenger *alice = nullptr;
std::optional<Identity> mallory;
QSslConfiguration config;

using FuzzedPeer::waitFor;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    alice = FuzzedPeer::start(argc, argv, "fuzz_connection");
    QString error;
    mallory = Identity::generate(&error);
    if (!mallory) {
        std::fprintf(stderr, "fuzz_connection: no identity: %s\n", qPrintable(error));
        std::abort();
    }
    config = Tls::configuration(*mallory);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    {
        QSslSocket peer;
        peer.setSslConfiguration(config);
        peer.connectToHostEncrypted(u"127.0.0.1"_s, alice->port());
        if (!waitFor([&] { return peer.isEncrypted(); }, 10000)) {
            std::fprintf(stderr, "fuzz_connection: no TLS connection\n");
            std::abort();
        }
        if (size == 0 || (data[0] & 1) == 0) {
            Protocol::Hello hello;
            hello.peerId = mallory->id();
            hello.name = u"Mallory"_s;
            hello.port = 1;
            peer.write(Protocol::encodeFrame(hello));
        }
        if (size > 1)
            peer.write(reinterpret_cast<const char *>(data) + 1, qint64(size - 1));
        // Let Alice answer a little (acks, pongs), then hang up.
        waitFor([&] { return peer.bytesToWrite() == 0 && peer.encryptedBytesToWrite() == 0; }, 2000);
        peer.disconnectFromHost();
        waitFor([&] { return peer.state() == QAbstractSocket::UnconnectedState; }, 2000);
    }
    if (!waitFor([] { return alice->connections().connectionCount() == 0; }, 15000)) {
        std::fprintf(stderr, "fuzz_connection: the connection did not close after hang-up\n");
        std::abort();
    }
    return 0;
}
