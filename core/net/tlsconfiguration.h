// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSslConfiguration>

class Identity;

// Shoal's TLS set-up, the one place it is written: the registry uses it for every connection,
// and the tests, fuzzers and bench use it to speak to Shoal as a peer would.
namespace Tls {

// TLS 1.3 or later with `identity`'s self-signed certificate. There is no CA to ask: the
// handshake proves the peer holds its key, and PeerConnection then checks the certificate's
// hash against the claimed peer ID. So the peer's certificate is asked for, not verified.
QSslConfiguration configuration(const Identity &identity);
// The same with no certificate of our own (a client that shows none).
QSslConfiguration configuration();

} // namespace Tls
