// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDir>
#include <QFile>
#include <QString>

#include <sys/prctl.h>
#include <sys/resource.h>

#include <csignal>

// What a process of the bench costs, read from /proc: nothing the reading process does counts.
struct ProcessCost
{
    qint64 cpuNs = 0;    // on a CPU, all threads (schedstat)
    qint64 switches = 0; // voluntary and not, all threads: each is a wake-up or a preemption
};

inline ProcessCost processCost(qint64 pid)
{
    using namespace Qt::StringLiterals;
    ProcessCost c;
    const QDir tasks(u"/proc/%1/task"_s.arg(pid));
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile schedstat(tasks.filePath(tid + u"/schedstat"_s));
        if (schedstat.open(QIODevice::ReadOnly))
            c.cpuNs += schedstat.readAll().split(' ').value(0).toLongLong();
        QFile status(tasks.filePath(tid + u"/status"_s));
        if (!status.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("voluntary_ctxt_switches:")
                || line.startsWith("nonvoluntary_ctxt_switches:"))
                c.switches += line.mid(line.indexOf(':') + 1).trimmed().toLongLong();
        }
    }
    return c;
}

// Resident memory in kB (VmRSS), 0 if the process is gone.
inline qint64 residentKiB(qint64 pid)
{
    using namespace Qt::StringLiterals;
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

// A child process of the bench: killed with the bench, however the bench ends (a child that
// serves until killed would otherwise outlive a bench that stopped on a failure); and allowed
// the file descriptors that hundreds of connections and histories need.
inline void benchChildSetUp()
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
}
