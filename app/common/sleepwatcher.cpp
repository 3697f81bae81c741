// SPDX-License-Identifier: GPL-3.0-or-later
#include "sleepwatcher.h"

#include <QDBusConnection>
#include <QFileInfo>

using namespace Qt::StringLiterals;

SleepWatcher::SleepWatcher(QObject *parent)
    : QObject(parent)
{
    // Only where a system bus is there to ask: connecting to none costs a failed attempt and,
    // under some setups, a warning.
    const QString address = qEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS");
    if (address.isEmpty() && !QFileInfo::exists(u"/run/dbus/system_bus_socket"_s))
        return;
    QDBusConnection bus = QDBusConnection::systemBus();
    if (!bus.isConnected())
        return;
    // QtDBus connects signals by signature only: the one SLOT() string in Shoal.
    m_watching = bus.connect(u"org.freedesktop.login1"_s,
                             u"/org/freedesktop/login1"_s,
                             u"org.freedesktop.login1.Manager"_s,
                             u"PrepareForSleep"_s,
                             this,
                             SLOT(onPrepareForSleep(bool)));
}

void SleepWatcher::onPrepareForSleep(bool sleeping)
{
    if (!sleeping)
        Q_EMIT resumed();
}
