// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A hand-driven peer for tests: a TLS socket with its own identity that sends whatever the test
// says (valid frames, raw bytes) and records every message it receives.
#include "identity/identity.h"
#include "messenger/messenger.h"
#include "net/tlsconfiguration.h"
#include "protocol/framedecoder.h"
#include "protocol/messages.h"

#include <QSslConfiguration>
#include <QSslSocket>
#include <QTest>

#include <algorithm>

class RawPeer : public QObject
{
public:
    explicit RawPeer(const Identity &identity)
        : m_identity(identity)
    {
        m_config = Tls::configuration(identity);
        socket.setSslConfiguration(m_config);
        connect(&socket, &QSslSocket::readyRead, this, [this] {
            QList<QByteArray> frames;
            m_decoder.feed(socket.readAll(), &frames);
            for (const QByteArray &f : frames) {
                QString error;
                if (auto m = Protocol::decode(f, &error))
                    received.append(*m);
            }
        });
    }

    void connectTo(Messenger &m)
    {
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m.port());
    }
    // Connects and waits until TLS is up (false if it is not within 5 s).
    bool connectAndWait(Messenger &m)
    {
        connectTo(m);
        return QTest::qWaitFor([this] { return socket.isEncrypted(); }, 5000);
    }
    // Whether the peer acknowledged the message with this ID.
    bool acked(const QUuid &id) const
    {
        return std::any_of(received.cbegin(), received.cend(), [&](const auto &m) {
            const auto *ack = std::get_if<Protocol::Ack>(&m);
            return ack && ack->id == id;
        });
    }
    void send(const Protocol::Message &m) { socket.write(Protocol::encodeFrame(m)); }
    void sendRaw(const QByteArray &bytes) { socket.write(bytes); }
    Protocol::Hello hello(const QString &claimedId) const
    {
        Protocol::Hello h;
        h.peerId = claimedId;
        h.name = QStringLiteral("raw");
        h.port = 1;
        return h;
    }
    bool receivedBye() const
    {
        for (const auto &m : received) {
            if (std::holds_alternative<Protocol::Bye>(m))
                return true;
        }
        return false;
    }

    const Identity m_identity;
    QSslConfiguration m_config;
    QSslSocket socket;
    QList<Protocol::Message> received;

private:
    FrameDecoder m_decoder{Protocol::MaxFrameSize};
};
