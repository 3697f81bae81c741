// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

// Issue 13's groups table (shoal_bench --groups [--quick]): one message to a 50-member group
// beside the 1:1 round trip, measured the same way in the same run; catch-up of 10,000 missed
// messages from one member (two child processes); the signature's cost.
int runGroupsBench(bool quick);

// Child processes (shoal_bench --groups-peer). The exit code, or -1 for another mode.
int runGroupsChild(const QStringList &args);
