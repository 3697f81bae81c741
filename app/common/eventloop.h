// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

// Headless processes (shoal-cli, and shoal_bench, which stands for it) run Qt's own poll()
// event loop instead of GLib's. They integrate with no GLib-based library, and GLib's loop
// writes its wake-up eventfd on every posted event and on every change of a socket notifier:
// per message round trip, 12 such writes instead of 2, ~15 % of the round trip's CPU
// (docs/benchmarks.md). The window keeps GLib's loop: desktop platform themes and their dialogs
// may need it. Call before the QCoreApplication is made; a QT_NO_GLIB the person set wins.
inline void preferQtEventLoop()
{
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
}
