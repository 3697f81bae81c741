// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The peer the connection-level fuzz targets attack: a Messenger listening on loopback in this
// process, driven by polling its event loop (libFuzzer owns the main loop).
#include "identity/identity.h"
#include "messenger/messenger.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QLoggingCategory>

#include <cstdio>
#include <cstdlib>
#include <functional>

namespace FuzzedPeer {

// Runs the event loop until `done` or `ms` have passed.
inline bool waitFor(const std::function<bool()> &done, int ms)
{
    QDeadlineTimer deadline(ms);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

// Makes the application and starts Alice; aborts the fuzzer if she cannot start.
inline Messenger *start(int *argc, char ***argv, const char *target)
{
    qputenv("SHOAL_LOOPBACK_ONLY", "1"); // nothing leaves this host
    new QCoreApplication(*argc, *argv);
    using namespace Qt::StringLiterals;
    QLoggingCategory::setFilterRules(u"shoal.*=false"_s); // one line per input otherwise
    QString error;
    MessengerConfig c;
    c.name = u"Alice"_s;
    c.listenAddress = QHostAddress::LocalHost;
    c.port = 0;
    c.timeouts.newConnectionsPerAddressPerSecond = 1'000'000; // one connection per input
    const auto identity = Identity::generate(&error);
    auto *alice = identity ? new Messenger(*identity, c) : nullptr;
    if (!alice || !alice->start()) {
        std::fprintf(stderr,
                     "%s: cannot start: %s\n",
                     target,
                     qPrintable(alice ? alice->errorString() : error));
        std::abort();
    }
    return alice;
}

} // namespace FuzzedPeer
