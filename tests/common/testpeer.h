// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A Shoal peer for tests: a real Messenger on loopback, port 0, history in memory.
#include "identity/identity.h"
#include "messenger/messenger.h"

#include <QDebug>
#include <QHostAddress>

#include <memory>

// The settings every test peer starts from; a test changes what it needs before startPeer().
inline MessengerConfig testPeerConfig(const QString &name)
{
    MessengerConfig config;
    config.name = name;
    config.listenAddress = QHostAddress::LocalHost;
    config.port = 0;
    return config;
}

// Started with `identity`, or a new one. A failed start is logged, not fatal: the test's own
// checks say what it meant.
inline std::unique_ptr<Messenger> startPeer(const MessengerConfig &config,
                                            const Identity *identity = nullptr)
{
    QString error;
    auto m = std::make_unique<Messenger>(identity ? *identity : *Identity::generate(&error), config);
    if (!m->start() || !m->warnings().isEmpty())
        qWarning() << "start:" << m->errorString() << m->warnings();
    return m;
}

inline std::unique_ptr<Messenger> makePeer(const QString &name)
{
    return startPeer(testPeerConfig(name));
}
