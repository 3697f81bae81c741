// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

// Issue 11's files table (shoal_bench --files [--quick]): each figure from two child processes
// (sender and receiver) on loopback, beside its baseline measured in the same run.
int runFilesBench(bool quick);

// Child processes (shoal_bench --files-peer and so on). The exit code, or -1 for another mode.
int runFilesChild(const QStringList &args);
