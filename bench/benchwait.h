#pragma once

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QTimer>

#include <functional>

// Blocks in the event loop until `done` (no busy waiting: the CPU figures depend on it), waking
// at least every `wakeMs` to look at the condition and the deadline.
inline bool benchWait(const std::function<bool()> &done, int timeoutMs, int wakeMs)
{
    QDeadlineTimer deadline(timeoutMs);
    QTimer wake;
    wake.start(wakeMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}
