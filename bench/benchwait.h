// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QTimer>

#include <cstdio>
#include <functional>

// Blocks in the event loop until `done`, looking at it again after every pass of the loop
// (every socket read, timer, posted event of this thread) and at nothing else: no polling
// timer, so the process sleeps until something happens (the CPU and wake-up figures depend on
// it; a 10 ms tick was 88-93 % of some rows). One single-shot timer ends the wait at the
// deadline, so a condition that never comes true costs a report, never a hang.
//
// A condition that can change without an event in this thread (another process's state read
// from /proc, a file) passes `recheckMs`: then it is also looked at on that period (100 ms is
// plenty; only such waits pay for it).
//
// `what` names the wait in the report when the deadline passes; the caller decides whether a
// wait that timed out spoils its figures.
inline bool benchWait(const char *what,
                      const std::function<bool()> &done,
                      int timeoutMs,
                      int recheckMs = 0)
{
    if (done())
        return true;
    const QDeadlineTimer deadline(timeoutMs, Qt::PreciseTimer);
    QTimer expire;
    expire.setSingleShot(true);
    expire.setTimerType(Qt::PreciseTimer);
    QTimer recheck;
    if (recheckMs > 0)
        recheck.start(recheckMs);
    while (!done()) {
        if (deadline.hasExpired()) {
            if (what) {
                std::fprintf(stderr, "bench: gave up after %d ms waiting for %s\n", timeoutMs, what);
                std::fflush(stderr);
            }
            return false;
        }
        // (Re)armed for what is left: a timer that fired a little early must not leave the loop
        // blocked with nothing due.
        if (!expire.isActive())
            expire.start(int(qMax<qint64>(1, deadline.remainingTime())));
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

// Lets the event loop run for `ms` (peers keep talking, timers fire) with one wake-up at the end.
inline void benchSleep(int ms)
{
    benchWait(
        nullptr, [] { return false; }, ms);
}
