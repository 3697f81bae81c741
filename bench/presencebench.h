// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Issue 15's presence row (shoal_bench --presence [--quick]): one peer changes its status with
// 50 peers connected to it (51 Messengers in this process, loopback); the time until all 50
// show the new status, p50 and max over several rounds. Target: <= 1 s.
int runPresenceBench(bool quick);
