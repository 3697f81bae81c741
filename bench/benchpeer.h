// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A benchmark's child-process peer: identity and history on disk in `profile`, listening on
// loopback. A peer that cannot start ends its process; the parent's wait for it names what
// failed.
#include "identity/identity.h"
#include "messenger/messenger.h"

#include <QHostAddress>

#include <memory>

inline MessengerConfig benchPeerConfig(const QString &profile, const QString &name, quint16 port = 0)
{
    MessengerConfig config;
    config.profileDir = profile;
    config.name = name;
    config.listenAddress = QHostAddress::LocalHost;
    config.port = port;
    return config;
}

inline std::unique_ptr<Messenger> startBenchPeer(const MessengerConfig &config)
{
    QString error;
    const auto identity = Identity::loadOrCreate(config.profileDir, &error);
    if (!identity)
        qFatal("%s", qPrintable(error));
    auto peer = std::make_unique<Messenger>(*identity, config);
    if (!peer->start())
        qFatal("%s", qPrintable(peer->errorString()));
    return peer;
}
