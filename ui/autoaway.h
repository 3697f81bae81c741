// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QTimer>

#include <functional>
#include <optional>

class Messenger;

// Presence (issue 15): after `minutes` without input an Available status becomes Away, and on
// input it comes back to Available, but only if it was made Away here: a status the person
// chose (Away, Busy) is never changed. The idle time comes from an idle source (milliseconds
// since the last input, or nullopt when it cannot tell); checked every CheckIntervalMs.
class AutoAway final : public QObject
{
    Q_OBJECT

public:
    using IdleSource = std::function<std::optional<qint64>()>;
    static constexpr int CheckIntervalMs = 5'000;

    AutoAway(Messenger &messenger, IdleSource idle, QObject *parent = nullptr);

    // 0: off.
    void setMinutes(int minutes);
    int minutes() const { return m_minutes; }
    // Whether the status is Away because of this (not the person's choice).
    bool isAway() const { return m_away; }
    // Looks at the idle time now (the timer's work; tests call it).
    void check();
    void setCheckInterval(int ms) { m_timer.setInterval(ms); }

    // The desktop's idle time: org.freedesktop.ScreenSaver's GetSessionIdleTime over the
    // session bus, else (when it does not answer) input in this application's own windows.
    static IdleSource desktopIdleSource(QObject *owner);

private:
    Messenger &m_messenger;
    IdleSource m_idle;
    int m_minutes = 10;
    bool m_away = false;
    bool m_setting = false;
    QTimer m_timer;
};
