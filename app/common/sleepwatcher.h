// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

// logind's PrepareForSleep(false) over the system bus: the host has just woken up, sooner than
// the network monitor's clock check would notice. Nothing at all where there is no system bus
// (containers, tests): the clock check still works there.
class SleepWatcher final : public QObject
{
    Q_OBJECT

public:
    explicit SleepWatcher(QObject *parent = nullptr);
    bool isWatching() const { return m_watching; }

Q_SIGNALS:
    void resumed();

private Q_SLOTS:
    void onPrepareForSleep(bool sleeping);

private:
    bool m_watching = false;
};
