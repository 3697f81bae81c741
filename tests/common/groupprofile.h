// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A profile folder with a real Messenger on loopback (discovery on 127.255.255.255), for the
// group tests: "away" is the Messenger destroyed and made again on the same folder.
#include "identity/identity.h"
#include "messenger/messenger.h"
#include "net/connectionregistry.h"
#include "storage/messagestore.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

struct Profile
{
    QTemporaryDir dir;
    quint16 port = 0;
    QString name;
    std::unique_ptr<Messenger> m;

    void start(quint16 discoveryPort)
    {
        QString error;
        const auto identity = Identity::loadOrCreate(dir.path(), &error);
        QVERIFY2(identity, qPrintable(error));
        MessengerConfig config;
        config.profileDir = dir.path();
        config.name = name;
        config.listenAddress = QHostAddress::LocalHost;
        config.port = port;
        config.discovery = DiscoveryConfig{discoveryPort,
                                           {QHostAddress(QStringLiteral("127.255.255.255"))},
                                           30000};
        m = std::make_unique<Messenger>(*identity, config);
        QVERIFY2(m->start(), qPrintable(m->errorString()));
        port = m->port();
    }
    void stop()
    {
        m->shutdown();
        m.reset();
    }
    QString id() const { return m->id(); }
    QByteArray cert() const
    {
        QString error;
        return Identity::loadOrCreate(dir.path(), &error)->certificate().toDer();
    }
};

// The group's text messages by `author`, in the order they are shown.
inline QStringList textsBy(const Messenger &m, const QString &group, const QString &author)
{
    QStringList out;
    for (const ChatMessage &c : m.history().conversation(group)) {
        if (c.kind == MessageKind::Text && c.author == author)
            out.append(c.text);
    }
    return out;
}

inline qsizetype textCount(const Messenger &m, const QString &group)
{
    qsizetype n = 0;
    for (const ChatMessage &c : m.history().conversation(group))
        n += c.kind == MessageKind::Text;
    return n;
}

inline bool connectedToAll(Messenger &m, const QStringList &ids)
{
    for (const QString &id : ids) {
        if (id != m.id() && !m.connections().isConnected(id))
            return false;
    }
    return true;
}
