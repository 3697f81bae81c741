// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHostAddress>
#include <QString>

// A backstop for test machines that share a network which must never see Shoal's traffic.
// With SHOAL_LOOPBACK_ONLY=1 in the environment (ctest sets it for every test; the bench and
// demo scripts set it too) Shoal sends nothing beyond this host: discovery drops every
// non-loopback target and reply, and dialling refuses anything but loopback literals and
// "localhost". Inside a network namespace a test may unset it.
namespace NetworkSafety {

bool loopbackOnly();
bool isLoopback(const QHostAddress &address);
// A host we may dial under loopbackOnly(): a loopback literal or "localhost" (no DNS query).
bool isLoopbackHost(const QString &host);

} // namespace NetworkSafety
