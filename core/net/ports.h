// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

// The documented defaults (docs/protocol.md).
constexpr quint16 DefaultPort = 47800;          // TCP, peer connections
constexpr quint16 DefaultDiscoveryPort = 47801; // UDP, LAN discovery
