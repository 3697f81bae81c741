// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer, listener level: one input is the raw bytes a client sends to a running Messenger's
// listening socket over loopback, before and instead of TLS (not wrapped in TLS: the fuzzer
// plays the client's side of the handshake itself). It reaches Qt's TLS backend, OpenSSL's
// handshake and Shoal's handling of every way a handshake can fail. Then the client hangs up,
// and the connection must be gone within seconds: a crash, a sanitizer report, a leak or a
// connection that never closes is a finding.
//
// Input: the first byte is the size of the writes the rest is sent in (0: one write; at most
// 64 writes), with Alice's event loop running between them, so records arrive cut anywhere.
#include "fuzzedpeer.h"
#include "identity/identity.h"
#include "messenger/messenger.h"
#include "net/connectionregistry.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTcpSocket>

#include <cstdio>
#include <cstdlib>

using namespace Qt::StringLiterals;

namespace {

Messenger *alice = nullptr;

using FuzzedPeer::waitFor;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    alice = FuzzedPeer::start(argc, argv, "fuzz_listener");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    {
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, alice->port());
        if (!waitFor([&] { return client.state() == QAbstractSocket::ConnectedState; }, 10000)) {
            std::fprintf(stderr, "fuzz_listener: no TCP connection\n");
            std::abort();
        }
        const QByteArray bytes = size > 1 ? QByteArray(reinterpret_cast<const char *>(data) + 1,
                                                       qsizetype(size - 1))
                                          : QByteArray();
        const qsizetype chunk = size > 0 && data[0] != 0
                                    ? std::max<qsizetype>(data[0], bytes.size() / 64 + 1)
                                    : std::max<qsizetype>(bytes.size(), 1);
        for (qsizetype at = 0;
             at < bytes.size() && client.state() == QAbstractSocket::ConnectedState;
             at += chunk) {
            client.write(bytes.mid(at, chunk));
            // Let Alice take this part before the next one arrives.
            waitFor([&] { return client.bytesToWrite() == 0; }, 2000);
            QCoreApplication::processEvents(QEventLoop::AllEvents);
        }
        client.disconnectFromHost();
        waitFor([&] { return client.state() == QAbstractSocket::UnconnectedState; }, 2000);
    }
    if (!waitFor([] { return alice->connections().connectionCount() == 0; }, 15000)) {
        std::fprintf(stderr, "fuzz_listener: the connection did not close after hang-up\n");
        std::abort();
    }
    return 0;
}
