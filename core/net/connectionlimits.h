// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

// Time and size limits of one connection. Defaults are the shipped values; tests shorten them.
struct ConnectionLimits
{
    int handshakeMs = 10'000; // TCP + TLS + hello, from the first byte of effort
    int stallMs = 10'000;     // a frame started but not finished
    // Keepalive (docs/protocol.md, "Keepalive"): after the connection comes up or something is
    // sent, ping every pingIntervalMs until the peer is heard, close if it is not within
    // deadAfterMs. The kernel's TCP keepalive runs on the same clocks between probes.
    int pingIntervalMs = 5'000;
    int deadAfterMs = 15'000;
    // Bytes written to the socket that the peer has not taken yet. Over this, the peer is not
    // reading (or is far too slow): the connection is closed rather than the buffer growing.
    // This one is for the chat stream; a bulk stream has its own, larger: it is meant to keep
    // the network busy, and what waits on it never delays the chat.
    qint64 maxPendingWriteBytes = 8 * 1024 * 1024;
    qint64 maxPendingBulkWriteBytes = 32 * 1024 * 1024;
    // A bulk stream on which nothing but keepalive went either way for this long, and nothing
    // waits to be sent, is closed: it costs a connection slot.
    int bulkIdleMs = 60'000;
    // New incoming connections accepted from one address per second (a burst of twice that):
    // each costs a TLS handshake. More are refused before any TLS work.
    int newConnectionsPerAddressPerSecond = 10;
};
