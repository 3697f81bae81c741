// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

// Many peers at once, and start-up: each figure measured in a process of its own, beside a
// bare Qt baseline measured the same way in the same run.

struct HubCost
{
    double kibPerPeer = 0;     // resident memory (peers 2..N) / (N - 1)
    double heapKibPerPeer = 0; // the same, allocated and not freed (malloc\'s count)
    double connectMs = 0;      // dialling peers 2..N until all are connected
    double cpuOne = 0;         // % of one core, idle, 1 peer connected
    double cpuAll = 0;         // same, N connected
    double wakeupsOne = 0;     // context switches/s, 1 peer
    double wakeupsAll = 0;     // same, N
    bool ok = false;
};

struct ScaleResult
{
    int peers = 0;
    HubCost shoal; // a Messenger, history on disk
    HubCost tls;   // bare QSslSockets with Shoal's TLS configuration, nothing on top
};

ScaleResult benchScale(int peers, int idleSeconds);

struct StartResult
{
    double emptyMs = 0;  // shoal-cli start -> `ready`, empty profile, p50
    double bigMs = 0;    // the same with the big profile
    double bareMs = 0;   // a QCoreApplication that prints a line and exits, p50
    qint64 messages = 0; // in the big profile
    qint64 unread = 0;
    bool ok = false;
};

StartResult benchStart(int runs);

// Child processes (shoal_bench --hub and so on). Return the exit code.
int runScaleChild(const QStringList &args);
