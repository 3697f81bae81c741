// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A thread's longest busy stretch: how late a 1 ms timer comes, at most; and how much of that
// stretch the thread was on a CPU (the rest it waited for one: on a shared 2-core host, other
// processes' turns look like a busy thread). Runs in the thread that starts it, the main (GUI)
// thread in the benches.
#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <time.h>

class BusyProbe
{
public:
    BusyProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { tick(); });
    }
    // Starts, or starts again from nothing.
    void restart()
    {
        m_longestGapNs = m_longestGapCpuNs = m_longestCpuNs = 0;
        m_sinceTick.invalidate();
        m_timer.start();
    }
    // "GAP US ON_CPU_US LONGEST_ON_CPU_US": the longest interval, its time on a CPU, the
    // longest time on a CPU of any interval.
    QByteArray report() const
    {
        return "GAP " + QByteArray::number(m_longestGapNs / 1000) + ' '
               + QByteArray::number(m_longestGapCpuNs / 1000) + ' '
               + QByteArray::number(m_longestCpuNs / 1000);
    }

private:
    static qint64 threadCpuNs()
    {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    }
    void tick()
    {
        const qint64 cpu = threadCpuNs();
        if (m_sinceTick.isValid()) {
            const qint64 gap = m_sinceTick.nsecsElapsed();
            if (gap > m_longestGapNs) {
                m_longestGapNs = gap;
                m_longestGapCpuNs = cpu - m_cpuAtTick;
            }
            m_longestCpuNs = qMax(m_longestCpuNs, cpu - m_cpuAtTick);
        }
        m_sinceTick.start();
        m_cpuAtTick = cpu;
    }

    QTimer m_timer;
    QElapsedTimer m_sinceTick;
    qint64 m_cpuAtTick = 0;
    qint64 m_longestGapNs = 0, m_longestGapCpuNs = 0, m_longestCpuNs = 0;
};
