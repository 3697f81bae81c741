// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <functional>

class QSocketNotifier;

// What changed on this host's network since the last change reported.
struct NetworkChange
{
    QDateTime at;                // UTC
    QList<QHostAddress> added;   // addresses of up, running interfaces that are new
    QList<QHostAddress> removed; // addresses gone (or their interface went down)
    QStringList up;              // interfaces that came up and running
    QStringList down;            // interfaces that went down (or disappeared)
    bool resumed = false;        // the host slept since the last check

    bool isEmpty() const
    {
        return added.isEmpty() && removed.isEmpty() && up.isEmpty() && down.isEmpty() && !resumed;
    }
    QString toString() const;
};

// Notices network changes without polling while idle: the kernel tells us over rtnetlink
// (links, IPv4 and IPv6 addresses), QNetworkInformation when a backend loads, and a coarse
// 30 s check of how long the host has slept (CLOCK_BOOTTIME - CLOCK_MONOTONIC grows only
// while suspended). Each burst of kernel events is debounced, then the interfaces are compared
// with the last snapshot: what differs is one change.
class NetworkMonitor final : public QObject
{
    Q_OBJECT

public:
    static constexpr int DebounceMs = 200;
    static constexpr int ResumeCheckMs = 30'000;
    static constexpr qint64 MinSleepMs = 2'000; // slept this long: a resume
    static constexpr int MaxRecentChanges = 20;

    // Milliseconds of a clock; tests inject their own.
    using Clock = std::function<qint64()>;

    explicit NetworkMonitor(QObject *parent = nullptr);
    ~NetworkMonitor() override;

    // Takes the first snapshot and starts listening. False (and `error` says why) when the
    // kernel's notifications cannot be had: then only the resume check and checkNow() work.
    bool start(QString *error = nullptr);
    void stop();
    bool isWatching() const { return m_notifier != nullptr; }

    // Tests: the clocks the resume check reads (default CLOCK_BOOTTIME and CLOCK_MONOTONIC).
    void setClocks(Clock boottime, Clock monotonic);

    // Compare the interfaces with the last snapshot now, and check for a resume.
    void checkNow();
    // What the ResumeCheckMs timer does: report a change if the host slept since last time.
    void checkResume();
    // Someone else (logind's PrepareForSleep(false)) says the host woke up.
    void reportResumed();

    // The addresses of the up, running interfaces at the last check.
    QSet<QHostAddress> addresses() const;
    // The last MaxRecentChanges changes, oldest first.
    QList<NetworkChange> recentChanges() const { return m_recent; }

Q_SIGNALS:
    void changed(const NetworkChange &change);

private:
    using Snapshot = QHash<QString, QSet<QHostAddress>>; // up, running interface -> addresses

    static Snapshot takeSnapshot();
    void onNetlinkReadable();
    void scheduleCheck();
    bool sleptSinceLastCheck();
    void check(bool resumed);

    int m_netlink = -1;
    QSocketNotifier *m_notifier = nullptr;
    QTimer m_debounce;
    QTimer m_resumeCheck;
    Clock m_boottime;
    Clock m_monotonic;
    qint64 m_sleptMs = 0; // boottime - monotonic at the last check
    Snapshot m_snapshot;
    QList<NetworkChange> m_recent;
    QObject *m_information = nullptr; // the QNetworkInformation connection's context
    bool m_running = false;
};

Q_DECLARE_METATYPE(NetworkChange)
