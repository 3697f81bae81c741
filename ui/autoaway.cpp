// SPDX-License-Identifier: GPL-3.0-or-later
#include "autoaway.h"

#include "messenger/messenger.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusReply>
#include <QElapsedTimer>
#include <QEvent>
#include <QScopedValueRollback>

#include <memory>

AutoAway::AutoAway(Messenger &messenger, IdleSource idle, QObject *parent)
    : QObject(parent)
    , m_messenger(messenger)
    , m_idle(std::move(idle))
{
    m_timer.setInterval(CheckIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &AutoAway::check);
    // The person chose a status: it is theirs from now on.
    connect(&m_messenger, &Messenger::statusChanged, this, [this] {
        if (!m_setting)
            m_away = false;
    });
    setMinutes(m_minutes);
}

void AutoAway::setMinutes(int minutes)
{
    m_minutes = qMax(0, minutes);
    if (m_minutes > 0) {
        m_timer.start();
    } else {
        m_timer.stop();
        if (m_away)
            check(); // off: back to Available
    }
}

void AutoAway::check()
{
    const std::optional<qint64> idle = m_idle ? m_idle() : std::nullopt;
    const qint64 limit = qint64(m_minutes) * 60'000;
    const QScopedValueRollback<bool> setting(m_setting, true);
    if (m_away) {
        if (m_minutes == 0 || (idle && *idle < limit)) {
            m_away = false;
            if (m_messenger.status() == PeerInfo::Status::Away)
                m_messenger.setStatus(PeerInfo::Status::Available, m_messenger.statusText());
        }
        return;
    }
    if (m_minutes > 0 && idle && *idle >= limit
        && m_messenger.status() == PeerInfo::Status::Available) {
        m_away = true;
        m_messenger.setStatus(PeerInfo::Status::Away, m_messenger.statusText());
    }
}

namespace {

// Input in this application's windows: the fallback idle source.
class InputWatcher final : public QObject
{
public:
    explicit InputWatcher(QObject *parent)
        : QObject(parent)
    {
        m_since.start();
        QCoreApplication::instance()->installEventFilter(this);
    }
    qint64 idleMs() const { return m_since.elapsed(); }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        switch (event->type()) {
        case QEvent::KeyPress:
        case QEvent::MouseButtonPress:
        case QEvent::MouseMove:
        case QEvent::Wheel:
        case QEvent::TouchBegin:
            m_since.restart();
            break;
        default:
            break;
        }
        return QObject::eventFilter(watched, event);
    }

private:
    QElapsedTimer m_since;
};

} // namespace

AutoAway::IdleSource AutoAway::desktopIdleSource(QObject *owner)
{
    auto *input = new InputWatcher(owner);
    auto screenSaverWorks = std::make_shared<bool>(true);
    return [input, screenSaverWorks]() -> std::optional<qint64> {
        if (*screenSaverWorks) {
            QDBusMessage call
                = QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.ScreenSaver"),
                                                 QStringLiteral("/org/freedesktop/ScreenSaver"),
                                                 QStringLiteral("org.freedesktop.ScreenSaver"),
                                                 QStringLiteral("GetSessionIdleTime"));
            const QDBusReply<uint> reply = QDBusConnection::sessionBus().call(call,
                                                                              QDBus::Block,
                                                                              500);
            if (reply.isValid())
                return qMin<qint64>(qint64(reply.value()), input->idleMs());
            // Not there or not implemented (GNOME): our own windows from now on.
            *screenSaverWorks = false;
        }
        return input->idleMs();
    };
}
